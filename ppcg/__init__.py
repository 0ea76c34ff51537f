"""ppcg: generalization in reinforcement learning with procedurally generated VGDL levels.

>>> import gymnasium as gym
>>> import ppcg
>>> env = gym.make("ppcg/Zelda-v0")  # doctest: +SKIP

The layers, in the order data flows: :mod:`ppcg.vgdl` (the language: game files and levels), :mod:`ppcg.engine`
(compiled, batched simulation), :mod:`ppcg.generators` (levels with a difficulty knob), :mod:`ppcg.envs`
(Gymnasium environments), :mod:`ppcg.curricula` (which level next), and ``ppcg.agents`` (Stable-Baselines3).
"""

from __future__ import annotations

__version__ = "0.1.0"


def _register() -> None:
    try:
        import gymnasium  # noqa: F401
    except ModuleNotFoundError:  # users of the language or the engine alone need no Gymnasium
        return
    from ppcg.envs.registration import register_envs

    register_envs()


_register()


def __getattr__(name: str):
    # Lazy re-exports, so that ``import ppcg`` stays cheap and the language/engine never pull in Gymnasium.
    if name == "make_vec":
        from ppcg.envs.vector import make_vec

        return make_vec
    raise AttributeError(f"module 'ppcg' has no attribute {name!r}")
