"""Time to win: wall-clock minutes of this CPU until an agent wins, measured on held-out levels.

    python benchmarks/learning.py                             # Zelda: (a), then (b) and (c), default budgets
    python benchmarks/learning.py --games zelda frogs --minutes 30
    python benchmarks/learning.py --only generated --curriculum ppcg --algo ppo --minutes 20
    python benchmarks/learning.py --games boulderdash --config my-ppo.yml      # other hyperparameters

Two trainings per game, each with the bundled hyperparameters (``--algo``, ``--hyperparams``) and the
evaluation callback of ``ppcg train`` (:class:`ppcg.agents.curves.HeldOutEvaluation`), stopped by a wall-clock
budget of training time (evaluations are not counted):

* ``fixed``: trained on human level 0 alone; (a) is the first evaluation with >= 90% wins on that level.
* ``generated``: trained on generated levels (``--curriculum``, default ``ppcg``); (b) is the first
  evaluation with >= 50% wins on held-out generated levels at d = 0.5 (level seeds reserved for testing), (c)
  the first with >= 50% on the five human levels.

Each figure is printed as minutes of training and environment steps (or "not reached" within the budget); the
learning curves are written as CSV (``eval_progress.csv`` of each run folder) and as one PNG per game under
``--out``. Targets on an idle 2-core machine (Zelda): (a) <= 1 min, (b) <= 30 min, (c) <= 60 min.
Run it on a quiet machine: other work on the cores slows the agent and so every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any


def _stop_after(seconds: float, curve: Any) -> Any:
    from stable_baselines3.common.callbacks import BaseCallback

    class StopAfter(BaseCallback):
        """Stop when the training time (evaluations excluded) reaches ``seconds``."""

        def _on_step(self) -> bool:
            return time.time() - curve.start_time - curve.eval_seconds < seconds

    return StopAfter()


def train_for(settings: Any, minutes: float, out: Path, eval_every: int, eval_levels: int) -> list[dict]:
    """Train ``settings`` for ``minutes`` of training time; returns the learning curve's rows."""
    from ppcg.agents.curves import EVAL_LOG_FILE, HeldOutEvaluation
    from ppcg.agents.train import (
        algorithm_for,
        curve_sets,
        make_curriculum,
        make_env,
        policy_kwargs_for,
        resolve,
        set_threads,
    )
    from stable_baselines3.common.utils import set_random_seed

    from ppcg.engine import warm_up

    set_threads(settings.threads, settings.env_threads)
    warm_up()  # a first run compiles the engine (minutes): not training time
    algo_config, env_id = resolve(settings)
    curriculum = make_curriculum(settings)
    set_random_seed(settings.seed)
    env = make_env(
        env_id,
        algo_config.n_envs,
        level_source=curriculum,
        obs=settings.obs,
        seed=settings.seed,
        env_kwargs=algo_config.env_kwargs,
    )
    cls = algorithm_for(settings, curriculum)
    model = cls(
        algo_config.policy,
        env,
        seed=settings.seed,
        device="cpu",
        verbose=0,
        tensorboard_log=str(out / "tb"),
        **policy_kwargs_for(algo_config, env.observation_space, settings.game),
    )
    out.mkdir(parents=True, exist_ok=True)
    log = out / EVAL_LOG_FILE
    if log.exists():
        log.unlink()
    curve = HeldOutEvaluation(
        env_id,
        settings.obs,
        curve_sets(settings, eval_levels),
        eval_every,
        path=log,
        seed=20_000 + settings.seed,
        final=True,
        verbose=1,
        env_kwargs=algo_config.observation_kwargs(),  # the levels are played as the agent sees them (facing)
    )
    curve.start_time = time.time()
    from ppcg.curricula.sb3_callback import CurriculumCallback

    model.learn(
        10**10,
        callback=[curve, _stop_after(60 * minutes, curve), CurriculumCallback(curriculum)],
        tb_log_name=settings.algo.upper(),
    )
    env.close()
    return curve.history


def _reached(rows: list[dict], column: str, target: float) -> str:
    from ppcg.agents.curves import first_reaching

    row = first_reaching(rows, column, target)
    if not rows:
        return "no evaluation"
    if row is None:
        best = max((r.get(column, 0.0) for r in rows), default=0.0)
        return f"not reached (best {100 * best:.0f}%)"
    return f"{row['train_seconds'] / 60:.1f} min, {int(row['timesteps']):,} steps"


def _plot(path: Path, game: str, curves: dict[str, list[dict]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4))
    styles = {"train": "-", "d=0.5": "--", "human": ":"}
    labels = {"train": "its training level", "d=0.5": "held-out generated, d = 0.5", "human": "human levels"}
    colors = {"fixed": "#7f7f7f", "generated": "#1f77b4"}
    for name, rows in curves.items():
        for s, style in styles.items():
            col = f"{s}/win_rate"
            pts = [(r["train_seconds"] / 60, r[col]) for r in rows if col in r]
            if pts:
                xs, ys = zip(*pts, strict=True)
                ax.plot(xs, ys, style, color=colors.get(name, "k"), label=f"{name}: {labels[s]}")
    ax.axhline(0.5, color="k", lw=0.5, alpha=0.4)
    ax.set_xlabel("minutes of training (this CPU)")
    ax.set_ylabel("win rate")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"{game}: time to win")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def settings_for(args: argparse.Namespace, game: str, kind: str) -> Any:
    """The run ``kind`` (``fixed``: lvl0 alone; ``generated``: ``--curriculum``) of ``game`` as the arguments
    ask for it."""
    from ppcg.agents.train import TrainSettings, read_curriculum_options

    generated = kind == "generated"
    return TrainSettings(
        game=game,
        algo=args.algo,
        curriculum=args.curriculum if generated else "fixed",
        level=None if generated else 0,
        difficulty=args.difficulty if generated and args.curriculum == "difficulty" else None,
        seed=args.seed,
        threads=args.threads,
        hyperparams=args.hyperparams,
        config=args.config,
        curriculum_options=read_curriculum_options(args.curriculum_config, args.curriculum, game)
        if generated and args.curriculum_config
        else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--games", nargs="+", default=["zelda"])
    parser.add_argument("--only", choices=("fixed", "generated"), default=None)
    parser.add_argument("--algo", default="ppo")
    parser.add_argument("--hyperparams", default=None, help="a named preset (default: the bundled one)")
    parser.add_argument("--config", default=None, help="a hyperparameter file (RL Zoo format; beats --hyperparams)")
    parser.add_argument("--curriculum", default="ppcg", help="for the generated run (default: ppcg)")
    parser.add_argument("--curriculum-config", help="the generated run's curriculum options (a YAML file, as "
                        "`ppcg train --curriculum-config`)")
    parser.add_argument("--difficulty", type=float, default=0.5)
    parser.add_argument("--minutes", type=float, default=30.0, help="budget of the generated run")
    parser.add_argument("--minutes-fixed", type=float, default=3.0, help="budget of the fixed run")
    parser.add_argument("--eval-every", type=int, default=50_000, help="steps between evaluations")
    parser.add_argument("--eval-levels", type=int, default=30, help="episodes per level set and evaluation")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/learning")
    args = parser.parse_args()
    for game in args.games:  # a bad option fails now, not after the first game's training
        for kind in ("fixed", "generated"):
            settings_for(args, game, kind)

    load = os.getloadavg()[0]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {load:.2f} at start "
        "(figures are only comparable on a quiet machine)"
    )
    summary: dict[str, Any] = {}
    for game in args.games:
        curves: dict[str, list[dict]] = {}
        kinds = [k for k in ("fixed", "generated") if args.only in (None, k)]
        for kind in kinds:
            settings = settings_for(args, game, kind)
            minutes = args.minutes_fixed if kind == "fixed" else args.minutes
            print(f"\n{game}, {kind}: {settings.algo} {settings.curriculum}, {minutes:g} min", flush=True)
            curves[kind] = train_for(
                settings, minutes, Path(args.out) / f"{game}-{kind}", args.eval_every, args.eval_levels
            )
        out = Path(args.out)
        _plot(out / f"{game}-time-to-win.png", game, curves)
        result = {}
        if "fixed" in curves:
            result["(a) 90% on its training level"] = _reached(curves["fixed"], "train/win_rate", 0.9)
        if "generated" in curves:
            result["(b) 50% on held-out d=0.5"] = _reached(curves["generated"], "d=0.5/win_rate", 0.5)
            result["(c) 50% on the human levels"] = _reached(curves["generated"], "human/win_rate", 0.5)
        summary[game] = result
        print(f"\n{game}:")
        for k, v in result.items():
            print(f"  {k}: {v}")
    (Path(args.out) / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(
        f"\ncurves and plots in {args.out}/; load average at the end {os.getloadavg()[0]:.2f}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
