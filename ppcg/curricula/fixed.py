"""``fixed``: one or more given levels (the paper's Lvl-0 ... Lvl-4), in turn or at random."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ppcg.curricula.base import Curriculum, CurriculumConfigError, check_choice
from ppcg.envs.source import LevelRequest
from ppcg.vgdl.level import Level

__all__ = ["FixedLevels", "ORDERS"]

# How the next level is chosen. One entry a line.
ORDERS: dict[str, str] = {
    "cycle": "each environment plays the levels in turn, environment i starting at level i (mod the count)",
    "random": "each episode's level is drawn uniformly from the environment's generator",
}


class FixedLevels(Curriculum):
    """Given levels, in turn or at random. Level ids are the levels' names (``"lvl0"``), else ``"level<k>"``.

    Args:
        game: the game's name.
        levels: the levels (at least one).
        order: ``"cycle"`` or ``"random"`` (see :data:`ORDERS`).
        **kwargs: the win rule and statistics options of :class:`~ppcg.curricula.base.Curriculum`.
    """

    name = "fixed"

    def __init__(self, *, game: str, levels: Sequence[Level], order: str = "cycle", **kwargs: Any) -> None:
        kwargs.pop("generator", None)  # given levels need no generator
        super().__init__(game=game, **kwargs)
        levels = list(levels or ())
        if not levels:
            raise CurriculumConfigError("no levels given", key="levels", expected="at least one level")
        for k, level in enumerate(levels):
            if not isinstance(level, Level):
                raise CurriculumConfigError(
                    f"item {k} is {type(level).__name__}", key="levels", expected="a Level"
                )
        self.levels = levels
        self.order = check_choice("order", order, ORDERS)
        ids = [level.name or f"level{k}" for k, level in enumerate(levels)]
        if len(set(ids)) != len(ids):  # two files with the same stem: keep ids unique
            ids = [f"{i}#{k}" for k, i in enumerate(ids)]
        self.level_ids = ids
        self._played: dict[int, int] = {}  # env -> episodes handed out

    def _next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        n = len(self.levels)
        if self.order == "random":
            k = int(rng.integers(0, n)) if n > 1 else 0
        else:
            played = self._played.get(env_index, 0)
            self._played[env_index] = played + 1
            k = (env_index + played) % n
        return LevelRequest(level=self.levels[k], level_id=self.level_ids[k])

    def state_dict(self) -> dict[str, Any]:
        with self._lock:
            return {**super().state_dict(), "played": dict(self._played)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        with self._lock:
            super().load_state_dict(state)
            self._played = {int(k): int(v) for k, v in state["played"].items()}
