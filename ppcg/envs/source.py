"""The contract between environments and whatever chooses their levels (a generator, a list, a curriculum).

An environment asks its level source for the next level inside *every* reset, auto-resets included, and tells
it how each episode ended. Curricula (:mod:`ppcg.curricula`) implement this protocol; the environments know
nothing else about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ppcg.vgdl.level import Level

__all__ = ["LevelRequest", "EpisodeResult", "LevelSource"]


@dataclass(frozen=True)
class LevelRequest:
    """A level to play next, and what to report about it in ``info``.

    Attributes:
        level: the level.
        level_id: a stable name: ``"lvl0"`` for a human level, ``"zelda/d=0.430/seed=1234"`` for a generated
            one.
        level_seed: the seed the level was generated from, or None for a given level.
        difficulty: the difficulty it was generated at, or None for a given level.
    """

    level: Level
    level_id: str
    level_seed: int | None = None
    difficulty: float | None = None


@dataclass(frozen=True)
class EpisodeResult:
    """How an episode ended.

    Attributes:
        level_id: the level's ``level_id``.
        won: the game's win (GVGAI's ``PLAYER_WINS``).
        score: the final game score.
        length: game ticks taken (steps, unless the environment repeats each action: ``frame_skip``).
        truncated: cut at the step limit rather than ended by the game.
        difficulty: the level's difficulty, if it was generated.
        level_seed: the level's seed, if it was generated.
    """

    level_id: str
    won: bool
    score: float
    length: int
    truncated: bool = False
    difficulty: float | None = None
    level_seed: int | None = None


@runtime_checkable
class LevelSource(Protocol):
    """Chooses levels for a set of environments (indexed 0..n-1) and hears how their episodes ended."""

    def next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        """The level for ``env_index``'s next episode; all randomness from ``rng`` (the env's generator)."""
        ...

    def episode_done(self, env_index: int, result: EpisodeResult) -> None:
        """Called once when an episode of ``env_index`` ends (terminated or truncated), before its reset."""
        ...
