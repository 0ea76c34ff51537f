"""The learned generator over GVGAI's corpus: for every game, whether it generates levels, how fast, whether
its levels are searched for a win, and its do-nothing ticks (docs/generators.md).

    python benchmarks/learned_corpus.py 30                 # 30 levels per game (d = 0, 0.1, ... 1)
"""

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import sys
import time
from pathlib import Path

import numpy as np

from ppcg.generators.learned import LearnedGenerator

corpus = (
    Path(os.environ.get("PPCG_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    / "vgdl-corpus"
    / "gridphysics"
)
games = sorted(p for p in corpus.glob("*.txt") if "_lvl" not in p.stem)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
for g in games:
    try:
        t0 = time.process_time()
        gen = LearnedGenerator(g)
        gen.generate(0.5, np.random.default_rng(0))
        setup = time.process_time() - t0
        t = time.process_time()
        fails = 0
        for s in range(n):
            try:
                gen.generate((s % 11) / 10, np.random.default_rng(s))
            except Exception as e:  # noqa: BLE001 - counted and reported
                fails += 1
                last = str(e)[:100]
        rate = n / (time.process_time() - t)
        print(
            f"{g.stem:20s} ok={n - fails:3d}/{n} {rate:7.1f} lv/s size={gen.width}x{gen.height} "
            f"ticks={gen.ticks} search={gen.searchable} setup={setup:.1f}s"
            + (f" last={last}" if fails else ""),
            flush=True,
        )
    except Exception as e:
        print(f"{g.stem:20s} ERROR {type(e).__name__}: {str(e)[:150]}", flush=True)
