"""Learning curves on held-out levels: an SB3 callback that evaluates the policy every N steps of training.

A training run's own episodes say how well the agent does on the levels it trains on; whether it learned the
game shows only on levels it never saw. :class:`HeldOutEvaluation` plays the policy on named level sets (built
by :func:`ppcg.agents.evaluate.level_sets_for`: ``train``, ``human``, ``d=0.5`` ...) every ``every``
environment steps and writes:

* ``eval_progress.csv`` in the run folder: one row per evaluation, ``timesteps``, ``train_seconds`` (training
  wall-clock time so far, evaluations excluded), ``eval_seconds``, then ``<set>/win_rate`` and ``<set>/score``
  for every set, and ``gap`` (Procgen's generalization gap: the win rate on the training levels minus the mean
  win rate on the test sets, when a training set is evaluated);
* TensorBoard scalars ``eval/<set>/win_rate``, ``eval/<set>/score`` and ``eval/generalization_gap``.

The evaluation never disturbs training: it plays on its own environments, with its own seeds, and restores
torch's and NumPy's global random states afterwards, so a run with evaluations takes exactly the same training
steps as one without (and an exact resume stays exact).
"""

from __future__ import annotations

import csv
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

__all__ = ["HeldOutEvaluation", "EVAL_LOG_FILE", "read_eval_log", "first_reaching"]

EVAL_LOG_FILE = "eval_progress.csv"


class HeldOutEvaluation(BaseCallback):
    """Evaluate the policy on ``level_sets`` every ``every`` environment steps (and at the end, if it did so).

    Args:
        env_id: the registered id the levels are played in.
        obs: the observation type the policy was trained on.
        level_sets: :class:`~ppcg.agents.evaluate.LevelSet` objects; a set named ``train`` is the training
            levels, every other set a test set.
        every: environment steps between evaluations.
        path: the CSV file to append rows to (None: no file).
        seed: the evaluation seed (the same episodes at every evaluation, so curves compare like with like).
        deterministic: take the most likely action instead of sampling.
        start_time: the training clock's start (``time.time()``); evaluation time is not counted.
        final: also evaluate at the end of a run shorter than one interval (default: only a curve that has
            points gets a last one).
        verbose: 1 prints a line per evaluation.
    """

    def __init__(
        self,
        env_id: str,
        obs: str,
        level_sets: list[Any],
        every: int,
        *,
        path: str | Path | None = None,
        seed: int = 54321,
        deterministic: bool = False,
        start_time: float | None = None,
        final: bool = False,
        verbose: int = 0,
        env_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(verbose)
        self.env_kwargs = dict(env_kwargs or {})
        if every < 1:
            raise ValueError(f"evaluation interval must be >= 1 step, got {every}")
        self.env_id = env_id
        self.obs = obs
        self.level_sets = list(level_sets)
        self.every = int(every)
        self.path = Path(path) if path is not None else None
        self.seed = int(seed)
        self.deterministic = deterministic
        self.start_time = start_time
        self.final = final
        self.eval_seconds = 0.0
        self.time_offset = 0.0
        self.next_eval = 0
        self.last_eval = -1
        self.history: list[dict[str, float]] = []

    @property
    def columns(self) -> list[str]:
        cols = ["timesteps", "train_seconds", "eval_seconds"]
        for ls in self.level_sets:
            cols += [f"{ls.name}/win_rate", f"{ls.name}/score"]
        return cols + ["gap"]

    def _on_training_start(self) -> None:
        if self.start_time is None:
            self.start_time = time.time()
        self.next_eval = (self.num_timesteps // self.every + 1) * self.every
        if self.path is None:
            return
        from ppcg.agents.run import trim_log

        if self.path.is_file():
            # A resumed run continues its curve from the checkpoint: rows written after it are dropped, and
            # the training clock goes on from the last row's.
            self.time_offset = trim_log(self.path, self.num_timesteps, clock="train_seconds")
            self.history = read_eval_log(self.path)
        else:
            with open(self.path, "w", newline="") as f:
                csv.writer(f).writerow(self.columns)

    def _on_step(self) -> bool:
        if self.num_timesteps >= self.next_eval:
            self.next_eval = (self.num_timesteps // self.every + 1) * self.every
            self.evaluate()
        return True

    def _on_training_end(self) -> None:
        # The curve ends at the last step; a run shorter than one interval has no curve at all.
        if (self.history or self.final) and self.last_eval != self.num_timesteps:
            self.evaluate()

    def evaluate(self) -> dict[str, float]:
        """Evaluate now; returns the row written (also kept in :attr:`history`)."""
        import torch as th
        from ppcg.agents.evaluate import evaluate_model

        torch_state = th.get_rng_state()
        np_state = np.random.get_state()
        t0 = time.time()
        try:
            report = evaluate_model(
                self.model,
                self.env_id,
                self.obs,
                self.level_sets,
                seed=self.seed,
                deterministic=self.deterministic,
                env_kwargs=self.env_kwargs,
            )
        finally:
            th.set_rng_state(torch_state)
            np.random.set_state(np_state)
        spent = time.time() - t0
        self.eval_seconds += spent
        row: dict[str, float] = {
            "timesteps": int(self.num_timesteps),
            "train_seconds": round(
                self.time_offset + time.time() - (self.start_time or t0) - self.eval_seconds, 2
            ),
            "eval_seconds": round(spent, 2),
        }
        tests = []
        for name, s in report["sets"].items():
            win, score = s["overall"]["win_rate"], s["overall"]["score_mean"]
            row[f"{name}/win_rate"] = win
            row[f"{name}/score"] = score
            self.logger.record(f"eval/{name}/win_rate", win)
            self.logger.record(f"eval/{name}/score", score)
            if name != "train":
                tests.append(win)
        gap = row["train/win_rate"] - float(np.mean(tests)) if "train/win_rate" in row and tests else math.nan
        row["gap"] = gap
        if not math.isnan(gap):
            self.logger.record("eval/generalization_gap", gap)
        self.last_eval = self.num_timesteps
        self.history.append(row)
        if self.path is not None:
            with open(self.path, "a", newline="") as f:
                csv.writer(f).writerow([_cell(row.get(c, math.nan)) for c in self.columns])
        if self.verbose:
            sets = ", ".join(f"{ls.name} {100 * row[f'{ls.name}/win_rate']:.0f}%" for ls in self.level_sets)
            print(f"eval at {self.num_timesteps:,} steps ({row['train_seconds'] / 60:.1f} min): {sets}")
        return row


def _cell(value: float) -> Any:
    return "" if isinstance(value, float) and math.isnan(value) else value


def read_eval_log(path: str | Path) -> list[dict[str, float]]:
    """The rows of an ``eval_progress.csv`` (empty cells are NaN)."""
    path = Path(path)
    if not path.is_file():
        return []
    with open(path, newline="") as f:
        return [
            {k: float(v) if v not in ("", None) else math.nan for k, v in r.items()}
            for r in csv.DictReader(f)
        ]


def first_reaching(rows: list[dict[str, float]], column: str, target: float) -> dict[str, float] | None:
    """The first row whose ``column`` is at least ``target`` (None: never)."""
    for row in rows:
        value = row.get(column, math.nan)
        if not math.isnan(value) and value >= target:
            return row
    return None
