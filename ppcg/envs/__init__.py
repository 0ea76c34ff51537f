"""Gymnasium environments over the compiled engine: single envs, native vector envs, rendering and play.

>>> import gymnasium as gym
>>> import ppcg
>>> env = gym.make("ppcg/Zelda-v0", difficulty=0.3, obs_type="rgb")  # doctest: +SKIP
>>> envs = ppcg.make_vec("ppcg/Zelda-v0", num_envs=64)  # doctest: +SKIP

Names are imported on first use, so that ``ppcg.envs.source`` (the contract curricula implement) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "VGDLEnv",
    "VGDLVectorEnv",
    "make_vec",
    "register_envs",
    "LevelSource",
    "LevelRequest",
    "EpisodeResult",
    "GeneratorSource",
    "FixedLevelSource",
    "Renderer",
]

# name -> module that defines it. One entry a line.
_EXPORTS: dict[str, str] = {
    "VGDLEnv": "ppcg.envs.core",
    "VGDLVectorEnv": "ppcg.envs.vector",
    "make_vec": "ppcg.envs.vector",
    "register_envs": "ppcg.envs.registration",
    "LevelSource": "ppcg.envs.source",
    "LevelRequest": "ppcg.envs.source",
    "EpisodeResult": "ppcg.envs.source",
    "GeneratorSource": "ppcg.envs.sources",
    "FixedLevelSource": "ppcg.envs.sources",
    "Renderer": "ppcg.envs.render",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ppcg.envs' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
