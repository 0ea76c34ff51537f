"""``ppcg train``: train a Stable-Baselines3 agent on a game with a curriculum, then evaluate it.

    ppcg train zelda --algo a2c --curriculum ppcg
    ppcg train zelda --algo ppo --curriculum fixed --level 0 --timesteps 500000 --seed 1
    ppcg train zelda --algo a2c --curriculum difficulty --difficulty 0.5 --obs rgb
    ppcg train zelda --resume --out runs/zelda-a2c-ppcg-s0

The environments are one native vector env (``ppcg.make_vec``: every environment stepped in one engine call)
whose level source is the curriculum, presented to SB3 by :class:`ppcg.agents.vec_env.SB3VecEnv`.
Hyperparameters come from ``agents/hyperparams/<algo>.yml`` (RL Zoo format; ``--config`` for another file);
``--timesteps`` and ``--n-envs`` override the file. Everything the run produces goes to its run folder
(:mod:`ppcg.agents.run`).
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import time
import zipfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ppcg.agents.device import add_device_argument, resolve_device

__all__ = ["TrainSettings", "add_arguments", "run", "train", "env_id_for", "make_curriculum", "make_env"]

ALGOS = ("a2c", "ppo", "dqn")
CURRICULA = ("ppcg", "random", "difficulty", "fixed", "plr", "ppcg-winrate", "accel")
OBS_TYPES = ("symbolic", "rgb")
LOG_FILE = "progress.csv"
LOG_COLUMNS = ("timesteps", "seconds", "episodes", "win_rate", "mean_score", "mean_length", "difficulty")


@dataclass
class TrainSettings:
    """What ``ppcg train`` was asked to do (saved in the run folder's ``config.yaml``).

    Attributes:
        game: a bundled game (``"zelda"``).
        algo: ``"a2c"``, ``"ppo"`` or ``"dqn"``.
        curriculum: ``"ppcg"``, ``"random"``, ``"difficulty"``, ``"fixed"`` or ``"plr"``.
        difficulty: the difficulty of ``difficulty`` (and PPCG's start); None: the curriculum's default.
        level: the human level of ``fixed`` (index; None: all of them in turn).
        timesteps: the budget; None: the hyperparameter file's ``n_timesteps``.
        seed: seeds the environments, their levels, and the network.
        obs: ``"symbolic"`` or ``"rgb"``.
        n_envs: parallel environments; None: the file's ``n_envs``.
        config: a hyperparameter file; None: the bundled one.
        checkpoint_every: environment steps between checkpoints; None: a tenth of the budget (at least
            10,000).
        eval_episodes: episodes per human level, and levels per generated test set, in the final evaluation
            (0: no evaluation).
        threads: torch threads (default 1: on a small machine shared with other work, torch's thread pool
            spin-waits for busy cores; measured 16x slower under load with 2 threads than with 1).
        env_threads: numba threads for the engine's parallel step (default 1: on a small shared machine, one
            thread beats numba's thread pool fighting torch and other processes for the cores).
        curriculum_options: the curriculum's options (from ``--curriculum-config``: ``alpha``, ``robust``
            ...).
        num_levels: Procgen's ``num_levels``: train on the generated levels of this many seeds only (0: a new
            level every episode).
        start_level: the first of those seeds.
        eval_every: environment steps between evaluations on held-out levels during training (learning
            curves in ``eval_progress.csv`` and TensorBoard); None: a tenth of the budget; 0: none.
        eval_levels: episodes per level set in those evaluations.
        hyperparams: a named preset of the bundled hyperparameters (:data:`ppcg.agents.config.PRESETS`:
            ``default``, ``paper``); None: ``default``. ``config`` (a file) takes precedence.
        device: where torch runs: ``"auto"``, ``"cpu"`` or ``"cuda"`` (:mod:`ppcg.agents.device`; a config
            saved before this setting reads as ``"cpu"``).
    """

    game: str = "zelda"
    algo: str = "ppo"
    curriculum: str = "ppcg"
    difficulty: float | None = None
    level: int | None = None
    timesteps: int | None = None
    seed: int = 0
    obs: str = "symbolic"
    n_envs: int | None = None
    config: str | None = None
    checkpoint_every: int | None = None
    eval_episodes: int = 30
    threads: int | None = 1
    env_threads: int = 1
    curriculum_options: dict[str, Any] | None = None
    num_levels: int = 0
    start_level: int = 0
    eval_every: int | None = None
    eval_levels: int = 20
    hyperparams: str | None = None
    device: str = "cpu"

    def run_name(self) -> str:
        """Default run folder (``zelda-a2c-ppcg-s0``, ``zelda-a2c-difficulty0.5-s1``, ``...-lvl0-...``,
        ``zelda-a2c-random-n200-s0`` for 200 training levels)."""
        cond = self.curriculum
        if self.curriculum == "difficulty" and self.difficulty is not None:
            cond = f"difficulty{self.difficulty:g}"
        elif self.curriculum == "fixed":
            cond = "lvlall" if self.level is None else f"lvl{self.level}"
        if self.num_levels:
            cond += f"-n{self.num_levels}" + (f"from{self.start_level}" if self.start_level else "")
        obs = "" if self.obs == "symbolic" else f"-{self.obs}"
        return f"{self.game}-{self.algo}-{cond}{obs}-s{self.seed}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainSettings:
        """Settings from a saved ``config.yaml`` section (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``ppcg train`` arguments."""
    parser.add_argument("game", help="a bundled game (zelda, solarfox, frogs, boulderdash)")
    parser.add_argument(
        "--algo",
        choices=ALGOS,
        default="ppo",
        help="the algorithm (default: ppo; the paper's a2c with --algo a2c --hyperparams paper)",
    )
    parser.add_argument(
        "--curriculum", choices=CURRICULA, default="ppcg", help="how levels are chosen (default: ppcg)"
    )
    parser.add_argument(
        "--difficulty",
        type=float,
        default=None,
        metavar="D",
        help="the difficulty in [0, 1] for --curriculum difficulty (and PPCG's starting d)",
    )
    parser.add_argument(
        "--level",
        type=int,
        default=None,
        metavar="N",
        help="the human level (0-4) for --curriculum fixed (default: all five in turn)",
    )
    parser.add_argument(
        "--num-levels",
        type=_natural_int,
        default=0,
        metavar="N",
        help="train on the generated levels of N seeds only, as Procgen's num_levels (default 0: a new "
        "level every episode)",
    )
    parser.add_argument(
        "--start-level",
        type=_natural_int,
        default=0,
        metavar="S",
        help="the first of the --num-levels seeds (default: 0)",
    )
    parser.add_argument(
        "--timesteps",
        type=_positive_int,
        default=None,
        metavar="N",
        help="environment steps (default: the hyperparameter file's n_timesteps)",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="the run's seed (default: 0)")
    parser.add_argument(
        "--obs", choices=OBS_TYPES, default="symbolic", help="observations (default: symbolic)"
    )
    parser.add_argument(
        "--n-envs",
        type=_positive_int,
        default=None,
        metavar="K",
        help="parallel environments (default: the hyperparameter file's n_envs)",
    )
    parser.add_argument(
        "--config", default=None, metavar="FILE", help="a hyperparameter file (RL Zoo format)"
    )
    parser.add_argument(
        "--hyperparams",
        default=None,
        metavar="NAME",
        help="a bundled hyperparameter preset: default (tuned for this suite) or paper (Justesen et al.'s "
        "A2C, for reproduction)",
    )
    parser.add_argument(
        "--curriculum-config",
        default=None,
        metavar="FILE",
        help="the curriculum's options, YAML (e.g. 'alpha: 0.02' for ppcg, 'robust: true' for plr)",
    )
    parser.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="the run folder (default: runs/GAME-ALGO-CURRICULUM-sSEED, or the next free -2, -3 ...)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --out (default: the latest run of that name) from its last checkpoint "
        "(A2C, PPO: exactly as if it had not stopped)",
    )
    parser.add_argument(
        "--checkpoint-every",
        type=_positive_int,
        default=None,
        metavar="N",
        help="environment steps between checkpoints, taken at the next rollout's start "
        "(default: a tenth of the budget)",
    )
    parser.add_argument(
        "--eval-episodes",
        type=int,
        default=30,
        metavar="N",
        help="episodes per human level and levels per generated set in the final evaluation (0: skip)",
    )
    parser.add_argument(
        "--eval-every",
        type=_natural_int,
        default=None,
        metavar="N",
        help="evaluate on held-out levels every N steps during training: learning curves in "
        "eval_progress.csv and TensorBoard (default: a tenth of the budget; 0: never)",
    )
    parser.add_argument(
        "--eval-levels",
        type=_positive_int,
        default=20,
        metavar="K",
        help="episodes per level set in those evaluations (default: 20)",
    )
    parser.add_argument(
        "--threads", type=_positive_int, default=1, metavar="N", help="torch threads (default: 1)"
    )
    parser.add_argument(
        "--env-threads",
        type=_positive_int,
        default=1,
        metavar="N",
        help="engine (numba) threads (default: 1)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_device_argument(parser, default=None)


def _whole_number(text: str, low: int) -> int:
    try:
        value = int(float(text)) if "e" in text.lower() else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"expected a number >= {low}, got {value}")
    return value


def _positive_int(text: str) -> int:
    return _whole_number(text, 1)


def _natural_int(text: str) -> int:
    return _whole_number(text, 0)


def settings_from_args(args: argparse.Namespace) -> TrainSettings:
    """Check the arguments and turn them into :class:`TrainSettings`."""
    from ppcg.cli import CLIError

    if args.difficulty is not None and not 0.0 <= args.difficulty <= 1.0:
        raise CLIError(f"--difficulty must be in [0, 1], got {args.difficulty}")
    if args.curriculum == "difficulty" and args.difficulty is None:
        raise CLIError("--curriculum difficulty needs --difficulty D")
    if args.level is not None and args.curriculum != "fixed":
        raise CLIError("--level is for --curriculum fixed")
    if args.curriculum not in ("difficulty", "ppcg") and args.difficulty is not None:
        raise CLIError(f"--difficulty has no meaning for --curriculum {args.curriculum}")
    if args.eval_episodes < 0:
        raise CLIError("--eval-episodes must be >= 0")
    num_levels, start_level = getattr(args, "num_levels", 0), getattr(args, "start_level", 0)
    if num_levels and args.curriculum == "fixed":
        raise CLIError("--num-levels chooses among generated levels; --curriculum fixed plays human levels")
    if start_level and not num_levels:
        raise CLIError("--start-level needs --num-levels N (the seeds start_level ... start_level + N - 1)")
    device = getattr(args, "device", None) or "auto"
    try:
        resolve_device(device)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    curriculum_options = None
    if getattr(args, "curriculum_config", None):
        curriculum_options = read_curriculum_options(args.curriculum_config, args.curriculum, args.game)
    return TrainSettings(
        curriculum_options=curriculum_options,
        game=args.game,
        algo=args.algo,
        curriculum=args.curriculum,
        difficulty=args.difficulty,
        level=args.level,
        timesteps=args.timesteps,
        seed=args.seed,
        obs=args.obs,
        n_envs=args.n_envs,
        config=None if args.config is None else str(Path(args.config).resolve()),
        checkpoint_every=args.checkpoint_every,
        eval_episodes=args.eval_episodes,
        threads=args.threads,
        env_threads=args.env_threads,
        num_levels=num_levels,
        start_level=start_level,
        eval_every=getattr(args, "eval_every", None),
        hyperparams=getattr(args, "hyperparams", None),
        eval_levels=getattr(args, "eval_levels", 20),
        device=device,
    )


def read_curriculum_options(path: str, curriculum: str, game: str = "zelda") -> dict[str, Any]:
    """The options in a curriculum YAML file, checked now (:func:`ppcg.curricula.config.read_options`: a
    ``name`` key, if any, must match; errors name the file and line)."""
    from ppcg.cli import CLIError
    from ppcg.curricula import CurriculumConfigError
    from ppcg.curricula.config import read_options

    try:
        return read_options(path, curriculum, game=game)
    except CurriculumConfigError as exc:
        raise CLIError(str(exc)) from None


# ---- building blocks
# --------------------------------------------------------------------------------------------


def env_id_for(game: str) -> str:
    """The registered id whose levels come from ``game``'s generator (``"zelda"`` -> ``"ppcg/Zelda-v0"``).

    Raises:
        ValueError: not a bundled game.
    """
    from ppcg.envs.registration import GAMES, game_entry

    entry = game_entry(game)
    if entry is None:
        raise ValueError(f"no bundled game {game!r}; choose one of {', '.join(g.game for g in GAMES)}")
    return f"ppcg/{entry.title}-v0"


def human_levels(game: str) -> list[Any]:
    """The game's human levels as :class:`~ppcg.vgdl.level.Level` objects named ``lvl0`` ..."""
    from ppcg.envs.core import load_compiled
    from ppcg.resources import human_level_paths
    from ppcg.vgdl.level import load_level

    _, _, spec, _ = load_compiled(game)
    return [load_level(p, spec, name=p.stem) for p in human_level_paths(game)]


def make_curriculum(settings: TrainSettings) -> Any:
    """The curriculum (a :class:`~ppcg.envs.source.LevelSource`) that ``settings`` names."""
    import ppcg.curricula as curricula

    game = settings.game
    options: dict[str, Any] = dict(settings.curriculum_options or {})
    if settings.curriculum == "difficulty":
        options["difficulty"] = settings.difficulty
    elif settings.curriculum == "ppcg" and settings.difficulty is not None:
        options["start"] = settings.difficulty
    elif settings.curriculum == "fixed":
        n = len(human_levels(game))
        options["levels"] = list(range(n)) if settings.level is None else [settings.level]
    if settings.num_levels:
        options["num_levels"] = settings.num_levels
        options["start_level"] = settings.start_level
    try:
        return curricula.make_curriculum(settings.curriculum, game=game, **options)
    except curricula.CurriculumConfigError as exc:
        raise ValueError(f"curriculum {settings.curriculum!r}: {exc}") from None


def make_env(
    env_id: str, n_envs: int, *, level_source: Any, obs: str, seed: int, env_kwargs: dict | None = None
):
    """``make_vec(env_id, n_envs, level_source=...)`` for SB3: :class:`SB3VecEnv` in a ``VecMonitor``, and for
    pixels in the ``VecTransposeImage`` that SB3 would add (channels first), so that the model's env is this
    one."""
    from ppcg.agents.vec_env import SB3VecEnv
    from stable_baselines3.common.preprocessing import is_image_space, is_image_space_channels_first
    from stable_baselines3.common.vec_env import VecMonitor, VecTransposeImage

    import ppcg

    venv = ppcg.make_vec(env_id, n_envs, level_source=level_source, obs_type=obs, **(env_kwargs or {}))
    env = VecMonitor(SB3VecEnv(venv, seed=seed))
    space = env.observation_space
    if is_image_space(space) and not is_image_space_channels_first(space):
        env = VecTransposeImage(env)
    return env


def policy_kwargs_for(algo_config: Any, observation_space: Any, game: str | None = None) -> dict[str, Any]:
    """The model's keyword arguments; GridCNN or NatureCNN chosen from the observations when not named.

    A :class:`~ppcg.agents.policies.CentredGridCNN` without ``centre_planes`` is centred on ``game``'s avatar
    types; the facing and inventory planes (``env_kwargs: facing``, ``inventory``) are its ``cell_planes``
    (:func:`cell_planes`; the offset planes of ``env_kwargs: offsets`` are centred with the sprite planes). The
    grid extractors (CentredGridCNN, GridCNN) read symbolic grids: for rgb frames a file that names
    one gets the Nature CNN instead, as the paper used, and a note says so.
    """
    from ppcg.agents.policies import CentredGridCNN, GridCNN, default_features_extractor
    from stable_baselines3.common.torch_layers import NatureCNN

    kwargs = algo_config.model_kwargs()
    pk = kwargs["policy_kwargs"]
    if "features_extractor_class" not in pk:
        pk["features_extractor_class"] = default_features_extractor(observation_space)
    cls = pk["features_extractor_class"]
    if cls in (CentredGridCNN, GridCNN) and default_features_extractor(observation_space) is NatureCNN:
        print(
            f"note: {cls.__name__} (from {Path(algo_config.source).name}) reads symbolic grids; rgb frames "
            "use the Nature CNN",
            file=sys.stderr,
        )
        pk["features_extractor_class"] = NatureCNN
        pk.pop("features_extractor_kwargs", None)
    elif cls is CentredGridCNN:
        fk = pk.setdefault("features_extractor_kwargs", {})
        if "centre_planes" not in fk:
            if game is None:
                raise ValueError("CentredGridCNN needs centre_planes (or the game, to find its avatar)")
            fk["centre_planes"] = avatar_planes(game)
        ek = algo_config.env_kwargs
        if (ek.get("facing") or ek.get("inventory")) and "cell_planes" not in fk:
            if game is None:
                raise ValueError("CentredGridCNN needs cell_planes (or the game, to find its planes)")
            fk["cell_planes"] = cell_planes(game, ek)
    return kwargs


def cell_planes(game: str, env_kwargs: dict[str, Any]) -> list[int]:
    """The planes of ``game``'s symbolic observations (made with ``env_kwargs``) that are set at the avatar's
    cell only: the facing planes and the inventory planes (the offset planes are centred with the sprites)."""
    from ppcg.engine import FACING_PLANES, inventory_plane_names
    from ppcg.envs.core import load_compiled, plane_names

    compiled = load_compiled(game)[3]
    names = plane_names(compiled, *(bool(env_kwargs.get(k)) for k in ("facing", "offsets", "inventory")))
    at_avatar = set(FACING_PLANES) | set(inventory_plane_names(compiled))
    return [i for i, name in enumerate(names) if name in at_avatar and i >= len(compiled.leaf_names)]


def avatar_planes(game: str) -> list[int]:
    """The symbolic observation's planes that hold ``game``'s avatar types."""
    from ppcg.engine.layout import TI_AVATAR
    from ppcg.envs.core import load_compiled

    compiled = load_compiled(game)[3]
    return [
        i
        for i, name in enumerate(compiled.leaf_names)
        if compiled.tables.ti[compiled.type_index[name], TI_AVATAR]
    ]


# ---- callbacks
# --------------------------------------------------------------------------------------------------


def _callbacks(
    settings: TrainSettings,
    run_dir: Any,
    curriculum: Any,
    total: int,
    progress: bool,
    start_time: float,
    *,
    interrupts: _Interrupts | None = None,
    restore_log: dict[str, Any] | None = None,
    obs_kwargs: dict[str, Any] | None = None,
):
    """The callbacks of a training run (:mod:`ppcg.agents.callbacks`): the episode log, checkpoints, the
    curriculum's, the learning curve and, with ``progress``, a progress bar. The episode log comes first."""
    from ppcg.agents.callbacks import Checkpoints, EpisodeLog, Progress

    every = settings.checkpoint_every or max(10_000, total // 10)
    callbacks: list[Any] = []
    has_curriculum_callback = False
    try:
        from ppcg.curricula.sb3_callback import CurriculumCallback

        callbacks.append(CurriculumCallback(curriculum))
        has_curriculum_callback = True
    except ImportError:
        pass
    log = EpisodeLog(
        max(500, total // 200),
        run_dir.path / LOG_FILE,
        curriculum,
        start_time,
        restore=restore_log,
        log_curriculum=not has_curriculum_callback,
    )
    callbacks = [
        log,
        Checkpoints(every, settings, run_dir, curriculum, log, start_time, interrupts=interrupts),
        *callbacks,
    ]
    curve = learning_curve(settings, run_dir, total, start_time, obs_kwargs)
    if curve is not None:
        callbacks.append(curve)
    if progress:
        callbacks.append(Progress(total, log, curriculum))
    return callbacks


def curve_sets(settings: TrainSettings, episodes: int) -> list[Any]:
    """The level sets of the learning curves: the training levels where they are a fixed set (the human
    level(s) of ``fixed``, the ``--num-levels`` seeds), then the held-out ``human`` and ``d=0.5`` sets."""
    from ppcg.agents.evaluate import LevelSet, level_sets_for

    from ppcg.envs.source import LevelRequest

    sets = []
    levels = human_levels(settings.game)
    if settings.curriculum == "fixed":
        chosen = range(len(levels)) if settings.level is None else [settings.level]
        per = max(1, -(-episodes // len(chosen)))
        sets.append(LevelSet("train", [(LevelRequest(levels[i], levels[i].name), per) for i in chosen]))
    elif settings.num_levels and make_curriculum(settings).training_level(settings.start_level) is not None:
        sets += level_sets_for(settings.game, ["train"], episodes, settings=settings)
    per_human = max(1, -(-episodes // len(levels)))
    sets += level_sets_for(settings.game, ["human"], per_human)
    sets += level_sets_for(settings.game, ["difficulty=0.5"], episodes)
    return sets


def learning_curve(
    settings: TrainSettings, run_dir: Any, total: int, start_time: float, obs_kwargs: dict | None = None
) -> Any:
    """The :class:`~ppcg.agents.curves.HeldOutEvaluation` callback of a run (None: ``eval_every`` 0);
    ``obs_kwargs``: the environments' observation options (``facing``)."""
    from ppcg.agents.curves import EVAL_LOG_FILE, HeldOutEvaluation

    every = settings.eval_every if settings.eval_every is not None else max(10_000, total // 10)
    if not every:
        return None
    return HeldOutEvaluation(
        env_id_for(settings.game),
        settings.obs,
        curve_sets(settings, settings.eval_levels),
        every,
        path=run_dir.path / EVAL_LOG_FILE,
        seed=20_000 + settings.seed,
        start_time=start_time,
        env_kwargs=obs_kwargs,
    )


def save_checkpoint(
    run_dir: Any,
    model: Any,
    curriculum: Any,
    *,
    snapshot: dict[str, Any] | None = None,
    seconds: float | None = None,
) -> Any:
    """A checkpoint of ``model`` with the curriculum's state (exact with a :func:`_snapshot`) and the training
    seconds so far (a resumed run's clock goes on from there)."""
    state: dict[str, Any] = {} if seconds is None else {"seconds": round(seconds, 2)}
    if hasattr(curriculum, "state_dict"):
        state["curriculum"] = curriculum.state_dict()
    return run_dir.save_checkpoint(model, state, snapshot=snapshot)


# Algorithms whose checkpoints between rollouts are exact: what they carry from one rollout to the next is the
# model, the environments and the random generators. (DQN also carries its replay buffer, which checkpoints do
# not keep: a resumed DQN starts with an empty one.)
EXACT_ALGOS = ("a2c", "ppo")


def _vgdl_env(env: Any) -> Any:
    """The :class:`~ppcg.envs.vector.VGDLVectorEnv` inside ``make_env``'s wrappers."""
    return _monitor(env).venv.venv


def _monitor(env: Any) -> Any:
    """The ``VecMonitor`` of ``make_env``'s wrappers (under a ``VecTransposeImage`` for pixels)."""
    from stable_baselines3.common.vec_env import VecMonitor

    while not isinstance(env, VecMonitor):
        env = env.venv
    return env


def _snapshot(settings: TrainSettings, model: Any, log: Any) -> dict[str, Any] | None:
    """Everything beyond the model that the next rollout depends on: the environments' episodes, the episode
    monitor, the observation the next step starts from, every random generator, and the episode log. None for
    an algorithm whose checkpoints cannot be exact (:data:`EXACT_ALGOS`)."""
    import random

    import numpy as np
    import torch

    if settings.algo not in EXACT_ALGOS:
        return None
    env = _monitor(model.get_env())
    np_state = np.random.get_state()
    py_state = random.getstate()
    return {
        "env": _vgdl_env(env).state_dict(),
        "monitor": {
            "returns": np.asarray(env.episode_returns).copy(),
            "lengths": np.asarray(env.episode_lengths).copy(),
            "count": int(env.episode_count),
        },
        "last_obs": np.asarray(model._last_obs).copy(),
        "last_episode_starts": np.asarray(model._last_episode_starts).copy(),
        "rng": {
            "torch": torch.get_rng_state().numpy().copy(),
            "numpy": [np_state[0], np_state[1], int(np_state[2]), int(np_state[3]), float(np_state[4])],
            "python": [py_state[0], list(py_state[1]), py_state[2]],
            "action_space": model.action_space.np_random.bit_generator.state,
        },
        "log": log.state(),
    }


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _read_snapshot(checkpoint: Any) -> dict[str, Any] | None:
    """An exact checkpoint's snapshot, or None (with a warning) when it cannot be read."""
    from ppcg.agents.run import read_snapshot

    try:
        return read_snapshot(checkpoint.snapshot)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        print(
            f"warning: cannot read {checkpoint.snapshot} ({exc}); the run continues from the checkpoint "
            "with new episodes, not exactly as it would have",
            file=sys.stderr,
        )
        return None


def _restore_envs(env: Any, snapshot: dict[str, Any]) -> None:
    """Check a snapshot against the environments and put their episodes back (before the model is loaded).

    Raises:
        ValueError, KeyError, TypeError, IndexError: the snapshot does not fit (another game, size, version).
    """
    import numpy as np

    n = env.num_envs
    obs_shape = (n, *env.observation_space.shape)
    if np.asarray(snapshot["last_obs"]).shape != obs_shape:
        raise ValueError(f"its observations are {np.asarray(snapshot['last_obs']).shape}, not {obs_shape}")
    for key in ("returns", "lengths"):
        if np.asarray(snapshot["monitor"][key]).shape != (n,):
            raise ValueError(f"its monitor's {key} are not {n}")
    if np.asarray(snapshot["last_episode_starts"]).shape != (n,) or "count" not in snapshot["monitor"]:
        raise ValueError(f"its episode starts or count do not fit {n} environments")
    if not {"torch", "numpy", "python", "action_space"} <= set(snapshot["rng"]) or "log" not in snapshot:
        raise KeyError("random states or the episode log")
    _vgdl_env(env).load_state_dict(snapshot["env"])


def _restore_snapshot(model: Any, snapshot: dict[str, Any]) -> None:
    """Put the episode monitor, the model's next observation and the random generators back as they were.

    Called after the model is loaded (loading seeds the generators) and before ``learn``; the environments'
    episodes were put back by :func:`_restore_envs`."""
    import random

    import numpy as np
    import torch

    env = _monitor(model.get_env())
    mon = snapshot["monitor"]
    env.episode_returns = np.asarray(mon["returns"]).copy()
    env.episode_lengths = np.asarray(mon["lengths"]).copy()
    env.episode_count = int(mon["count"])
    model._last_obs = np.asarray(snapshot["last_obs"]).copy()
    model._last_episode_starts = np.asarray(snapshot["last_episode_starts"]).copy()
    rng = snapshot["rng"]
    torch.set_rng_state(torch.from_numpy(np.asarray(rng["torch"], dtype=np.uint8).copy()))
    name, keys, pos, has_gauss, cached = rng["numpy"]
    np.random.set_state(
        (str(name), np.asarray(keys, dtype=np.uint32), int(pos), int(has_gauss), float(cached))
    )
    version, internal, gauss = rng["python"]
    random.setstate((int(version), tuple(int(x) for x in internal), gauss))
    model.action_space.np_random.bit_generator.state = rng["action_space"]


class _Interrupts:
    """Ctrl-C or SIGTERM while training: the first asks for a stop at the next rollout's start (an exact
    checkpoint, then ``KeyboardInterrupt``); a second one stops at once (a checkpoint of where it stands)."""

    def __init__(self) -> None:
        self.requested = False

    def handler(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        print(
            f"\n{name}: stopping after this rollout with a checkpoint (Ctrl-C again to stop at once)",
            file=sys.stderr,
            flush=True,
        )


# ---- training
# ---------------------------------------------------------------------------------------------------


def algorithm_for(settings: TrainSettings, curriculum: Any) -> type:
    """The SB3 class to train: the algorithm's, or :class:`~ppcg.agents.robust.RobustA2C` for robust PLR.

    Raises:
        ValueError: robust PLR with an algorithm that has no masked update (DQN).
    """
    from ppcg.agents.config import algorithm_class

    if getattr(curriculum, "robust", False):
        from ppcg.agents.robust import RobustA2C, RobustPPO

        robust = {"a2c": RobustA2C, "ppo": RobustPPO}
        if settings.algo not in robust:
            raise ValueError(
                f"robust PLR (robust: true) needs masked updates (a2c and ppo have them), not {settings.algo}"
            )
        return robust[settings.algo]
    return algorithm_class(settings.algo)


def set_threads(torch_threads: int | None, env_threads: int | None) -> None:
    """Set torch's and numba's thread counts (None: leave as they are)."""
    import torch as th

    if torch_threads:
        th.set_num_threads(torch_threads)
    if env_threads:
        import numba

        from ppcg.engine.batch import launch_threads

        launch_threads()  # numba's pool with threads that sleep between steps, not spin (ppcg.engine.batch)
        numba.set_num_threads(min(int(env_threads), numba.config.NUMBA_NUM_THREADS))


def resolve(settings: TrainSettings, *, quiet: bool = False) -> tuple[Any, str]:
    """The hyperparameters for ``settings`` (with ``--timesteps``/``--n-envs`` applied) and the env id;
    ``quiet``: no notes (a check before the run that prints them)."""
    from ppcg.agents.config import load_hyperparams

    env_id = env_id_for(settings.game)
    overrides: dict[str, Any] = {}
    if settings.timesteps is not None:
        overrides["n_timesteps"] = settings.timesteps
    if settings.n_envs is not None:
        overrides["n_envs"] = settings.n_envs
    path = settings.config
    if path is None and settings.hyperparams is not None:
        from ppcg.agents.config import default_hyperparams_path

        path = default_hyperparams_path(settings.algo, settings.hyperparams)
    config = load_hyperparams(settings.algo, env_id, path, overrides)
    grid_only = [k for k in ("facing", "offsets", "inventory") if config.env_kwargs.get(k)]
    if settings.obs == "rgb" and grid_only:
        # the facing, offset and inventory planes are part of symbolic grids (BatchEngine refuses them with rgb):
        # a file's default for symbolic runs, dropped with a note for an rgb run (as the grid CNNs give way to the
        # Nature CNN)
        if not quiet:
            print(
                f"note: {' and '.join(grid_only)} (env_kwargs of {Path(config.source).name}) add planes to "
                "symbolic observations; rgb frames go without them",
                file=sys.stderr,
            )
        env_kwargs = {k: v for k, v in config.env_kwargs.items() if k not in grid_only}
        config = dataclasses.replace(config, env_kwargs=env_kwargs)
    return config, env_id


def check_settings(settings: TrainSettings) -> None:
    """Check the hyperparameters and the curriculum before a run folder is created.

    Raises:
        ConfigError, ValueError: what is wrong, with its file and line where there is one.
    """
    resolve(settings, quiet=True)
    algorithm_for(settings, make_curriculum(settings))


def train(
    settings: TrainSettings,
    run_dir: Any,
    *,
    resume: bool = False,
    progress: bool = True,
    device: str | None = None,
    command: str | None = None,
) -> Any:
    """Train (or continue) the run in ``run_dir``; returns the trained model.

    On a new run the resolved configuration is written first; on ``resume`` the saved one is used and training
    continues from the newest checkpoint with its curriculum state. From an exact checkpoint (A2C and PPO,
    taken between rollouts) the run continues as if it had never stopped: the same episodes, the same random
    draws, the same final model. Ctrl-C or SIGTERM asks for a stop at the next rollout (an exact checkpoint);
    a second one stops at once with a checkpoint of where it stands. Either marks the run ``interrupted`` and
    re-raises ``KeyboardInterrupt``. ``device`` (``auto``, ``cpu``, ``cuda``) overrides the settings' device;
    ``run.json`` records the one used, and the ``command`` that made the run (default: this process's).
    """
    from ppcg.agents.config import load_hyperparams
    from ppcg.agents.models import build_model, load_weights
    from ppcg.agents.run import RunError, signals_to, trim_log
    from stable_baselines3.common.utils import set_random_seed

    run_dir.lock()  # one process at a time trains in a run folder
    set_threads(settings.threads, settings.env_threads)
    if resume:
        saved = run_dir.read_config()
        settings = TrainSettings.from_dict(saved["settings"])
        env_id = saved.get("env_id") or env_id_for(settings.game)
        algo_config = load_hyperparams(settings.algo, env_id, run_dir.path / "hyperparams.yml")
    else:
        algo_config, env_id = resolve(settings)
        _write_resolved(run_dir, settings, algo_config, env_id, command)
    total = algo_config.n_timesteps
    torch_device = resolve_device(device or settings.device)
    curriculum = make_curriculum(settings)
    cls = algorithm_for(settings, curriculum)
    checkpoint = run_dir.last_intact_checkpoint(warn=_warn) if resume else None
    if resume and checkpoint is None:
        if run_dir.checkpoints():
            raise RunError(f"{run_dir.path}: every checkpoint is damaged; nothing to resume from")
        trim_log(run_dir.path / LOG_FILE, 0)  # stopped before its first checkpoint: it starts again
    done = 0
    snapshot = None
    state: dict[str, Any] = {}
    offset = 0.0  # training seconds before this process
    if checkpoint is not None:
        state = checkpoint.load_state()
        done = checkpoint.timesteps
        # the logs continue from the checkpoint: rows written after it (by a killed process) are dropped
        last_row_seconds = trim_log(run_dir.path / LOG_FILE, done)
        offset = float(state.get("seconds", last_row_seconds))
        if settings.algo in EXACT_ALGOS and checkpoint.is_exact:
            snapshot = _read_snapshot(checkpoint)

    def environments(fresh_episodes: bool) -> Any:
        # A run resumed from an inexact checkpoint starts new episodes with fresh environment seeds (derived
        # from the seed and the step count); from an exact one, the environments continue their episodes.
        env_seed = settings.seed + 1_000_003 * done if fresh_episodes and done else settings.seed
        set_random_seed(env_seed)
        return make_env(
            env_id,
            algo_config.n_envs,
            level_source=curriculum,
            obs=settings.obs,
            seed=env_seed,
            env_kwargs=algo_config.env_kwargs,
        )

    env = environments(fresh_episodes=snapshot is None)
    if snapshot is not None:
        try:
            _restore_envs(env, snapshot)
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            print(
                f"warning: {checkpoint.snapshot.name} does not fit these environments ({exc}); the run "
                "continues from the checkpoint with new episodes, not exactly as it would have",
                file=sys.stderr,
            )
            snapshot = None
            env.close()
            env = environments(fresh_episodes=True)
    if "curriculum" in state and hasattr(curriculum, "load_state_dict"):
        cstate = dict(state["curriculum"])
        if snapshot is None:  # the environments start new episodes: forget those in flight
            cstate.pop("in_flight", None)
        curriculum.load_state_dict(cstate)
    # Built from the run's configuration; a checkpoint gives only weights and counters (nothing executed).
    tb_dir = str(run_dir.tensorboard_dir)
    model = build_model(
        cls, algo_config, env, seed=settings.seed, tensorboard_log=tb_dir, game=settings.game,
        device=torch_device,
    )
    if checkpoint is not None:
        load_weights(model, checkpoint.model)
    if snapshot is not None:
        _restore_snapshot(model, snapshot)
    remaining = max(0, total - done)
    from ppcg.engine import warm_up

    warm_up()  # a first run compiles the engine (minutes): announced, before the clock and the progress bar
    session_start = time.time()
    start = session_start - offset  # the run's clock: a resumed run's seconds go on from its checkpoint's
    run_dir.update_status(status="running", total_timesteps=total, timesteps=done, device=torch_device)
    interrupts = _Interrupts()
    callbacks = _callbacks(
        settings,
        run_dir,
        curriculum,
        total,
        progress,
        start,
        interrupts=interrupts,
        restore_log=snapshot["log"] if snapshot is not None else None,
        obs_kwargs=algo_config.observation_kwargs(),
    )
    checkpoints = next(c for c in callbacks if hasattr(c, "saved_at"))
    try:
        with signals_to(interrupts.handler):  # Ctrl-C, and SIGTERM from a scheduler or ``kill``
            if remaining > 0:
                model.learn(
                    remaining,
                    callback=callbacks,
                    reset_num_timesteps=done == 0,
                    tb_log_name=settings.algo.upper(),
                    progress_bar=False,
                )
    except KeyboardInterrupt:
        callbacks[0].write_row()  # the episode log: the last figures before the interruption
        if checkpoints.saved_at == model.num_timesteps:  # stopped at a rollout's start, just checkpointed
            ckpt = run_dir.last_checkpoint()
        else:
            ckpt = save_checkpoint(run_dir, model, curriculum, seconds=time.time() - start)
        run_dir.update_status(status="interrupted", timesteps=ckpt.timesteps)
        print(
            f"\ninterrupted: checkpoint at {ckpt.timesteps} steps in {ckpt.model}; "
            f"continue with: ppcg train {settings.game} --resume --out {run_dir.path}",
            file=sys.stderr,
        )
        env.close()
        run_dir.unlock()
        raise
    except Exception as exc:
        run_dir.update_status(status="failed", error=f"{type(exc).__name__}: {exc}")
        env.close()
        run_dir.unlock()
        raise
    seconds = time.time() - session_start
    steps_done = model.num_timesteps - done
    if remaining > 0:  # else the checkpoint it resumed from is the last one
        snapshot = _snapshot(settings, model, callbacks[0])
        save_checkpoint(run_dir, model, curriculum, snapshot=snapshot, seconds=time.time() - start)
    run_dir.save_model(model)
    run_dir.update_status(
        status="complete",
        timesteps=int(model.num_timesteps),
        train_seconds=round(offset + seconds, 1),
        steps_per_second=round(steps_done / seconds, 1) if seconds > 0 else None,
    )
    env.close()
    run_dir.unlock()
    return model


def _write_resolved(
    run_dir: Any, settings: TrainSettings, algo_config: Any, env_id: str, command: str | None = None
) -> None:
    import yaml
    from ppcg.agents.run import atomic_write_text

    header = f"# resolved from {algo_config.source} (entries: {', '.join(algo_config.entries)})\n"
    atomic_write_text(
        run_dir.path / "hyperparams.yml",
        header + yaml.safe_dump({env_id: algo_config.to_dict()}, sort_keys=False),
    )
    run_dir.write_config(
        {"settings": asdict(settings), "env_id": env_id, "hyperparams": algo_config.to_dict()}
    )
    run_dir.update_status(
        status="created",
        command=command if command is not None else " ".join(["ppcg", *sys.argv[1:]]) if sys.argv else "",
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )


def run(args: argparse.Namespace) -> int:
    """``ppcg train``: train, save, evaluate and print the evaluation table."""
    from ppcg.agents.config import ConfigError
    from ppcg.agents.run import RunDir, RunError

    from ppcg.cli import CLIError

    settings = settings_from_args(args)
    try:
        if args.resume:
            run_dir = RunDir.open(args.out) if args.out else RunDir.latest(settings.run_name())
            saved = TrainSettings.from_dict(run_dir.read_config()["settings"])
            if args.timesteps is not None and args.timesteps != saved.timesteps:
                raise CLIError("--resume continues a run with its saved budget; --timesteps cannot change it")
            if run_dir.is_complete:
                print(f"{run_dir.path} is already complete")
                settings = saved
            else:
                train(saved, run_dir, resume=True, progress=not args.no_progress, device=args.device)
                settings = saved
        else:
            check_settings(settings)
            run_dir = RunDir.create(args.out, settings.run_name())
            print(f"run folder: {run_dir.path}")
            train(settings, run_dir, progress=not args.no_progress)
    except (ConfigError, RunError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    status = run_dir.status()
    print(
        f"trained {status.get('timesteps')} steps in {status.get('train_seconds')} s "
        f"({status.get('steps_per_second')} steps/s); model: {run_dir.model_path}"
    )
    if settings.eval_episodes > 0:
        from ppcg.agents.evaluate import evaluate_run, format_table

        sets = ["human", "difficulty=0.5", "difficulty=1"]
        if settings.num_levels and make_curriculum(settings).training_level(settings.start_level) is not None:
            sets.append("train")  # the levels it trained on: the generalization gap, as Procgen reports it
        result = evaluate_run(
            run_dir,
            level_sets=sets,
            episodes=settings.eval_episodes,
            seed=10_000 + settings.seed,
            reuse=True,  # a finished run resumed again: its evaluation is already there
            device=status.get("device", "cpu"),
        )
        print(format_table(result))
        print(f"evaluation written to {result['file']}")
    return 0
