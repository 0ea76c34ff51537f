"""Where the bundled games, human levels and hyperparameter files live, in a clone and once installed.

``games/``, ``levels/`` and ``agents/`` sit at the top of the repository and are installed as the packages
``ppcg.games``, ``ppcg.levels`` and ``ppcg.agents`` (see ``pyproject.toml``), so the same lookups work both ways.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

__all__ = ["bundled_games", "game_path", "human_level_paths", "hyperparams_dir"]


def _package_dir(name: str) -> Path:
    return Path(str(importlib.resources.files(name)))


def games_dir() -> Path:
    """The folder holding the bundled VGDL game files (``<name>.txt``)."""
    return _package_dir("ppcg.games")


def levels_dir() -> Path:
    """The folder holding the bundled human levels (``<game>/lvl<N>.txt``)."""
    return _package_dir("ppcg.levels")


def hyperparams_dir() -> Path:
    """The folder holding the RL-Zoo style hyperparameter files (``a2c.yml`` ...)."""
    return _package_dir("ppcg.agents") / "hyperparams"


def bundled_games() -> list[str]:
    """Names of the bundled games, sorted."""
    return sorted(p.stem for p in games_dir().glob("*.txt"))


def game_path(name_or_path: str | Path) -> Path:
    """Resolve a bundled game name (``"zelda"``) or a path to a game file.

    Raises:
        FileNotFoundError: neither a bundled game nor an existing file; the message lists the bundled games.
    """
    p = Path(name_or_path)
    if p.suffix == ".txt" and p.is_file():
        return p
    candidate = games_dir() / f"{name_or_path}.txt"
    if candidate.is_file():
        return candidate
    if p.is_file():
        return p
    raise FileNotFoundError(
        f"no game {str(name_or_path)!r}: not a file, and not one of the bundled games "
        f"({', '.join(bundled_games()) or 'none'})"
    )


def human_level_paths(game: str) -> list[Path]:
    """The bundled human levels of a game, ``lvl0`` first."""
    folder = levels_dir() / game
    paths = sorted(folder.glob("lvl*.txt"), key=lambda p: int(p.stem[3:]) if p.stem[3:].isdigit() else 1 << 30)
    if not paths:
        raise FileNotFoundError(f"no human levels for game {game!r} in {folder}")
    return paths
