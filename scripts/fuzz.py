"""The engine's fuzzing campaign, long: thousands of mutated games and levels, each run for 300 ticks.

Usage::

    python scripts/fuzz.py                                  # 5,000 game mutants + 2,700 level mutants
    python scripts/fuzz.py --games 200 --levels 100 --seed 3 --ticks 300

Every mutant must end in a parse error, a compile or level error naming file and line, a clean
``EngineCapacityError``, or a run whose state stays sound for ``--ticks`` ticks (``tests/fuzz/engine_fuzz.py``).
Each run may grow the engine's state to ``--memory-limit`` MiB (a game that breeds without end stops there,
with the engine's clear error). A mutant slower than ``--slow`` seconds is named as it finishes (number, seed
game, outcome, seconds) and, with ``--keep DIR``, written there (``mutant_N.txt``, ``mutant_N_lvl.txt``) to be
run again; the slowest are listed at the end. Prints the outcome counts and every failure with its mutant; exits
1 if there is any. Seeds are the bundled games and, where ``../shared`` is present, GVGAI's corpus. CI runs a
short campaign (``tests/fuzz``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "fuzz"))

from engine_fuzz import MEMORY_LIMIT, Mutant, campaign  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--games", type=int, default=5000, help="mutated game files")
    p.add_argument("--levels", type=int, default=2700, help="mutated levels (of unmutated games)")
    p.add_argument("--ticks", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--corpus", type=Path,
                   default=Path(os.environ.get("PPCG_SHARED", REPO.parent / "shared")) / "vgdl-corpus" / "gridphysics")
    p.add_argument("--show", type=int, default=5, help="failures printed in full")
    p.add_argument("--memory-limit", type=float, default=MEMORY_LIMIT / 2**20, metavar="MIB",
                   help="engine state each run may grow to, in MiB (default %(default)g)")
    p.add_argument("--slow", type=float, default=5.0, metavar="SECONDS",
                   help="name every mutant that takes longer (default %(default)g s)")
    p.add_argument("--keep", type=Path, default=None, metavar="DIR", help="write slow mutants' files here")
    args = p.parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    def progress(k: int, tally, mutant: Mutant, outcome: str | None, seconds: float) -> None:
        if seconds > args.slow:
            where = ""
            if args.keep is not None:
                (args.keep / f"mutant_{k}.txt").write_text(mutant.game)
                (args.keep / f"mutant_{k}_lvl.txt").write_text(mutant.level)
                where = f", kept in {args.keep}/mutant_{k}.txt"
            print(f"  slow: mutant {k} ({mutant.kind} mutant of {mutant.seed}) took {seconds:.1f} s, "
                  f"outcome {outcome}{where}", flush=True)
        if k % 250 == 0:
            print(f"{k:>6} mutants, {time.perf_counter() - t0:7.0f} s: {tally.counts}, "
                  f"{len(tally.failures)} failures", flush=True)

    tally = campaign(args.games, args.levels, args.ticks, seed=args.seed, corpus=args.corpus,
                     progress=progress, memory_limit=int(args.memory_limit * 2**20))
    print(f"{args.games + args.levels} mutants in {time.perf_counter() - t0:.0f} s: {tally.counts}")
    print("slowest: " + "; ".join(f"mutant {m.number} ({m.kind} of {m.seed}, {o}) {sec:.2f} s"
                                  for sec, o, m in tally.slowest[:5]))
    for what, game, level in tally.failures[: args.show]:
        print(f"\nFAILURE: {what}\n--- game\n{game}\n--- level\n{level}")
    print(f"{len(tally.failures)} failures")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
