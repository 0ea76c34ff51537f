"""``ppcg experiment``: the paper's comparison — train every condition with every seed, evaluate, summarise.

    ppcg experiment zelda --conditions lvl0,random,ppcg --seeds 4 --timesteps 1000000
    ppcg experiment zelda --conditions lvl0,ppcg,difficulty=0.5,difficulty=1 --seeds 3 --timesteps 200000

Conditions: ``lvl0`` ... ``lvl4`` (one human level, the paper's Lvl-N), ``random`` (difficulty uniform in [0,
1], the paper's PCG), ``difficulty=D`` (PCG at one difficulty), ``ppcg`` (Progressive PCG), ``plr``. A
generated condition followed by ``:N`` trains on the levels of N seeds only (Procgen's ``num_levels``):
``random:200``, ``difficulty=0.5:100``, ``plr:200``; those of ``random``, ``difficulty`` and ``plr`` are also
evaluated on their own training levels (the ``train`` column), so the table shows the generalization gap.

Runs go to ``RUNS/GAME/<condition>-s<seed>`` (``--runs``, default ``runs/experiment``). A complete run is not
trained again and an interrupted one is resumed, so an interrupted experiment picks up where it stopped;
evaluations are reused when ``eval.json`` already holds the same test sets and episode count. Every run is
evaluated on the human levels and on the generated test sets at d = 0.5 and d = 1 (the same test levels for
every run; see :mod:`ppcg.agents.evaluate`).

``results/GAME/`` (``--results``; a new ``results/GAME-2/`` ... when it holds results already, unless
``--replace``) receives ``README.md`` (the command, the machine time, and Markdown tables
of the win rate and score per condition and test set: the IQM over seeds x levels with its 95% stratified
bootstrap confidence interval, and the mean across seeds with its standard error; see
:mod:`ppcg.agents.stats`), ``summary.json`` (every run's figures, per level too) and the plots
``training_win_rate.png`` (mean across seeds, band ± 1 standard error), ``ppcg_difficulty.png`` and
``generalization.png`` (IQM bars, 95% CI error bars). Conditions carry readable names and the same colour in
every plot (:mod:`ppcg.agents.display`).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import platform
import re
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ppcg.agents.device import add_device_argument, resolve_device

__all__ = [
    "Condition",
    "GridRun",
    "parse_conditions",
    "plan_grid",
    "train_and_evaluate",
    "add_arguments",
    "run",
    "summarise",
    "write_results",
]

TEST_SETS = ("human", "difficulty=0.5", "difficulty=1")
BACKENDS = ("local", "ray")
RAY_OPTIONS = ("address", "cpus_per_run", "gpus_per_run", "retries")
"""The options of ``--backend ray`` alone (given with ``local`` they are an error, not ignored)."""


@dataclass(frozen=True)
class Condition:
    """One training condition: its label (as on the command line) and the curriculum it stands for."""

    label: str
    curriculum: str
    difficulty: float | None = None
    level: int | None = None
    num_levels: int = 0

    @property
    def has_training_set(self) -> bool:
        """Whether its training levels are one finite set that ``ppcg evaluate --levels train`` can replay."""
        return bool(self.num_levels) and self.curriculum in ("difficulty", "random", "plr")


_LVL = re.compile(r"^lvl(\d+)$")


def parse_conditions(text: str) -> list[Condition]:
    """``"lvl0,random,ppcg,difficulty=0.5,random:200"`` -> conditions.

    Raises:
        ValueError: an unknown condition, a bad ``:N``, or the same condition twice.
    """
    out: list[Condition] = []
    for raw in text.split(","):
        label = raw.strip()
        if not label:
            continue
        num_levels = 0
        if ":" in label:
            label, _, count = label.partition(":")
            if not count.isdigit() or int(count) < 1:
                raise ValueError(
                    f"condition {raw.strip()!r}: expected CONDITION:N with N >= 1 training levels"
                )
            num_levels = int(count)
        suffix = f":{num_levels}" if num_levels else ""
        if m := _LVL.match(label):
            if num_levels:
                raise ValueError(
                    f"condition {raw.strip()!r}: :N chooses among generated levels, not human ones"
                )
            out.append(Condition(label, "fixed", level=int(m.group(1))))
        elif label in ("random", "ppcg", "plr", "accel"):
            out.append(Condition(label + suffix, label, num_levels=num_levels))
        elif label.startswith("difficulty="):
            try:
                d = float(label.split("=", 1)[1])
            except ValueError:
                d = -1.0
            if not 0.0 <= d <= 1.0:
                raise ValueError(f"condition {label!r}: expected difficulty=D with D in [0, 1]")
            out.append(
                Condition(f"difficulty={d:g}{suffix}", "difficulty", difficulty=d, num_levels=num_levels)
            )
        else:
            raise ValueError(
                f"unknown condition {label!r}; expected lvl0..lvl4, random, ppcg, plr or difficulty=D, "
                "optionally with :N training levels"
            )
    labels = [c.label for c in out]
    if len(set(labels)) != len(labels):
        raise ValueError(f"a condition is given twice in {text!r}")
    if not out:
        raise ValueError("no conditions given")
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``ppcg experiment`` arguments."""
    parser.add_argument("game", help="a bundled game (zelda, solarfox, frogs, boulderdash)")
    parser.add_argument(
        "--conditions",
        default="lvl0,random,ppcg",
        help="comma-separated: lvl0..lvl4, random, ppcg, plr, accel, difficulty=D; a generated one with :N "
        "trains on N levels (random:200) (default: lvl0,random,ppcg)",
    )
    parser.add_argument(
        "--curriculum-config",
        action="append",
        default=None,
        metavar="FILE",
        help="a curriculum's options, YAML with its name (e.g. 'name: accel' and 'capacity: 500'): every "
        "condition of that curriculum trains with them; once per curriculum",
    )
    parser.add_argument(
        "--seeds", type=int, default=4, metavar="N", help="seeds per condition: 0..N-1 (default: 4)"
    )
    parser.add_argument(
        "--timesteps",
        type=int,
        default=None,
        metavar="N",
        help="environment steps per run (default: the hyperparameter file's)",
    )
    parser.add_argument(
        "--algo", choices=("a2c", "ppo", "dqn"), default="ppo", help="the algorithm (default: ppo)"
    )
    parser.add_argument("--obs", choices=("symbolic", "rgb"), default="symbolic", help="observations")
    parser.add_argument("--n-envs", type=int, default=None, metavar="K", help="parallel environments per run")
    parser.add_argument(
        "--config", default=None, metavar="FILE", help="a hyperparameter file (RL Zoo format)"
    )
    parser.add_argument(
        "--hyperparams",
        default=None,
        metavar="NAME",
        help="a bundled hyperparameter preset: default or paper (the paper's A2C, with --algo a2c)",
    )
    parser.add_argument(
        "--episodes",
        type=int,
        default=30,
        metavar="N",
        help="evaluation episodes per human level and levels per generated set (default: 30)",
    )
    parser.add_argument("--runs", default="runs/experiment", metavar="DIR", help="where the runs go")
    parser.add_argument(
        "--results",
        default="results",
        metavar="DIR",
        help="where the results go: DIR/GAME/, or a new DIR/GAME-2/ ... when that holds results already",
    )
    parser.add_argument(
        "--replace", action="store_true", help="overwrite the results in DIR/GAME/ instead"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help="torch threads per run (default: 1; with --backend ray, --cpus-per-run)",
    )
    parser.add_argument(
        "--checkpoint-every",
        type=int,
        default=None,
        metavar="N",
        help="environment steps between a run's checkpoints (default: a tenth of the budget, >= 10,000)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    grid = parser.add_argument_group(
        "backend", "where the runs are trained (the runs, their folders and the results are the same)"
    )
    grid.add_argument(
        "--backend",
        choices=BACKENDS,
        default="local",
        help="local: one run after another in this process (the default); ray: each run a Ray task, on a "
        "local Ray cluster or the one --address names (pip install 'ppcg[ray]')",
    )
    grid.add_argument(
        "--address",
        default=None,
        metavar="ADDR",
        help="ray: join this running cluster (the address `ray start --head` printed, or auto); default: "
        "start a Ray cluster on this machine",
    )
    grid.add_argument(
        "--cpus-per-run",
        type=int,
        default=None,
        metavar="N",
        help="ray: CPU cores each run reserves, and its torch and engine threads (default: 1)",
    )
    grid.add_argument(
        "--gpus-per-run",
        type=float,
        default=None,
        metavar="G",
        help="ray: GPUs each run reserves, a fraction shares one (default: 0: the network runs on the CPU)",
    )
    grid.add_argument(
        "--retries",
        type=int,
        default=None,
        metavar="N",
        help="ray: times a run whose worker died is started again, from its last checkpoint (default: 3)",
    )
    add_device_argument(parser)
    parser.add_argument(
        "--note",
        default=None,
        metavar="TEXT",
        help="a remark for results/GAME/README.md (e.g. the machine's load)",
    )


@dataclass(frozen=True)
class GridRun:
    """One run of the grid: a (condition, seed), its settings and its folder (``RUNS/GAME/<label>-s<seed>``).

    ``total`` is its budget in environment steps (the settings' or the hyperparameter file's).
    """

    condition: Condition
    seed: int
    settings: Any
    path: Path
    total: int

    @property
    def name(self) -> str:
        """``lvl0 s1``: how messages name the run."""
        return f"{self.condition.label} s{self.seed}"

    @property
    def level_sets(self) -> list[str]:
        """The sets it is evaluated on."""
        return [*TEST_SETS, "train"] if self.condition.has_training_set else list(TEST_SETS)


def plan_grid(args: argparse.Namespace, conditions: list[Condition]) -> list[GridRun]:
    """Every (condition, seed) run of the experiment, in the results' order, each checked before any folder is
    made: its hyperparameters and curriculum (:func:`~ppcg.agents.train.check_settings`; ``lvl7`` of a game
    with five levels) and, where its folder holds a run already, that the run was made with these settings.

    Raises:
        ConfigError, RunError, ValueError: a run that cannot be trained as asked (the message says why).
    """
    from ppcg.agents.run import RunDir
    from ppcg.agents.train import TrainSettings, check_settings, resolve

    ray = args.backend == "ray"
    threads = args.threads or ((args.cpus_per_run or 1) if ray else 1)
    options = curriculum_options(args, conditions)
    runs = []
    for cond in conditions:
        for seed in range(args.seeds):
            settings = TrainSettings(
                game=args.game,
                algo=args.algo,
                curriculum=cond.curriculum,
                difficulty=cond.difficulty,
                level=cond.level,
                timesteps=args.timesteps,
                seed=seed,
                obs=args.obs,
                n_envs=args.n_envs,
                config=None if args.config is None else str(Path(args.config).resolve()),
                checkpoint_every=args.checkpoint_every,
                eval_episodes=0,
                threads=threads,
                env_threads=(args.cpus_per_run or 1) if ray else 1,
                num_levels=cond.num_levels,
                hyperparams=getattr(args, "hyperparams", None),
                device=args.device,
                curriculum_options=options.get(cond.curriculum),
            )
            check_settings(settings)
            path = Path(args.runs) / args.game / f"{cond.label.replace(':', '-n')}-s{seed}"
            if (path / "run.json").is_file():
                _check_same(RunDir.open(path), settings)
            runs.append(GridRun(cond, seed, settings, path, resolve(settings, quiet=True)[0].n_timesteps))
    return runs


def is_done(job: GridRun, episodes: int) -> bool:
    """Whether the run is complete and evaluated with these settings (nothing left to do)."""
    from ppcg.agents.run import RunDir

    if not (job.path / "run.json").is_file():
        return False
    run_dir = RunDir.open(job.path)
    evaluated = _cached_eval(run_dir, episodes, train=job.condition.has_training_set) is not None
    return run_dir.is_complete and evaluated


def train_and_evaluate(
    job: GridRun,
    *,
    episodes: int,
    progress: bool = True,
    device: str | None = None,
    command: str | None = None,
    path: Path | None = None,
    say: Any = print,
) -> None:
    """Bring one run of the grid to its end: train it (new), continue it (interrupted: from its last
    checkpoint) or leave it (complete), then evaluate it unless its evaluation is there already. Both backends
    run this; ``path`` is the folder to work in when it is not ``job.path`` (a Ray worker's own copy).

    The folder is held (:meth:`~ppcg.agents.run.RunDir.lock`) while it is trained and evaluated: a second
    process that reaches it meanwhile (another ``ppcg experiment`` on the same runs) gets a
    :class:`~ppcg.agents.run.RunError` and writes nothing.
    """
    from ppcg.agents.evaluate import evaluate_run
    from ppcg.agents.run import RunDir
    from ppcg.agents.train import train

    path = job.path if path is None else path
    run_dir = None
    try:
        if (path / "run.json").is_file():
            run_dir = RunDir.open(path).lock()
            _check_same(run_dir, job.settings)
            if run_dir.is_complete:
                say(f"[{job.name}] complete: {job.path}")
            else:
                say(f"[{job.name}] resuming {job.path}")
                train(job.settings, run_dir, resume=True, progress=progress, device=device)
        else:
            say(f"[{job.name}] training -> {job.path}")
            run_dir = RunDir.create(path, path.name)
            train(job.settings, run_dir, progress=progress, device=device, command=command)
        if _cached_eval(run_dir, episodes, train=job.condition.has_training_set) is None:
            run_dir.lock()  # train() lets the folder go when it ends
            say(f"[{job.name}] evaluating")
            evaluate_run(
                run_dir,
                level_sets=job.level_sets,
                episodes=episodes,
                seed=12345,
                device=device or job.settings.device,
            )
    finally:
        if run_dir is not None:
            run_dir.unlock()


def run(args: argparse.Namespace) -> int:
    """``ppcg experiment``: train and evaluate what is missing, then write ``results/GAME/``."""
    from ppcg.agents.config import ConfigError
    from ppcg.agents.run import RunDir, RunError

    from ppcg.cli import CLIError

    try:
        conditions = parse_conditions(args.conditions)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if args.seeds < 1:
        raise CLIError("--seeds must be >= 1")
    _check_backend_options(args)
    if args.backend == "local":
        try:
            resolve_device(args.device)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
    command = (
        "ppcg experiment " + " ".join(shlex.quote(a) for a in sys.argv[2:])
        if sys.argv[1:2] == ["experiment"]
        else "ppcg experiment " + _reconstruct(args)
    )
    wall_start = time.time()
    try:
        jobs = plan_grid(args, conditions)
        if args.backend == "ray":
            from ppcg.agents.ray_backend import run_grid

            run_grid(jobs, args, command=command)
        else:
            for job in jobs:
                train_and_evaluate(
                    job, episodes=args.episodes, progress=not args.no_progress, device=args.device,
                    command=command,
                )
        records = []
        for job in jobs:
            run_dir = RunDir.open(job.path)
            report = _cached_eval(run_dir, args.episodes, train=job.condition.has_training_set)
            if report is None:
                raise RunError(f"{job.path}: no evaluation with --episodes {args.episodes} after its run")
            records.append(_record(job.condition, job.seed, run_dir, report))
    except (ConfigError, RunError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    wall = time.time() - wall_start
    out_dir = results_folder(Path(args.results), args.game, replace=getattr(args, "replace", False))
    write_results(out_dir, args.game, conditions, records, command=command, wall_seconds=wall, args=args)
    print((out_dir / "README.md").read_text(encoding="utf-8"))
    return 0


def _check_backend_options(args: argparse.Namespace) -> None:
    """``--address``, ``--cpus-per-run`` ... belong to ``--backend ray``; their values must make sense.

    Raises:
        CLIError: an option of the Ray backend with the local one, or a bad value.
    """
    from ppcg.cli import CLIError

    given = [f"--{name.replace('_', '-')}" for name in RAY_OPTIONS if getattr(args, name, None) is not None]
    if args.backend != "ray" and given:
        raise CLIError(f"{', '.join(given)} {'is an option' if len(given) == 1 else 'are options'} of "
                       "--backend ray")
    for name, low in (("threads", 1), ("checkpoint_every", 1), ("cpus_per_run", 1), ("retries", 0)):
        value = getattr(args, name, None)
        if value is not None and value < low:
            raise CLIError(f"--{name.replace('_', '-')} must be >= {low}, not {value}")
    gpus = getattr(args, "gpus_per_run", None)
    if gpus is not None and gpus < 0:
        raise CLIError(f"--gpus-per-run must be >= 0, not {gpus:g}")
    if args.backend == "ray" and args.device == "cuda" and not gpus:
        raise CLIError("--device cuda with --backend ray needs --gpus-per-run G > 0 (the GPUs Ray gives)")


_MUST_MATCH = (
    "game",
    "algo",
    "curriculum",
    "difficulty",
    "level",
    "timesteps",
    "seed",
    "obs",
    "n_envs",
    "config",
    "num_levels",
    "hyperparams",
    "curriculum_options",
)


def curriculum_options(args: argparse.Namespace, conditions: list[Condition]) -> dict[str, dict[str, Any]]:
    """Curriculum name -> its options, from the ``--curriculum-config`` files (each names its curriculum).

    Raises:
        CurriculumConfigError: a file that cannot be read or checked (the message names file and line).
        ValueError: two files for one curriculum, or a file for a curriculum no condition uses.
    """
    from ppcg.curricula.config import read_named_options

    out: dict[str, dict[str, Any]] = {}
    used = {c.curriculum for c in conditions}
    for path in getattr(args, "curriculum_config", None) or []:
        name, opts = read_named_options(path, game=args.game)
        if name in out:
            raise ValueError(f"{path}: a second --curriculum-config for {name!r}; give one file per curriculum")
        if name not in used:
            raise ValueError(
                f"{path}: configures {name!r}, which no condition of --conditions {args.conditions!r} uses"
            )
        out[name] = opts
    return out


def results_folder(base: Path, game: str, *, replace: bool = False) -> Path:
    """Where an experiment's results go: ``base/game`` when it is new or empty (or ``replace``), else a new
    ``base/game-2``, ``-3`` ... so that earlier results (the repository's own) are never overwritten."""
    from ppcg.agents.run import new_folder

    path = base / game
    if replace or not path.exists() or (path.is_dir() and not any(path.iterdir())):
        return path
    fresh = new_folder(base, game)
    print(f"{path} holds earlier results; these go to {fresh} (--replace overwrites {path})", file=sys.stderr)
    return fresh


def _check_same(run_dir: Any, settings: Any) -> None:
    """A run found in the runs folder must have been made with these settings, else it is not reused.

    Raises:
        RunError: a setting differs (the message names it and suggests another ``--runs``).
    """
    from ppcg.agents.run import RunError

    saved = run_dir.read_config().get("settings", {})
    for key in _MUST_MATCH:
        was = saved.get(key, getattr(type(settings), key, None))  # a setting newer than the run: its default
        if was != getattr(settings, key):
            raise RunError(
                f"{run_dir.path} was trained with {key}={was!r}, not {getattr(settings, key)!r}; "
                "use another --runs folder for a different experiment"
            )


def _reconstruct(args: argparse.Namespace) -> str:
    parts = [args.game, "--conditions", args.conditions, "--seeds", str(args.seeds)]
    if args.timesteps is not None:
        parts += ["--timesteps", str(args.timesteps)]
    return " ".join(shlex.quote(p) for p in parts)


def _cached_eval(run_dir: Any, episodes: int, *, train: bool = False) -> dict[str, Any] | None:
    path = run_dir.eval_path_for([*TEST_SETS, *(["train"] if train else [])], episodes, 12345)
    if not path.is_file():
        return None
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    want = {"human", "d=0.5", "d=1", *(["train"] if train else [])}
    if report.get("episodes") != episodes or not want <= set(report.get("sets", {})):
        return None
    if report.get("timesteps") != run_dir.status().get("timesteps"):
        return None
    return report


def _record(cond: Condition, seed: int, run_dir: Any, report: dict[str, Any]) -> dict[str, Any]:
    status = run_dir.status()
    sets = {}
    for name, s in report["sets"].items():
        sets[name] = {
            "win_rate": s["overall"]["win_rate"],
            "score": s["overall"]["score_mean"],
            # per level (the tasks of the IQM over seeds x levels): a human level's win rate over its
            # episodes, a generated level's 0 or 1
            "level_win_rate": {lid: lv["win_rate"] for lid, lv in s["levels"].items()},
            "level_score": {lid: lv["score_mean"] for lid, lv in s["levels"].items()},
        }
        if name == "human":
            for lid, lv in s["levels"].items():
                sets[f"human/{lid}"] = {"win_rate": lv["win_rate"], "score": lv["score_mean"]}
    return {
        "condition": cond.label,
        "seed": seed,
        "run": str(run_dir.path),
        "timesteps": status.get("timesteps"),
        "train_seconds": status.get("train_seconds"),
        "steps_per_second": status.get("steps_per_second"),
        "eval_seconds": report.get("seconds"),
        "device": status.get("device", "cpu"),
        "curriculum": cond.curriculum,
        "curriculum_options": _saved_settings(run_dir).get("curriculum_options") or None,
        "sets": sets,
        "progress": _read_progress(run_dir.path / "progress.csv"),
    }


def _saved_settings(run_dir: Any) -> dict[str, Any]:
    """The settings a run folder was made with (none for a folder without its configuration)."""
    return run_dir.read_config().get("settings", {}) if run_dir.config_path.is_file() else {}


def _options_of(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Curriculum -> the options its runs were trained with (``--curriculum-config``), where any were."""
    return {r["curriculum"]: r["curriculum_options"] for r in records if r.get("curriculum_options")}


def _read_progress(path: Path) -> list[dict[str, float]]:
    if not path.is_file():
        return []
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rows.append({k: (float(v) if v not in ("", None) else math.nan) for k, v in row.items()})
    return rows


METRICS = ("win_rate", "score")


def summarise(
    records: list[dict[str, Any]], conditions: list[Condition]
) -> dict[str, dict[str, dict[str, Any]]]:
    """condition -> test set -> {win_rate: Aggregate, score: Aggregate, n: seeds}.

    Each :class:`~ppcg.agents.stats.Aggregate` holds the mean and standard error across seeds of the seeds'
    figures on the set and, where the runs kept per-level figures, the IQM over seeds x levels with its 95%
    stratified bootstrap confidence interval (:mod:`ppcg.agents.stats`).
    """
    from ppcg.agents.stats import aggregate

    out: dict[str, dict[str, dict[str, Any]]] = {}
    for cond in conditions:
        recs = [r for r in records if r["condition"] == cond.label]
        names = sorted({k for r in recs for k in r["sets"]}, key=_set_order)
        out[cond.label] = {}
        for name in names:
            have = [r["sets"][name] for r in recs if name in r["sets"]]
            entry: dict[str, Any] = {
                metric: aggregate([s[metric] for s in have], level_scores(have, metric)) for metric in METRICS
            }
            entry["n"] = len(have)
            out[cond.label][name] = entry
    return out


def level_scores(sets: list[dict[str, Any]], metric: str) -> Any:
    """The runs x levels matrix of ``metric`` for one condition and test set (one row per seed), or None.

    Columns are the levels by id when every run has the same levels (the human levels, the generated test
    sets); runs evaluated on levels of their own (their training sets) line up their k-th levels. None when a
    run has no per-level figures, the runs have different numbers of levels, or a figure is missing (NaN).
    """
    import numpy as np

    rows = [s.get(f"level_{metric}") for s in sets]
    if not rows or not all(rows):
        return None
    ids = list(rows[0])
    if all(set(row) == set(ids) for row in rows):
        m = np.array([[row[i] for i in ids] for row in rows], dtype=float)
    elif all(len(row) == len(ids) for row in rows):
        m = np.array([list(row.values()) for row in rows], dtype=float)
    else:
        return None
    return None if np.isnan(m).any() else m


def _set_order(name: str) -> tuple[int, str]:
    if name.startswith("human/"):
        return (0, name)
    return ({"human": 1, "d=0.5": 2, "d=1": 3, "train": 5}.get(name, 4), name)


def _fmt_mean(a: Any, pct: bool) -> str:
    if math.isnan(a.mean):
        return "-"
    k, digits = (100, 0) if pct else (1, 2)
    return f"{k * a.mean:.{digits}f}" + ("" if math.isnan(a.se) else f" ± {k * a.se:.{digits}f}")


def _fmt_iqm(a: Any, pct: bool) -> str:
    if math.isnan(a.iqm):
        return "-"
    k, digits = (100, 0) if pct else (1, 2)
    return f"{k * a.iqm:.{digits}f} [{k * a.ci[0]:.{digits}f}, {k * a.ci[1]:.{digits}f}]"


def markdown_tables(
    summary: dict[str, dict[str, dict[str, Any]]], names: dict[str, str] | None = None
) -> str:
    """Per metric (win rate in %, score) two tables, rows conditions (``names``: label -> readable name):
    the IQM over seeds x levels with its 95% confidence interval per test set, and the mean ± standard error
    across seeds per test set and per human level."""
    names = names or {}
    sets = sorted({s for c in summary.values() for s in c}, key=_set_order)
    pooled = [s for s in sets if not s.startswith("human/")]
    parts = []
    for metric, title, pct in (("win_rate", "Win rate (%)", True), ("score", "Score", False)):
        for kind, columns, fmt in (
            ("IQM [95% CI] over seeds x levels", pooled, _fmt_iqm),
            ("mean ± standard error across seeds", sets, _fmt_mean),
        ):
            if fmt is _fmt_iqm and not any(
                not math.isnan(row[s][metric].iqm) for row in summary.values() for s in row
            ):
                continue  # no per-level figures: no IQM
            header = (
                "| condition | "
                + " | ".join(
                    s.replace("human/", "") if s.startswith("human/") else f"**{s}**" for s in columns
                )
                + " |"
            )
            lines = [f"### {title}: {kind}", "", header, "|---|" + "---:|" * len(columns)]
            for cond, row in summary.items():
                lines.append(
                    f"| {names.get(cond, cond)} | "
                    + " | ".join(fmt(row[s][metric], pct) if s in row else "-" for s in columns)
                    + " |"
                )
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


STATISTICS_NOTE = (
    "- Statistics (as rliable, Agarwal et al. 2021): **IQM** is the interquartile mean (the mean of the "
    "middle 50%) of the seeds x levels scores: one entry per seed and level, a human level's win rate over "
    "its episodes, a generated level's 0 or 1. **[95% CI]** is its percentile interval over {reps:,} "
    "stratified bootstrap resamples (the seeds drawn again, with replacement, level by level; fixed seed). "
    "**mean ± s.e.**: the mean across seeds of each seed's figure on the set, ± its standard error (sample "
    "standard deviation / sqrt(seeds); none for one seed). On a generated set (entries 0 or 1) the IQM is 0 "
    "below about 25% wins and 1 above 75%: read the mean there."
)


def write_results(
    out_dir: Path,
    game: str,
    conditions: list[Condition],
    records: list[dict[str, Any]],
    *,
    command: str,
    wall_seconds: float,
    args: argparse.Namespace | None = None,
) -> None:
    """Write README.md, summary.json and the plots to ``out_dir``."""
    from ppcg.agents.display import condition_name
    from ppcg.agents.run import atomic_write_text
    from ppcg.agents.stats import BOOTSTRAP_REPS

    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarise(records, conditions)
    train_s = sum(r["train_seconds"] or 0.0 for r in records)
    eval_s = sum(r["eval_seconds"] or 0.0 for r in records)
    sps = [r["steps_per_second"] for r in records if r.get("steps_per_second")]
    seeds = sorted({r["seed"] for r in records})
    steps = sorted({r["timesteps"] for r in records if r["timesteps"]})
    plots = _plots(out_dir, conditions, records, summary)
    names = {c.label: condition_name(c) for c in conditions}
    devices = sorted({r.get("device") or "cpu" for r in records})
    lines = [
        f"# {game}: fixed versus generated levels (ppcg experiment)",
        "",
        "Produced by:",
        "",
        f"```bash\n{command}\n```",
        "",
        f"- Conditions: {', '.join(f'{names[c.label]} (`{c.label}`)' for c in conditions)}; seeds {seeds}; "
        f"{', '.join(f'{s:,}' for s in steps)} environment steps per run.",
        *[
            f"- Options of `{name}` (`--curriculum-config`): "
            + ", ".join(f"{k}={v!r}" for k, v in sorted(opts.items()))
            for name, opts in sorted(_options_of(records).items())
        ],
        f"- Machine time: {wall_seconds / 60:.1f} min wall clock for this invocation; "
        f"{train_s / 60:.1f} min of training and {eval_s / 60:.1f} min of evaluation summed over runs "
        "(runs that were already complete count their original time). "
        f"Training speed {min(sps, default=0):,.0f}-{max(sps, default=0):,.0f} steps/s.",
        f"- Machine: {platform.machine()}, {_cpu_count()} CPU cores, Python {platform.python_version()}; "
        f"torch and the engine on one thread each; torch on {' and '.join(devices)}.",
        *([f"- Note: {args.note}"] if args is not None and getattr(args, "note", None) else []),
        "- Evaluation: the human levels (30 episodes each by default; `human` is all of them together) "
        "and 30 generated levels at d = 0.5 and at d = 1 (level seeds reserved for testing, never trained "
        "on), one episode each; actions sampled from the policy; a win is the game's win."
        + (
            " `train`: 30 of the run's own training levels (conditions trained on N levels, `:N`), one "
            "episode each; its gap to the test sets is what the agent memorized."
            if any(c.has_training_set for c in conditions)
            else ""
        ),
        STATISTICS_NOTE.format(reps=BOOTSTRAP_REPS),
        "",
        markdown_tables(summary, names),
        "",
        "## Plots",
        "",
    ]
    lines += [f"![{name}]({name})" for name in plots]
    lines += [
        "",
        "Per-run figures are in `summary.json`; run folders (models, TensorBoard logs) in "
        f"`{Path(getattr(args, 'runs', 'runs/experiment')) / game}/`.",
        "",
    ]
    atomic_write_text(out_dir / "README.md", "\n".join(lines))
    slim = [{k: v for k, v in r.items() if k != "progress"} for r in records]
    data = {
        "game": game,
        "command": command,
        "wall_seconds": round(wall_seconds, 1),
        "runs": slim,
        "summary": {
            c: {s: {k: v.to_dict() if k in METRICS else v for k, v in d.items()} for s, d in row.items()}
            for c, row in summary.items()
        },
    }
    atomic_write_text(out_dir / "summary.json", json.dumps(data, indent=1, allow_nan=True) + "\n")


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 0


def _plots(
    out_dir: Path, conditions: list[Condition], records: list[dict[str, Any]], summary: dict[str, Any]
) -> list[str]:
    """Plots: training win rate, PPCG's difficulty over time, generalization bars; returns file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from ppcg.agents.display import condition_color, condition_name

    written = []
    fig, ax = plt.subplots(figsize=(9.5, 4))
    seed_counts = set()
    for cond in conditions:
        curves = [_curve(r["progress"], "win_rate") for r in records if r["condition"] == cond.label]
        curves = [c for c in curves if len(c[0])]
        if not curves:
            continue
        seed_counts.add(len(curves))
        t, mean, se = _mean_curve(curves)
        color = condition_color(cond)
        ax.plot(t, mean, color=color, lw=1.5, label=condition_name(cond))
        if len(curves) > 1:
            ax.fill_between(t, mean - se, mean + se, color=color, alpha=0.25, lw=0)
    ax.set_xlabel("environment steps")
    ax.set_ylabel("training win rate (last 100 episodes)")
    ax.set_ylim(-0.02, 1.02)
    if seed_counts:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    seeds = "/".join(str(n) for n in sorted(seed_counts)) or "0"
    ax.set_title(f"Training win rate: mean across {seeds} seeds, band ± 1 standard error", fontsize="medium")
    fig.tight_layout()
    fig.savefig(out_dir / "training_win_rate.png", dpi=110)
    plt.close(fig)
    written.append("training_win_rate.png")

    ppcg_runs = [r for r in records if r["condition"] == "ppcg"]
    if ppcg_runs:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        for r in ppcg_runs:
            rows = [p for p in r["progress"] if not math.isnan(p.get("difficulty", math.nan))]
            ax.plot(
                [p["timesteps"] for p in rows],
                [p["difficulty"] for p in rows],
                lw=1.2,
                label=f"seed {r['seed']}",
            )
        ax.set_xlabel("environment steps")
        ax.set_ylabel("difficulty d")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title("Progressive PCG: difficulty over training")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out_dir / "ppcg_difficulty.png", dpi=110)
        plt.close(fig)
        written.append("ppcg_difficulty.png")

    sets = [s for s in ("human", "d=0.5", "d=1", "train") if any(s in row for row in summary.values())]
    names = {"human": "human levels", "train": "its training levels"}
    if sets:
        fig, ax = plt.subplots(figsize=(9.5, 4))
        width = 0.8 / max(1, len(conditions))
        x = np.arange(len(sets))
        for k, cond in enumerate(conditions):
            row = summary[cond.label]
            got = [row[s]["win_rate"] if s in row else None for s in sets]
            iqm = np.array([np.nan if a is None else a.iqm for a in got])
            low = np.array([np.nan if a is None else a.ci[0] for a in got])
            high = np.array([np.nan if a is None else a.ci[1] for a in got])
            mean = np.array([np.nan if a is None else a.mean for a in got])
            at = x + (k - (len(conditions) - 1) / 2) * width
            ax.bar(
                at,
                iqm,
                width,
                yerr=np.nan_to_num(np.vstack([iqm - low, high - iqm])),
                capsize=3,
                label=condition_name(cond),
                color=condition_color(cond),
            )
            ax.plot(
                at, mean, "o", ms=4, mfc="white", mec="black", label="mean across seeds" if k == 0 else None
            )
        ax.set_xticks(x, [names.get(s, f"generated {s}") for s in sets])
        ax.set_ylabel("win rate: IQM over seeds x levels")
        ax.set_ylim(0, 1.05)
        title = "test levels" if "train" not in sets else "test levels and the training levels"
        ax.set_title(
            f"Generalization: win rate on {title}\n(bars: IQM, error bars: 95% stratified bootstrap CI)",
            fontsize="medium",
        )
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.tight_layout()
        fig.savefig(out_dir / "generalization.png", dpi=110)
        plt.close(fig)
        written.append("generalization.png")
    return written


def _curve(progress: list[dict[str, float]], key: str) -> tuple[Any, Any]:
    """(steps, values) of one run's ``progress.csv`` column, without the rows where it is NaN."""
    import numpy as np

    rows = [p for p in progress if not math.isnan(p.get(key, math.nan))]
    return np.array([p["timesteps"] for p in rows]), np.array([p[key] for p in rows])


def _mean_curve(curves: list[tuple[Any, Any]]) -> tuple[Any, Any, Any]:
    """Seeds' curves on their common range of steps (each interpolated to every step any of them logged):
    (steps, mean, standard error across seeds; 0 for one seed)."""
    import numpy as np

    first = max(t[0] for t, _ in curves)
    last = min(t[-1] for t, _ in curves)
    grid = np.unique(np.concatenate([t for t, _ in curves]))
    grid = grid[(grid >= first) & (grid <= last)]
    values = np.array([np.interp(grid, t, v) for t, v in curves])
    se = values.std(axis=0, ddof=1) / np.sqrt(len(curves)) if len(curves) > 1 else np.zeros(len(grid))
    return grid, values.mean(axis=0), se
