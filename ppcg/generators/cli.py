"""``ppcg generate``: write generated levels to a folder, or print what difficulty controls.

Examples::

    ppcg generate zelda --difficulty 0.5 --count 10 --seed 0 --out levels/zelda-d0.5
    ppcg generate frogs --stats
    ppcg generate ../shared/vgdl-corpus/gridphysics/aliens.txt --stats    # any game: a learned generator
    ppcg generate my_game.txt --levels my_lvl0.txt my_lvl1.txt -d 0.5 -n 10 --out my_levels/

A game without a generator of its own (any game file, with its example levels ``<game>_lvl<N>.txt`` beside it
or given with ``--levels``) gets a :class:`~ppcg.generators.learned.LearnedGenerator`.

Level ``i`` of a run is generated from seed ``S + i`` (``numpy.random.default_rng(S + i)``), so every file can
be made again on its own; its name says how: ``zelda_d0.500_seed3.txt``. Nothing is written unless every level
was generated and the folder can be written.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

__all__ = ["add_arguments", "run", "stats_table"]

STATS_DIFFICULTIES = (0.0, 0.5, 1.0)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``ppcg generate``."""
    parser.add_argument(
        "game",
        metavar="GAME",
        help="zelda, solarfox, frogs, boulderdash, or any game file (a generator learned from its levels)",
    )
    parser.add_argument(
        "--levels",
        nargs="+",
        type=Path,
        default=None,
        metavar="FILE",
        help="example levels to learn from (default: the game's <game>_lvl<N>.txt beside its file)",
    )
    parser.add_argument(
        "--difficulty", "-d", type=float, default=None, metavar="D", help="difficulty in [0, 1]"
    )
    parser.add_argument(
        "--count",
        "-n",
        type=int,
        default=None,
        metavar="N",
        help="levels to write (default 1), or levels per difficulty for --stats (default 200)",
    )
    parser.add_argument(
        "--seed", "-s", type=int, default=0, metavar="S", help="level i uses seed S + i (default 0)"
    )
    parser.add_argument(
        "--out", "-o", type=Path, default=None, metavar="DIR", help="folder to write the levels to"
    )
    parser.add_argument(
        "--stats",
        action="store_true",
        help="print the mean of each quantity that difficulty controls at d = 0, 0.5 and 1 (with "
        "--difficulty D: at 0, D and 1)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``ppcg generate``; bad arguments raise :class:`ppcg.cli.CLIError` before anything is written."""
    import numpy as np

    from ppcg.cli import CLIError
    from ppcg.generators import GENERATORS, LearnedGenerator, get_generator

    if args.count is not None and args.count < 1:
        raise CLIError(f"--count must be at least 1, got {args.count}")
    if args.seed < 0:
        raise CLIError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.difficulty is not None and not (0.0 <= args.difficulty <= 1.0):
        raise CLIError(f"--difficulty must be in [0, 1], got {args.difficulty}")
    if args.out is None and not args.stats:
        raise CLIError("give --out DIR to write levels (or --stats to print what difficulty controls)")
    if args.out is not None and args.difficulty is None:
        raise CLIError("give --difficulty D (in [0, 1]) for the levels to write")
    try:
        if args.levels:
            missing = [str(p) for p in args.levels if not p.is_file()]
            if missing:
                raise CLIError(f"--levels: no such file: {', '.join(missing)}")
            generator = LearnedGenerator(args.game, args.levels)
        else:
            generator = get_generator(args.game)
    except (KeyError, FileNotFoundError) as exc:
        raise CLIError(
            f"unknown game {args.game!r}; the generators are: {', '.join(GENERATORS)}, or a game file with "
            "example levels"
        ) from exc

    if args.out is not None:
        count = args.count or 1
        levels = []
        for i in range(count):
            seed = args.seed + i
            level = generator.generate(args.difficulty, np.random.default_rng(seed))
            levels.append((f"{generator.name}_d{args.difficulty:.3f}_seed{seed}.txt", level))
        folder = _writable_folder(args.out, CLIError)
        written: list[Path] = []
        try:
            for name, level in levels:
                path = folder / name
                path.write_text(level.to_str(), encoding="utf-8")
                written.append(path)
        except OSError as exc:
            for path in written:
                path.unlink(missing_ok=True)
            raise CLIError(f"cannot write to {folder}: {exc.strerror or exc}") from None
        print(f"wrote {len(levels)} {generator.name} level(s) at difficulty {args.difficulty} to {folder}")

    if args.stats:
        ds = STATS_DIFFICULTIES if args.difficulty is None else sorted({0.0, args.difficulty, 1.0})
        print(stats_table(generator, args.count or 200, args.seed, ds))
    return 0


def _writable_folder(folder: Path, error: type[Exception]) -> Path:
    """``folder``, created if missing; ``error`` if it cannot be written to."""
    if folder.exists() and not folder.is_dir():
        raise error(f"--out {folder} exists and is not a folder")
    if not folder.exists():
        parent = next((p for p in folder.absolute().parents if p.exists()), None)
        if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
            raise error(f"cannot create the folder {folder}: {parent} is not writable")
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise error(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    elif not os.access(folder, os.W_OK | os.X_OK):
        raise error(f"the folder {folder} is not writable")
    return folder


def stats_table(generator, count: int = 200, seed: int = 0, difficulties=STATS_DIFFICULTIES) -> str:
    """Mean (and standard deviation) of each of ``generator.stats`` over ``count`` levels per difficulty."""
    import numpy as np

    columns = {}
    for d in difficulties:
        rows = [generator.stats(generator.generate(d, np.random.default_rng(seed + i))) for i in range(count)]
        columns[d] = {k: np.array([r[k] for r in rows], dtype=float) for k in rows[0]}
    keys = list(next(iter(columns.values())))
    grows = set(getattr(generator, "increasing", ()))
    head = f"{generator.name}: {count} levels per difficulty (mean ± sd); * = grows with difficulty"
    width = max(len(k) for k in keys) + 2
    lines = [head, "quantity".ljust(width) + "".join(f"d={d:<16g}" for d in difficulties)]
    for k in keys:
        cells = []
        for d in difficulties:
            v = columns[d][k]
            cells.append(
                f"{v.mean():7.2f} ± {v.std():<6.2f}  " if not math.isnan(v.mean()) else "nan".ljust(18)
            )
        lines.append(((k + (" *" if k in grows else "")).ljust(width)) + "".join(cells))
    return "\n".join(lines)
