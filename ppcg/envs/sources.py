"""The default level sources: a game's generator at one difficulty, and a fixed list of levels.

Both follow :class:`ppcg.envs.source.LevelSource`; curricula (:mod:`ppcg.curricula`) provide the others. All
randomness comes from the ``rng`` the environment passes in (its own ``np_random``), so ``reset(seed=s)``
followed by plain resets replays the same levels.

>>> import numpy as np
>>> from ppcg.vgdl import Level
>>> src = FixedLevelSource([Level(("wwww", "wA.w", "wwww"))], ids=["tiny"])
>>> src.next_level(0, np.random.default_rng(0)).level_id
'tiny'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ppcg.envs.source import EpisodeResult, LevelRequest
from ppcg.vgdl.level import Level

__all__ = [
    "GeneratorSource",
    "FixedLevelSource",
    "SEED_BOUND",
    "check_level_range",
    "draw_level_seed",
    "LevelRangeError",
]

SEED_BOUND = 2**31  # level and engine seeds are drawn from [0, SEED_BOUND)


class LevelRangeError(ValueError):
    """Bad ``num_levels``/``start_level``: ``key`` names the value at fault, ``expected`` what would do."""

    def __init__(self, message: str, key: str, expected: str) -> None:
        super().__init__(message)
        self.key = key
        self.expected = expected


def check_level_range(num_levels: int, start_level: int) -> tuple[int, int]:
    """Procgen's ``num_levels`` and ``start_level``, checked: the level seeds ``start_level ... start_level +
    num_levels - 1`` (``num_levels=0``: every seed below :data:`SEED_BOUND`, and ``start_level`` must be 0).

    Training seeds stay below :data:`SEED_BOUND`, so they never meet the evaluation's test seeds.

    Raises:
        LevelRangeError: a negative or non-integer value, ``start_level`` without ``num_levels``, or a range
            that passes :data:`SEED_BOUND`.
    """
    for name, value in (("num_levels", num_levels), ("start_level", start_level)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise LevelRangeError(
                f"{name} must be an integer >= 0, not {value!r}", name, "a whole number >= 0"
            )
    n, start = int(num_levels), int(start_level)
    if n == 0 and start != 0:
        raise LevelRangeError(
            f"start_level={start} needs num_levels > 0 (num_levels=0 draws from every seed below 2**31)",
            "start_level",
            "0 without num_levels",
        )
    if start + n > SEED_BOUND:
        raise LevelRangeError(
            f"start_level + num_levels = {start + n} passes 2**31: training level seeds stay below 2**31, "
            "apart from the evaluation's test seeds",
            "num_levels",
            "start_level + num_levels <= 2**31",
        )
    return n, start


def draw_level_seed(rng: np.random.Generator, num_levels: int = 0, start_level: int = 0) -> int:
    """A level seed from ``rng``: uniform over ``start_level ... start_level + num_levels - 1``, or over
    every seed below :data:`SEED_BOUND` when ``num_levels`` is 0 (Procgen's convention)."""
    if num_levels:
        return int(start_level) + int(rng.integers(num_levels))
    return int(rng.integers(SEED_BOUND))


class GeneratorSource:
    """Levels from a game's generator, one new level per reset, at one difficulty.

    A level is named by its game, difficulty and seed (``"zelda/d=0.500/seed=1234"``), and
    ``generator.generate(d, numpy.random.default_rng(seed))`` gives it back, as Procgen names a level by its
    seed.

    Args:
        game: the bundled game's name (``"zelda"``); its generator is ``ppcg.generators.get_generator(game)``.
        difficulty: the difficulty in [0, 1] every level is generated at; may be changed between episodes.
        generator: a generator object to use instead of the registered one (anything with
            ``generate(difficulty, rng) -> Level``).
        num_levels: how many distinct levels (seeds) to draw from, Procgen's ``num_levels``; 0 (default):
            unlimited, a new seed every episode.
        start_level: the first of those seeds (Procgen's ``start_level``); needs ``num_levels``.

    Raises:
        ValueError: see :func:`check_level_range`.
    """

    def __init__(
        self,
        game: str,
        difficulty: float = 0.5,
        *,
        generator: Any = None,
        num_levels: int = 0,
        start_level: int = 0,
    ) -> None:
        self.game = game
        self.difficulty = difficulty
        self.num_levels, self.start_level = check_level_range(num_levels, start_level)
        self._generator = generator
        self._custom = generator is not None

    @property
    def difficulty(self) -> float:
        """The difficulty in [0, 1] of the next levels (assigning a value outside raises ``ValueError``)."""
        return self._difficulty

    @difficulty.setter
    def difficulty(self, value: float) -> None:
        self._difficulty = _check_difficulty(value)

    @property
    def generator(self) -> Any:
        """The generator (looked up lazily, so that the source pickles small)."""
        if self._generator is None:
            from ppcg.generators import get_generator

            self._generator = get_generator(self.game)
        return self._generator

    def level_at(self, difficulty: float, seed: int) -> LevelRequest:
        """The level generated at ``difficulty`` from ``seed`` (the same inputs give the same level)."""
        d = _check_difficulty(difficulty)
        level = self.generator.generate(d, np.random.default_rng(seed))
        return LevelRequest(level, f"{self.game}/d={d:.3f}/seed={seed}", level_seed=int(seed), difficulty=d)

    def draw_seed(self, rng: np.random.Generator) -> int:
        """A level seed from ``rng``, within ``num_levels`` seeds from ``start_level`` when those are set."""
        return draw_level_seed(rng, self.num_levels, self.start_level)

    def next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        """A level at :attr:`difficulty`, its seed drawn from ``rng`` (see :meth:`draw_seed`)."""
        return self.level_at(self.difficulty, self.draw_seed(rng))

    def episode_done(self, env_index: int, result: EpisodeResult) -> None:
        """Nothing to learn: the difficulty stays where it is."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if not self._custom:
            state["_generator"] = None  # looked up again on first use
        return state

    def __repr__(self) -> str:
        levels = f", num_levels={self.num_levels}, start_level={self.start_level}" if self.num_levels else ""
        return f"GeneratorSource({self.game!r}, difficulty={self.difficulty}{levels})"


class FixedLevelSource:
    """A fixed list of levels, drawn uniformly at random (``order="random"``) or in turn (``order="cycle"``).

    Args:
        levels: the levels.
        ids: their ``level_id`` (default: each level's ``name``, else ``"level<k>"``).
        order: ``"random"`` (uniform, from the env's generator; a single level draws nothing) or ``"cycle"``
            (environment ``i`` plays ``levels[i % n]``, then the next one, and so on).
        difficulty: what ``info`` reports as the levels' difficulty (None: none).
    """

    def __init__(
        self,
        levels: Sequence[Level],
        ids: Sequence[str] | None = None,
        *,
        order: str = "random",
        difficulty: float | None = None,
    ) -> None:
        if not levels:
            raise ValueError("FixedLevelSource needs at least one level")
        if order not in ("random", "cycle"):
            raise ValueError(f"order must be 'random' or 'cycle', not {order!r}")
        if ids is None:
            ids = [lvl.name or f"level{k}" for k, lvl in enumerate(levels)]
        if len(ids) != len(levels):
            raise ValueError(f"{len(levels)} levels but {len(ids)} ids")
        self.requests = tuple(
            LevelRequest(lvl, str(i), None, difficulty) for lvl, i in zip(levels, ids, strict=True)
        )
        self.order = order
        self._next: dict[int, int] = {}

    def next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        """The next level for ``env_index`` (see ``order``)."""
        n = len(self.requests)
        if n == 1:
            return self.requests[0]
        if self.order == "random":
            return self.requests[int(rng.integers(n))]
        k = self._next.get(env_index, env_index % n)
        self._next[env_index] = (k + 1) % n
        return self.requests[k]

    def episode_done(self, env_index: int, result: EpisodeResult) -> None:
        """Nothing to learn."""

    def __repr__(self) -> str:
        return f"FixedLevelSource({[r.level_id for r in self.requests]}, order={self.order!r})"


def _check_difficulty(difficulty: float) -> float:
    d = float(difficulty)
    if not 0.0 <= d <= 1.0:
        raise ValueError(f"difficulty must be in [0, 1], not {difficulty!r}")
    return d
