"""Environment ids, registered with Gymnasium from a table.

Every bundled game gets one id whose levels come from the game's generator (a new level at each reset, at the
``difficulty`` keyword, default 0.5) and one id per human level; ``ppcg/VGDL-v0`` takes any game file. All ids
share ``max_episode_steps=2000`` (GVGAI-gym's limit), which is also the engine's own step limit, so
Gymnasium's ``TimeLimit`` and the engine truncate on the same step and the episode reports ``truncated`` once.

=============================  ==================================================================
id                             levels
=============================  ==================================================================
``ppcg/Zelda-v0``              Zelda's generator, a new level every reset (``difficulty=0.5``)
``ppcg/Zelda-lvl0-v0`` ...     Zelda's human levels ``lvl0`` ... ``lvl4``
``ppcg/Solarfox-v0`` ...       the same for Solarfox, Frogs and Boulderdash
``ppcg/VGDL-v0``               any game (``game=`` a path or bundled name; ``level=`` ...)
=============================  ==================================================================

>>> import gymnasium as gym
>>> import ppcg
>>> sorted(i for i in gym.registry if i.startswith("ppcg/Zelda"))[:2]
['ppcg/Zelda-lvl0-v0', 'ppcg/Zelda-lvl1-v0']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["GameEntry", "EnvEntry", "GAMES", "ENV_TABLE", "MAX_EPISODE_STEPS", "register_envs", "game_entry"]

NAMESPACE = "ppcg"
MAX_EPISODE_STEPS = 2000  # GVGAI-gym's episode limit; also the engine's step limit
N_HUMAN_LEVELS = 5
ENTRY_POINT = "ppcg.envs.core:VGDLEnv"
VECTOR_ENTRY_POINT = "ppcg.envs.vector:VGDLVectorEnv"


@dataclass(frozen=True)
class GameEntry:
    """A bundled game: its id stem, bundled file name and fixed observation size (width x height, in cells).

    The size is that of the game's human levels; generated levels are padded with walls to it (by the
    generator, and otherwise by the engine's ``obs_size``), so every id of a game has one observation shape.
    """

    title: str
    game: str
    width: int
    height: int


# One entry a line: (id stem, bundled game, width, height).
GAMES: tuple[GameEntry, ...] = (
    GameEntry("Zelda", "zelda", 13, 9),
    GameEntry("Solarfox", "solarfox", 10, 11),
    GameEntry("Frogs", "frogs", 28, 11),
    GameEntry("Boulderdash", "boulderdash", 26, 13),
)


@dataclass(frozen=True)
class EnvEntry:
    """One registered id and the keyword arguments it passes to :class:`ppcg.envs.core.VGDLEnv`."""

    id: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def _table() -> tuple[EnvEntry, ...]:
    rows: list[EnvEntry] = []
    for g in GAMES:
        rows.append(EnvEntry(f"{NAMESPACE}/{g.title}-v0", {"game": g.game}))
        rows += [
            EnvEntry(f"{NAMESPACE}/{g.title}-lvl{k}-v0", {"game": g.game, "level": f"lvl{k}"})
            for k in range(N_HUMAN_LEVELS)
        ]
    rows.append(EnvEntry(f"{NAMESPACE}/VGDL-v0", {}))
    return tuple(rows)


ENV_TABLE: tuple[EnvEntry, ...] = _table()


def game_entry(name: str) -> GameEntry | None:
    """The table entry of a bundled game (by file name, ``"zelda"``), or None."""
    for g in GAMES:
        if g.game == name:
            return g
    return None


def register_envs() -> None:
    """Register every ``ppcg/...`` id of :data:`ENV_TABLE` with Gymnasium (idempotent)."""
    from gymnasium.envs.registration import register, registry

    for entry in ENV_TABLE:
        if entry.id in registry:
            continue
        register(
            id=entry.id,
            entry_point=ENTRY_POINT,
            vector_entry_point=VECTOR_ENTRY_POINT,
            max_episode_steps=MAX_EPISODE_STEPS,
            kwargs=dict(entry.kwargs),
        )
