"""A crowded grid cell must cost in proportion to its crowd, not slow the whole episode (issue 14).

Usage::

    python benchmarks/crowd.py                 # 200x200 level of wandering goats, with and without one crowded cell
    python benchmarks/crowd.py --size 100 --ticks 50

Prints seconds per tick for the same level without and with one cell holding 20 goats at the start (the grid
index holds 16 sprites a cell at first: the engine widens it). Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

GAME = """BasicGame
  SpriteSet
    goat > RandomNPC cooldown=2
    avatar > MovingAvatar
  LevelMapping
    g > goat
    G > goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat
  InteractionSet
    goat wall > stepBack
    goat goat > stepBack
    avatar wall > stepBack
  TerminationSet
    Timeout limit=100000 win=True
"""


def per_tick(size: int, ticks: int, crowded: bool) -> float:
    from ppcg.engine import BatchEngine, compile_game
    from ppcg.vgdl import parse_game
    from ppcg.vgdl.level import Level

    rng = np.random.default_rng(0)
    rows = [["w"] * size] + [["w"] + ["."] * (size - 2) + ["w"] for _ in range(size - 2)] + [["w"] * size]
    for r, c in rng.integers(1, size - 1, size=(size * size // 20, 2)):
        rows[r][c] = "g"
    rows[size // 2][size // 2] = "A"
    if crowded:
        rows[1][1] = "G"
    spec = parse_game(GAME)
    eng = BatchEngine(compile_game(spec), 1, obs_type="symbolic", max_steps=0)
    eng.reset([Level.for_game("\n".join("".join(r) for r in rows), spec)], [0])
    eng.step([0])  # warm up (and widen the cells)
    t0 = time.perf_counter()
    for a in rng.integers(0, 5, ticks):
        eng.step([a])
    return (time.perf_counter() - t0) / ticks


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=200)
    p.add_argument("--ticks", type=int, default=30)
    args = p.parse_args(argv)
    for crowded in (False, True):
        s = per_tick(args.size, args.ticks, crowded)
        print(f"{args.size}x{args.size}, {'one cell of 20 goats' if crowded else 'no crowded cell':<22} {s:.4f} s/tick")
    return 0


if __name__ == "__main__":
    sys.exit(main())
