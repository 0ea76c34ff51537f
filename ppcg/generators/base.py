"""The generator contract, and the machinery the four generators share.

A generator builds a level for one game from a difficulty ``d`` in [0, 1] and a ``numpy.random.Generator``.
The returned level is padded with walls to the game's fixed size and has passed the game's grid-level
playability check (:mod:`ppcg.generators.playability`); a candidate that fails is thrown away and built again,
up to ``max_tries`` times. All randomness comes from the given ``rng``, so the same ``(d, seed)`` gives the
same level.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

import numpy as np

from ppcg.generators.playability import CHECKS, Board
from ppcg.vgdl.level import Level

if TYPE_CHECKING:  # pragma: no cover
    from ppcg.vgdl.spec import GameSpec

__all__ = [
    "Generator",
    "GridGenerator",
    "GenerationError",
    "Uniforms",
    "check_difficulty",
    "level_for_seed",
    "level_rng",
]


class GenerationError(RuntimeError):
    """No playable level could be built within the generator's number of tries."""


@runtime_checkable
class Generator(Protocol):
    """What every level generator provides.

    Attributes:
        name: the generator's registered name.
        game: the bundled game its levels are for (``ppcg.resources.game_path(game)``).
        width: the width of every level it returns.
        height: the height of every level it returns.
    """

    name: str
    game: str
    width: int
    height: int

    def generate(self, difficulty: float, rng: np.random.Generator) -> Level:
        """A playable level at ``difficulty`` in [0, 1], drawn with ``rng``."""
        ...

    def stats(self, level: Level) -> dict[str, float]:
        """The quantities that difficulty controls, measured on ``level``."""
        ...


def check_difficulty(difficulty: float, what: str = "difficulty") -> float:
    """``difficulty`` as a float, or a ValueError saying why it is not a difficulty (``what`` names it).

    >>> check_difficulty(0.5)
    0.5
    """
    if isinstance(difficulty, bool) or not isinstance(difficulty, (int, float, np.integer, np.floating)):
        raise ValueError(f"{what} must be a number in [0, 1], got {difficulty!r}")
    d = float(difficulty)
    if not (0.0 <= d <= 1.0):  # also rejects NaN
        raise ValueError(f"{what} must be in [0, 1], got {difficulty!r}")
    return d


class Uniforms:
    """Uniform draws in [0, 1) from ``rng``, taken in blocks (one numpy call per block, not per draw)."""

    __slots__ = ("_rng", "_buf", "_i", "_n")

    def __init__(self, rng: np.random.Generator, block: int = 64) -> None:
        self._rng = rng
        self._n = block
        self._buf: list[float] = rng.random(block).tolist()
        self._i = 0

    def __call__(self) -> float:
        i = self._i
        if i == self._n:
            self._buf = self._rng.random(self._n).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]

    def below(self, n: int) -> int:
        """A uniform integer in [0, n)."""
        return min(int(self() * n), n - 1)


class GridGenerator(ABC):
    """Base class of the four generators: difficulty check, retries, padding, validation and the grid check.

    Subclasses set the class attributes and implement :meth:`build` (one candidate, as rows of characters, or
    None when the construction itself failed) and :meth:`stats`.

    Attributes:
        increasing: the keys of :meth:`stats` whose mean grows with difficulty (what the difficulty test
            checks).
        max_tries: candidates built before giving up with :class:`GenerationError`.
    """

    name: ClassVar[str]
    game: ClassVar[str]
    width: ClassVar[int]
    height: ClassVar[int]
    increasing: ClassVar[tuple[str, ...]] = ()
    max_tries: ClassVar[int] = 100

    def __init__(self, spec: GameSpec | None = None) -> None:
        self._spec = spec
        self._valid_charsets: set[frozenset[str]] = set()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(game={self.game!r}, size={self.width}x{self.height})"

    @property
    def spec(self) -> GameSpec:
        """The game's spec (the bundled game file, loaded on first use)."""
        if self._spec is None:
            from ppcg.vgdl import load_game

            self._spec = load_game(self.game)
        return self._spec

    # --------------------------------------------------------------------------------------------------------
    def generate(self, difficulty: float, rng: np.random.Generator) -> Level:
        """A level at ``difficulty``, padded with walls to ``width`` x ``height`` and checked playable.

        Raises:
            ValueError: ``difficulty`` is not a number in [0, 1].
            GenerationError: no candidate passed the checks in ``max_tries`` tries.
        """
        d = check_difficulty(difficulty)
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), not {type(rng)}"
            )
        u = Uniforms(rng)
        reason = "no candidate"
        for _ in range(self.max_tries):
            rows = self.build(d, rng, u)
            if rows is None:
                reason = "the construction failed"
                continue
            level = self.finish(rows)
            problem = self.check(level)
            if problem is None:
                return level
            reason = problem
        raise GenerationError(
            f"{self.name}: no playable level at difficulty {d} in {self.max_tries} tries "
            f"(last problem: {reason})"
        )

    def finish(self, rows: list[str]) -> Level:
        """Bind the rows to the game's mapping and pad them with walls to the generator's size."""
        level = Level(tuple(rows), self.spec.mapping)
        if level.width != self.width or level.height != self.height:
            level = level.pad_to(self.width, self.height, "w")
        return level

    def check(self, level: Level) -> str | None:
        """None when ``level`` is valid for the game and playable on the grid, else the reason.

        Validity is :meth:`Level.validate` against the game (every character maps to sprites the game
        defines); its result depends only on the set of characters used (the avatar count is part of the grid
        check), so it is remembered per character set.

        Raises:
            VGDLLevelError: the level is not valid for the game (a bug in the generator, not bad luck).
        """
        if level.width != self.width or level.height != self.height:
            return f"size {level.width}x{level.height}, expected {self.width}x{self.height}"
        chars = frozenset("".join(level.rows))
        if chars not in self._valid_charsets:
            level.validate(self.spec)
            self._valid_charsets.add(chars)
        return CHECKS[self.game](Board.from_rows(level.rows))

    # --------------------------------------------------------------------------------------------------------
    @abstractmethod
    def build(self, d: float, rng: np.random.Generator, u: Uniforms) -> list[str] | None:
        """One candidate level at difficulty ``d`` (unpadded rows), or None if the construction failed."""

    @abstractmethod
    def stats(self, level: Level) -> dict[str, float]:
        """The quantities that difficulty controls, measured on ``level``."""

    def mutate(self, level: Level, rng: np.random.Generator, n_edits: int = 1) -> Level:
        """A child of ``level``: ``n_edits`` edits from the game's edit table that keep it playable (see
        :mod:`ppcg.generators.mutation`); ``level`` itself when no child passed the checks."""
        from ppcg.generators.mutation import mutate_with_table

        return mutate_with_table(self, level, rng, n_edits)


def level_rng(seed: int) -> np.random.Generator:
    """The generator a level seed stands for: ``generate(d, level_rng(seed))`` is the level ``(d, seed)``."""
    return np.random.default_rng(int(seed))


def level_for_seed(generator: Generator, difficulty: float, seed: int) -> Level:
    """The level ``generator`` makes at ``difficulty`` from seed ``seed`` (:func:`level_rng`)."""
    return generator.generate(difficulty, level_rng(seed))


def floor(x: float) -> int:
    return math.floor(x)
