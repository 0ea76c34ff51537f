"""The engine's fuzzing campaign, long: thousands of mutated games and levels, each run for 300 ticks.

Usage::

    python scripts/fuzz.py                                  # 5,000 game mutants + 2,700 level mutants
    python scripts/fuzz.py --games 200 --levels 100 --seed 3 --ticks 300

Every mutant must end in a parse error, a compile or level error naming file and line, a clean
``EngineCapacityError``, or a run whose state stays sound for ``--ticks`` ticks (see ``tests/fuzz/engine_fuzz.py``).
Prints the outcome counts and every failure with its mutant; exits 1 if there is any. Seeds are the bundled games
and, where ``../shared`` is present, GVGAI's corpus. CI runs a short campaign (``tests/fuzz``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "fuzz"))

from engine_fuzz import campaign  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--games", type=int, default=5000, help="mutated game files")
    p.add_argument("--levels", type=int, default=2700, help="mutated levels (of unmutated games)")
    p.add_argument("--ticks", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--corpus", type=Path,
                   default=Path(os.environ.get("PPCG_SHARED", REPO.parent / "shared")) / "vgdl-corpus" / "gridphysics")
    p.add_argument("--show", type=int, default=5, help="failures printed in full")
    args = p.parse_args(argv)
    t0 = time.perf_counter()

    def progress(k: int, tally) -> None:
        if k % 250 == 0:
            print(f"{k:>6} mutants, {time.perf_counter() - t0:7.0f} s: {tally.counts}, "
                  f"{len(tally.failures)} failures", flush=True)

    tally = campaign(args.games, args.levels, args.ticks, seed=args.seed, corpus=args.corpus, progress=progress)
    print(f"{args.games + args.levels} mutants in {time.perf_counter() - t0:.0f} s: {tally.counts}; "
          f"slowest {tally.slowest[0]:.2f} s")
    for what, game, level in tally.failures[: args.show]:
        print(f"\nFAILURE: {what}\n--- game\n{game}\n--- level\n{level}")
    print(f"{len(tally.failures)} failures")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
