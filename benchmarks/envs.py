"""Environment throughput: one env through the Gymnasium API, native vector envs, and Gymnasium's own vectors.

Targets (Zelda, symbolic, an idle core): ``env.step`` through ``gymnasium.make`` (all the default wrappers) at
least 200,000 steps per second on a human level (``ppcg/Zelda-lvl0-v0``) and 50,000 on generated levels (a new
level generated every episode); ``ppcg.make_vec`` with 64 environments at least 500,000 environment steps per
second; a search agent's copy + advance + restore of one environment at least 20,000 a second (GVGAI's forward
model).

    python benchmarks/envs.py                 # everything, a minute or two
    python benchmarks/envs.py --quick         # shorter runs
    python benchmarks/envs.py --only single   # single | vec | gym-vec | copy

Random actions are drawn in advance; finished episodes are reset (a generated level for ``ppcg/Zelda-v0``, so
its figures include the generator). Each environment figure is followed by the engine alone on the same
actions (``BatchEngine.step`` and, when an episode ends, ``BatchEngine.reset`` with the same level), so that
the cost of the environment layer shows apart from the engine's. Compilation (numba) happens in a warm-up.
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import ppcg


def _rate(n_steps: int, seconds: float) -> str:
    return f"{n_steps / seconds:>12,.0f} steps/s"


def _engine_alone(engine, level, actions: np.ndarray) -> float:
    """Seconds for raw ``BatchEngine.step`` calls over ``actions`` ``[T, N]``, resetting finished envs."""
    n = actions.shape[1]
    engine.reset([level] * n, np.arange(n))
    t0 = time.perf_counter()
    for a in actions:
        r = engine.step(a)
        done = r.terminated | r.truncated
        if done.any():
            idx = np.flatnonzero(done)
            engine.reset([level] * len(idx), idx, indices=idx)
    return time.perf_counter() - t0


def bench_single(env_id: str, obs_type: str, steps: int) -> float:
    env = gym.make(env_id, obs_type=obs_type)
    actions = np.random.default_rng(0).integers(env.action_space.n, size=steps)
    env.reset(seed=0)
    for a in actions[:200].tolist():  # warm-up
        if any(env.step(a)[2:4]):
            env.reset()
    step, reset = env.step, env.reset
    t0 = time.perf_counter()
    for a in actions.tolist():
        _, _, term, trunc, _ = step(a)
        if term or trunc:
            reset()
    dt = time.perf_counter() - t0
    print(f"single  {env_id:<22} {obs_type:<8} gymnasium.make, 1 env  {_rate(steps, dt)}")
    u = env.unwrapped
    edt = _engine_alone(u.engine, u.level.level, actions[:, None])
    layer = (dt - edt) / steps * 1e6
    print(f"        engine alone, same actions{'':<23}{_rate(steps, edt)}  (env layer: {layer:.1f} us/step)")
    return steps / dt


def bench_copy(env_id: str, n: int) -> float:
    """A search agent's use of one environment: copy its state, advance one step, put the copy back (GVGAI's
    forward model does about 20,000 copy+advance a second); and the copy alone."""
    env = gym.make(env_id)
    env.reset(seed=0)
    engine = env.unwrapped.engine
    actions = np.random.default_rng(0).integers(env.action_space.n, size=n).tolist()
    get, put, step = engine.get_state, engine.set_state, engine.step_one
    for a in actions[:100]:  # warm-up
        s = get(0)
        step(a)
        put(0, s)
    t0 = time.perf_counter()
    for _ in range(n):
        get(0)
    dt_copy = time.perf_counter() - t0
    t0 = time.perf_counter()
    for a in actions:
        s = get(0)
        step(a)
        put(0, s)
    dt = time.perf_counter() - t0
    print(f"copy    {env_id:<22} get_state(0)                        {n / dt_copy:>12,.0f} copies/s")
    print(f"        get_state + step_one + set_state (search)   {n / dt:>12,.0f} copy+advance/s")
    return n / dt


def bench_vec(env_id: str, obs_type: str, num_envs: int, batches: int) -> float:
    envs = ppcg.make_vec(env_id, num_envs, obs_type=obs_type)
    actions = np.random.default_rng(0).integers(envs.single_action_space.n, size=(batches, num_envs))
    envs.reset(seed=0)
    for a in actions[:20]:
        envs.step(a)
    t0 = time.perf_counter()
    for a in actions:
        envs.step(a)
    dt = time.perf_counter() - t0
    n = batches * num_envs
    print(f"vec     {env_id:<22} {obs_type:<8} ppcg.make_vec, {num_envs} envs {_rate(n, dt)}")
    edt = _engine_alone(envs.engine, envs.levels[0].level, actions)
    layer = (dt - edt) / batches * 1e6
    print(f"        engine alone, same actions{'':<23}{_rate(n, edt)}  (vector layer: {layer:.0f} us/batch)")
    return n / dt


def bench_gym_vec(env_id: str, obs_type: str, num_envs: int, batches: int, mode: str) -> float:
    fns = [lambda: gym.make(f"ppcg:{env_id}", obs_type=obs_type) for _ in range(num_envs)]
    # forkserver: numba's OpenMP threading layer (used by make_vec above) is not fork-safe
    if mode == "sync":
        envs = gym.vector.SyncVectorEnv(fns)
    else:
        envs = gym.vector.AsyncVectorEnv(fns, context="forkserver")
    actions = np.random.default_rng(0).integers(envs.single_action_space.n, size=(batches, num_envs))
    envs.reset(seed=0)
    for a in actions[:5]:
        envs.step(a)
    t0 = time.perf_counter()
    for a in actions:
        envs.step(a)
    dt = time.perf_counter() - t0
    envs.close()
    label = f"gymnasium {mode.capitalize()}VectorEnv, {num_envs} envs"
    print(f"gym-vec {env_id:<22} {obs_type:<8} {label} {_rate(batches * num_envs, dt)}")
    return batches * num_envs / dt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", default="ppcg/Zelda-v0")
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--only", choices=["single", "vec", "gym-vec", "copy"], default=None)
    parser.add_argument("--num-envs", type=int, default=64)
    args = parser.parse_args()
    scale = 0.2 if args.quick else 1.0
    single_steps, batches = int(100_000 * scale), int(2_000 * scale)
    results = {}
    if args.only in (None, "single"):
        for obs in ("symbolic", "rgb"):
            results[("single", obs)] = bench_single(args.env, obs, single_steps)
        results[("single-lvl0", "symbolic")] = bench_single(args.env.replace("-v0", "-lvl0-v0"), "symbolic",
                                                            single_steps)
    if args.only in (None, "single", "copy"):
        results[("copy", "symbolic")] = bench_copy(args.env.replace("-v0", "-lvl0-v0"), int(20_000 * scale))
    if args.only in (None, "vec"):
        for obs in ("symbolic", "rgb"):
            results[("vec", obs)] = bench_vec(args.env, obs, args.num_envs, batches)
    if args.only in (None, "gym-vec"):
        n = min(args.num_envs, 8)
        for mode in ("sync", "async"):
            results[(mode, "symbolic")] = bench_gym_vec(args.env, "symbolic", n, max(batches // 4, 50), mode)
    targets = [(("single-lvl0", "symbolic"), 200_000, "single env on a human level, symbolic", "steps/s"),
               (("single", "symbolic"), 50_000, "single env on generated levels, symbolic", "steps/s"),
               (("vec", "symbolic"), 500_000, f"make_vec({args.num_envs}) symbolic", "steps/s"),
               (("copy", "symbolic"), 20_000, "copy + advance + restore", "a second")]
    for key, target, label, unit in targets:
        if key in results:
            ok = results[key] >= target
            print(f"target {label} >= {target:,} {unit}: {'met' if ok else 'NOT met'} ({results[key]:,.0f})")


if __name__ == "__main__":
    main()
