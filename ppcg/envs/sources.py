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

__all__ = ["GeneratorSource", "FixedLevelSource", "SEED_BOUND"]

SEED_BOUND = 2**31  # level and engine seeds are drawn from [0, SEED_BOUND)


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
    """

    def __init__(self, game: str, difficulty: float = 0.5, *, generator: Any = None) -> None:
        self.game = game
        self.difficulty = difficulty
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

    def next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        """A new level at :attr:`difficulty`, its seed drawn from ``rng``."""
        return self.level_at(self.difficulty, int(rng.integers(SEED_BOUND)))

    def episode_done(self, env_index: int, result: EpisodeResult) -> None:
        """Nothing to learn: the difficulty stays where it is."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if not self._custom:
            state["_generator"] = None  # looked up again on first use
        return state

    def __repr__(self) -> str:
        return f"GeneratorSource({self.game!r}, difficulty={self.difficulty})"


class FixedLevelSource:
    """A fixed list of levels, drawn uniformly at random (``order="random"``) or in turn (``order="cycle"``).

    Args:
        levels: the levels.
        ids: their ``level_id`` (default: each level's ``name``, else ``"level<k>"``).
        order: ``"random"`` (uniform, from the env's generator; a single level draws nothing) or ``"cycle"``
            (environment ``i`` plays ``levels[i % n]``, then the next one, and so on).
    """

    def __init__(
        self, levels: Sequence[Level], ids: Sequence[str] | None = None, *, order: str = "random"
    ) -> None:
        if not levels:
            raise ValueError("FixedLevelSource needs at least one level")
        if order not in ("random", "cycle"):
            raise ValueError(f"order must be 'random' or 'cycle', not {order!r}")
        if ids is None:
            ids = [lvl.name or f"level{k}" for k, lvl in enumerate(levels)]
        if len(ids) != len(levels):
            raise ValueError(f"{len(levels)} levels but {len(ids)} ids")
        self.requests = tuple(LevelRequest(lvl, str(i)) for lvl, i in zip(levels, ids, strict=True))
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
