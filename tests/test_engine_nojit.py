"""The kernel in pure Python (``NUMBA_DISABLE_JIT=1``): it runs, slowly, and gives the compiled kernel's
trajectory tick by tick, so it can be stepped through in a debugger and its line coverage measured
(docs/DESIGN.md, "Engine")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from ppcg.engine import BatchEngine, compile_game
from ppcg.vgdl import Level, load_game, parse_game

REPO = Path(__file__).resolve().parents[1]
GAMES = Path(__file__).parent / "games"
# (game: a bundled name or a file of tests/games, level text or None for its human level 0, observation)
CASES = [
    ("zelda", None, "rgb"),
    ("npc_path", "wwwwwwww\nwA.....w\nwww.w.ww\nwh...h.w\nwwwwwwww\n", "symbolic"),
    ("effect_timer", "wwwwwww\nwoAb.ow\nw.bo..w\nwwwwwww\n", "symbolic"),
]
TICKS = 8


def trajectory(game: str, level: str | None, obs_type: str, ticks: int = TICKS) -> list:
    """Per tick: the sprites, score, reward, ending and a digest of the observation, with seeded actions."""
    path = GAMES / f"{game}.txt"
    if level is not None:
        spec = parse_game(path.read_text(), path=str(path))
        lvl = Level.for_game(level, spec)
    else:
        from ppcg.resources import human_level_paths
        from ppcg.vgdl.level import load_level

        spec = load_game(game)
        lvl = load_level(human_level_paths(game)[0], spec)
    compiled = compile_game(spec)
    engine = BatchEngine(compiled, 2, obs_type=obs_type)
    engine.reset([lvl, lvl], [3, 4])
    rng = np.random.default_rng(0)
    out = []
    for _ in range(ticks):
        r = engine.step(rng.integers(0, compiled.n_actions, 2))
        out.append([[list(s) for s in engine.sprites(i)] for i in range(2)]
                   + [r.score.tolist(), r.reward.tolist(), r.terminated.tolist(), r.winner.tolist(),
                      [int(x) for x in r.obs.reshape(2, -1).astype(np.int64).sum(1)],
                      [int(np.flatnonzero(r.obs[i].ravel()).sum()) for i in range(2)]])
    return out


def test_the_kernel_runs_in_pure_python_and_gives_the_compiled_trajectory():
    code = ("import json, sys; sys.path.insert(0, '.'); "
            "from tests.test_engine_nojit import CASES, trajectory; "
            "print(json.dumps([trajectory(*c) for c in CASES]))")
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pure = json.loads(proc.stdout.strip().splitlines()[-1])
    for case, got in zip(CASES, pure, strict=True):
        want = json.loads(json.dumps(trajectory(*case)))
        for k, (a, b) in enumerate(zip(got, want, strict=True)):
            assert a == b, f"{case[0]}: tick {k} differs between pure Python and compiled"
