"""``accel``: ACCEL (Parker-Holder, Jiang et al. 2022, "Evolving Curricula with Regret-Based Environment
Design"): robust PLR whose replays also breed edited levels.

Everything of :mod:`ppcg.curricula.plr` holds (buffer, scores, rank prioritisation with staleness, robust
training on replayed levels only). In addition, every level handed out as a **replay** gets a **child**: the
replayed level with ``n_edits`` edits (:func:`ppcg.generators.mutate`: the paper games' edit tables, or a
learned generator's tile model; the child is checked playable). Children wait in a queue and are handed out
at the next resets, before any new draw; like new levels they are played only to be scored (in robust mode the
agent does not learn from them), and enter the buffer when their score beats its lowest. Replays are drawn by
high score, so the levels that breed are the high-regret ones, and edits compound over generations: a child
of a child carries both parents' edits.

Per reset this is jaxued's and minimax's cycle (a batch of replays, then a batch of their mutations, else a
batch of new levels) spread over environments: of the episodes, about ``p : p : (1 - p)`` are replays,
children and new levels for a replay probability ``p``.

Defaults, from the paper (Table of MiniGrid hyperparameters) and the jaxued/minimax implementations: replay
probability 0.8, buffer 4,000 levels, rank prioritisation with temperature 0.3, staleness coefficient 0.3,
minimum fill 0.5, robust (no gradient on new or mutated levels), positive value loss as the score (the
paper's; jaxued's maze example defaults to MaxMC, ``score: max_mc`` here), 20 edits per child (the paper and
minimax; jaxued's example uses 5). New levels come at a difficulty uniform in ``[low, high]`` (default
[0, 1]); the paper starts ACCEL from empty rooms, which ``high: 0`` (the generators' easiest levels) comes
closest to.

A child's id is its generated ancestor's id with ``/edit=<k>``, ``k`` the curriculum's running count of
children (``zelda/d=0.430/seed=1234/edit=17``); its level is kept in the buffer and in checkpoints (it cannot
be generated again from its id).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from ppcg.curricula.base import CurriculumConfigError, check_int
from ppcg.curricula.plr import BufferEntry, PrioritizedLevelReplay
from ppcg.envs.source import LevelRequest
from ppcg.envs.sources import draw_level_seed
from ppcg.generators.base import level_rng
from ppcg.vgdl.level import Level

__all__ = ["ACCEL", "EDIT_MARK"]

EDIT_MARK = "/edit="
"""What a child's level id adds to its generated ancestor's id."""

_KEYS = ("level_id", "difficulty", "seed", "score", "last_sampled", "max_return", "plays", "inserted")


class ACCEL(PrioritizedLevelReplay):
    """Robust PLR that mutates replayed levels and scores the children (see the module docstring).

    Args:
        game: the game's name.
        generator: makes new levels and mutates them (``mutate(level, rng, n_edits)``).
        n_edits: edits per child (default 20).
        capacity, replay_prob, min_fill, temperature, staleness_coef, score, prioritization, score_ema,
            robust, low, high: as :class:`~ppcg.curricula.plr.PrioritizedLevelReplay`, with ACCEL's defaults.
        **kwargs: the win rule and statistics options of :class:`~ppcg.curricula.base.Curriculum`.
    """

    name = "accel"

    def __init__(
        self,
        *,
        game: str,
        generator: Any,
        n_edits: int = 20,
        capacity: int = 4000,
        replay_prob: float = 0.8,
        min_fill: float = 0.5,
        temperature: float = 0.3,
        staleness_coef: float = 0.3,
        score: str = "positive_value_loss",
        prioritization: str = "rank",
        score_ema: float = 1.0,
        robust: bool = True,
        low: float = 0.0,
        high: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            game=game,
            generator=generator,
            capacity=capacity,
            replay_prob=replay_prob,
            min_fill=min_fill,
            temperature=temperature,
            staleness_coef=staleness_coef,
            score=score,
            prioritization=prioritization,
            score_ema=score_ema,
            robust=robust,
            low=low,
            high=high,
            **kwargs,
        )
        self.n_edits = check_int("n_edits", n_edits, low=1)
        if not callable(getattr(generator, "mutate", None)):
            raise CurriculumConfigError(
                f"the generator of {game!r} cannot mutate levels",
                key="name",
                expected="a generator with mutate()",
            )
        self.children: deque[BufferEntry] = deque()  # made from replays, waiting to be played
        self.made = 0  # children made
        self.failed = 0  # replays whose mutation found no playable child
        self.depth: dict[str, int] = {}  # child level id -> edits generations since its generated ancestor

    # --------------------------------------------------------------------------------------------------------
    def _next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        if self.children:
            entry = self.children.popleft()
            self.handed_out += 1
            entry.last_sampled = self.handed_out
            entry.plays += 1
            self._pending[entry.level_id] = entry
            request = self._request(entry)
            self._issue(env_index, request.level_id, False)
            return request
        replays = self.replays
        request = super()._next_level(env_index, rng)
        if self.replays > replays:  # a replay: breed a child from it
            self._breed(self.buffer[request.level_id], rng)
        return request

    def _breed(self, parent: BufferEntry, rng: np.random.Generator) -> None:
        seed = draw_level_seed(rng)  # any seed: a mutation is not one of the num_levels training levels
        child = self.generator.mutate(parent.level, level_rng(seed), self.n_edits)
        if child.rows == parent.level.rows:
            self.failed += 1
            return
        root = parent.level_id.split(EDIT_MARK)[0]
        self.made += 1
        level_id = f"{root}{EDIT_MARK}{self.made}"
        self.depth[level_id] = self.depth.get(parent.level_id, 0) + 1
        child = Level(child.rows, child.mapping, name=level_id)
        self.children.append(
            BufferEntry(level_id, parent.difficulty, seed, child, score=0.0, last_sampled=self.handed_out)
        )

    def update_score(self, level_id: str, score: float) -> None:
        with self._lock:
            super().update_score(level_id, score)
            if len(self.depth) > 4 * self.capacity + len(self._pending):  # forget children long gone
                keep = set(self.buffer) | set(self._pending) | {e.level_id for e in self.children}
                self.depth = {k: v for k, v in self.depth.items() if k in keep}

    # --------------------------------------------------------------------------------------------------------
    def stats(self) -> dict[str, float]:
        with self._lock:
            out = super().stats()
            out["mutations"] = float(self.made)
            kids = [self.depth.get(lid, 0) for lid in self.buffer]
            out["buffer_children"] = float(sum(k > 0 for k in kids))
            if kids:
                out["mean_edit_depth"] = float(np.mean(kids))
            return out

    def state_dict(self) -> dict[str, Any]:
        with self._lock:
            state = super().state_dict()
            live = list(self.buffer.values()) + list(self._pending.values()) + list(self.children)
            state["accel"] = {
                "made": self.made,
                "failed": self.failed,
                "depth": {e.level_id: self.depth[e.level_id] for e in live if e.level_id in self.depth},
                "rows": {
                    e.level_id: list(e.level.rows)
                    for e in live
                    if EDIT_MARK in e.level_id and e.level is not None
                },
            }
            state["in_flight"]["children"] = [{k: getattr(e, k) for k in _KEYS} for e in self.children]
            return state

    def _restore_level(self, item: dict[str, Any], state: dict[str, Any]) -> Level:
        rows = state.get("accel", {}).get("rows", {}).get(item["level_id"])
        if rows is None:
            return super()._restore_level(item, state)
        return Level(tuple(rows), self.generator_mapping(), name=item["level_id"])

    def generator_mapping(self) -> tuple:
        spec = getattr(self.generator, "spec", None)
        return spec.mapping if spec is not None else ()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        with self._lock:
            super().load_state_dict(state)
            extra = state.get("accel", {})
            self.made = int(extra.get("made", 0))
            self.failed = int(extra.get("failed", 0))
            self.depth = {str(k): int(v) for k, v in extra.get("depth", {}).items()}
            for lid, entry in self._pending.items():
                if EDIT_MARK in lid:
                    entry.level = self._restore_level({"level_id": lid}, state)
            self.children = deque(
                BufferEntry(level=self._restore_level(item, state), **item)
                for item in state.get("in_flight", {}).get("children", [])
            )
