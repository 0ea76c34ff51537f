"""The VGDL language layer: game files -> :class:`GameSpec`, level files -> :class:`Level`.

* :func:`parse_game` / :func:`load_game` read VGDL as GVGAI does (:mod:`ppcg.vgdl.parser`), validating every
  name and parameter against :mod:`ppcg.vgdl.registry`, the table of every sprite class, effect and
  termination GVGAI defines; :func:`to_vgdl` writes a spec back (:mod:`ppcg.vgdl.writer`).
* :class:`Level` (:mod:`ppcg.vgdl.level`): GVGAI's level files, exact text round trips, ``pad_to``, and a
  validity check that names the row and column of each problem.
* Every problem raises a :class:`VGDLError` (file, line, column, text, what was expected, a suggestion); what
  GVGAI tolerates warns with a :class:`VGDLWarning` and is an error with ``strict=True``.
* ``ppcg check GAME [LEVEL ...] [--strict]`` (:mod:`ppcg.vgdl.check`) prints a summary or the error.

>>> from ppcg.vgdl import parse_game, to_vgdl
>>> spec = parse_game("BasicGame\\n  SpriteSet\\n    avatar > MovingAvatar\\n")
>>> [s.name for s in spec.sprites], spec.mapping_dict["A"]
(['avatar'], ('avatar',))

Imports only the standard library; never Gymnasium, torch, pygame or numba.
"""

from __future__ import annotations

from ppcg.vgdl.errors import (
    VGDLError,
    VGDLLevelError,
    VGDLNameError,
    VGDLSyntaxError,
    VGDLUnsupportedError,
    VGDLValueError,
    VGDLWarning,
)
from ppcg.vgdl.level import Level, LevelProblem, load_level
from ppcg.vgdl.parser import load_game, parse_game
from ppcg.vgdl.spec import (
    EOS,
    TIME,
    Color,
    Direction,
    GameSpec,
    InteractionSpec,
    Param,
    SpriteSpec,
    TerminationSpec,
)
from ppcg.vgdl.writer import to_vgdl

__all__ = [
    "EOS",
    "TIME",
    "Color",
    "Direction",
    "GameSpec",
    "InteractionSpec",
    "Level",
    "LevelProblem",
    "Param",
    "SpriteSpec",
    "TerminationSpec",
    "VGDLError",
    "VGDLLevelError",
    "VGDLNameError",
    "VGDLSyntaxError",
    "VGDLUnsupportedError",
    "VGDLValueError",
    "VGDLWarning",
    "load_game",
    "load_level",
    "parse_game",
    "to_vgdl",
]
