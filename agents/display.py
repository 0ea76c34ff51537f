"""How ``ppcg experiment``'s conditions look in tables and plots: readable names and stable colours.

The same condition always gets the same colour, in every plot of every game: the colour is a function of
the condition alone (:data:`COLORS`, a colour-blind-safe palette after Okabe and Ito), never of its position
in a list. A condition trained on ``N`` levels (``random:200``) has its kind's colour, lighter the fewer
levels; a kind this table does not know gets a colour from :data:`FALLBACK` chosen by a checksum of its label.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

__all__ = ["COLORS", "FALLBACK", "condition_color", "condition_name"]

COLORS = {
    "ppcg": "#D55E00",  # vermillion
    "random": "#0072B2",  # blue
    "plr": "#CC79A7",  # reddish purple
    "accel": "#56B4E9",  # sky blue
    "difficulty": "#009E73",  # bluish green, darker the higher the difficulty
    "fixed": ("#E69F00", "#8C6D1F", "#F0C75E", "#5C4300", "#C9A227"),  # lvl0 ... lvl4: oranges and browns
}
"""Colour per condition kind (the curriculum); ``fixed`` has one per human level."""
FALLBACK = ("#F0E442", "#000000", "#7F7F7F", "#9467BD", "#17BECF", "#BCBD22", "#8C564B", "#E377C2")

NAMES = {"ppcg": "PPCG", "random": "random difficulty", "plr": "PLR", "accel": "ACCEL"}
"""Readable names of the condition kinds that have no parameter."""


def condition_name(cond: Any) -> str:
    """A condition (:class:`~ppcg.agents.experiment.Condition`) as a reader names it: ``"one human level
    (lvl0)"``, ``"random difficulty"``, ``"difficulty 1.0"``, ``"PPCG"``, ``"difficulty 0.5, 10 training
    levels"``; an unknown kind keeps its label."""
    if cond.curriculum == "fixed" and cond.level is not None:
        return f"one human level (lvl{cond.level})"
    if cond.curriculum == "difficulty" and cond.difficulty is not None:
        base = f"difficulty {_number(cond.difficulty)}"
    else:
        base = NAMES.get(cond.curriculum, cond.label.split(":")[0])
    if cond.num_levels:
        return f"{base}, {cond.num_levels:,} training level{'s' if cond.num_levels > 1 else ''}"
    return base


def condition_color(cond: Any) -> str:
    """The condition's colour (``"#RRGGBB"``): the same for the same condition in every plot."""
    kind = COLORS.get(cond.curriculum)
    if cond.curriculum == "fixed" and cond.level is not None:
        color = kind[cond.level % len(kind)]
    elif cond.curriculum == "difficulty" and cond.difficulty is not None:
        color = _mix(kind, "#FFFFFF", 0.6 * (1.0 - cond.difficulty))  # d = 0: light, d = 1: full
    elif isinstance(kind, str):
        color = kind
    else:
        base = cond.label.split(":")[0]
        return FALLBACK[zlib.crc32(base.encode()) % len(FALLBACK)]
    if cond.num_levels:  # fewer training levels, lighter: 10 -> 50% white, 1,000 -> 20%, 100,000 -> none
        color = _mix(color, "#FFFFFF", max(0.0, 0.65 - 0.15 * math.log10(cond.num_levels)))
    return color


def _number(d: float) -> str:
    """``1`` -> ``"1.0"``, ``0.5`` -> ``"0.5"``, ``0.25`` -> ``"0.25"``."""
    return f"{d:.1f}" if round(d, 1) == d else f"{d:g}"


def _mix(color: str, other: str, t: float) -> str:
    """``color`` moved a fraction ``t`` of the way to ``other``."""
    a = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b, strict=True))
