"""``ppcg render GAME [LEVEL] --out level.png``: draw a level as the player sees it, to a PNG.

LEVEL is a level file, or ``lvl0`` ... ``lvl4`` for a bundled game's human level; without it, a level is
generated at ``--difficulty`` from ``--seed``. ``--ansi`` prints the level as text instead of (or as well as)
the picture; ``--legend`` adds a key under the picture (each sprite type in the level: shape, colour, name).
"""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "cli_env", "run", "with_legend"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("game", help="a bundled game's name (zelda, ...) or a game file")
    parser.add_argument(
        "level", nargs="?", default=None, help="a level file or lvl0..lvl4 (default: generate one)"
    )
    parser.add_argument("--out", help="the PNG file to write")
    parser.add_argument("--tile-size", type=int, default=20, help="pixels per cell (default 20)")
    parser.add_argument(
        "--difficulty", type=float, default=0.5, help="difficulty of a generated level (default 0.5)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of a generated level (default 0)")
    parser.add_argument("--ansi", action="store_true", help="print the level as text")
    parser.add_argument(
        "--legend", action="store_true", help="add a key under the picture: each sprite's shape, colour, name"
    )


def cli_env(args: argparse.Namespace):
    """The ``rgb_array`` environment that ``ppcg render`` and ``ppcg play`` show.

    Built from ``args.game``, ``args.level``, ``args.difficulty`` and ``args.tile_size``, each checked; a bad
    one raises :class:`ppcg.cli.CLIError`.
    """
    from ppcg.cli import CLIError
    from ppcg.envs.core import VGDLEnv

    if args.tile_size < 1:
        raise CLIError(f"--tile-size must be positive, not {args.tile_size}")
    if not 0.0 <= args.difficulty <= 1.0:
        raise CLIError(f"--difficulty must be in [0, 1], not {args.difficulty}")
    from ppcg.vgdl.errors import VGDLError

    try:
        env = VGDLEnv(
            args.game,
            level=args.level,
            difficulty=args.difficulty if args.level is None else None,
            render_mode="rgb_array",
            tile_size=args.tile_size,
        )
        for request in getattr(env._setup.source, "requests", ()):  # given levels: playable ones only
            request.level.validate(env._setup.spec)
    except (FileNotFoundError, ValueError, VGDLError) as exc:
        raise CLIError(str(exc)) from None
    return env


def with_legend(env, frame):
    """``frame`` with a key under it to the types in the level (``--legend``; pygame draws the names)."""
    import numpy as np

    from ppcg.cli import CLIError

    try:
        import pygame  # noqa: F401
    except ImportError:
        raise CLIError("--legend needs pygame for its lettering: pip install pygame") from None
    renderer = env._get_renderer()
    present = {renderer.type_index[name] for _, name, _, _ in env._engine.sprites(0)}
    key = renderer.legend(sorted(present), width=frame.shape[1])
    gap = np.zeros((max(2, renderer.tile_size // 4), frame.shape[1], 3), np.uint8)
    width = max(frame.shape[1], key.shape[1])

    def pad(a):
        return np.pad(a, ((0, 0), (0, width - a.shape[1]), (0, 0)))

    return np.concatenate([pad(frame), pad(gap), pad(key)])


def run(args: argparse.Namespace) -> int:
    from ppcg.cli import CLIError
    from ppcg.envs.render import write_png

    if args.out is None and not args.ansi:
        raise CLIError("nothing to do: pass --out FILE.png and/or --ansi")
    env = cli_env(args)
    env.reset(seed=args.seed)
    if args.out is not None:
        frame = env.render()
        if args.legend:
            frame = with_legend(env, frame)
        try:
            path = write_png(args.out, frame)
        except OSError as exc:
            raise CLIError(f"--out {args.out}: cannot write it ({exc.strerror or exc})") from None
        print(f"{path}: {env.level.level_id}, {frame.shape[1]}x{frame.shape[0]} pixels")
    if args.ansi:
        env.render_mode = "ansi"
        print(env.render())
    env.close()
    return 0
