"""Models rebuilt from a run's own configuration, with only weights and counters read from model files.

Stable-Baselines3's ``load`` unpickles (cloudpickle) every ``:serialized:`` entry of a model file's
``data``: the policy class, its keyword arguments, the spaces, schedules. A crafted ``model.zip`` or
checkpoint would run its code on ``ppcg train --resume``, ``ppcg evaluate`` or ``ppcg record --policy``.
Here nothing in a model file is executed: the model is built as training built it, from the run folder's
``config.yaml`` and ``hyperparams.yml`` (YAML read with ``safe_load`` and checked key by key), and from the
file only

* the weights and optimizer states (``*.pth``, read by ``torch.load(weights_only=True)``: tensors only), and
* a few counters (:data:`COUNTERS`) from ``data``, read as plain JSON; anything else there is ignored.

A model file whose weights do not fit the run's network is an error naming the file.
"""

from __future__ import annotations

import json
import math
import warnings
import zipfile
from pathlib import Path
from typing import Any

__all__ = [
    "COUNTERS", "build_model", "load_weights", "load_run_model", "run_folder_of", "run_observation_kwargs",
]

COUNTERS = {
    "num_timesteps": int,
    "_n_updates": int,
    "_episode_num": int,
    "_current_progress_remaining": float,
    "_n_calls": int,  # DQN: target updates and training frequency count calls
    "exploration_rate": float,  # DQN
}
"""The plain values of a model file's ``data`` that a resumed model takes over (name -> type)."""


def build_model(
    cls: type,
    algo_config: Any,
    env: Any,
    *,
    seed: int,
    tensorboard_log: str | None = None,
    game: str | None = None,
    device: str = "cpu",
) -> Any:
    """A new model of ``cls`` for ``env`` with the hyperparameters of ``algo_config`` (as ``ppcg train``);
    ``game`` locates the avatar for a :class:`~ppcg.agents.policies.CentredGridCNN`."""
    from ppcg.agents.train import policy_kwargs_for

    kwargs = policy_kwargs_for(algo_config, env.observation_space, game)
    return cls(
        algo_config.policy, env, seed=seed, device=device, verbose=0, tensorboard_log=tensorboard_log,
        **kwargs,
    )


def load_weights(model: Any, path: str | Path) -> Any:
    """Put the weights, optimizer states and :data:`COUNTERS` of the model file ``path`` into ``model``.

    Nothing in the file is unpickled or executed (see the module's description).

    Raises:
        ValueError: not a model file, or its weights do not fit ``model``'s network (names the file).
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            data = json.loads(archive.read("data").decode("utf-8")) if "data" in names else {}
        if not isinstance(data, dict):
            raise ValueError("its 'data' entry is not a JSON object")
        model.set_parameters(str(path), exact_match=True, device=model.device)  # tensors only (weights_only)
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, KeyError, RuntimeError, ValueError) as exc:
        raise ValueError(f"cannot load the model file {path}: {exc}") from None
    for name, kind in COUNTERS.items():
        value = data.get(name)
        if hasattr(model, name) and isinstance(value, (int, float)) and not isinstance(value, bool):
            if kind is int and value == int(value):
                setattr(model, name, int(value))
            elif kind is float and math.isfinite(value):
                setattr(model, name, float(value))
    return model


def run_folder_of(path: str | Path) -> Any:
    """The run folder (:class:`~ppcg.agents.run.RunDir`) that holds ``path``: the folder itself, its
    ``model.zip``, or a checkpoint in its ``checkpoints/``.

    Raises:
        RunError: ``path`` is not in a run folder.
    """
    from ppcg.agents.run import CHECKPOINTS, STATUS_FILE, RunDir, RunError

    path = Path(path)
    candidates = [path] if path.is_dir() else [path.parent]
    if path.is_file() and path.parent.name == CHECKPOINTS:
        candidates.append(path.parent.parent)
    for folder in candidates:
        if (folder / STATUS_FILE).is_file():
            return RunDir.open(folder)
    raise RunError(
        f"{path} is not a run folder nor a model in one: a model is rebuilt from its run's configuration "
        "(config.yaml, hyperparams.yml), so that nothing in the model file is executed"
    )


def run_observation_kwargs(run_dir: Any) -> dict[str, Any]:
    """The observation options (``facing``) a run's model was trained with, from its resolved hyperparameters:
    an environment that shows the model a game must pass them."""
    from ppcg.agents.config import load_hyperparams
    from ppcg.agents.train import TrainSettings, env_id_for

    saved = run_dir.read_config()
    settings = TrainSettings.from_dict(saved["settings"])
    env_id = saved.get("env_id") or env_id_for(settings.game)
    return load_hyperparams(settings.algo, env_id, run_dir.path / "hyperparams.yml").observation_kwargs()


def load_run_model(
    run_dir: Any, model_path: str | Path | None = None, *, device: str = "cpu"
) -> tuple[Any, Any, str]:
    """The model of a run folder, rebuilt from its configuration: ``(model, settings, env_id)``.

    Args:
        run_dir: a :class:`~ppcg.agents.run.RunDir`.
        model_path: a model file of that run; None: its final model, else its newest checkpoint.

    Raises:
        RunError: no model in the run; ValueError: a model file that does not fit the run (names the file).
    """
    from ppcg.agents.config import algorithm_class, load_hyperparams
    from ppcg.agents.train import TrainSettings, env_id_for, make_env

    saved = run_dir.read_config()
    settings = TrainSettings.from_dict(saved["settings"])
    env_id = saved.get("env_id") or env_id_for(settings.game)
    algo_config = load_hyperparams(settings.algo, env_id, run_dir.path / "hyperparams.yml")
    path = Path(model_path) if model_path is not None else run_dir.model_for_eval()
    env = make_env(env_id, 1, level_source=None, obs=settings.obs, seed=0, env_kwargs=algo_config.env_kwargs)
    try:
        with warnings.catch_warnings():
            # Rebuilt on one environment to act, not to train: SB3's warning that the minibatch does not
            # divide that rollout would only confuse (the run trained with its own n_envs).
            warnings.filterwarnings("ignore", "You have specified a mini-batch size", UserWarning)
            model = build_model(
                algorithm_class(settings.algo), algo_config, env, seed=settings.seed, game=settings.game,
                device=device,
            )
        load_weights(model, path)
    finally:
        env.close()
    return model, settings, env_id
