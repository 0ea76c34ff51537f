"""ACCEL's overhead per reset: the curriculum's time per level handed out, ACCEL against PLR.

Both curricula run with their defaults on a game's real generator and hand out levels to a scripted loop of
environments (no engine, no agent): each reset asks for a level, each episode ends and is scored (regret 1
for a loss, 0 for a win, the agent winning levels below d = 0.5), as the SB3 callback would score it. The
figure is microseconds of this process's CPU time per reset, over the whole run (buffer filling included);
ACCEL's extra time is the mutation of every replayed level (the edits and the child's checks) and the queue.

    python benchmarks/accel.py                 # zelda, 20,000 resets
    python benchmarks/accel.py --game boulderdash -n 5000
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ppcg.curricula import make_curriculum
from ppcg.envs.source import EpisodeResult


def per_reset(name: str, game: str, n: int, n_envs: int = 16, **options) -> tuple[float, dict]:
    """CPU microseconds per reset of curriculum ``name`` over ``n`` resets, and its final statistics."""
    cur = make_curriculum(name, game=game, **options)
    rngs = [np.random.default_rng(k) for k in range(n_envs)]
    c0 = time.process_time()
    for k in range(n):
        env = k % n_envs
        req = cur.next_level(env, rngs[env])
        won = (req.difficulty or 0.0) < 0.5
        cur.episode_done(env, EpisodeResult(req.level_id, won, float(won), 10, False, req.difficulty))
        cur.update_score(req.level_id, 0.0 if won else 1.0)
    return (time.process_time() - c0) / n * 1e6, cur.stats()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="zelda")
    parser.add_argument("-n", type=int, default=20_000, help="resets")
    args = parser.parse_args()
    plr, plr_stats = per_reset("plr", args.game, args.n)
    accel, stats = per_reset("accel", args.game, args.n)
    print(f"{args.game}, {args.n:,} resets, CPU microseconds per reset (one core)")
    print(f"plr    {plr:8.1f}   replay fraction {plr_stats['replay_fraction']:.2f}")
    print(
        f"accel  {accel:8.1f}   replay fraction {stats['replay_fraction']:.2f}, children made "
        f"{stats['mutations']:.0f}, in the buffer {stats['buffer_children']:.0f} of "
        f"{stats['buffer_size']:.0f}"
    )
    print(f"ACCEL's overhead: {accel - plr:+.1f} us per reset ({accel / plr:.2f}x)")


if __name__ == "__main__":
    main()
