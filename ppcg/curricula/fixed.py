"""``fixed``: one or more given levels (the paper's Lvl-0 ... Lvl-4), in turn or at random."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ppcg.curricula.base import Curriculum, source_config_error
from ppcg.envs.source import LevelRequest
from ppcg.envs.sources import ORDERS, FixedLevelSource, LevelSourceError
from ppcg.vgdl.level import Level

__all__ = ["FixedLevels", "ORDERS"]


class FixedLevels(Curriculum):
    """Given levels, in turn or at random. Level ids are the levels' names (``"lvl0"``), else ``"level<k>"``.

    The environments' own :class:`~ppcg.envs.sources.FixedLevelSource` (:attr:`source`) chooses the levels:
    this curriculum only adds the win rule, the statistics and the checkpoint of each environment's turn.

    Args:
        game: the game's name.
        levels: the levels (at least one).
        order: ``"cycle"`` or ``"random"`` (see :data:`~ppcg.envs.sources.ORDERS`).
        **kwargs: the win rule and statistics options of :class:`~ppcg.curricula.base.Curriculum`.
    """

    name = "fixed"

    def __init__(self, *, game: str, levels: Sequence[Level], order: str = "cycle", **kwargs: Any) -> None:
        kwargs.pop("generator", None)  # given levels need no generator
        super().__init__(game=game, **kwargs)
        try:
            self.source = FixedLevelSource(levels, order=order)
        except LevelSourceError as exc:
            raise source_config_error(exc) from None

    @property
    def levels(self) -> list[Level]:
        return [r.level for r in self.source.requests]

    @property
    def level_ids(self) -> list[str]:
        return [r.level_id for r in self.source.requests]

    @property
    def order(self) -> str:
        return self.source.order

    def _next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        return self.source.next_level(env_index, rng)

    def state_dict(self) -> dict[str, Any]:
        with self._lock:
            return {**super().state_dict(), "played": dict(self.source.played)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        with self._lock:
            super().load_state_dict(state)
            self.source.played = {int(k): int(v) for k, v in state["played"].items()}
