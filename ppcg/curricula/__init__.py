"""Curricula: which level each environment plays next, and how that follows the agent's results.

Every curriculum is a :class:`~ppcg.envs.source.LevelSource`: one object in the main process that environments
consult inside every reset (auto-resets included) and tell how each episode ended. Selected by name from
:data:`CURRICULA` and configured from YAML (:func:`curriculum_from_yaml`):

================  ==========================================================================================
``fixed``         given levels (the paper's Lvl-0 ... Lvl-4), in turn or at random
``random``        a new level each episode at a difficulty uniform in [0, 1] (the paper's PCG)
``difficulty``    a new level each episode at one difficulty d (the paper's PCG at 0.3, 0.5, 0.7, 1)
``ppcg``          Progressive PCG: one shared d, +alpha per win, -alpha per loss (the paper's curriculum)
``ppcg-winrate``  PPCG steered by the recent win rate toward a target band
``plr``           Prioritized Level Replay over generated levels, with the robust variant
``accel``         ACCEL: robust PLR that also mutates replayed levels and scores the children
================  ==========================================================================================

>>> from ppcg.curricula import make_curriculum
>>> cur = make_curriculum("ppcg", game="zelda", alpha=0.01)  # doctest: +SKIP
>>> env = ppcg.make_vec("ppcg/Zelda-v0", 12, level_source=cur)  # doctest: +SKIP

Environments in other processes reach the one curriculum through :mod:`ppcg.curricula.channel`. The SB3
callback that logs ``curriculum/*`` and scores PLR's levels is
:class:`ppcg.curricula.sb3_callback.CurriculumCallback` (imported lazily: it needs Stable-Baselines3).
"""

from __future__ import annotations

from typing import Any

from ppcg.curricula.accel import ACCEL
from ppcg.curricula.base import DEFAULT_WIN_SCORE, TRUNCATED_AS, Curriculum, CurriculumConfigError, WinRule
from ppcg.curricula.channel import CurriculumClient, CurriculumServer, env_fns
from ppcg.curricula.config import CURRICULA, curriculum_from_yaml, make_curriculum
from ppcg.curricula.difficulty import FixedDifficulty
from ppcg.curricula.fixed import FixedLevels
from ppcg.curricula.plr import PrioritizedLevelReplay
from ppcg.curricula.progressive import ProgressivePCG, WinRatePCG
from ppcg.curricula.uniform import UniformDifficulty

__all__ = [
    "ACCEL",
    "CURRICULA",
    "DEFAULT_WIN_SCORE",
    "TRUNCATED_AS",
    "Curriculum",
    "CurriculumCallback",
    "CurriculumClient",
    "CurriculumConfigError",
    "CurriculumServer",
    "FixedDifficulty",
    "FixedLevels",
    "PrioritizedLevelReplay",
    "ProgressivePCG",
    "UniformDifficulty",
    "WinRatePCG",
    "WinRule",
    "curriculum_from_yaml",
    "env_fns",
    "make_curriculum",
]


def __getattr__(name: str) -> Any:
    # The callback needs Stable-Baselines3 (and torch); import it only when asked for.
    if name == "CurriculumCallback":
        from ppcg.curricula.sb3_callback import CurriculumCallback

        return CurriculumCallback
    raise AttributeError(f"module 'ppcg.curricula' has no attribute {name!r}")
