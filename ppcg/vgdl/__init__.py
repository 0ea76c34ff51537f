"""The VGDL language layer: game files -> :class:`GameSpec`, level files -> :class:`Level`.

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
