"""``ppcg evaluate``: win rate and score of a trained agent on human, given or freshly generated levels.

    ppcg evaluate runs/zelda-a2c-ppcg-s0                                  # human levels, 30 episodes each
    ppcg evaluate runs/zelda-a2c-ppcg-s0 --levels difficulty=0.5          # 30 new levels at d = 0.5
    ppcg evaluate runs/zelda-a2c-ppcg-s0 --levels human difficulty=1 path/to/levels/ --episodes 30

Level sets:

* ``human``: the game's human levels, ``--episodes`` episodes on each (the game's randomness differs per
  episode);
* a folder of level files (``*.txt``, e.g. GVGAI's originals): ``--episodes`` episodes on each file;
* ``difficulty=D``: a test set of ``--episodes`` levels generated at D, one episode each. Their level seeds
  are ``TEST_SEED_BASE + k``: training draws level seeds below 2**31 (:data:`ppcg.envs.sources.SEED_BOUND`),
  so no test level was ever trained on, and every run is evaluated on the same test levels.
* ``train``: the run's own training levels, for a run trained on a finite set (``--num-levels``) by a
  curriculum whose levels are one fixed set (``difficulty``, ``random``, ``plr``): ``--episodes`` levels
  spread evenly over the set, one episode each (all of them, the episodes shared out, when the set is
  smaller). Its win rate against the test sets' is the generalization gap Procgen reports.

The agent samples its actions from its policy (as the paper's A2C did; ``--deterministic`` takes the most
likely action). A "win" is the game's win (``is_success``). Results are deterministic given ``--seed``: the
episodes are played in one batch (one native vector env), with the env seeds and the torch seed derived from
it.

Writes ``eval_<sets>_ep<episodes>_seed<seed>.json`` in the run folder (or ``--output``), named by its
settings so that evaluations with other settings are kept side by side, and prints a table.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ppcg.agents.device import add_device_argument, resolve_device

__all__ = [
    "add_arguments",
    "run",
    "evaluate_run",
    "evaluate_model",
    "format_table",
    "TEST_SEED_BASE",
    "LevelSlots",
]

TEST_SEED_BASE = 2**31 + 1_000_000
"""Generated test levels use seeds ``TEST_SEED_BASE + k``, above every training seed (below 2**31)."""
MAX_BATCH = 256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``ppcg evaluate`` arguments."""
    parser.add_argument("run_dir", metavar="RUN", help="a run folder (from ppcg train)")
    parser.add_argument(
        "--levels",
        nargs="+",
        default=["human"],
        metavar="SET",
        help="level sets: human, a folder of level files, difficulty=D, or train (the run's own levels, "
        "for a run trained with --num-levels) (default: human)",
    )
    parser.add_argument(
        "--episodes",
        type=int,
        default=30,
        metavar="N",
        help="episodes per level (human, folders) or levels per generated set (default: 30)",
    )
    parser.add_argument(
        "--seed", type=int, default=12345, metavar="S", help="evaluation seed (default: 12345)"
    )
    parser.add_argument("--deterministic", action="store_true", help="take the most likely action")
    parser.add_argument(
        "--output",
        default=None,
        metavar="FILE",
        help="where to write the JSON (default: RUN/eval_SETS_epN_seedS.json, named by the settings)",
    )
    add_device_argument(parser)


class LevelSlots:
    """A level source that gives environment ``i`` the level ``requests[i]`` at every reset.

    Only each environment's first episode is counted by the evaluation; later resets replay the same level.
    """

    def __init__(self, requests: list[Any]) -> None:
        self.requests = list(requests)

    def next_level(self, env_index: int, rng: np.random.Generator) -> Any:
        return self.requests[env_index]

    def episode_done(self, env_index: int, result: Any) -> None:
        pass


@dataclass(frozen=True)
class LevelSet:
    """A named set of (level request, episodes) to evaluate on."""

    name: str
    items: list[tuple[Any, int]]


def level_sets_for(game: str, names: list[str], episodes: int, *, settings: Any = None) -> list[LevelSet]:
    """Build the level sets named on the command line (``train`` needs the run's ``settings``).

    Raises:
        ValueError: a name that is neither ``human``, ``difficulty=D``, ``train`` nor a folder of level files,
            or ``train`` for a run without a fixed training set.
    """
    from ppcg.envs.source import LevelRequest

    out = []
    for name in names:
        if name == "train":
            out.append(LevelSet("train", training_set(settings, episodes)))
        elif name == "human":
            from ppcg.agents.train import human_levels

            out.append(
                LevelSet("human", [(LevelRequest(lv, lv.name), episodes) for lv in human_levels(game)])
            )
        elif name.startswith("difficulty="):
            try:
                d = float(name.split("=", 1)[1])
            except ValueError:
                raise ValueError(
                    f"bad level set {name!r}: expected difficulty=D with D a number in [0, 1]"
                ) from None
            if not 0.0 <= d <= 1.0:
                raise ValueError(f"bad level set {name!r}: the difficulty must be in [0, 1]")
            out.append(LevelSet(f"d={d:g}", [(r, 1) for r in generated_test_set(game, d, episodes)]))
        elif Path(name).is_dir():
            from ppcg.envs.core import load_compiled
            from ppcg.vgdl.level import load_level

            _, _, spec, _ = load_compiled(game)
            files = sorted(Path(name).glob("*.txt"))
            if not files:
                raise ValueError(f"level folder {name} holds no *.txt level files")
            items = [(LevelRequest(load_level(p, spec, name=p.stem), p.stem), episodes) for p in files]
            out.append(LevelSet(Path(name).name or name, items))
        else:
            raise ValueError(
                f"bad level set {name!r}: expected 'human', 'difficulty=D', 'train' or a folder of level "
                "files"
            )
    return out


def training_set(settings: Any, episodes: int) -> list[tuple[Any, int]]:
    """(level, episodes) pairs over the training levels of a run trained with ``num_levels``.

    Raises:
        ValueError: the run's levels are not one finite set.
    """
    from ppcg.agents.train import make_curriculum

    num_levels = getattr(settings, "num_levels", 0) if settings is not None else 0
    curriculum = make_curriculum(settings) if num_levels else None
    if curriculum is None or curriculum.training_level(settings.start_level) is None:
        raise ValueError(
            "level set 'train' needs a run trained on a finite set of levels: --num-levels N with the "
            "difficulty, random or plr curriculum"
        )
    n, start = settings.num_levels, settings.start_level
    if episodes <= n:  # spread evenly over the set, one episode each
        return [(curriculum.training_level(start + (j * n) // episodes), 1) for j in range(episodes)]
    return [(curriculum.training_level(start + j), episodes // n + (j < episodes % n)) for j in range(n)]


def generated_test_set(game: str, difficulty: float, n: int) -> list[Any]:
    """``n`` generated levels at ``difficulty`` with the reserved test seeds (the same for every run)."""
    from ppcg.envs.sources import generated_level
    from ppcg.generators import get_generator

    gen = get_generator(game)
    return [generated_level(gen, game, difficulty, TEST_SEED_BASE + k) for k in range(n)]


def evaluate_model(
    model: Any,
    env_id: str,
    obs: str,
    level_sets: list[LevelSet],
    *,
    seed: int,
    deterministic: bool = False,
    env_kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Play every (level, episode) of ``level_sets`` once; figures per level, per set and overall.
    ``env_kwargs``: the observation options the model was trained with (``facing``)."""
    import torch as th
    from ppcg.agents.vec_env import SB3VecEnv

    import ppcg

    slots: list[tuple[int, Any]] = []  # (set index, request)
    for s, ls in enumerate(level_sets):
        for request, n in ls.items:
            slots += [(s, request)] * n
    results: list[tuple[bool, float, int]] = []
    from ppcg.engine import warm_up

    warm_up()  # a first run compiles the engine: before the clock, so that "seconds" counts only playing
    start = time.time()
    for b0 in range(0, len(slots), MAX_BATCH):
        batch = slots[b0 : b0 + MAX_BATCH]
        n = len(batch)
        venv = ppcg.make_vec(
            env_id, n, level_source=LevelSlots([r for _, r in batch]), obs_type=obs, **(env_kwargs or {})
        )
        env = SB3VecEnv(venv, seed=seed + b0)
        th.manual_seed(seed + b0)
        obs_batch = env.reset()
        finished = np.zeros(n, dtype=bool)
        out: list[tuple[bool, float, int] | None] = [None] * n
        steps = np.zeros(n, dtype=np.int64)
        actions = np.zeros(n, dtype=np.int64)
        while not finished.all():
            live = np.flatnonzero(~finished)  # finished environments idle on NIL: no forward pass for them
            actions[:] = 0
            actions[live], _ = model.predict(obs_batch[live], deterministic=deterministic)
            obs_batch, _, dones, infos = env.step(actions)
            steps += ~finished
            for i in np.flatnonzero(dones & ~finished):
                info = infos[i]
                out[i] = (
                    bool(info.get("is_success", False)),
                    float(info.get("score", math.nan)),
                    int(steps[i]),
                )
                finished[i] = True
        env.close()
        results += out  # type: ignore[arg-type]
    seconds = time.time() - start

    report: dict[str, Any] = {
        "sets": {},
        "seed": seed,
        "deterministic": deterministic,
        "seconds": round(seconds, 2),
    }
    k = 0
    for ls in level_sets:
        per_level = {}
        all_wins, all_scores = [], []
        for request, n in ls.items:
            res = results[k : k + n]
            k += n
            wins = [float(w) for w, _, _ in res]
            scores = [sc for _, sc, _ in res]
            lengths = [ln for _, _, ln in res]
            entry = per_level.setdefault(request.level_id, {"wins": [], "scores": [], "lengths": []})
            entry["wins"] += wins
            entry["scores"] += scores
            entry["lengths"] += lengths
            all_wins += wins
            all_scores += scores
        levels = {lid: _summary(e["wins"], e["scores"], e["lengths"]) for lid, e in per_level.items()}
        report["sets"][ls.name] = {"overall": _summary(all_wins, all_scores), "levels": levels}
    return report


def _summary(wins: list[float], scores: list[float], lengths: list[int] | None = None) -> dict[str, Any]:
    w, s = np.asarray(wins, dtype=float), np.asarray(scores, dtype=float)
    out = {
        "episodes": int(len(w)),
        "win_rate": float(w.mean()) if len(w) else math.nan,
        "win_std": float(w.std()) if len(w) else math.nan,
        "score_mean": float(s.mean()) if len(s) else math.nan,
        "score_std": float(s.std()) if len(s) else math.nan,
    }
    if lengths:
        out["length_mean"] = float(np.mean(lengths))
    return out


def evaluate_run(
    run_dir: Any,
    *,
    level_sets: list[str],
    episodes: int = 30,
    seed: int = 12345,
    deterministic: bool = False,
    output: str | Path | None = None,
    reuse: bool = False,
    device: str = "cpu",
) -> dict[str, Any]:
    """Evaluate the model of a run folder on ``device`` (``auto``, ``cpu``, ``cuda``) and return the report.

    The report is written to ``output``, else to the run folder's file named by these settings
    (:meth:`~ppcg.agents.run.RunDir.eval_path_for`: ``eval_human+d0.5_ep30_seed12345.json``), so that
    evaluations with other settings are kept side by side; its path is the report's ``file``. ``reuse``: when
    that file already holds this evaluation of the same model, it is returned without playing again.
    """
    from ppcg.agents.models import load_run_model, run_observation_kwargs
    from ppcg.agents.run import RunDir, atomic_write_text

    torch_device = resolve_device(device)
    if not isinstance(run_dir, RunDir):
        run_dir = RunDir.open(run_dir)
    model_path = run_dir.model_for_eval()
    path = Path(output) if output else run_dir.eval_path_for(level_sets, episodes, seed, deterministic)
    if reuse and (cached := _same_evaluation(path, run_dir, model_path)) is not None:
        return cached
    model, settings, env_id = load_run_model(run_dir, model_path, device=torch_device)
    sets = level_sets_for(settings.game, level_sets, episodes, settings=settings)
    report = evaluate_model(
        model, env_id, settings.obs, sets, seed=seed, deterministic=deterministic,
        env_kwargs=run_observation_kwargs(run_dir),
    )  # fmt: skip
    report.update(
        run=str(run_dir.path),
        model=str(model_path.relative_to(run_dir.path)),
        timesteps=int(model.num_timesteps),
        game=settings.game,
        algo=settings.algo,
        curriculum=settings.curriculum,
        train_seed=settings.seed,
        episodes=episodes,
        level_sets=list(level_sets),
        test_seed_base=TEST_SEED_BASE,
        device=torch_device,
    )
    atomic_write_text(path, json.dumps(report, indent=1, sort_keys=True, allow_nan=True) + "\n")
    report["file"] = str(path)
    return report


def _same_evaluation(path: Path, run_dir: Any, model_path: Path) -> dict[str, Any] | None:
    """The report in ``path`` when it evaluated the run's current model (same file, same steps), else None."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or report.get("model") != str(model_path.relative_to(run_dir.path)):
        return None
    if report.get("timesteps") != run_dir.status().get("timesteps"):
        return None
    report["file"] = str(path)
    return report


def _cells(figures: dict[str, Any]) -> str:
    """Wins, win rate, mean score and the score's standard deviation over the episodes (a spread, not an
    error bar: the agent's figures vary from episode to episode)."""
    n, rate = figures["episodes"], figures["win_rate"]
    if math.isnan(rate):
        return "- | - | - | -"
    return (
        f"{round(rate * n)}/{n} | {100 * rate:.0f}% | {figures['score_mean']:.2f} | "
        f"{figures['score_std']:.2f}"
    )


def format_table(report: dict[str, Any]) -> str:
    """The report as a Markdown table: one row per level and one overall row per set."""
    lines = [
        f"evaluation of {report.get('run', '?')} ({report.get('timesteps', '?')} steps), "
        f"seed {report.get('seed')}",
        "",
        "| set | level | wins | win rate | mean score | score s.d. over episodes |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, s in report["sets"].items():
        for lid, lv in s["levels"].items():
            if len(s["levels"]) > 1 and (name.startswith("d=") or name == "train"):
                continue  # generated sets: one episode per level, only the set's figures are meaningful
            lines.append(f"| {name} | {lid} | {_cells(lv)} |")
        lines.append(f"| **{name}** | **all** | {_cells(s['overall'])} |")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """``ppcg evaluate``."""
    from ppcg.agents.run import RunError

    from ppcg.cli import CLIError

    if args.episodes < 1:
        raise CLIError("--episodes must be >= 1")
    from ppcg.agents.train import set_threads

    set_threads(1, 1)  # as in training: thread pools that spin-wait for busy cores run many times slower
    try:
        report = evaluate_run(
            args.run_dir,
            level_sets=args.levels,
            episodes=args.episodes,
            seed=args.seed,
            deterministic=args.deterministic,
            output=args.output,
            device=args.device,
        )
    except (RunError, ValueError, FileNotFoundError) as exc:
        raise CLIError(str(exc)) from None
    print(format_table(report))
    print(f"written to {report['file']}", file=sys.stderr)
    return 0
