"""Engine throughput: environment steps per second with random actions, and first-call compile time.

Usage::

    python benchmarks/engine.py                       # the four paper games, batch 1/16/64/256/1024, symbolic + rgb
    python benchmarks/engine.py --games zelda --batch 256 --obs symbolic --seconds 3
    python benchmarks/engine.py --compile-only        # first call in a fresh process, cold and warm cache
    python benchmarks/engine.py --games zelda ../shared/vgdl-corpus/gridphysics/pacman.txt --repeat 5

A game is a bundled name or the path of a VGDL file whose levels lie beside it as ``<name>_lvl0.txt`` (GVGAI's
layout). ``--repeat N`` measures each case N times and prints the best and the median (the best of N is the figure
to compare between kernels: it is the run the machine disturbed least).

Each measurement steps one :class:`~ppcg.engine.BatchEngine` on the game's bundled level 0 with uniformly random
actions (drawn beforehand), resetting finished environments as an environment wrapper would; the figure is
environment steps per second over the whole run (resets included). Figures depend on the machine and its load:
run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

PAPER_GAMES = ["zelda", "solarfox", "frogs", "boulderdash"]


def measure(game: str, batch: int, obs: str | None, seconds: float, level: int = 0) -> tuple[float, int]:
    """Steps per second for ``batch`` environments of ``game`` and the number of sprites in its level."""
    from ppcg.engine import BatchEngine, compile_game
    from ppcg.resources import human_level_paths
    from ppcg.vgdl import load_game
    from ppcg.vgdl.level import load_level

    spec = load_game(game)
    if game.endswith(".txt"):
        level_path = game[: -len(".txt")] + f"_lvl{level}.txt"
    else:
        level_path = human_level_paths(game)[level]
    compiled = compile_game(spec)
    lvl = load_level(level_path, spec)
    eng = BatchEngine(compiled, batch, obs_type=obs, max_steps=2000)
    eng.reset([lvl] * batch, list(range(batch)))
    n_sprites = len(eng.sprites(0))
    rng = np.random.default_rng(0)
    actions = rng.integers(0, compiled.n_actions, size=(64, batch))
    eng.step(actions[0])  # compile / warm up
    next_seed = batch
    steps = 0
    k = 0
    t0 = time.perf_counter()
    while True:
        res = eng.step(actions[k & 63])
        k += 1
        steps += batch
        done = np.flatnonzero(res.terminated | res.truncated)
        if done.size:
            eng.reset([lvl] * done.size, list(range(next_seed, next_seed + done.size)), indices=done)
            next_seed += done.size
        if k % 8 == 0 and time.perf_counter() - t0 >= seconds:
            break
    return steps / (time.perf_counter() - t0), n_sprites


def _first_call(cache_dir: str) -> float:
    code = (
        "import time; t=time.perf_counter();"
        "import numpy as np;"
        "from ppcg.engine import BatchEngine, compile_game;"
        "from ppcg.resources import human_level_paths;"
        "from ppcg.vgdl import load_game; from ppcg.vgdl.level import load_level;"
        "s=load_game('zelda'); e=BatchEngine(compile_game(s), 4, obs_type='symbolic');"
        "e.reset([load_level(human_level_paths('zelda')[0], s)]*4, [0,1,2,3]); e.step(np.zeros(4, np.int64));"
        "print(time.perf_counter()-t)"
    )
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def compile_times() -> tuple[float, float]:
    """Seconds to the first step in a fresh process: with an empty numba cache, then with the cache it wrote."""
    with tempfile.TemporaryDirectory() as d:
        cold = _first_call(d)
        warm = _first_call(d)
    return cold, warm


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--games", nargs="+", default=PAPER_GAMES)
    p.add_argument("--batch", nargs="+", type=int, default=[1, 16, 64, 256, 1024])
    p.add_argument("--obs", nargs="+", default=["symbolic", "rgb"], choices=["symbolic", "rgb", "none"])
    p.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    p.add_argument("--compile-only", action="store_true", help="only measure the first-call compile time")
    p.add_argument("--no-compile", action="store_true", help="skip the compile-time measurement")
    p.add_argument("--repeat", type=int, default=1, help="measurements per case; prints the best and the median")
    args = p.parse_args(argv)

    import numba

    print(f"numba {numba.__version__}, {numba.get_num_threads()} threads, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    if not args.no_compile:
        cold, warm = compile_times()
        print(f"first step in a new process: {cold:.1f} s with an empty cache, {warm:.1f} s with the cache")
    if args.compile_only:
        return 0
    median_col = f" {'median':>12}" if args.repeat > 1 else ""
    print(f"{'game':<12} {'sprites':>7} {'obs':<9} {'batch':>5} {'steps/s':>12}{median_col}")
    for game in args.games:
        name = os.path.splitext(os.path.basename(game))[0]
        for obs in args.obs:
            for batch in args.batch:
                runs = [measure(game, batch, None if obs == "none" else obs, args.seconds) for _ in range(args.repeat)]
                n = runs[0][1]
                rates = sorted(r[0] for r in runs)
                median = f" {rates[len(rates) // 2]:>12,.0f}" if args.repeat > 1 else ""
                print(f"{name:<12} {n:>7} {obs:<9} {batch:>5} {rates[-1]:>12,.0f}{median}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
