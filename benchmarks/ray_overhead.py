"""What Ray costs ``ppcg experiment --backend ray`` beyond the runs themselves, and Ray core against Ray Tune.

    python benchmarks/ray_overhead.py                  # start-up, a task, a new worker, N empty runs
    python benchmarks/ray_overhead.py --runs 16 --cpus 2

Prints, in seconds: starting a local Ray cluster; one empty task on a started worker; the first task with
the run's thread settings (``runtime_env``: a worker of its own); ``--runs`` empty tasks as the grid submits
them (Ray core); and, where Ray Tune is installed (``pip install 'ray[tune]'``), the same empty runs as Tune
trials. Say how busy the machine was: on a shared machine every figure grows with its load.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time


def empty_run(config: dict | None = None) -> int:
    return os.getpid()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=8, help="empty runs (default: 8)")
    parser.add_argument("--cpus", type=int, default=2, help="the local cluster's CPUs (default: 2)")
    args = parser.parse_args()
    t = time.perf_counter()
    import ray

    print(f"import ray: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    ray.init(num_cpus=args.cpus, include_dashboard=False, logging_level=logging.ERROR)
    print(f"start a local cluster ({args.cpus} CPUs): {time.perf_counter() - t:.2f} s")
    task = ray.remote(empty_run)
    ray.get(task.remote())
    t = time.perf_counter()
    ray.get(task.remote())
    print(f"one empty task, started worker: {time.perf_counter() - t:.3f} s")
    env = {"env_vars": {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}}
    threaded = task.options(num_cpus=1, runtime_env=env)
    t = time.perf_counter()
    ray.get(threaded.remote())
    print(f"first task with the run's threads (a new worker): {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    ray.get([threaded.remote() for _ in range(args.runs)])
    print(f"{args.runs} empty runs, Ray core tasks: {time.perf_counter() - t:.2f} s")
    try:
        from ray import tune
    except ImportError:
        print("Ray Tune: not installed (pip install 'ray[tune]'), not measured")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            tuner = tune.Tuner(
                tune.with_resources(empty_run, {"cpu": 1}),
                param_space={"seed": tune.grid_search(list(range(args.runs)))},
                run_config=tune.RunConfig(storage_path=tmp, name="empty", verbose=0),
            )
            tuner.fit()
            print(f"{args.runs} empty runs, Ray Tune trials: {time.perf_counter() - t:.2f} s")
    ray.shutdown()


if __name__ == "__main__":
    main()
