"""Figures across seeds for ``ppcg experiment``: the IQM with a stratified bootstrap confidence interval, and
the mean with its standard error.

Following Agarwal et al., "Deep Reinforcement Learning at the Edge of the Statistical Precipice" (NeurIPS
2021), through their library ``rliable``: a condition's scores on a test set form a matrix of runs (seeds) x
tasks (levels). The **IQM** (interquartile mean) is the mean of the middle 50% of all its entries (25% cut
from each end); its **95% confidence interval** comes from a stratified bootstrap: each resample draws the
seeds again, with replacement, independently for every level, and the interval runs from the 2.5th to the
97.5th percentile of the resampled IQMs. The bootstrap is deterministic (:data:`BOOTSTRAP_SEED`,
:data:`BOOTSTRAP_REPS` resamples).

Beside it, the **mean** of the seeds' figures and its **standard error** (the sample standard deviation across
seeds over the square root of their number; none for a single seed).

On a generated test set each level is played once, so its entries are 0 or 1, and the IQM of 0/1 entries is
about ``(p - 0.25) / 0.5`` clipped to [0, 1] for a win rate ``p``: 0 below 25% wins, 1 above 75%. The mean
and its standard error are the figures to read there; the IQM is for the human levels, whose entries are win
rates.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BOOTSTRAP_REPS",
    "BOOTSTRAP_SEED",
    "CONFIDENCE",
    "Aggregate",
    "aggregate",
    "iqm",
    "iqm_ci",
    "mean_se",
]

BOOTSTRAP_REPS = 2000
"""Bootstrap resamples per interval (rliable's default is 50,000; 2,000 cost a fraction of a second)."""
BOOTSTRAP_SEED = 12345
"""The seed of every bootstrap: the same scores always give the same interval."""
CONFIDENCE = 0.95


def iqm(scores: np.ndarray | Sequence[Sequence[float]]) -> float:
    """The interquartile mean of a runs x tasks matrix (``rliable.metrics.aggregate_iqm``): the mean of its
    entries after cutting the lowest and the highest 25% (``floor(n / 4)`` entries of ``n`` each)."""
    from rliable import metrics

    return float(metrics.aggregate_iqm(_matrix(scores)))


def iqm_ci(
    scores: np.ndarray | Sequence[Sequence[float]],
    *,
    reps: int = BOOTSTRAP_REPS,
    seed: int = BOOTSTRAP_SEED,
    confidence: float = CONFIDENCE,
) -> tuple[float, float, float]:
    """``(iqm, low, high)``: the IQM of a runs x tasks matrix and its percentile confidence interval from a
    stratified bootstrap over runs (``rliable.library.get_interval_estimates``).

    Deterministic: rliable's stratified bootstrap draws its indices from NumPy's global generator (not
    from the ``random_state`` it is given), so that generator is seeded with ``seed`` for the bootstrap and
    put back as it was afterwards.
    """
    from rliable import library, metrics

    x = _matrix(scores)
    point = float(metrics.aggregate_iqm(x))
    saved = np.random.get_state()
    try:
        np.random.seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # arch: random_state is deprecated (still works)
            _, intervals = library.get_interval_estimates(
                {"x": x},
                lambda s: np.array([_trimmed_mean(s)]),
                reps=reps,
                confidence_interval_size=confidence,
                random_state=np.random.RandomState(seed),
            )
    finally:
        np.random.set_state(saved)
    low, high = (float(v) for v in np.asarray(intervals["x"]).reshape(2))
    return point, low, high


def mean_se(values: Sequence[float]) -> tuple[float, float, int]:
    """``(mean, standard error, n)`` of the values that are not NaN; the standard error is the sample standard
    deviation (``ddof=1``) over ``sqrt(n)``, NaN for fewer than two values (and both NaN for none)."""
    v = np.asarray([x for x in values if x is not None and not math.isnan(x)], dtype=float)
    if len(v) == 0:
        return math.nan, math.nan, 0
    se = float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else math.nan
    return float(v.mean()), se, len(v)


@dataclass(frozen=True)
class Aggregate:
    """One condition's figure on one test set, across its seeds.

    Attributes:
        mean: the mean across seeds of each seed's figure on the set.
        se: its standard error (NaN for one seed).
        seeds: how many seeds.
        iqm: the IQM over seeds x levels (NaN without per-level figures).
        ci: the IQM's 95% stratified bootstrap confidence interval ``(low, high)``.
        levels: how many levels (tasks) the IQM is over.
    """

    mean: float
    se: float
    seeds: int
    iqm: float = math.nan
    ci: tuple[float, float] = (math.nan, math.nan)
    levels: int = 0

    def to_dict(self) -> dict[str, float | int | list[float]]:
        return {
            "mean": self.mean,
            "se": self.se,
            "seeds": self.seeds,
            "iqm": self.iqm,
            "ci": list(self.ci),
            "levels": self.levels,
        }


def aggregate(run_values: Sequence[float], scores: np.ndarray | None = None) -> Aggregate:
    """The mean and standard error of ``run_values`` (one per seed) and, given the runs x tasks ``scores``,
    their IQM and its confidence interval."""
    mean, se, n = mean_se(run_values)
    if scores is None or np.asarray(scores).size == 0:
        return Aggregate(mean, se, n)
    point, low, high = iqm_ci(scores)
    return Aggregate(mean, se, n, point, (low, high), int(np.asarray(scores).shape[1]))


def _trimmed_mean(x: np.ndarray) -> float:
    """``scipy.stats.trim_mean(x, 0.25, axis=None)`` (what ``aggregate_iqm`` computes) without scipy's
    per-call argument handling, which costs about ten times the arithmetic in a bootstrap's inner loop."""
    a = np.sort(x, axis=None)
    cut = int(0.25 * a.size)
    return float(a[cut : a.size - cut].mean())


def _matrix(scores: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    x = np.asarray(scores, dtype=float)
    if x.ndim != 2 or x.size == 0:
        raise ValueError(f"expected a non-empty runs x tasks matrix, got shape {x.shape}")
    if np.isnan(x).any():
        raise ValueError("the scores matrix holds NaN (a run without a figure on some level)")
    return x
