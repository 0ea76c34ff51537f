"""The Stable-Baselines3 side of a curriculum: TensorBoard scalars, and PLR's scores from each rollout.

The only module of :mod:`ppcg.curricula` that imports Stable-Baselines3.

>>> from ppcg.curricula.sb3_callback import CurriculumCallback
>>> model.learn(1_000_000, callback=CurriculumCallback(curriculum))  # doctest: +SKIP

At the end of every rollout the callback writes ``curriculum/<key>`` for every entry of ``curriculum.stats()``
through ``self.logger.record``: ``curriculum/difficulty`` (PPCG's d; the mean difficulty of recent episodes
for the others), ``curriculum/win_rate`` (over the curriculum's ``stats_window`` episodes, by its win rule),
and for PLR ``curriculum/buffer_size``, ``curriculum/mean_score``, ``curriculum/mean_staleness``,
``curriculum/replay_fraction``.

For a curriculum with ``score_rollout`` (PLR), the callback also records the level id of every step of the
rollout (``info["level_id"]`` after each ``env.step``: the level the step was played on, also on the step that
ended an episode) and, after the rollout's returns and advantages are computed, scores the rollout's episodes
from the rollout buffer's ``values``, ``returns`` and ``advantages``. It then stores the robust-PLR mask as
``rollout_buffer.replay_mask`` (bool, ``(n_steps, n_envs)``; True: the step came from a replayed level); see
:mod:`ppcg.curricula.plr` for how an A2C/PPO uses it. PLR needs an on-policy algorithm (A2C, PPO).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

__all__ = ["CurriculumCallback"]


class CurriculumCallback(BaseCallback):
    """Logs a curriculum's statistics and feeds PLR its rollout scores.

    Args:
        curriculum: the curriculum the environments consult (the main-process object, not a channel client).
        prefix: the TensorBoard section (default ``"curriculum"``).
        verbose: SB3's verbosity.
    """

    def __init__(self, curriculum: Any, *, prefix: str = "curriculum", verbose: int = 0) -> None:
        super().__init__(verbose)
        self.curriculum = curriculum
        self.prefix = prefix
        self.scores_rollouts = hasattr(curriculum, "score_rollout")
        self._level_ids: list[list[Any]] = []
        self._dones: list[np.ndarray] = []
        self.last_replay_mask: np.ndarray | None = None

    def _on_training_start(self) -> None:
        if self.scores_rollouts and getattr(self.model, "rollout_buffer", None) is None:
            raise TypeError(
                f"curriculum {getattr(self.curriculum, 'name', self.curriculum)!r} scores levels from "
                "rollouts (values, returns, advantages) and needs an on-policy algorithm such as A2C or "
                f"PPO, not {type(self.model).__name__}"
            )

    def _on_rollout_start(self) -> None:
        self._level_ids = []
        self._dones = []

    def _on_step(self) -> bool:
        if self.scores_rollouts:
            infos = self.locals["infos"]
            ids = [info.get("level_id") for info in infos]
            if any(i is None for i in ids):
                raise KeyError(
                    "PLR needs info['level_id'] from every environment on every step; give the environments "
                    "the curriculum as their level_source"
                )
            self._level_ids.append(ids)
            self._dones.append(np.asarray(self.locals["dones"], dtype=bool).copy())
        return True

    def _on_rollout_end(self) -> None:
        if self.scores_rollouts and self._level_ids:
            buffer = self.locals.get("rollout_buffer")
            self._score(buffer if buffer is not None else self.model.rollout_buffer)
        self.log_stats()

    def _score(self, buffer: Any) -> None:
        n = len(self._level_ids)
        if (
            n != buffer.buffer_size
        ):  # a rollout stopped early (a callback returned False): score what was played
            n = min(n, buffer.pos if buffer.pos else buffer.buffer_size)
        ids = np.empty((n, len(self._level_ids[0])), dtype=object)
        for t in range(n):
            ids[t, :] = self._level_ids[t]
        dones = np.stack(self._dones[:n])
        values, returns, advantages = (
            np.asarray(a[:n]).reshape(n, -1) for a in (buffer.values, buffer.returns, buffer.advantages)
        )
        mask = self.curriculum.replay_mask(ids)
        self.curriculum.score_rollout(ids, dones, values, returns, advantages)
        full = np.ones((buffer.buffer_size, buffer.n_envs), dtype=bool)
        full[:n] = mask
        buffer.replay_mask = full
        self.last_replay_mask = full

    def log_stats(self) -> None:
        """Write the curriculum's statistics (NaN values, e.g. a win rate before any episode, are skipped)."""
        for key, value in self.curriculum.stats().items():
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                self.logger.record(f"{self.prefix}/{key}", value)
