"""End-to-end A2C training speed on Zelda (symbolic), and the share of the time spent in the environment.

    python benchmarks/training.py                       # 100,000 steps, 16 envs, the bundled A2C settings
    python benchmarks/training.py --timesteps 300000 --n-envs 32 --threads 2

Trains exactly as ``ppcg train zelda --algo a2c --hyperparams paper`` does (native vector env, SB3 adapter,
VecMonitor, GridCNN, the paper's A2C), after a warm-up that compiles the engine and builds the network, and
prints:

* environment steps per second of the whole training loop (target: >= 3,000 on the 2-core machine);
* the share of the wall time inside the environment: ``make_vec``'s step (engine, auto-resets, level
  generation by the curriculum) and the adapter (info splitting, terminal observations); target < 10% in all.
"""

from __future__ import annotations

import argparse
import os
import platform
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--game", default="zelda")
    parser.add_argument("--timesteps", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=5_000)
    parser.add_argument("--n-envs", type=int, default=None, help="default: the hyperparameter file's")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--env-threads", type=int, default=1, help="numba threads (default 1)")
    parser.add_argument("--curriculum", default="ppcg")
    parser.add_argument("--obs", default="symbolic", choices=("symbolic", "rgb"))
    args = parser.parse_args()

    from ppcg.agents.config import load_hyperparams
    from ppcg.agents.train import (
        TrainSettings,
        env_id_for,
        make_curriculum,
        make_env,
        policy_kwargs_for,
        set_threads,
    )
    from stable_baselines3 import A2C

    set_threads(args.threads, args.env_threads)
    env_id = env_id_for(args.game)
    overrides = {"n_envs": args.n_envs} if args.n_envs else {}
    from ppcg.agents.config import default_hyperparams_path

    cfg = load_hyperparams("a2c", env_id, default_hyperparams_path("a2c", "paper"), overrides=overrides)
    settings = TrainSettings(game=args.game, curriculum=args.curriculum, obs=args.obs)
    curriculum = make_curriculum(settings)
    env = make_env(env_id, cfg.n_envs, level_source=curriculum, obs=args.obs, seed=0)

    adapter = env.venv  # VecMonitor -> SB3VecEnv
    native = adapter.venv
    timers = {"native": 0.0, "adapter": 0.0}
    native_step = native.step
    adapter_step_wait = adapter.step_wait

    def timed_native_step(actions):
        t = time.perf_counter()
        out = native_step(actions)
        timers["native"] += time.perf_counter() - t
        return out

    def timed_step_wait():
        t = time.perf_counter()
        out = adapter_step_wait()
        timers["adapter"] += time.perf_counter() - t
        return out

    native.step = timed_native_step
    adapter.step_wait = timed_step_wait

    model = A2C(cfg.policy, env, seed=0, device="cpu", **policy_kwargs_for(cfg, env.observation_space))
    t0 = time.perf_counter()
    model.learn(args.warmup)
    warm = time.perf_counter() - t0
    timers.update(native=0.0, adapter=0.0)
    t0 = time.perf_counter()
    model.learn(args.timesteps, reset_num_timesteps=False)
    wall = time.perf_counter() - t0
    steps = args.timesteps
    env_total = timers["adapter"]  # includes the native step
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"torch threads {args.threads}"
    )
    print(
        f"A2C on {env_id} ({args.obs}, curriculum {args.curriculum}), {cfg.n_envs} envs, n_steps "
        f"{cfg.algo_kwargs.get('n_steps')}; warm-up {args.warmup} steps took {warm:.1f} s"
    )
    print(f"training: {steps} steps in {wall:.2f} s = {steps / wall:,.0f} env steps/s")
    print(
        f"environment: {100 * env_total / wall:.1f}% of the time "
        f"(make_vec step {100 * timers['native'] / wall:.1f}%, "
        f"adapter {100 * (timers['adapter'] - timers['native']) / wall:.1f}%); "
        f"curriculum d = {curriculum.stats().get('difficulty', float('nan')):.2f}"
    )
    env.close()


if __name__ == "__main__":
    main()
