"""Level generation speed: levels per second on one core, per game and difficulty.

Target: at least 2,000 levels per second per core for each game, so that a curriculum never waits for its
levels. Each level is generated from its own ``numpy.random.default_rng(seed)`` (as ``ppcg generate`` and the
curricula do), so the figure includes making the random generator, building the level, padding, validation and
the playability check, with every retry. The rate is levels per second of this process's CPU time (one core),
so that a busy machine does not distort it; the wall-clock rate is printed beside it.

    python benchmarks/generators.py            # 2,000 levels per game and difficulty
    python benchmarks/generators.py -n 500     # shorter
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ppcg.generators import GENERATORS, get_generator

TARGET = 2000.0


def rate(name: str, difficulty: float, n: int) -> tuple[float, float]:
    """Levels per CPU second and per wall-clock second for ``n`` levels of ``name`` at ``difficulty``."""
    gen = get_generator(name)
    for s in range(50):  # loads the game, fills the validation cache
        gen.generate(difficulty, np.random.default_rng(10**6 + s))
    c0, t0 = time.process_time(), time.perf_counter()
    for s in range(n):
        gen.generate(difficulty, np.random.default_rng(s))
    return n / (time.process_time() - c0), n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="levels per game and difficulty")
    args = parser.parse_args()
    difficulties = (0.0, 0.5, 1.0)
    print(f"levels per CPU second, one core ({args.n} levels each; target {TARGET:,.0f}); wall-clock in ()")
    print("game".ljust(13) + "".join(f"d={d:<17g}" for d in difficulties) + "slowest")
    for name in GENERATORS:
        rates = [rate(name, d, args.n) for d in difficulties]
        cells = "".join(f"{cpu:>7,.0f} ({wall:>7,.0f})  " for cpu, wall in rates)
        slowest = min(cpu for cpu, _ in rates)
        print(name.ljust(13) + cells + f"{slowest:,.0f} {'ok' if slowest >= TARGET else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
