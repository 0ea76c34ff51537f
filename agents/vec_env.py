"""Present a Gymnasium ``VectorEnv`` (``ppcg.make_vec``) to Stable-Baselines3 as a ``VecEnv``.

SB3 does not take Gymnasium vector environments. It expects, at every step, observations where a finished
environment has *already* been reset, and for that environment ``infos[i]["terminal_observation"]`` (the last
observation of the finished episode) and the final step's other info. Gymnasium 1.x vector environments return
a dict of arrays for ``info`` (with ``"_key"`` masks) and reset finished environments in one of three ways
(``metadata["autoreset_mode"]``):

* ``SAME_STEP``: the step returns the new episode's first observation, and ``info["final_obs"]`` /
  ``info["final_info"]`` hold the finished episode's last ones: exactly SB3's contract, translated here;
* ``DISABLED``: the adapter resets the finished environments itself with ``reset(options={"reset_mask":
  done})``;
* ``NEXT_STEP`` (Gymnasium's default) returns a dummy transition after every episode, which SB3 would learn
  from: refused with a clear error.

Either way the environment's level source is consulted on the reset, so a curriculum is never bypassed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvStepReturn

__all__ = ["SB3VecEnv", "split_infos"]

try:  # Gymnasium >= 1.1
    from gymnasium.vector import AutoresetMode
except ImportError:  # pragma: no cover - older Gymnasium
    AutoresetMode = None  # type: ignore[assignment,misc]


def _mode(venv: gym.vector.VectorEnv) -> str:
    mode = venv.metadata.get("autoreset_mode", "NextStep")
    return getattr(mode, "value", mode)


def split_infos(info: dict[str, Any], num_envs: int) -> list[dict[str, Any]]:
    """Gymnasium's vector ``info`` (dict of arrays with ``"_key"`` masks) as one dict per environment.

    A key without a mask is given to every environment; nested dicts (``final_info``) are split recursively.
    Numpy scalars become Python numbers so that infos are cheap to log and to pickle.
    """
    out: list[dict[str, Any]] = [{} for _ in range(num_envs)]
    for key, value in info.items():
        if key.startswith("_"):
            continue
        mask = info.get("_" + key)
        if isinstance(value, dict):
            parts = split_infos(value, num_envs)
            for i in range(num_envs):
                if mask is None or mask[i]:
                    out[i][key] = parts[i]
            continue
        if mask is None:
            idx: Iterable[int] = range(num_envs)
        else:
            idx = np.flatnonzero(mask).tolist()
        for i in idx:
            v = value[i]
            out[i][key] = v.item() if isinstance(v, np.generic) else v
    return out


class SB3VecEnv(VecEnv):
    """A Gymnasium vector environment as an SB3 ``VecEnv``.

    Args:
        venv: a ``gymnasium.vector.VectorEnv`` whose ``autoreset_mode`` is ``SAME_STEP`` or ``DISABLED``.
        seed: the seed of the first ``reset()``; later resets continue the environments' own generators, as
            Gymnasium's ``reset(seed=s)`` followed by plain resets does. ``VecEnv.seed(s)`` replaces it.

    Attributes:
        venv: the wrapped vector environment.

    Raises:
        ValueError: the vector environment resets in ``NEXT_STEP`` mode.
    """

    def __init__(self, venv: gym.vector.VectorEnv, seed: int | None = None) -> None:
        mode = _mode(venv)
        if mode not in ("SameStep", "Disabled"):
            raise ValueError(
                f"SB3VecEnv needs a vector env with autoreset_mode SAME_STEP or DISABLED, got {mode!r}: "
                "in NEXT_STEP mode every episode is followed by a dummy transition that SB3 would train on"
            )
        self.venv = venv
        self._same_step = mode == "SameStep"
        self._actions: np.ndarray | None = None
        self._first_seed = seed
        self._render_mode = getattr(venv, "render_mode", None)
        super().__init__(venv.num_envs, venv.single_observation_space, venv.single_action_space)

    # ---- core API
    # ---------------------------------------------------------------------------------------------

    def reset(self) -> np.ndarray:
        """Reset every environment (with the pending seed, if any) and return the observations."""
        seed = self._first_seed
        if any(s is not None for s in self._seeds):
            seed = self._seeds[0]
        self._first_seed = None
        options = self._options[0] if self._options and self._options[0] else None
        obs, info = self.venv.reset(seed=seed, options=options)
        self.reset_infos = split_infos(info, self.num_envs)
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        """Remember the actions; :meth:`step_wait` steps the whole batch in one call."""
        self._actions = np.asarray(actions)

    def step_wait(self) -> VecEnvStepReturn:
        """Step the batch; finished environments come back reset, ``terminal_observation`` in their info."""
        if self._actions is None:
            raise RuntimeError("step_wait() called without step_async()")
        obs, reward, terminated, truncated, info = self.venv.step(self._actions)
        self._actions = None
        dones = np.logical_or(terminated, truncated)
        infos = split_infos(info, self.num_envs)
        if dones.any():
            done_idx = np.flatnonzero(dones)
            if self._same_step:
                final_obs = info.get("final_obs")
                if final_obs is None:
                    raise RuntimeError(
                        "the vector env finished an episode without info['final_obs'] (SAME_STEP)"
                    )
                for i in done_idx.tolist():
                    final = infos[i].pop("final_info", None) or {}
                    infos[i].pop("final_obs", None)
                    merged = dict(final)
                    merged["terminal_observation"] = final_obs[i]
                    merged["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
                    infos[i] = merged
            else:
                final_obs = obs.copy()
                new_obs, reset_info = self.venv.reset(options={"reset_mask": dones})
                reset_infos = split_infos(reset_info, self.num_envs)
                for i in done_idx.tolist():
                    infos[i]["terminal_observation"] = final_obs[i]
                    infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
                    self.reset_infos[i] = reset_infos[i]
                obs = new_obs
        return obs, np.asarray(reward, dtype=np.float32), dones, infos

    def close(self) -> None:
        """Close the vector environment."""
        self.venv.close()

    def seed(self, seed: int | None = None) -> Sequence[int | None]:
        """Seed the next ``reset()``: environment ``i`` gets ``seed + i`` (Gymnasium's vector convention)."""
        self._first_seed = None
        return super().seed(seed)

    # ---- attributes and methods of the environments
    # -----------------------------------------------------------

    def _indices(self, indices: VecEnvIndices) -> list[int]:
        if indices is None:
            return list(range(self.num_envs))
        if isinstance(indices, int):
            return [indices]
        return list(indices)

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        """An attribute, once per environment index.

        The native vector env is one object, so its attribute is returned for each index; sub-environments
        (``venv.envs``), when it has them, are asked individually.
        """
        idx = self._indices(indices)
        envs = getattr(self.venv, "envs", None)
        if envs is not None:
            return [getattr(envs[i], attr_name) for i in idx]
        if attr_name == "render_mode":
            return [self._render_mode for _ in idx]
        if hasattr(self.venv, "get_attr") and not hasattr(self.venv, attr_name):
            values = self.venv.get_attr(attr_name)
            return [values[i] for i in idx]
        value = getattr(self.venv, attr_name)
        return [value for _ in idx]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        """Set an attribute on the environments (or on the vector env when it has no sub-environments)."""
        idx = self._indices(indices)
        envs = getattr(self.venv, "envs", None)
        if envs is not None:
            for i in idx:
                setattr(envs[i], attr_name, value)
        else:
            setattr(self.venv, attr_name, value)

    def env_method(
        self, method_name: str, *method_args, indices: VecEnvIndices = None, **method_kwargs
    ) -> list[Any]:
        """Call a method of each environment (or once on the vector env, repeated per index)."""
        idx = self._indices(indices)
        envs = getattr(self.venv, "envs", None)
        if envs is not None:
            return [getattr(envs[i], method_name)(*method_args, **method_kwargs) for i in idx]
        result = getattr(self.venv, method_name)(*method_args, **method_kwargs)
        return [result for _ in idx]

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None) -> list[bool]:
        """Whether sub-environments are wrapped (always False for the native vector env)."""
        idx = self._indices(indices)
        envs = getattr(self.venv, "envs", None)
        if envs is None:
            return [False for _ in idx]
        from stable_baselines3.common.env_util import is_wrapped

        return [is_wrapped(envs[i], wrapper_class) for i in idx]

    def get_images(self) -> Sequence[np.ndarray | None]:
        """One RGB frame per environment, when the vector env can render them."""
        frames = self.venv.render()
        if frames is None:
            return [None] * self.num_envs
        return list(frames)

    @property
    def unwrapped_vector_env(self) -> gym.vector.VectorEnv:
        """The Gymnasium vector env underneath."""
        return self.venv
