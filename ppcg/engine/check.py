"""``ppcg check GAME [LEVEL ...] [--strict]``: :mod:`ppcg.vgdl.check`, and the engine's checks on top.

The game is also compiled for the engine (features the engine lacks, numbers out of its range, types it cannot
create) and each level planned (characters mapped to sprites the engine cannot create, sizes it cannot hold), so
that a game and level ``ppcg check`` accepts are ones the engine runs. Compiling needs no numba kernel.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from ppcg.vgdl import check as _language
from ppcg.vgdl.check import add_arguments, summary

__all__ = ["add_arguments", "run", "summary"]


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``ppcg check`` with the engine's checks; 0 when the game and every level are valid, else 1."""
    from ppcg.engine.compiler import compile_game, level_plan

    return _language.run(args, out, err, compile_game=compile_game, plan_level=level_plan)
