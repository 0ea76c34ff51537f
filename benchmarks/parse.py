"""Time to parse each VGDL game (target: under 20 ms each).

Usage: ``python benchmarks/parse.py [GAME_DIR] [--repeat N]`` (default: ../shared/vgdl-corpus/gridphysics, or
the bundled games when it is absent). Prints the median time per game, the slowest games and a summary.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

from ppcg.resources import bundled_games, game_path
from ppcg.vgdl import VGDLError, VGDLWarning, parse_game

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "vgdl-corpus" / "gridphysics"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("game_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--repeat", type=int, default=20, help="parses per game; the median is reported")
    args = ap.parse_args(argv)
    if args.game_dir.is_dir():
        paths = sorted(p for p in args.game_dir.glob("*.txt") if "_lvl" not in p.name)
    else:
        paths = [game_path(n) for n in bundled_games()]
    warnings.simplefilter("ignore", VGDLWarning)
    rows = []
    for path in paths:
        text = path.read_bytes().decode("utf-8")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            try:
                parse_game(text, path=path)
            except VGDLError:
                pass
            times.append(time.perf_counter() - start)
        rows.append((statistics.median(times) * 1000, path.stem, text.count("\n") + 1))
    rows.sort(reverse=True)
    print(f"{len(rows)} games from {paths[0].parent if paths else '-'}, median of {args.repeat} parses each")
    print("slowest:")
    for ms, name, nlines in rows[:5]:
        print(f"  {name:24s} {ms:7.2f} ms  ({nlines} lines)")
    all_ms = [r[0] for r in rows]
    print(f"median {statistics.median(all_ms):.2f} ms, max {max(all_ms):.2f} ms, total {sum(all_ms):.1f} ms")
    over = [r for r in rows if r[0] >= 20.0]
    print("target (< 20 ms per game):", "met" if not over else f"MISSED by {len(over)} games")
    return 0 if not over else 1


if __name__ == "__main__":
    sys.exit(main())
