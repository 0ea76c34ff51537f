"""The SB3 callbacks of ``ppcg train``: the episode log, exact checkpoints and the progress bar.

:func:`ppcg.agents.train._callbacks` builds them for a run, in this order: :class:`EpisodeLog` first (the
others read it), :class:`Checkpoints`, the curriculum's own callback
(:class:`ppcg.curricula.sb3_callback.CurriculumCallback`), the learning curve, :class:`Progress`.
"""

from __future__ import annotations

import csv
import math
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from ppcg.agents.run import purge_tensorboard
from ppcg.agents.train import LOG_COLUMNS, _snapshot, save_checkpoint
from stable_baselines3.common.callbacks import BaseCallback

__all__ = ["Checkpoints", "EpisodeLog", "Progress"]


class EpisodeLog(BaseCallback):
    """Win rate, score, curriculum scalars: TensorBoard (``rollout/``, ``curriculum/``), progress.csv.

    Args:
        every: write a row of ``path`` every this many environment steps (and at the end).
        path: the run's progress.csv (:data:`~ppcg.agents.train.LOG_COLUMNS`), created with its header.
        curriculum: the run's curriculum (its ``stats()`` give the difficulty column).
        start_time: the run's clock (``time.time()`` at its start, a resumed run's moved back).
        restore: the :meth:`state` of the run's last exact checkpoint, to go on from.
        log_curriculum: log the curriculum's ``stats()`` under ``curriculum/`` (False where the curriculum's
            own callback does).
    """

    def __init__(
        self,
        every: int,
        path: Path,
        curriculum: Any,
        start_time: float,
        *,
        restore: dict[str, Any] | None = None,
        log_curriculum: bool = True,
    ) -> None:
        super().__init__()
        self.every = every
        self.path = Path(path)
        self.curriculum = curriculum
        self.start_time = start_time
        self.restore = restore
        self.log_curriculum = log_curriculum
        self.wins: deque[float] = deque(maxlen=100)
        self.scores: deque[float] = deque(maxlen=100)
        self.lengths: deque[float] = deque(maxlen=100)
        self.episodes = 0
        self.next_row = 0

    def state(self) -> dict[str, Any]:
        """What an exact checkpoint keeps, so that a resumed run writes the rows this one would have."""
        return {
            "wins": list(self.wins),
            "scores": list(self.scores),
            "lengths": list(self.lengths),
            "episodes": self.episodes,
            "next_row": self.next_row,
        }

    def _on_training_start(self) -> None:
        self.next_row = self.num_timesteps + self.every
        if self.restore is not None:
            self.wins.extend(self.restore["wins"])
            self.scores.extend(self.restore["scores"])
            self.lengths.extend(self.restore["lengths"])
            self.episodes = int(self.restore["episodes"])
            self.next_row = int(self.restore["next_row"])
        if not self.path.is_file():
            with open(self.path, "w", newline="") as f:
                csv.writer(f).writerow(LOG_COLUMNS)
        if self.num_timesteps:  # resumed: TensorBoard drops what a stopped process logged after here
            purge_tensorboard(self.logger, self.num_timesteps)

    def _on_step(self) -> bool:
        dones = self.locals.get("dones")
        if dones is not None and dones.any():
            infos = self.locals["infos"]
            for i in dones.nonzero()[0]:
                info = infos[i]
                self.episodes += 1
                self.wins.append(float(bool(info.get("is_success", False))))
                self.scores.append(float(info.get("score", math.nan)))
                ep = info.get("episode")
                if ep is not None:
                    self.lengths.append(float(ep["l"]))
        if self.num_timesteps >= self.next_row:
            self.next_row = self.num_timesteps + self.every
            self.write_row()
        return True

    def _on_rollout_end(self) -> None:
        if self.wins:
            self.logger.record("rollout/win_rate", float(sum(self.wins) / len(self.wins)))
            self.logger.record("rollout/score_mean", float(sum(self.scores) / len(self.scores)))
        stats = getattr(self.curriculum, "stats", None)
        if stats is not None and self.log_curriculum:
            for key, value in stats().items():
                self.logger.record(f"curriculum/{key}", value)

    def write_row(self) -> None:
        """Append the current figures to progress.csv."""
        n = len(self.wins)
        stats = self.curriculum.stats() if hasattr(self.curriculum, "stats") else {}
        row = [
            self.num_timesteps,
            round(time.time() - self.start_time, 2),
            self.episodes,
            sum(self.wins) / n if n else "",
            sum(self.scores) / n if n else "",
            sum(self.lengths) / len(self.lengths) if self.lengths else "",
            stats.get("difficulty", ""),
        ]
        with open(self.path, "a", newline="") as f:
            csv.writer(f).writerow(row)

    def _on_training_end(self) -> None:
        self.write_row()


class Checkpoints(BaseCallback):
    """A checkpoint every ``every`` environment steps, written atomically with the curriculum's state.

    It is taken at the start of the next rollout, where the model has learned from every step it took:
    with the environments' episodes and the random generators it is exact (A2C, PPO). A stop asked for
    by Ctrl-C or SIGTERM is carried out there too: checkpoint, then ``KeyboardInterrupt``.

    Args:
        every: environment steps between checkpoints.
        settings: the run's :class:`~ppcg.agents.train.TrainSettings`.
        run_dir: the run folder (:class:`ppcg.agents.run.RunDir`).
        curriculum: the run's curriculum (its state goes into each checkpoint).
        log: the run's :class:`EpisodeLog` (its state goes into each exact checkpoint).
        start_time: the run's clock.
        interrupts: where a requested stop is read (``interrupts.requested``), or None.
    """

    def __init__(
        self,
        every: int,
        settings: Any,
        run_dir: Any,
        curriculum: Any,
        log: EpisodeLog,
        start_time: float,
        *,
        interrupts: Any = None,
    ) -> None:
        super().__init__()
        self.every = every
        self.settings = settings
        self.run_dir = run_dir
        self.curriculum = curriculum
        self.log = log
        self.start_time = start_time
        self.interrupts = interrupts
        self.next_save = 0
        self.due = False
        self.saved_at = -1

    def _on_training_start(self) -> None:
        self.next_save = (self.num_timesteps // self.every + 1) * self.every

    def _on_step(self) -> bool:
        if self.num_timesteps >= self.next_save:
            self.next_save = (self.num_timesteps // self.every + 1) * self.every
            self.due = True
        return True

    def _on_rollout_start(self) -> None:
        stop = self.interrupts is not None and self.interrupts.requested
        if self.due or (stop and self.saved_at != self.num_timesteps):
            self.due = False
            snapshot = _snapshot(self.settings, self.model, self.log)
            try:
                save_checkpoint(
                    self.run_dir,
                    self.model,
                    self.curriculum,
                    snapshot=snapshot,
                    seconds=time.time() - self.start_time,
                )
            except KeyboardInterrupt:  # a second Ctrl-C, held until the checkpoint was complete
                self.saved_at = self.num_timesteps
                raise
            self.saved_at = self.num_timesteps
        if stop:
            raise KeyboardInterrupt


class Progress(BaseCallback):
    """A tqdm bar in environment steps: steps/s, the recent win rate, the curriculum's difficulty.

    Args:
        total: the run's total environment steps.
        log: the run's :class:`EpisodeLog` (the win rate shown).
        curriculum: the run's curriculum (the difficulty shown).
    """

    def __init__(self, total: int, log: EpisodeLog, curriculum: Any) -> None:
        super().__init__()
        self.total = total
        self.log = log
        self.curriculum = curriculum
        self.bar = None
        self.last = 0

    def _on_training_start(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=self.total,
            initial=self.num_timesteps,
            unit="step",
            unit_scale=True,
            dynamic_ncols=True,
            file=sys.stderr,
            smoothing=0.05,
        )
        self.last = self.num_timesteps

    def _on_step(self) -> bool:
        self.bar.update(self.num_timesteps - self.last)
        self.last = self.num_timesteps
        return True

    def _on_rollout_end(self) -> None:
        post = {}
        if self.log.wins:
            post["win"] = f"{sum(self.log.wins) / len(self.log.wins):.2f}"
        stats = self.curriculum.stats() if hasattr(self.curriculum, "stats") else {}
        if "difficulty" in stats:
            post["d"] = f"{stats['difficulty']:.2f}"
        self.bar.set_postfix(post, refresh=False)

    def _on_training_end(self) -> None:
        self.bar.close()
