"""``ppcg check GAME [LEVEL ...] [--strict]``: validate a game and its levels, and summarise them.

Prints the sprite tree with each sprite's effective class, the interactions, the terminations and the size of
each level; warnings (things GVGAI tolerates) go to stderr. On an error it prints the :class:`VGDLError` with
its location (``file:line:col: message``) and exits 1.

The command itself (``ppcg.engine.check``) also compiles the game and plans each level for the engine, so that a
game ``ppcg check`` accepts is a game the engine runs; this module, in the language layer, takes those two steps
as arguments.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ppcg.vgdl.errors import VGDLError, VGDLWarning
from ppcg.vgdl.level import load_level
from ppcg.vgdl.parser import load_game
from ppcg.vgdl.registry import DEFAULT_SPRITES
from ppcg.vgdl.spec import GameSpec

__all__ = ["add_arguments", "run", "summary"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``ppcg check``."""
    parser.add_argument("game", help="a game file, or the name of a bundled game (zelda, frogs ...)")
    parser.add_argument("levels", nargs="*", metavar="LEVEL", help="level files to check against the game")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat what GVGAI tolerates with a warning (unknown parameters, duplicate sprites) as errors",
    )


def summary(game: GameSpec) -> str:
    """A readable summary: the sprite tree with effective classes, mapping, interactions, terminations."""
    lines = [f"game {game.name} ({game.game_class})" + "".join(f" {p.name}={p.raw}" for p in game.params)]
    lines.append(f"sprites ({len(game.sprites)}):")
    smap = game.sprite_map

    def node(name: str, depth: int) -> None:
        s = smap[name]
        cls = s.cls or "-"
        note = ""
        if s.declared_class and s.declared_class != s.cls:
            note = f" (declares {s.declared_class}; the ancestor's class wins)"
        params = " ".join(f"{p.name}={p.raw}" for p in s.own_params)
        lines.append("  " + "  " * depth + f"{name}: {cls}{note}" + (f"  {params}" if params else ""))
        for c in s.children:
            node(c, depth + 1)

    for name, (cls, params) in DEFAULT_SPRITES.items():
        if name not in smap:
            written = " ".join(f"{k}={v}" for k, v in params)
            lines.append(f"  {name}: {cls} (GVGAI default)" + (f"  {written}" if written else ""))
    for s in game.sprites:
        if s.parent is None:
            node(s.name, 0)
    lines.append("level mapping:")
    for char, names in game.mapping:
        lines.append(f"  {char} > {' '.join(names)}")
    lines.append(f"interactions ({len(game.interactions)}):")
    for i in game.interactions:
        params = " ".join(f"{p.name}={p.raw}" for p in i.params)
        where = f"line {i.line}: " if i.line is not None else ""
        lines.append(f"  {where}{i.sprite1} {i.sprite2} > {i.effect}" + (f" {params}" if params else ""))
    lines.append(f"terminations ({len(game.terminations)}):")
    for t in game.terminations:
        params = " ".join(f"{p.name}={p.raw}" for p in t.params)
        lines.append(f"  {t.cls}" + (f" {params}" if params else ""))
    return "\n".join(lines)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None, *,
        compile_game: Callable[[GameSpec], Any] | None = None,
        plan_level: Callable[[Any, Any], Any] | None = None) -> int:
    """Run ``ppcg check``; returns 0 when the game and every level are valid, else 1.

    ``compile_game(game)`` and ``plan_level(compiled, level)``, when given, must also pass (they raise a
    :class:`VGDLError` naming file and line): the engine's own checks.

    Raises:
        CLIError: a file that does not exist (exit status 2, as every command's usage errors), before any
            output.
    """
    from ppcg.cli import CLIError

    out = out or sys.stdout
    err = err or sys.stderr
    strict = bool(getattr(args, "strict", False))
    status = 0
    missing = [p for p in getattr(args, "levels", []) or [] if not Path(p).is_file()]
    if missing:
        raise CLIError(f"no such level file: {', '.join(map(str, missing))}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", VGDLWarning)
        try:
            game = load_game(args.game, strict=strict)
        except FileNotFoundError as exc:
            raise CLIError(str(exc)) from None
        except VGDLError as exc:
            _flush(caught, err)
            print(f"{exc}", file=err)
            return 1
        compiled = None
        if compile_game is not None:
            try:
                compiled = compile_game(game)
            except VGDLError as exc:
                _flush(caught, err)
                print(f"{exc}", file=err)
                return 1
        print(summary(game), file=out)
        levels = list(getattr(args, "levels", []) or [])
        if levels:
            print(f"levels ({len(levels)}):", file=out)
        for path in levels:
            try:
                level = load_level(path, game)
                level.validate(game, strict=strict, file=str(path))
                if plan_level is not None and compiled is not None:
                    plan_level(compiled, level)
            except OSError as exc:
                print(f"error: {exc}", file=err)
                status = 1
                continue
            except VGDLError as exc:
                print(f"{exc}", file=err)
                status = 1
                continue
            print(f"  {path}: {level.width}x{level.height}", file=out)
    _flush(caught, err)
    return status


def _flush(caught: list[warnings.WarningMessage], err: TextIO) -> None:
    for w in caught:
        if issubclass(w.category, VGDLWarning):
            print(f"warning: {w.message}", file=err)
        else:  # pragma: no cover - not ours; show it as Python would
            print(warnings.formatwarning(w.message, w.category, w.filename, w.lineno), file=err, end="")
    caught.clear()
