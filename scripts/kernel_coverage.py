"""Line coverage of the engine's kernel, run as plain Python (``NUMBA_DISABLE_JIT=1``) on a small subset.

Usage::

    python scripts/kernel_coverage.py              # the figure (CI prints it; docs/DESIGN.md records it)
    python scripts/kernel_coverage.py --missing    # and the kernel's lines no case reached
    python scripts/kernel_coverage.py --ticks 200  # longer episodes

Compiled by numba, the kernel is invisible to coverage tools; with the JIT disabled it runs as the Python it is
written in (slowly), so coverage.py can see which of its lines a set of games reaches. The subset: the four
bundled games on their human level 0, random actions, symbolic and rgb observations, and the small test games
of ``tests/test_engine_nojit.py``. The figure is a measure, not a gate: it shows which rules no quick case
exercises (the corpus conformance tests reach more, compiled).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GAMES = ("zelda", "frogs", "solarfox", "boulderdash")


def run_cases(ticks: int) -> int:
    """Step the subset; returns how many ticks were stepped (every environment counted)."""
    import numpy as np

    from ppcg.engine import BatchEngine, compile_game
    from ppcg.resources import human_level_paths
    from ppcg.vgdl import load_game
    from ppcg.vgdl.level import load_level
    from tests.test_engine_nojit import CASES, trajectory

    stepped = 0
    for k, game in enumerate(GAMES):
        spec = load_game(game)
        level = load_level(human_level_paths(game)[0], spec)
        compiled = compile_game(spec)
        rng = np.random.default_rng(k)
        for obs_type in ("symbolic", "rgb"):
            symbolic = obs_type == "symbolic"  # with the planes drawn beside the grid (facing, offsets)
            engine = BatchEngine(compiled, 2, obs_type=obs_type, facing=symbolic, offsets=symbolic)
            engine.reset([level, level], [k, k + 1])
            for _ in range(ticks):
                r = engine.step(rng.integers(0, compiled.n_actions, 2))
                stepped += 2
                done = np.flatnonzero(r.terminated | r.truncated)
                if done.size:
                    engine.reset([level] * done.size, [int(s) for s in rng.integers(0, 2**31, done.size)], done)
    for case in CASES:
        trajectory(*case)
        stepped += 2 * 8
    return stepped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ticks", type=int, default=200, help="ticks per game and observation type (default 200)")
    parser.add_argument("--missing", action="store_true", help="also list the kernel lines no case reached")
    args = parser.parse_args(argv)
    if os.environ.get("NUMBA_DISABLE_JIT") != "1":  # numba reads it when first imported: start afresh
        env = dict(os.environ, NUMBA_DISABLE_JIT="1")
        return os.spawnve(os.P_WAIT, sys.executable, [sys.executable, __file__, *sys.argv[1:]], env)
    try:
        import coverage
    except ImportError:
        print('coverage is not installed: pip install -e ".[test]"', file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO))
    kernel_files = sorted(str(p) for p in (REPO / "ppcg" / "engine" / "kernel").glob("*.py"))
    cov = coverage.Coverage(include=kernel_files, data_file=None)
    cov.start()
    try:
        stepped = run_cases(args.ticks)
    finally:
        cov.stop()
    covered = total = 0
    for path in kernel_files:
        _, statements, _, missing, _ = cov.analysis2(path)
        covered += len(statements) - len(missing)
        total += len(statements)
        if args.missing and missing:
            print(f"{Path(path).relative_to(REPO)} not reached: {cov.analysis2(path)[4]}")
    print(f"kernel line coverage (NUMBA_DISABLE_JIT=1; {len(GAMES)} games x 2 observation types x {args.ticks} "
          f"ticks and the test games, {stepped:,} environment ticks): {100 * covered / total:.1f}% "
          f"({covered:,} of {total:,} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
