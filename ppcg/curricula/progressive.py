"""``ppcg``: Progressive PCG (Justesen et al. 2018), and a variant that steers by the recent win rate.

One difficulty d for all environments, starting at 0. After each finished episode of *any* environment, d
rises by ``alpha`` on a win and falls by ``alpha`` on a loss, clipped to [0, 1]. New levels are generated at
exactly d, or (``sample="uniform"``) at a difficulty drawn uniformly from [0, d].

What a win is comes from the win rule (:class:`~ppcg.curricula.base.WinRule`): the game's win, except
Boulderdash, where the paper counted a score of at least 20. An episode cut at the step limit that did not
meet the rule leaves d alone by default (``truncated="ignore"``): d moves on decided episodes only, rising
while the agent wins more often than it loses. Counting cut episodes as losses (``"loss"``) stalls d at 0 for
an agent that wins a third of its episodes and wanders in the rest (see docs/learning.md); the paper's code
counted them as wins (``"win"``), which raises d whether or not the agent can play.

>>> from ppcg.curricula.progressive import ProgressivePCG
>>> from ppcg.envs.source import EpisodeResult
>>> cur = ProgressivePCG(game="zelda", generator=None, alpha=0.1)
>>> for _ in range(3):
...     cur.episode_done(0, EpisodeResult(level_id="x", won=True, score=1.0, length=10))
>>> round(cur.d, 3)
0.3
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np

from ppcg.curricula.base import (
    Curriculum,
    CurriculumConfigError,
    Outcome,
    check_choice,
    check_int,
    check_number,
)
from ppcg.envs.source import EpisodeResult, LevelRequest

__all__ = ["ProgressivePCG", "WinRatePCG", "SAMPLES"]

# How a new level's difficulty follows d. One entry a line.
SAMPLES: dict[str, str] = {
    "exact": "every new level at exactly d (the paper)",
    "uniform": "every new level at a difficulty uniform in [0, d] (the paper's variant)",
}


class ProgressivePCG(Curriculum):
    """Progressive PCG: one shared difficulty d, moved by ``alpha`` after every finished episode.

    Args:
        game: the game's name.
        generator: makes the levels.
        alpha: the step of d per episode, in (0, 1] (default 0.01, the paper's).
        start: d at the start (default 0).
        sample: ``"exact"`` or ``"uniform"`` (see :data:`SAMPLES`).
        **kwargs: the win rule (``win_score``, ``truncated``: default ``"ignore"`` here) and statistics
            options of :class:`~ppcg.curricula.base.Curriculum`.
    """

    name = "ppcg"

    def __init__(
        self,
        *,
        game: str,
        generator: Any,
        alpha: float = 0.01,
        start: float = 0.0,
        sample: str = "exact",
        **kwargs: Any,
    ) -> None:
        kwargs.pop("levels", None)
        kwargs.setdefault("truncated", "ignore")
        super().__init__(game=game, generator=generator, **kwargs)
        self.alpha = check_number("alpha", alpha, low=0.0, high=1.0, low_open=True)
        self.d = check_number("start", start, low=0.0, high=1.0)
        self.sample = check_choice("sample", sample, SAMPLES)

    def _move(self, delta: float) -> None:
        # Rounding keeps d on the grid of its steps (0.1 + 0.2 is 0.3 here), so runs that take the same
        # steps agree.
        self.d = round(min(1.0, max(0.0, self.d + delta)), 12)

    def _next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        d = self.d if self.sample == "exact" else rng.uniform(0.0, self.d)
        return self.generate(d, rng)

    def _on_outcome(self, env_index: int, result: EpisodeResult, outcome: Outcome) -> None:
        if outcome == "win":
            self._move(self.alpha)
        elif outcome == "loss":
            self._move(-self.alpha)

    def stats(self) -> dict[str, float]:
        with self._lock:
            return {**super().stats(), "difficulty": self.d}

    def state_dict(self) -> dict[str, Any]:
        with self._lock:
            return {**super().state_dict(), "d": self.d}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        with self._lock:
            super().load_state_dict(state)
            self.d = float(state["d"])


class WinRatePCG(ProgressivePCG):
    """Progressive PCG steered by the recent win rate: keep the agent where it wins about half the time.

    Over a sliding window of the last ``window`` counted episodes, d rises by ``step`` when the win rate is
    above ``band`` and falls by ``step`` when below; inside the band d stays. After each change the window
    starts afresh, and episodes whose level was handed out before the change are not counted (they were played
    at the old d), so the next decision sees only the new d.

    Args:
        game: the game's name.
        generator: makes the levels.
        step: how far d moves at a decision, in (0, 1] (default 0.05).
        window: episodes per decision (default 20).
        band: ``[low, high]``, the target win rate (default ``[0.4, 0.6]``).
        start: d at the start (default 0).
        sample: ``"exact"`` or ``"uniform"`` (see :data:`SAMPLES`).
        **kwargs: the win rule and statistics options of :class:`~ppcg.curricula.base.Curriculum`.
    """

    name = "ppcg-winrate"

    def __init__(
        self,
        *,
        game: str,
        generator: Any,
        step: float = 0.05,
        window: int = 20,
        band: Sequence[float] = (0.4, 0.6),
        start: float = 0.0,
        sample: str = "exact",
        **kwargs: Any,
    ) -> None:
        step = check_number("step", step, low=0.0, high=1.0, low_open=True)
        super().__init__(game=game, generator=generator, alpha=step, start=start, sample=sample, **kwargs)
        self.step = step
        self.window = check_int("window", window, low=1)
        if isinstance(band, (str, bytes)) or not isinstance(band, Sequence) or len(band) != 2:
            raise CurriculumConfigError(
                f"got {band!r}", key="band", expected="[low, high], two numbers in [0, 1]"
            )
        lo = check_number("band", band[0], low=0.0, high=1.0)
        hi = check_number("band", band[1], low=0.0, high=1.0)
        if lo > hi:
            raise CurriculumConfigError(f"got {list(band)!r}", key="band", expected="low <= high")
        self.band = (lo, hi)
        self._window: deque[bool] = deque(maxlen=self.window)
        self._epoch = 0  # how many times d changed
        self._issued_epoch: dict[int, int] = {}  # env -> epoch its current level was handed out in

    def _next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        self._issued_epoch[env_index] = self._epoch
        return super()._next_level(env_index, rng)

    def _on_outcome(self, env_index: int, result: EpisodeResult, outcome: Outcome) -> None:
        if outcome == "ignore" or self._issued_epoch.get(env_index, self._epoch) != self._epoch:
            return
        self._window.append(outcome == "win")
        if len(self._window) < self.window:
            return
        rate = float(np.mean(self._window))
        before = self.d
        if rate > self.band[1]:
            self._move(self.step)
        elif rate < self.band[0]:
            self._move(-self.step)
        if self.d != before:
            self._window.clear()
            self._epoch += 1

    def stats(self) -> dict[str, float]:
        with self._lock:
            out = super().stats()
            if self._window:
                out["window_win_rate"] = float(np.mean(self._window))
            return out

    def state_dict(self) -> dict[str, Any]:
        with self._lock:
            state = {**super().state_dict(), "window": list(self._window), "epoch": self._epoch}
            state["in_flight"] = {"issued_epoch": {str(i): e for i, e in self._issued_epoch.items()}}
            return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        with self._lock:
            super().load_state_dict(state)
            self._window = deque(state["window"], maxlen=self.window)
            self._epoch = int(state["epoch"])
            issued = state.get("in_flight", {}).get("issued_epoch", {})
            self._issued_epoch = {int(i): int(e) for i, e in issued.items()}
