"""``random``: every generator parameter uniform, i.e. the difficulty uniform in [0, 1] (the paper's PCG)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ppcg.curricula.base import Curriculum, CurriculumConfigError, DifficultyRange, check_number
from ppcg.envs.source import LevelRequest

__all__ = ["UniformDifficulty"]


class UniformDifficulty(DifficultyRange, Curriculum):
    """A new generated level every episode, its difficulty drawn uniformly from ``[low, high]``.

    The generators take one knob, d, that sets every parameter, so d uniform in [0, 1] is the paper's
    "every generator parameter uniform". With ``num_levels`` the levels are a finite set: one of
    ``num_levels`` seeds, each with its own difficulty (:func:`~ppcg.curricula.base.seed_difficulty`).

    Args:
        game: the game's name.
        generator: makes the levels.
        low: the smallest difficulty (default 0).
        high: the largest difficulty (default 1).
        **kwargs: the win rule and statistics options of :class:`~ppcg.curricula.base.Curriculum`.
    """

    name = "random"

    def __init__(
        self, *, game: str, generator: Any, low: float = 0.0, high: float = 1.0, **kwargs: Any
    ) -> None:
        kwargs.pop("levels", None)
        super().__init__(game=game, generator=generator, **kwargs)
        self.low = check_number("low", low, low=0.0, high=1.0)
        self.high = check_number("high", high, low=0.0, high=1.0)
        if self.low > self.high:
            raise CurriculumConfigError(
                f"got low={low!r} > high={high!r}", key="high", expected="high >= low"
            )

    def _next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        if self.num_levels:  # a finite set: each seed has its own difficulty
            return self.training_level(self.draw_seed(rng))
        return self.generate(rng.uniform(self.low, self.high), rng)
