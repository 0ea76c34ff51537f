"""The learned generator's speed: levels per second on one core, checks included, for any VGDL game.

Target: at least 500 levels per second per core for a Zelda-sized game (13 x 9), including the engine checks
(loading, the avatar count, 20 ticks of a do-nothing policy). Each level comes from its own
``numpy.random.default_rng(seed)``, as in the curricula, with every retry; the rate is per second of this
process's CPU time (one core), the wall-clock rate beside it. Games whose levels must also be won by the
search (``searchable``) are far slower: the search steps the engine once per state it visits.

    python benchmarks/learned.py                                   # Zelda (learned from its 5 human levels)
    python benchmarks/learned.py -n 300 --games zelda ../shared/vgdl-corpus/gridphysics/aliens.txt
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from ppcg.generators import LEARNED_PREFIX, get_generator  # noqa: E402

TARGET = 500.0


def rate(gen, difficulty: float, n: int) -> tuple[float, float]:
    """Levels per CPU second and per wall-clock second for ``n`` levels at ``difficulty``."""
    for s in range(20):  # compiles the game, calibrates the checks, fills the model's tables
        gen.generate(difficulty, np.random.default_rng(10**6 + s))
    c0, t0 = time.process_time(), time.perf_counter()
    for s in range(n):
        gen.generate(difficulty, np.random.default_rng(s))
    return n / (time.process_time() - c0), n / (time.perf_counter() - t0)


def mutation_rate(gen, n: int) -> float:
    """Children per CPU second (5 edits each, checks included)."""
    parents = [gen.generate(0.5, np.random.default_rng(s)) for s in range(20)]
    c0 = time.process_time()
    for s in range(n):
        gen.mutate(parents[s % 20], np.random.default_rng(s), 5)
    return n / (time.process_time() - c0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="levels per game and difficulty")
    parser.add_argument("--games", nargs="+", default=["zelda"], help="bundled names or game files")
    args = parser.parse_args()
    difficulties = (0.0, 0.5, 1.0)
    print(f"levels per CPU second, one core ({args.n} levels each; target {TARGET:,.0f}); wall-clock in ()")
    print(
        "game".ljust(14) + "size    " + "".join(f"d={d:<17g}" for d in difficulties) + "slowest  mutations/s"
    )
    for game in args.games:
        gen = get_generator(LEARNED_PREFIX + game)
        rates = [rate(gen, d, args.n) for d in difficulties]
        cells = "".join(f"{cpu:>7,.0f} ({wall:>7,.0f})  " for cpu, wall in rates)
        slowest = min(cpu for cpu, _ in rates)
        flag = "ok" if slowest >= TARGET else "below target"
        size = f"{gen.width}x{gen.height}".ljust(8)
        search = " (searched)" if gen.searchable else ""
        print(
            gen.name.ljust(14)
            + size
            + cells
            + f"{slowest:,.0f} {flag}  {mutation_rate(gen, args.n // 5):,.0f}"
            + search
        )


if __name__ == "__main__":
    main()
