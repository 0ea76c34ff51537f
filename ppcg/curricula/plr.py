"""``plr``: Prioritized Level Replay (Jiang, Grefenstette and Rocktäschel 2021) over generated levels.

A bounded buffer of levels, each a (difficulty, seed) pair with a score that says how much the agent can still
learn on it. At each reset, with probability ``replay_prob`` (once the buffer holds ``min_fill`` of its
capacity) a level is *replayed* from the buffer, else a *new* level is generated (difficulty uniform in
``[low, high]``, a fresh seed).

Replay distribution, over the N levels in the buffer (the paper's equations):

* score prioritisation, ``"rank"``: ``h_i = (1 / rank_i) ** (1 / temperature)`` where ``rank_i`` is the place
  of level i when the scores are sorted from high to low (1 = highest; ties by insertion order); ``"power"``:
  ``h_i = score_i ** (1 / temperature)``; ``P_S(i) = h_i / sum_j h_j``;
* staleness: ``P_C(i) = (c - C_i) / sum_j (c - C_j)``, where c counts the levels handed out so far and C_i is
  that count when level i was last handed out (or inserted); when every level is fresh (all staleness 0),
  ``P_C = P_S``;
* ``P(i) = (1 - staleness_coef) * P_S(i) + staleness_coef * P_C(i)``.

Scores come from the agent's rollouts: :meth:`PrioritizedLevelReplay.score_rollout` takes the rollout's
values, returns and GAE advantages, per step and environment, with the level id of each step, and scores every
episode segment (see :data:`SCORES`). An episode cut by the rollout's end is carried over and scored when it
finishes. A new level enters the buffer when its first episode has been scored: directly while the buffer has
room, else in place of the level with the lowest score if its own score is higher (else it is dropped). The
SB3 callback (:class:`ppcg.curricula.sb3_callback.CurriculumCallback`) calls ``score_rollout`` at the end of
every rollout.

Robust PLR (``robust=True``, Jiang et al. 2021, "Replay-Guided Adversarial Environment Design"): the agent
learns only from replayed levels; new levels are played only to be scored. The curriculum cannot stop
gradients itself; it says which steps came from new levels. The interface:

* :meth:`PrioritizedLevelReplay.replay_mask` maps a ``(n_steps, n_envs)`` grid of level ids (from ``info
  ["level_id"]``) to a boolean grid: True where the step's episode was handed out as a replay.
* The SB3 callback stores that grid, at the end of every rollout and before ``train()``, as
  ``model.rollout_buffer.replay_mask`` (``numpy.bool_``, shape ``(n_steps, n_envs)``, the rollout buffer's own
  layout). An A2C/PPO that supports robust PLR multiplies each transition's policy, value and entropy terms by
  the mask (after flattening it the way the buffer flattens its arrays, ``swap_and_flatten``) and averages
  over the masked transitions only. With ``robust=False`` the mask is still written, for logging; training
  ignores it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ppcg.curricula.base import (
    Curriculum,
    CurriculumConfigError,
    DifficultyRange,
    Outcome,
    check_choice,
    check_int,
    check_number,
    seed_difficulty,
)
from ppcg.envs.source import EpisodeResult, LevelRequest
from ppcg.envs.sources import level_id_for, round_difficulty
from ppcg.vgdl.level import Level

__all__ = ["BufferEntry", "PrioritizedLevelReplay", "PRIORITIZATIONS", "SCORES", "segment_scores"]

# Score functions: what one step of an episode contributes; a segment's score is the mean over its steps.
# One entry a line.
SCORES: dict[str, str] = {
    "positive_value_loss": "max(A_t, 0), A the GAE advantage (PLR's default)",
    "max_mc": "R_max - V_t, R_max the best episode score seen on the level (else the segment's best return)",
    "gae": "|A_t|, the mean absolute GAE (level-replay's value_l1)",
}

# How scores become priorities. One entry a line.
PRIORITIZATIONS: dict[str, str] = {
    "rank": "h_i = (1 / rank_i) ** (1 / temperature), rank 1 the highest score",
    "power": "h_i = max(score_i, 0) ** (1 / temperature)",
}


# The fields of a BufferEntry a checkpoint keeps (its level is generated again from difficulty and seed).
_ENTRY_KEYS = ("level_id", "difficulty", "seed", "score", "last_sampled", "max_return", "plays", "inserted")


@dataclass
class BufferEntry:
    """One level in the buffer.

    Attributes:
        level_id: ``"<game>/d=<d>/seed=<seed>"``.
        difficulty: the level's difficulty.
        seed: the level's seed.
        level: the level itself, kept once in the buffer so that a replay needs no generator call (None while
            the level waits for its first score: it is generated again from its seed if it gets in).
        score: the latest score (see :data:`SCORES`).
        last_sampled: the hand-out count when the level was last handed out or inserted (C_i).
        max_return: the best final score of an episode on the level (-inf before the first).
        plays: episodes handed out on it.
        inserted: the hand-out count at insertion (ties in rank are broken by it).
    """

    level_id: str
    difficulty: float
    seed: int
    level: Level | None
    score: float
    last_sampled: int
    max_return: float = float("-inf")
    plays: int = 0
    inserted: int = 0


def _step_scores(
    kind: str, values: np.ndarray, returns: np.ndarray, advantages: np.ndarray, r_max: float
) -> np.ndarray:
    if kind == "positive_value_loss":
        return np.maximum(advantages, 0.0)
    if kind == "gae":
        return np.abs(advantages)
    if kind == "max_mc":
        return r_max - values
    raise ValueError(f"unknown score {kind!r}")  # pragma: no cover - checked at construction


def segment_scores(level_ids: Any, dones: Any) -> list[tuple[int, str, int, int, bool]]:
    """Cut a rollout into episode segments.

    Args:
        level_ids: ``(n_steps, n_envs)`` level ids, the id of the level each step was played on.
        dones: ``(n_steps, n_envs)`` booleans, True where the episode ended at that step.

    Returns:
        ``(env, level_id, start, stop, done)`` for each run of steps of one episode of one environment, in
        environment order then time order; ``done`` is False for the last run of an environment when its
        episode goes on past the rollout.
    """
    ids = np.asarray(level_ids, dtype=object)
    done = np.asarray(dones, dtype=bool)
    if ids.shape != done.shape or ids.ndim != 2:
        raise ValueError(f"level_ids {ids.shape} and dones {done.shape} must both be (n_steps, n_envs)")
    n_steps, n_envs = ids.shape
    out = []
    for env in range(n_envs):
        start = 0
        for t in range(n_steps):
            last = t == n_steps - 1
            changed = not last and ids[t + 1, env] != ids[t, env]
            if done[t, env] or last or changed:
                out.append((env, ids[t, env], start, t + 1, bool(done[t, env] or changed)))
                start = t + 1
    return out


class PrioritizedLevelReplay(DifficultyRange, Curriculum):
    """Prioritized Level Replay over generated levels (see the module docstring for the equations).

    Args:
        game: the game's name.
        generator: makes the levels.
        capacity: the buffer's size (default 1000).
        replay_prob: the probability of replaying once the buffer is filled to ``min_fill`` (default 0.5).
        min_fill: the fraction of ``capacity`` the buffer must hold before any replay (default 0.5; at least
            one level).
        temperature: beta, in the priorities (default 0.1).
        staleness_coef: rho, the weight of staleness in [0, 1] (default 0.3).
        score: one of :data:`SCORES` (default ``"positive_value_loss"``).
        prioritization: one of :data:`PRIORITIZATIONS` (default ``"rank"``).
        score_ema: the weight of a new score against the old one when a level is scored again, in (0, 1]
            (default 1: the new score replaces the old, as in level-replay).
        robust: robust PLR: train only on replayed levels (default False); see the module docstring.
        low: the smallest difficulty of new levels (default 0).
        high: the largest difficulty of new levels (default 1).
        **kwargs: the win rule and statistics options of :class:`~ppcg.curricula.base.Curriculum`.
    """

    name = "plr"

    def __init__(
        self,
        *,
        game: str,
        generator: Any,
        capacity: int = 1000,
        replay_prob: float = 0.5,
        min_fill: float = 0.5,
        temperature: float = 0.1,
        staleness_coef: float = 0.3,
        score: str = "positive_value_loss",
        prioritization: str = "rank",
        score_ema: float = 1.0,
        robust: bool = False,
        low: float = 0.0,
        high: float = 1.0,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("levels", None)
        super().__init__(game=game, generator=generator, **kwargs)
        self.capacity = check_int("capacity", capacity, low=1)
        self.replay_prob = check_number("replay_prob", replay_prob, low=0.0, high=1.0)
        self.min_fill = check_number("min_fill", min_fill, low=0.0, high=1.0)
        self.temperature = check_number("temperature", temperature, low=0.0, high=float("inf"), low_open=True)
        self.staleness_coef = check_number("staleness_coef", staleness_coef, low=0.0, high=1.0)
        self.score_kind = check_choice("score", score, SCORES)
        self.prioritization = check_choice("prioritization", prioritization, PRIORITIZATIONS)
        self.score_ema = check_number("score_ema", score_ema, low=0.0, high=1.0, low_open=True)
        if not isinstance(robust, bool):
            raise CurriculumConfigError(f"got {robust!r}", key="robust", expected="true or false")
        self.robust = robust
        self.low = check_number("low", low, low=0.0, high=1.0)
        self.high = check_number("high", high, low=0.0, high=1.0)
        if self.low > self.high:
            raise CurriculumConfigError(
                f"got low={low!r} > high={high!r}", key="high", expected="high >= low"
            )

        self.buffer: dict[str, BufferEntry] = {}  # level_id -> entry, in insertion order
        self.handed_out = 0  # c: levels handed out so far (new and replayed)
        self.replays = 0
        self.inserted = 0
        self.evicted = 0
        self._pending: OrderedDict[str, BufferEntry] = OrderedDict()  # new levels handed out, not yet scored
        self._max_pending = 100_000
        # env -> the levels handed out to it since the last scored rollout -> whether as a replay
        self._issued: dict[int, OrderedDict[str, bool]] = {}
        self._max_issued = 10_000  # per env, in case no rollout is ever scored
        # env -> (level id, score sum, steps) of an episode cut by the end of the last rollout
        self._partial: dict[int, tuple[str, float, int]] = {}

    # --------------------------------------------------------------------------------------------------------
    # sampling
    @property
    def min_size(self) -> int:
        """How many levels the buffer must hold before replays start."""
        return max(1, int(np.ceil(self.min_fill * self.capacity)))

    def score_weights(self) -> np.ndarray:
        """P_S over the buffer, in its (insertion) order."""
        entries = list(self.buffer.values())
        if not entries:
            return np.zeros(0)
        scores = np.array([e.score for e in entries], dtype=np.float64)
        if self.prioritization == "rank":
            order = np.argsort(-scores, kind="stable")  # ties: earlier insertion ranks higher
            ranks = np.empty(len(scores))
            ranks[order] = np.arange(1, len(scores) + 1)
            h = (1.0 / ranks) ** (1.0 / self.temperature)
        else:  # (scores over their maximum: the same weights, without overflow at low temperatures)
            top = scores.max()
            h = (
                (np.maximum(scores, 0.0) / top) ** (1.0 / self.temperature)
                if top > 0
                else np.zeros(len(scores))
            )
        total = h.sum()
        return h / total if total > 0 else np.full(len(h), 1.0 / len(h))

    def staleness(self) -> np.ndarray:
        """c - C_i for each level in the buffer, in its order."""
        return np.array([self.handed_out - e.last_sampled for e in self.buffer.values()], dtype=np.float64)

    def sample_weights(self) -> np.ndarray:
        """P = (1 - rho) P_S + rho P_C over the buffer, in its order."""
        p_s = self.score_weights()
        if len(p_s) == 0 or self.staleness_coef == 0:
            return p_s
        stale = self.staleness()
        p_c = stale / stale.sum() if stale.sum() > 0 else p_s
        return (1.0 - self.staleness_coef) * p_s + self.staleness_coef * p_c

    def _next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        replay = len(self.buffer) >= self.min_size and rng.random() < self.replay_prob
        self.handed_out += 1
        if replay:
            p = self.sample_weights()
            entries = list(self.buffer.values())
            entry = entries[int(rng.choice(len(entries), p=p))]
            entry.last_sampled = self.handed_out
            entry.plays += 1
            self.replays += 1
            request = self._request(entry)
        else:
            if self.num_levels:  # a finite set (Procgen's num_levels): each seed has its own difficulty
                seed = self.draw_seed(rng)
                d = seed_difficulty(seed, self.low, self.high)
            else:
                d = round_difficulty(rng.uniform(self.low, self.high))
                seed = self.draw_seed(rng)
            level_id = level_id_for(self.game, d, seed)
            entry = self.buffer.get(level_id) or self._pending.get(level_id)
            if entry is None:  # (a new draw that is already known is as good as a fresh one)
                request = self.regenerate(d, seed)
                entry = BufferEntry(level_id, d, seed, None, score=0.0, last_sampled=self.handed_out)
                self._pending[level_id] = entry
                while len(self._pending) > self._max_pending:
                    self._pending.popitem(last=False)
            else:
                request = self._request(entry)
            entry.plays += 1
        self._issue(env_index, request.level_id, replay)
        return request

    def _issue(self, env_index: int, level_id: str, replay: bool) -> None:
        """Remember that ``level_id`` was handed out to ``env_index`` (as a replay or not), for the mask."""
        issued = self._issued.setdefault(env_index, OrderedDict())
        issued[level_id] = replay
        issued.move_to_end(level_id)
        while len(issued) > self._max_issued:
            issued.popitem(last=False)

    def _request(self, entry: BufferEntry) -> LevelRequest:
        if entry.level is None:
            return self.regenerate(entry.difficulty, entry.seed)
        return LevelRequest(entry.level, entry.level_id, entry.seed, entry.difficulty)

    def _on_outcome(self, env_index: int, result: EpisodeResult, outcome: Outcome) -> None:
        entry = self.buffer.get(result.level_id) or self._pending.get(result.level_id)
        if entry is not None:
            entry.max_return = max(entry.max_return, float(result.score))

    # --------------------------------------------------------------------------------------------------------
    # scoring
    def replay_mask(self, level_ids: Any) -> np.ndarray:
        """True where a step's level was handed out (to that environment) as a replay (see the module doc).

        Call it for a rollout before :meth:`score_rollout`, which forgets all but each environment's latest
        level.

        Args:
            level_ids: ``(n_steps, n_envs)`` level ids, column ``i`` from environment ``i``.
        """
        ids = np.asarray(level_ids, dtype=object)
        with self._lock:
            mask = np.zeros(ids.shape, dtype=bool)
            for (t, env), lid in np.ndenumerate(ids):
                mask[t, env] = self._issued.get(env, {}).get(lid, False)
            return mask

    def score_rollout(
        self,
        level_ids: Any,
        dones: Any,
        values: np.ndarray,
        returns: np.ndarray,
        advantages: np.ndarray,
    ) -> None:
        """Score the episodes of a rollout and update the buffer.

        Args:
            level_ids: ``(n_steps, n_envs)``: the level id of each step (``info["level_id"]``).
            dones: ``(n_steps, n_envs)``: True where the episode ended at that step.
            values: ``(n_steps, n_envs)``: V(s_t) as predicted during the rollout.
            returns: ``(n_steps, n_envs)``: the rollout's lambda-returns.
            advantages: ``(n_steps, n_envs)``: the GAE advantages.
        """
        values, returns, advantages = (np.asarray(a, dtype=np.float64) for a in (values, returns, advantages))
        with self._lock:
            for env, lid, start, stop, done in segment_scores(level_ids, dones):
                if lid is None:
                    continue
                entry = self.buffer.get(lid) or self._pending.get(lid)
                r_max = entry.max_return if entry is not None else float("-inf")
                if not np.isfinite(r_max):
                    r_max = float(returns[start:stop, env].max())
                s = _step_scores(
                    self.score_kind,
                    values[start:stop, env],
                    returns[start:stop, env],
                    advantages[start:stop, env],
                    r_max,
                )
                total, steps = float(s.sum()), stop - start
                if start == 0 and env in self._partial:  # the first run continues an episode cut last rollout
                    plid, psum, psteps = self._partial.pop(env)
                    if plid == lid:
                        total, steps = total + psum, steps + psteps
                    else:  # the episode was cut off for good (an external reset): score what it played
                        self.update_score(plid, psum / psteps)
                if done:
                    self.update_score(lid, total / steps)
                else:
                    self._partial[env] = (lid, total, steps)
            for issued in self._issued.values():  # keep only the level each env is playing now
                while len(issued) > 1:
                    issued.popitem(last=False)

    def update_score(self, level_id: str, score: float) -> None:
        """Record a finished episode's score for a level: update it in the buffer, or insert a new level."""
        with self._lock:
            entry = self.buffer.get(level_id)
            if entry is not None:
                entry.score = (1.0 - self.score_ema) * entry.score + self.score_ema * float(score)
                return
            entry = self._pending.pop(level_id, None)
            if entry is None:  # not a level this curriculum handed out as new
                return
            entry.score = float(score)
            if len(self.buffer) >= self.capacity:
                lowest = min(self.buffer.values(), key=lambda e: e.score)  # first inserted among equals
                if entry.score <= lowest.score:
                    return
                del self.buffer[lowest.level_id]
                self.evicted += 1
            entry.inserted = self.handed_out
            if entry.level is None:  # (a level made otherwise, e.g. by mutation, comes with its level)
                entry.level = self.regenerate(entry.difficulty, entry.seed).level
            self.buffer[level_id] = entry
            self.inserted += 1

    # --------------------------------------------------------------------------------------------------------
    # observability and checkpoints
    def stats(self) -> dict[str, float]:
        with self._lock:
            out = super().stats()
            out["buffer_size"] = float(len(self.buffer))
            out["replay_fraction"] = self.replays / self.handed_out if self.handed_out else 0.0
            if self.buffer:
                out["mean_score"] = float(np.mean([e.score for e in self.buffer.values()]))
                out["mean_staleness"] = float(self.staleness().mean())
                out["buffer_difficulty"] = float(np.mean([e.difficulty for e in self.buffer.values()]))
            return out

    def state_dict(self) -> dict[str, Any]:
        keys = _ENTRY_KEYS
        with self._lock:
            return {
                **super().state_dict(),
                "buffer": [{k: getattr(e, k) for k in keys} for e in self.buffer.values()],
                "counts": [self.handed_out, self.replays, self.inserted, self.evicted],
                "in_flight": {
                    "pending": [{k: getattr(e, k) for k in keys} for e in self._pending.values()],
                    "issued": {
                        str(env): [[lid, bool(r)] for lid, r in d.items()] for env, d in self._issued.items()
                    },
                    "partial": {
                        str(env): [lid, total, steps] for env, (lid, total, steps) in self._partial.items()
                    },
                },
            }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the buffer; its levels are generated again from their (difficulty, seed).

        The state's ``in_flight`` part (levels handed out and not yet scored, episodes cut by the last
        rollout) is restored when present: a run that continues the same episodes needs it; one whose
        environments start afresh should drop it (see :meth:`Curriculum.state_dict`).
        """
        with self._lock:
            super().load_state_dict(state)
            self.buffer = {}
            for item in state["buffer"]:
                level = self._restore_level(item, state)
                self.buffer[item["level_id"]] = BufferEntry(level=level, **item)
            self.handed_out, self.replays, self.inserted, self.evicted = (int(x) for x in state["counts"])
            self._pending.clear()
            self._issued.clear()
            self._partial.clear()
            flight = state.get("in_flight", {})
            for item in flight.get("pending", []):
                self._pending[item["level_id"]] = BufferEntry(level=None, **item)
            for env, pairs in flight.get("issued", {}).items():
                self._issued[int(env)] = OrderedDict((str(lid), bool(r)) for lid, r in pairs)
            for env, (lid, total, steps) in flight.get("partial", {}).items():
                self._partial[int(env)] = (str(lid), float(total), int(steps))

    def _restore_level(self, item: dict[str, Any], state: dict[str, Any]) -> Level:
        """The level of a buffer entry of a saved state: generated again from its difficulty and seed."""
        return self.regenerate(item["difficulty"], item["seed"]).level

    def levels(self) -> Sequence[BufferEntry]:
        """The buffer's entries, in insertion order (a copy of the list)."""
        with self._lock:
            return list(self.buffer.values())
