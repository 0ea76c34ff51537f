"""The default level sources (a game's generator at one difficulty, a fixed list of levels) and the facts
every level source shares: the seed bound, how a generated level is named and rebuilt from its name.

Both sources follow :class:`ppcg.envs.source.LevelSource`; curricula (:mod:`ppcg.curricula`) provide the
others, and reuse these two (``difficulty`` and ``fixed`` are a :class:`GeneratorSource` and a
:class:`FixedLevelSource` with a win rule and statistics). All randomness comes from the ``rng`` the
environment passes in (its own ``np_random``), so ``reset(seed=s)`` followed by plain resets replays the same
levels.

Generated levels are named ``"<game>/d=<difficulty>/seed=<seed>"``. The difficulty is rounded to
:data:`DIFFICULTY_DECIMALS` decimals *before* the level is generated, so a level id names its level exactly:
``generator.generate(0.43, level_rng(1234))`` rebuilds ``"zelda/d=0.430/seed=1234"``
(:func:`generated_level` is the one place that does both).

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
from ppcg.generators.base import check_difficulty, level_rng
from ppcg.vgdl.level import Level

__all__ = [
    "DIFFICULTY_DECIMALS",
    "FixedLevelSource",
    "GeneratorSource",
    "LevelSourceError",
    "ORDERS",
    "SEED_BOUND",
    "check_level_range",
    "draw_level_seed",
    "generated_level",
    "level_id_for",
    "round_difficulty",
]

SEED_BOUND = 2**31
"""Level and engine seeds are drawn from ``[0, SEED_BOUND)``; the evaluation's test seeds lie above."""

DIFFICULTY_DECIMALS = 3
"""Generated difficulties are rounded to this many decimals, the precision of a level id."""

# How a list of given levels is played. One entry a line.
ORDERS: dict[str, str] = {
    "cycle": "each environment plays the levels in turn, environment i starting at level i (mod the count)",
    "random": "each episode's level is drawn uniformly from the environment's generator",
}


class LevelSourceError(ValueError):
    """A bad level source setting: ``key`` names the value at fault, ``expected`` what would do."""

    def __init__(self, message: str, key: str, expected: str) -> None:
        super().__init__(message)
        self.key = key
        self.expected = expected


def round_difficulty(d: float) -> float:
    """``d`` rounded to the precision of a level id (:data:`DIFFICULTY_DECIMALS`)."""
    return round(float(d), DIFFICULTY_DECIMALS)


def level_id_for(game: str, difficulty: float, seed: int) -> str:
    """The id of a generated level, e.g. ``"zelda/d=0.430/seed=1234"``."""
    return f"{game}/d={difficulty:.{DIFFICULTY_DECIMALS}f}/seed={int(seed)}"


def generated_level(generator: Any, game: str, difficulty: float, seed: int) -> LevelRequest:
    """The generated level ``(difficulty, seed)`` of ``game``, named by its id: the difficulty is rounded
    (:func:`round_difficulty`) before the level is generated, so the id always rebuilds the same level.

    Raises:
        ValueError: ``difficulty`` is not a number in [0, 1].
    """
    d = round_difficulty(check_difficulty(difficulty))
    level = generator.generate(d, level_rng(seed))
    return LevelRequest(level, level_id_for(game, d, seed), level_seed=int(seed), difficulty=d)


def check_level_range(num_levels: int, start_level: int) -> tuple[int, int]:
    """Procgen's ``num_levels`` and ``start_level``, checked: the level seeds ``start_level ... start_level +
    num_levels - 1`` (``num_levels=0``: every seed below :data:`SEED_BOUND`, and ``start_level`` must be 0).

    Training seeds stay below :data:`SEED_BOUND`, so they never meet the evaluation's test seeds.

    Raises:
        LevelSourceError: a negative or non-integer value, ``start_level`` without ``num_levels``, or a range
            that passes :data:`SEED_BOUND`.
    """
    for name, value in (("num_levels", num_levels), ("start_level", start_level)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise LevelSourceError(
                f"{name} must be an integer >= 0, not {value!r}", name, "a whole number >= 0"
            )
    n, start = int(num_levels), int(start_level)
    if n == 0 and start != 0:
        raise LevelSourceError(
            f"start_level={start} needs num_levels > 0 (num_levels=0 draws from every seed below 2**31)",
            "start_level",
            "0 without num_levels",
        )
    if start + n > SEED_BOUND:
        raise LevelSourceError(
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
    ``generator.generate(d, level_rng(seed))`` gives it back, as Procgen names a level by its seed
    (:func:`generated_level`).

    Args:
        game: the bundled game's name (``"zelda"``); its generator is ``ppcg.generators.get_generator(game)``.
        difficulty: the difficulty in [0, 1] every level is generated at, rounded to a level id's precision
            (:data:`DIFFICULTY_DECIMALS`: 1/3 is 0.333); may be changed between episodes.
        generator: a generator object to use instead of the registered one (anything with
            ``generate(difficulty, rng) -> Level``).
        num_levels: how many distinct levels (seeds) to draw from, Procgen's ``num_levels``; 0 (default):
            unlimited, a new seed every episode.
        start_level: the first of those seeds (Procgen's ``start_level``); needs ``num_levels``.

    Raises:
        ValueError: a difficulty outside [0, 1]; :class:`LevelSourceError`: see :func:`check_level_range`.
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
        """The difficulty in [0, 1] of the next levels, rounded to a level id's precision (assigning a value
        outside [0, 1] raises ``ValueError``)."""
        return self._difficulty

    @difficulty.setter
    def difficulty(self, value: float) -> None:
        self._difficulty = round_difficulty(check_difficulty(value))

    @property
    def generator(self) -> Any:
        """The generator (looked up lazily, so that the source pickles small)."""
        if self._generator is None:
            from ppcg.generators import get_generator

            self._generator = get_generator(self.game)
        return self._generator

    def level_at(self, difficulty: float, seed: int) -> LevelRequest:
        """The level generated at ``difficulty`` (rounded) from ``seed``: the same inputs, the same level."""
        return generated_level(self.generator, self.game, difficulty, seed)

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
        levels: the levels (at least one).
        ids: their ``level_id`` (default: each level's ``name``, else ``"level<k>"``; a name that two levels
            share gets ``"#<k>"`` appended, so that ids stay unique).
        order: see :data:`ORDERS`: ``"random"`` (uniform, from the env's generator; a single level draws
            nothing) or ``"cycle"`` (environment ``i`` plays ``levels[i % n]``, then the next one, and so on).
        difficulty: what ``info`` reports as the levels' difficulty (None: none).

    Attributes:
        played: how many levels each environment has been handed (what ``"cycle"`` goes by).

    Raises:
        LevelSourceError: no levels, an item that is not a :class:`~ppcg.vgdl.level.Level`, as many ids as
            levels, or an unknown ``order``.
    """

    def __init__(
        self,
        levels: Sequence[Level],
        ids: Sequence[str] | None = None,
        *,
        order: str = "random",
        difficulty: float | None = None,
    ) -> None:
        levels = list(levels or ())
        if not levels:
            raise LevelSourceError("no levels given", "levels", "at least one level")
        for k, level in enumerate(levels):
            if not isinstance(level, Level):
                raise LevelSourceError(f"item {k} is {type(level).__name__}", "levels", "a Level")
        if order not in ORDERS:
            raise LevelSourceError(
                f"order must be one of {list(ORDERS)}, not {order!r}", "order", "one of " + ", ".join(ORDERS)
            )
        if ids is None:
            ids = [lvl.name or f"level{k}" for k, lvl in enumerate(levels)]
            if len(set(ids)) != len(ids):  # two files with the same stem
                ids = [f"{i}#{k}" for k, i in enumerate(ids)]
        if len(ids) != len(levels):
            raise LevelSourceError(f"{len(levels)} levels but {len(ids)} ids", "ids", "one id per level")
        self.requests = tuple(
            LevelRequest(lvl, str(i), None, difficulty) for lvl, i in zip(levels, ids, strict=True)
        )
        self.order = order
        self.played: dict[int, int] = {}

    def next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        """The next level for ``env_index`` (see ``order``)."""
        n = len(self.requests)
        if self.order == "random":
            return self.requests[int(rng.integers(n)) if n > 1 else 0]
        played = self.played.get(env_index, 0)
        self.played[env_index] = played + 1
        return self.requests[(env_index + played) % n]

    def episode_done(self, env_index: int, result: EpisodeResult) -> None:
        """Nothing to learn."""

    def __repr__(self) -> str:
        return f"FixedLevelSource({[r.level_id for r in self.requests]}, order={self.order!r})"
