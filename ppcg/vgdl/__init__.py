"""The VGDL language layer: game files -> :class:`GameSpec`, level files -> :class:`Level`.

Imports only the standard library (and numpy where needed); never Gymnasium, torch, pygame or numba.
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
from ppcg.vgdl.spec import (
    Color,
    Direction,
    GameSpec,
    InteractionSpec,
    Param,
    SpriteSpec,
    TerminationSpec,
)

__all__ = [
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
    "load_level",
]
