"""``difficulty``: a new level every episode, always at one difficulty d (the paper's PCG at 0.3 ... 1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ppcg.curricula.base import Curriculum, check_number
from ppcg.envs.source import LevelRequest
from ppcg.envs.sources import GeneratorSource

__all__ = ["FixedDifficulty"]


class FixedDifficulty(Curriculum):
    """A generated level every episode at difficulty ``difficulty`` (a new seed each time, or one of
    ``num_levels`` seeds: then exactly ``num_levels`` levels).

    The environments' own :class:`~ppcg.envs.sources.GeneratorSource` (:attr:`source`) chooses the levels:
    this curriculum only adds the win rule and the statistics, so ``difficulty`` and ``ppcg/Zelda-v0`` at the
    same difficulty play the same levels from the same seed.

    Args:
        game: the game's name.
        generator: makes the levels.
        difficulty: d in [0, 1] (default 0.5, the environments' default), rounded to a level id's precision.
        **kwargs: the win rule and statistics options of :class:`~ppcg.curricula.base.Curriculum`.
    """

    name = "difficulty"

    def __init__(self, *, game: str, generator: Any, difficulty: float = 0.5, **kwargs: Any) -> None:
        kwargs.pop("levels", None)
        super().__init__(game=game, generator=generator, **kwargs)
        self.source = GeneratorSource(
            self.game,
            check_number("difficulty", difficulty, low=0.0, high=1.0),
            generator=generator,
            num_levels=self.num_levels,
            start_level=self.start_level,
        )

    @property
    def difficulty(self) -> float:
        """The difficulty of every level (rounded to a level id's precision)."""
        return self.source.difficulty

    def _next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        return self.source.next_level(env_index, rng)

    def training_level(self, seed: int) -> LevelRequest | None:
        return self.source.level_at(self.difficulty, seed) if self.num_levels else None

    def stats(self) -> dict[str, float]:
        return {**super().stats(), "difficulty": self.difficulty}
