"""``ppcg record GAME --episodes N --out DIR [--policy random|PATH]``: videos of a random or saved policy.

Videos are written by :class:`gymnasium.wrappers.RecordVideo` (which needs moviepy), one file per episode. A
saved policy is a run folder of ``ppcg train`` or a model file in one: the network is rebuilt from the run's
configuration and only the weights are read from the file (:mod:`ppcg.agents.models`); Stable-Baselines3 is
loaded only then, and the environment's observation type is the run's.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["add_arguments", "run", "record", "load_policy"]

ALGOS = ("a2c", "ppo", "dqn")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("game", help="a bundled game's name (zelda, ...) or a game file")
    parser.add_argument("--episodes", type=int, default=1, help="how many episodes (default 1)")
    parser.add_argument("--out", required=True, help="the folder to write videos to")
    parser.add_argument(
        "--policy",
        default="random",
        help="'random' (default), a run folder (from ppcg train) or a model file in one",
    )
    parser.add_argument(
        "--algo", choices=ALGOS, default=None, help="check that the run's algorithm is this one"
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--level", help="a level file (or lvl0..lvl4); default: generated levels")
    group.add_argument(
        "--difficulty", type=float, default=0.5, help="generated levels' difficulty (default 0.5)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the first episode (default 0)")
    parser.add_argument("--max-steps", type=int, default=2000, help="step limit per episode (default 2000)")
    parser.add_argument("--tile-size", type=int, default=20, help="pixels per cell (default 20)")


def load_policy(
    path: str | Path, algo: str | None = None
) -> tuple[Callable[[np.ndarray], int], dict[str, Any]]:
    """A trained policy as ``(obs -> action, observation options)``, the options (``obs_type``, ``facing``)
    what the environment must be made with: ``path`` is a run folder (its final model, else its newest
    checkpoint) or a model file in one. The model is rebuilt from the run's configuration and only its
    weights are read (nothing in the file is executed); SB3 is imported only here.

    Raises:
        ValueError: not in a run folder, a model that does not fit its run, or ``algo`` that is not the run's.
    """
    models = importlib.import_module("ppcg.agents.models")  # optional: only for saved policies
    run_dir = models.run_folder_of(path)
    model_path = Path(path) if Path(path).is_file() else None
    model, settings, _ = models.load_run_model(run_dir, model_path)
    if algo is not None and algo != settings.algo:
        raise ValueError(f"--algo {algo}: {run_dir.path} was trained with {settings.algo}")

    def act(obs: np.ndarray) -> int:
        action, _ = model.predict(obs, deterministic=False)
        return int(action)

    return act, {"obs_type": settings.obs, **models.run_observation_kwargs(run_dir)}


def record(
    game: str,
    out: str | Path,
    episodes: int = 1,
    policy: Callable[[np.ndarray], int] | None = None,
    *,
    obs_type: str = "symbolic",
    seed: int = 0,
    max_steps: int = 2000,
    **env_kwargs: Any,
) -> list[Path]:
    """Record ``episodes`` episodes of ``policy`` (random when None) to ``out``; returns the video files."""
    from gymnasium.wrappers import RecordVideo

    from ppcg.envs.core import VGDLEnv

    out = Path(out)
    env = VGDLEnv(game, obs_type=obs_type, render_mode="rgb_array", max_steps=max_steps, **env_kwargs)
    name = env.game_name
    env = RecordVideo(env, str(out), episode_trigger=lambda _: True, name_prefix=name, disable_logger=True)
    env.action_space.seed(seed)
    for k in range(episodes):
        obs, _ = env.reset(seed=seed if k == 0 else None)
        done = False
        while not done:
            action = policy(obs) if policy is not None else int(env.action_space.sample())
            obs, _, terminated, truncated, _ = env.step(action)
            done = terminated or truncated
    env.close()
    return sorted(out.glob(f"{name}-episode-*.mp4"))


def run(args: argparse.Namespace) -> int:
    from ppcg.cli import CLIError

    if args.episodes < 1:
        raise CLIError(f"--episodes must be at least 1, not {args.episodes}")
    policy, observation = None, {"obs_type": "symbolic"}
    if args.policy != "random":
        if not Path(args.policy).exists():
            raise CLIError(f"--policy: no such file {args.policy!r} (pass 'random' or a run folder)")
        try:
            policy, observation = load_policy(args.policy, args.algo)
        except ValueError as exc:  # RunError and ConfigError are ValueErrors too
            raise CLIError(f"--policy: {exc}") from None
    try:
        videos = record(
            args.game, args.out, args.episodes, policy, **observation, seed=args.seed,
            max_steps=args.max_steps, level=args.level, difficulty=args.difficulty, tile_size=args.tile_size,
        )  # fmt: skip
    except (FileNotFoundError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    for v in videos:
        print(v)
    return 0
