"""Stand-ins for testing curricula without the engine: a fake generator, and scripted environments and agents.

:class:`ScriptedEnv` keeps the environments' side of the :class:`~ppcg.envs.source.LevelSource` contract (ask
for a level in every reset, report every finished episode before the next reset, all randomness from its own
generator) and plays each episode for a fixed number of steps; whether it wins is the scripted agent's choice,
a function of the level's difficulty. :class:`ScriptedVecEnv` auto-resets as SB3's ``DummyVecEnv`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ppcg.envs.source import EpisodeResult, LevelRequest, LevelSource
from ppcg.vgdl.level import Level

__all__ = ["FakeGenerator", "ScriptedEnv", "ScriptedVecEnv", "always", "never", "wins_below"]


class FakeGenerator:
    """``generate(d, rng)``: a 6x3 level whose avatar column comes from ``rng``; records every call."""

    def __init__(self, width: int = 6) -> None:
        self.width = width
        self.calls: list[float] = []

    def generate(self, difficulty: float, rng: np.random.Generator) -> Level:
        if not 0.0 <= difficulty <= 1.0:
            raise ValueError(f"difficulty {difficulty} outside [0, 1]")
        self.calls.append(float(difficulty))
        col = 1 + int(rng.integers(0, self.width - 2))
        middle = "w" + "".join("A" if c == col else "." for c in range(1, self.width - 1)) + "w"
        return Level(("w" * self.width, middle, "w" * self.width), name=f"fake d={difficulty:.3f}")

    def mutate(self, level: Level, rng: np.random.Generator, n_edits: int = 1) -> Level:
        """``level`` with its avatar moved to another column drawn from ``rng`` (records the call)."""
        self.mutations = getattr(self, "mutations", 0) + 1
        middle = level.rows[1]
        col = middle.index("A")
        new = 1 + (col - 1 + 1 + int(rng.integers(0, self.width - 3))) % (self.width - 2)
        row = "w" + "".join("A" if c == new else "." for c in range(1, self.width - 1)) + "w"
        return Level((level.rows[0], row, level.rows[2]), name=level.name)


def always(difficulty: float | None) -> bool:
    """A scripted agent that wins every episode."""
    return True


def never(difficulty: float | None) -> bool:
    """A scripted agent that loses every episode."""
    return False


def wins_below(threshold: float) -> Callable[[float | None], bool]:
    """A scripted agent that wins exactly the levels easier than ``threshold``."""

    def agent(difficulty: float | None) -> bool:
        return difficulty is not None and difficulty < threshold

    return agent


class ScriptedEnv:
    """An environment that takes its levels from a level source and ends every episode after ``length`` steps.

    Args:
        level_source: where levels come from (a curriculum, or a channel client in a subprocess).
        agent: ``agent(difficulty) -> won``.
        length: steps per episode.
        truncate: end episodes as cut at the step limit (``truncated=True``) instead of by the game.
        env_index: the index passed to the level source.
        seed: the seed of the env's own generator.
    """

    def __init__(
        self,
        level_source: LevelSource,
        agent: Callable[[float | None], bool] = always,
        *,
        length: int = 3,
        truncate: bool = False,
        env_index: int = 0,
        seed: int | None = None,
    ) -> None:
        self.level_source = level_source
        self.agent = agent
        self.length = length
        self.truncate = truncate
        self.env_index = env_index
        self.np_random = np.random.default_rng(seed)
        self.request: LevelRequest | None = None
        self.t = 0
        self.played: list[str] = []

    def reset(self, seed: int | None = None) -> tuple[int, dict[str, Any]]:
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        self.request = self.level_source.next_level(self.env_index, self.np_random)
        self.t = 0
        self.played.append(self.request.level_id)
        return 0, self._info()

    def _info(self) -> dict[str, Any]:
        r = self.request
        return {"level_id": r.level_id, "level_seed": r.level_seed, "difficulty": r.difficulty}

    def step(self, action: Any = None) -> tuple[int, float, bool, bool, dict[str, Any]]:
        self.t += 1
        info = self._info()
        if self.t < self.length:
            return self.t, 0.0, False, False, info
        won = bool(self.agent(self.request.difficulty)) and not self.truncate
        score = 1.0 if won else 0.0
        self.level_source.episode_done(
            self.env_index,
            EpisodeResult(
                self.request.level_id,
                won,
                score,
                self.t,
                self.truncate,
                self.request.difficulty,
                self.request.level_seed,
            ),
        )
        info.update(is_success=won, score=score)
        return self.t, score, not self.truncate, self.truncate, info


class ScriptedVecEnv:
    """``n`` :class:`ScriptedEnv` sharing one level source, auto-reset inside ``step`` as SB3's DummyVecEnv.

    ``step()`` returns ``(dones, infos)``; the info of a step that ended an episode belongs to that episode.
    """

    def __init__(
        self,
        level_source: LevelSource,
        n: int,
        agent: Callable = always,
        *,
        length: int = 3,
        seed: int = 0,
        lengths: list[int] | None = None,
    ) -> None:
        self.envs = [
            ScriptedEnv(
                level_source, agent, length=(lengths[i] if lengths else length), env_index=i, seed=seed + i
            )
            for i in range(n)
        ]

    def reset(self) -> list[dict[str, Any]]:
        return [env.reset()[1] for env in self.envs]

    def step(self) -> tuple[np.ndarray, list[dict[str, Any]]]:
        dones, infos = [], []
        for env in self.envs:
            _, _, term, trunc, info = env.step()
            if term or trunc:
                env.reset()
            dones.append(term or trunc)
            infos.append(info)
        return np.array(dones), infos


def play_in_subprocess(
    level_source: LevelSource, agent: str, episodes: int, seed: int, env_index: int, out: Any
) -> None:
    """A process target: play ``episodes`` scripted episodes (``agent`` is ``"always"`` or ``"never"``) with
    ``level_source``, then put ``(index, played level ids, pid)`` or ``("error", text)`` on the queue ``out``;
    ``index`` is the env index the curriculum saw (a channel client's offset plus ``env_index``)."""
    import os

    try:
        env = ScriptedEnv(
            level_source, {"always": always, "never": never}[agent], env_index=env_index, seed=seed
        )
        env.reset()
        for _ in range(episodes):
            while True:
                _, _, term, trunc, _ = env.step()
                if term or trunc:
                    break
            env.reset()
        out.put((getattr(level_source, "offset", 0) + env_index, env.played, os.getpid()))
    except Exception as exc:  # noqa: BLE001 - report to the parent
        out.put(("error", f"{type(exc).__name__}: {exc}"))
