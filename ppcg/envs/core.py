"""``VGDLEnv``: one VGDL game as a Gymnasium environment, over a one-environment :class:`BatchEngine`.

The pieces shared with the native vector environment (:mod:`ppcg.envs.vector`) live here too: loading and
compiling a game once per process, turning the ``level=`` argument into levels, choosing the default level
source and the fixed observation size.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from ppcg.envs.registration import MAX_EPISODE_STEPS, game_entry
from ppcg.envs.source import EpisodeResult, LevelRequest, LevelSource
from ppcg.envs.sources import SEED_BOUND, FixedLevelSource, GeneratorSource, check_level_range
from ppcg.generators.base import check_difficulty
from ppcg.vgdl.level import Level, load_level

__all__ = ["VGDLEnv", "GameSetup", "setup_game", "coerce_levels", "OBS_TYPES"]

OBS_TYPES = ("symbolic", "rgb")
RENDER_MODES = ["human", "rgb_array", "ansi"]
RENDER_FPS = 15
DEFAULT_TILE_SIZE = 20
_HUMAN_LEVEL = re.compile(r"lvl\d+")


# ------------------------------------------------------------------------------------------------------------
# games, levels, sources: shared with the vector environment


@functools.lru_cache(maxsize=64)
def _load_compiled(path: str, mtime_ns: int) -> tuple[Any, Any]:
    from ppcg.engine import compile_game
    from ppcg.vgdl.parser import load_game

    spec = load_game(path)
    return spec, compile_game(spec)


def load_compiled(game: str | Path) -> tuple[str, bool, Any, Any]:
    """Load and compile a game once per process: ``(name, bundled, GameSpec, CompiledGame)``.

    ``game`` is the name of a bundled game (``"zelda"``) or a path to a game file; the name is the file's
    stem, and ``bundled`` tells whether it is one of the bundled games (only those have generators and human
    levels).
    """
    from ppcg.resources import game_path, games_dir

    path = game_path(game).resolve()
    spec, compiled = _load_compiled(str(path), path.stat().st_mtime_ns)
    bundled = path.parent == Path(games_dir()).resolve()
    return path.stem, bundled, spec, compiled


def _generator_for(name: str) -> Any | None:
    """The registered generator of a bundled game, or None when it has none.

    The four games of :data:`ppcg.envs.registration.GAMES` must have one: a missing generator is an error
    there.
    """
    from ppcg.generators import get_generator

    if game_entry(name) is not None:
        return get_generator(name)
    try:
        return get_generator(name)
    except (KeyError, ValueError, LookupError):
        return None


def coerce_levels(level: Any, spec: Any, game_name: str | None) -> list[tuple[Level, str]]:
    """Turn the ``level=`` argument into ``(Level, level_id)`` pairs bound to the game's mapping.

    Accepted: a :class:`Level`; a path (``str`` or ``Path``) to a level file; a level's text (a string with a
    newline); ``"lvl0"`` ... ``"lvl4"`` for a bundled game's human levels; or a list of these.

    Raises:
        ValueError: a string that is none of these.
        ppcg.vgdl.VGDLLevelError: a level the game cannot play (no avatar, unknown sprite ...).
    """
    items = list(level) if isinstance(level, (list, tuple)) else [level]
    if not items:
        raise ValueError("level= is an empty list")
    out: list[tuple[Level, str]] = []
    for k, item in enumerate(items):
        lvl, lid = _coerce_one(item, spec, game_name, k)
        lvl.validate(spec)
        out.append((lvl, lid))
    return out


def _coerce_one(item: Any, spec: Any, game_name: str | None, k: int) -> tuple[Level, str]:
    if isinstance(item, Level):
        lvl = item if item.mapping else item.with_mapping(spec.mapping)
        return lvl, item.name or f"level{k}"
    if isinstance(item, Path):
        return load_level(item, spec), item.stem
    if isinstance(item, str):
        if "\n" in item or "\r" in item:
            return Level.for_game(item, spec, name=None), f"level{k}"
        if _HUMAN_LEVEL.fullmatch(item) and game_name is not None:
            from ppcg.resources import human_level_paths

            paths = {p.stem: p for p in human_level_paths(game_name)}
            if item not in paths:
                raise ValueError(
                    f"game {game_name!r} has no human level {item!r} (it has {', '.join(paths)})"
                )
            return load_level(paths[item], spec), item
        path = Path(item)
        if path.is_file():
            return load_level(path, spec), path.stem
        raise ValueError(
            f"level {item!r} is not a file; expected a path to a level file, a level's text (with newlines), "
            f"'lvl0'...'lvl4' (a bundled human level) or a ppcg.vgdl.Level"
        )
    raise TypeError(f"level must be a path, a string, a Level or a list of them, not {type(item).__name__}")


@dataclass
class GameSetup:
    """Everything an environment needs before it builds its engine.

    Attributes:
        name: the game's name (``"zelda"``).
        spec: its :class:`ppcg.vgdl.GameSpec`.
        compiled: its :class:`ppcg.engine.CompiledGame`.
        source: the level source.
        obs_size: ``(width, height)`` of the observation, in cells.
        bundled: whether the game is a bundled one (which may have a generator and human levels).
    """

    name: str
    spec: Any
    compiled: Any
    source: LevelSource
    obs_size: tuple[int, int]
    bundled: bool = True


def setup_game(
    game: str | Path | None,
    level: Any = None,
    difficulty: float | None = None,
    level_source: LevelSource | None = None,
    obs_size: tuple[int, int] | None = None,
    num_levels: int = 0,
    start_level: int = 0,
) -> GameSetup:
    """Resolve the game, the level source and the observation size from an environment's keyword arguments.

    The level source is ``level_source`` if given; else the fixed ``level`` list (``difficulty``, if given, is
    then what ``info`` reports for them); else the game's generator at ``difficulty`` (0.5 when None; over
    ``num_levels`` seeds from ``start_level`` when given); else the game's human levels.
    The observation size is ``obs_size`` if given; else the bundled game's fixed size
    (:data:`ppcg.envs.registration.GAMES`); else the generator's size; else the largest given level.
    """
    if game is None:
        raise ValueError(
            "no game: pass game= (the name of a bundled game, e.g. 'zelda', or a path to a game file)"
        )
    name, bundled, spec, compiled = load_compiled(game)
    num_levels, start_level = check_level_range(num_levels, start_level)
    if num_levels and (level_source is not None or level is not None):
        given = "level_source= (give the curriculum num_levels)" if level_source is not None else "level="
        raise ValueError(f"num_levels and start_level choose among generated levels, not with {given}")
    fixed: list[tuple[Level, str]] = (
        coerce_levels(level, spec, name if bundled else None) if level is not None else []
    )
    generator = None
    if difficulty is not None:
        difficulty = check_difficulty(difficulty)
    if level_source is None:
        if fixed:
            level_source = FixedLevelSource(
                [lv for lv, _ in fixed], [i for _, i in fixed], difficulty=difficulty
            )
        else:
            generator = _generator_for(name) if bundled else None
            if generator is not None:
                d = 0.5 if difficulty is None else difficulty
                level_source = GeneratorSource(
                    name, d, generator=None, num_levels=num_levels, start_level=start_level
                )
            elif num_levels:
                raise ValueError(f"game {name!r} has no generator: num_levels and start_level do not apply")
            elif difficulty is not None:
                raise ValueError(f"game {name!r} has no generator: difficulty= needs level= or a generator")
            else:
                try:
                    fixed = (
                        coerce_levels([f"lvl{k}" for k in range(_n_human(name))], spec, name)
                        if bundled
                        else []
                    )
                except (FileNotFoundError, ValueError):
                    fixed = []
                if not fixed:
                    raise ValueError(
                        f"game {name!r} has no generator and no bundled levels: pass level= (a path, a "
                        f"level's text, a Level, or a list of them) or level_source="
                    )
                level_source = FixedLevelSource([lv for lv, _ in fixed], [i for _, i in fixed])
    if not isinstance(level_source, LevelSource):
        raise TypeError(
            f"level_source must have next_level() and episode_done(), got {type(level_source).__name__}"
        )
    if obs_size is None:
        entry = game_entry(name) if bundled else None
        if entry is not None:
            obs_size = (entry.width, entry.height)
        else:
            generator = (
                generator or (_generator_for(name) if bundled else None) or _source_generator(level_source)
            )
            if generator is not None and getattr(generator, "width", None):
                obs_size = (int(generator.width), int(generator.height))
            elif fixed:
                obs_size = (max(lv.width for lv, _ in fixed), max(lv.height for lv, _ in fixed))
            elif isinstance(level_source, FixedLevelSource):
                lvls = [r.level for r in level_source.requests]
                obs_size = (max(lv.width for lv in lvls), max(lv.height for lv in lvls))
            else:
                raise ValueError(
                    f"cannot tell the observation size of game {name!r}: pass obs_size=(width, height)"
                )
    obs_size = (int(obs_size[0]), int(obs_size[1]))
    for lv, lid in fixed:
        check_fits(lv, lid, obs_size)
    return GameSetup(name, spec, compiled, level_source, obs_size, bundled)


def _source_generator(source: Any) -> Any | None:
    """The generator a level source draws from (a curriculum's, a ``GeneratorSource``'s), or None."""
    try:
        return getattr(source, "generator", None)
    except (KeyError, LookupError):  # a GeneratorSource of a game with no generator
        return None


def _n_human(name: str) -> int:
    from ppcg.resources import human_level_paths

    return len(human_level_paths(name))


def check_fits(level: Level, level_id: str, obs_size: tuple[int, int]) -> None:
    """Raise ValueError when ``level`` is larger than the observation."""
    if level.width > obs_size[0] or level.height > obs_size[1]:
        raise ValueError(
            f"level {level_id!r} is {level.width}x{level.height}, larger than the observation "
            f"{obs_size[0]}x{obs_size[1]}; pass obs_size=(width, height)"
        )


def bind(request: LevelRequest, spec: Any, obs_size: tuple[int, int]) -> LevelRequest:
    """The request with its level bound to the game's mapping (if unbound), checked to fit the observation."""
    lvl = request.level
    if not lvl.mapping:
        request = LevelRequest(
            lvl.with_mapping(spec.mapping), request.level_id, request.level_seed, request.difficulty
        )
    check_fits(request.level, request.level_id, obs_size)
    return request


def plane_names(compiled: Any, facing: bool = False, offsets: bool = False, inventory: bool = False) -> list[str]:
    """The symbolic observation's planes by name, in order: the sprite planes, then those ``facing``,
    ``offsets`` and ``inventory`` add."""
    from ppcg.engine import FACING_PLANES, OFFSET_PLANES, inventory_plane_names

    return (
        list(compiled.leaf_names) + list(FACING_PLANES) * bool(facing) + list(OFFSET_PLANES) * bool(offsets)
        + inventory_plane_names(compiled) * bool(inventory)
    )  # fmt: skip


def observation_space(
    compiled: Any, obs_type: str, obs_size: tuple[int, int], facing: bool = False, offsets: bool = False,
    inventory: bool = False,
) -> spaces.Box:
    """One environment's observation space: symbolic ``[C, H, W]`` in {0, 1} (``facing``, ``offsets``: four
    more planes each; ``inventory``: a plane per resource kind, from 0 to the resource's limit), or rgb
    ``[H*b, W*b, 3]``."""
    w, h = obs_size
    if obs_type == "symbolic":
        from ppcg.engine import inventory_limits

        c = len(plane_names(compiled, facing, offsets, inventory))
        if not inventory or not compiled.resource_names:
            return spaces.Box(0, 1, (c, h, w), np.uint8)
        high = np.ones((c, h, w), np.uint8)
        limits = inventory_limits(compiled)
        high[c - len(limits):] = limits[:, None, None].astype(np.uint8)
        return spaces.Box(np.zeros_like(high), high, (c, h, w), np.uint8)
    for name, asked in (("facing", facing), ("offsets", offsets), ("inventory", inventory)):
        if asked:
            raise ValueError(f"{name} planes are part of symbolic observations, not of obs_type={obs_type!r}")
    if obs_type == "rgb":
        b = int(compiled.block_size)
        return spaces.Box(0, 255, (h * b, w * b, 3), np.uint8)
    raise ValueError(f"obs_type must be one of {OBS_TYPES}, not {obs_type!r}")


def check_win_reward(win_reward: Any) -> float:
    """``win_reward`` as a float: a finite number (0, the default, is GVGAI-gym's reward: the score's change)."""
    try:
        value = float(win_reward)
    except (TypeError, ValueError):
        value = float("nan")
    if isinstance(win_reward, bool) or not np.isfinite(value):
        raise ValueError(f"win_reward must be a finite number, not {win_reward!r}")
    return value


def check_frame_skip(frame_skip: Any) -> int:
    """``frame_skip`` as an int: how many game ticks one action is repeated for (1, the default, is GVGAI's)."""
    if isinstance(frame_skip, bool) or not isinstance(frame_skip, (int, np.integer)) or frame_skip < 1:
        raise ValueError(f"frame_skip must be a positive integer, not {frame_skip!r}")
    return int(frame_skip)


def check_render_mode(render_mode: str | None, allowed: Sequence[str] = RENDER_MODES) -> None:
    if render_mode is not None and render_mode not in allowed:
        raise ValueError(f"render_mode must be None or one of {list(allowed)}, not {render_mode!r}")


def info_for(request: LevelRequest, score: float) -> dict[str, Any]:
    return {
        "level_id": request.level_id,
        "level_seed": request.level_seed,
        "difficulty": request.difficulty,
        "score": score,
    }


def request_from_options(
    options: dict[str, Any], setup: GameSetup, rng: np.random.Generator, env_index: int
) -> LevelRequest | None:
    """The level ``reset(options=...)`` asks for (``{"level": ...}`` or ``{"difficulty": d}``), or None."""
    unknown = set(options) - {"level", "difficulty", "reset_mask"}
    if unknown:
        raise ValueError(f"unknown reset option(s) {sorted(unknown)}; expected 'level' and/or 'difficulty'")
    if isinstance(options.get("level"), LevelRequest):
        return options["level"]
    d = options.get("difficulty")
    if d is not None:
        d = check_difficulty(d, "reset option 'difficulty'")
    if options.get("level") is not None:
        pairs = coerce_levels(options["level"], setup.spec, setup.name if setup.bundled else None)
        lvl, lid = pairs[int(rng.integers(len(pairs)))] if len(pairs) > 1 else pairs[0]
        return LevelRequest(lvl, lid, None, d)  # a given level: ``difficulty`` is what info reports
    if d is not None:
        src = setup.source
        if isinstance(src, FixedLevelSource):
            raise ValueError(
                "this environment plays given levels; reset option 'difficulty' alone would switch it to "
                "generated ones: pass 'level' with it, or make a generated-level environment (ppcg/Zelda-v0)"
            )
        if not isinstance(src, GeneratorSource):
            if not setup.bundled or _generator_for(setup.name) is None:
                raise ValueError(
                    f"game {setup.name!r} has no generator, so reset option 'difficulty' cannot be used"
                )
            src = GeneratorSource(setup.name)
        return src.level_at(d, src.draw_seed(rng))
    return None


# ------------------------------------------------------------------------------------------------------------
# the environment


class GeneratorDifficulty:
    """The ``difficulty`` property of the single and the vector environment (over ``self._setup.source``)."""

    _setup: GameSetup

    @property
    def difficulty(self) -> float | None:
        """The generator's difficulty (None when levels do not come from a :class:`GeneratorSource`)."""
        src = self._setup.source
        return src.difficulty if isinstance(src, GeneratorSource) else None

    @difficulty.setter
    def difficulty(self, value: float) -> None:
        src = self._setup.source
        if not isinstance(src, GeneratorSource):
            raise AttributeError(f"levels come from {src!r}, which has no difficulty")
        src.difficulty = value


class VGDLEnv(GeneratorDifficulty, gym.Env):
    """A VGDL game (GVGAI's rules, compiled) as a Gymnasium environment.

    ## Description

    The four games of Justesen et al. (2018), Zelda, Solarfox, Frogs and Boulderdash, and any other VGDL game
    file the engine supports. Each reset asks the environment's level source for the next level: by default
    the game's generator at ``difficulty`` (``ppcg/Zelda-v0``), or a fixed human level
    (``ppcg/Zelda-lvl0-v0``). A curriculum (:mod:`ppcg.curricula`) is a level source too: pass it as
    ``level_source=``.

    >>> import gymnasium as gym, ppcg
    >>> env = gym.make("ppcg/Zelda-v0", difficulty=0.3)  # doctest: +SKIP
    >>> obs, info = env.reset(seed=0)  # doctest: +SKIP
    >>> info["level_id"]  # doctest: +SKIP
    'zelda/d=0.300/seed=...'

    ## Action Space

    ``Discrete(n)``: ``NIL`` (0) then the avatar's actions in GVGAI's order, e.g. ``NIL, USE, LEFT, RIGHT,
    DOWN, UP`` for Zelda's ``ShootAvatar``; ``env.unwrapped.action_names`` lists them.

    ## Observation

    ``obs_type="symbolic"`` (default): ``uint8 [C, H, W]`` in {0, 1}, one plane per leaf sprite type
    (``env.unwrapped.plane_names``), a cell set where a sprite of that type covers its centre; ``facing=True``
    adds four planes (facing up, down, left, right), the avatar's direction set at its cell; ``offsets=True``
    four more (above, below, left, right of its cell), set where a sprite drawn in the cell stands off the
    cell's grid position (a sprite slower than a cell a tick, half-way to the next cell).
    ``obs_type="rgb"``: ``uint8 [H*10, W*10, 3]``, GVGAI's learning-track frame at 10 pixels per cell.
    ``W x H`` is fixed per game (Zelda 13x9, Solarfox 10x11, Frogs 28x11, Boulderdash 26x13); a smaller level
    is padded with walls. The observation is a fresh array every step.

    ## Rewards

    The change in game score this step, unclipped (Zelda: key +1, door +1, monster killed +2, death -1 ...).

    ## Termination

    ``terminated`` when a termination of the game fires (win or loss: ``info["winner"]`` is 1 for a win, -1
    for a loss); ``truncated`` at 2000 steps (GVGAI-gym's limit), which is both the engine's step limit
    (``max_steps``) and the registered ``TimeLimit``, so the two fire on the same step.

    ``info`` on every step: ``level_id``, ``level_seed`` and ``difficulty`` (None for a given level) and
    ``score``; on the last step also ``is_success`` (the game's win) and ``winner``.

    ## Registered Configurations

    * ``ppcg/Zelda-v0``, ``ppcg/Solarfox-v0``, ``ppcg/Frogs-v0``, ``ppcg/Boulderdash-v0``: a generated level
      per reset.
    * ``ppcg/<Game>-lvl0-v0`` ... ``ppcg/<Game>-lvl4-v0``: the game's human levels.
    * ``ppcg/VGDL-v0``: any game: ``game=`` a path or a bundled name, ``level=`` the levels.

    Args:
        game: a bundled game's name (``"zelda"``) or a path to a VGDL game file.
        level: a level or list of levels (a path, a level's text, ``"lvl0"``, a :class:`ppcg.vgdl.Level`),
            played in random order; default: the game's generator.
        difficulty: the generator's difficulty in [0, 1] (default 0.5); with ``level``, what ``info`` reports
            as the given levels' difficulty.
        num_levels: Procgen's ``num_levels``: the generated levels are those of ``num_levels`` seeds (from
            ``start_level``), a finite training set; 0 (default): a new level every episode.
        start_level: the first of those seeds (default 0).
        obs_type: ``"symbolic"`` or ``"rgb"``.
        render_mode: None, ``"human"`` (a pygame window, opened on first use), ``"rgb_array"`` or ``"ansi"``.
        level_source: where levels come from (overrides ``level`` and ``difficulty``).
        tile_size: pixels per cell of ``render()`` (default 20).
        max_steps: the engine's step limit (default 2000). ``gymnasium.make(id, max_episode_steps=n)`` changes
            only the ``TimeLimit`` wrapper; pass ``max_steps=n`` as well so that the engine agrees (an episode
            cut by the wrapper alone is reported to the level source as truncated at the next reset).
        obs_size: ``(width, height)`` of the observation in cells (default: the game's fixed size).
        env_index: this environment's index when reporting to a shared level source (default 0).
        facing: symbolic observations with the avatar's facing (four more planes): where the avatar turns
            before it moves or acts ahead of itself (Zelda's sword), its direction is otherwise hidden.
        offsets: symbolic observations with where sprites stand inside their cells (four more planes, after
            the facing planes): a sprite slower than a cell a tick (Solarfox's ship and shots, Frogs' cars) is
            drawn in the cell whose centre it covers, and which half of its way it is on is otherwise hidden.
        inventory: symbolic observations with what the avatar carries (one more plane per resource kind, after
            the others, holding the amount at the avatar's cell; GVGAI draws it as a bar on the avatar):
            Boulderdash's gems held, a shooter's ammunition.
        win_reward: added to the reward of the step on which the game is won (default 0: the reward is the
            score's change, as in GVGAI-gym). Some games score nothing for the win itself (Boulderdash's exit:
            an agent rewarded for gems only has no reason to leave); the score in ``info`` is the game's.
        frame_skip: how many game ticks each action is repeated for (default 1: one action a tick, as in
            GVGAI). A step returns the last tick's observation and the sum of the ticks' rewards, and stops
            early on the tick that ends the game. The step limits (``max_steps``, GVGAI's 2,000) and the
            ``tick`` count game ticks, not actions. Atari's frame skip: for games whose sprites move a fraction
            of a cell a tick (Solarfox's ship crosses a cell in seven), so that an agent's discount and rollout
            span more of the game.
    """

    metadata = {"render_modes": RENDER_MODES, "render_fps": RENDER_FPS}

    def __init__(
        self,
        game: str | Path | None = None,
        *,
        level: Any = None,
        difficulty: float | None = None,
        obs_type: str = "symbolic",
        render_mode: str | None = None,
        level_source: LevelSource | None = None,
        tile_size: int = DEFAULT_TILE_SIZE,
        max_steps: int = MAX_EPISODE_STEPS,
        obs_size: tuple[int, int] | None = None,
        env_index: int = 0,
        num_levels: int = 0,
        start_level: int = 0,
        facing: bool = False,
        offsets: bool = False,
        inventory: bool = False,
        win_reward: float = 0.0,
        frame_skip: int = 1,
    ) -> None:
        from ppcg.engine import BatchEngine

        check_render_mode(render_mode)
        if obs_type not in OBS_TYPES:
            raise ValueError(f"obs_type must be one of {OBS_TYPES}, not {obs_type!r}")
        if int(tile_size) < 1:
            raise ValueError(f"tile_size must be a positive integer, not {tile_size!r}")
        self._init_kwargs = dict(
            game=game, level=level, difficulty=difficulty, obs_type=obs_type, render_mode=render_mode,
            level_source=level_source, tile_size=tile_size, max_steps=max_steps, obs_size=obs_size,
            env_index=env_index, num_levels=num_levels, start_level=start_level, facing=facing,
            offsets=offsets, inventory=inventory, win_reward=win_reward, frame_skip=frame_skip,
        )  # fmt: skip
        self._setup = setup_game(game, level, difficulty, level_source, obs_size, num_levels, start_level)
        self.game_name = self._setup.name
        self.game = self._setup.compiled
        self.obs_type = obs_type
        self.render_mode = render_mode
        self.tile_size = int(tile_size)
        self.max_steps = int(max_steps)
        self.win_reward = check_win_reward(win_reward)
        self.frame_skip = check_frame_skip(frame_skip)
        self.env_index = int(env_index)
        self.action_names: list[str] = list(self.game.action_names)
        self.plane_names: list[str] = plane_names(self.game, facing, offsets, inventory)
        self._n_actions = int(self.game.n_actions)
        self.action_space = spaces.Discrete(self._n_actions)
        self.observation_space = observation_space(
            self.game, obs_type, self._setup.obs_size, facing, offsets, inventory
        )
        self._engine = BatchEngine(
            self.game, 1, obs_type=obs_type, obs_size=self._setup.obs_size, max_steps=self.max_steps,
            facing=facing, offsets=offsets, inventory=inventory,
        )
        self._request: LevelRequest | None = None
        self._info: dict[str, Any] = {}
        self._steps = 0
        self._score = 0.0
        self._open = False  # an episode is running and not yet reported to the level source
        self._renderer: Any = None
        self._window: Any = None

    # --------------------------------------------------------------------------------------------------------
    @property
    def level_source(self) -> LevelSource:
        """Where this environment's levels come from."""
        return self._setup.source

    @property
    def level(self) -> LevelRequest | None:
        """The current episode's level request (None before the first reset)."""
        return self._request

    @property
    def engine(self) -> Any:
        """The underlying one-environment :class:`ppcg.engine.BatchEngine`."""
        return self._engine

    @property
    def tick(self) -> int:
        """Game ticks taken in the current episode (steps, unless ``frame_skip`` repeats each action)."""
        return self._steps

    @property
    def score(self) -> float:
        """The current game score."""
        return self._score

    # --------------------------------------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """Start an episode on the next level of the level source (or the level ``options`` asks for).

        Args:
            seed: seeds the environment's generator, from which levels and the game's own randomness are
                drawn.
            options: ``{"level": ...}`` (anything ``level=`` accepts) or ``{"difficulty": d}`` (a generated
                level at ``d``) for this episode only.
        """
        super().reset(seed=seed)
        self._close_episode(truncated=True)  # an episode cut short by a wrapper (TimeLimit) or abandoned
        rng = self.np_random
        request = request_from_options(options, self._setup, rng, self.env_index) if options else None
        if request is None:
            request = self._setup.source.next_level(self.env_index, rng)
        request = bind(request, self._setup.spec, self._setup.obs_size)
        engine_seed = int(rng.integers(SEED_BOUND))
        batch_obs = self._engine.reset([request.level], np.array([engine_seed], dtype=np.int64))
        self._request = request
        self._steps = 0
        self._score = 0.0
        self._open = True
        obs = (batch_obs if batch_obs is not None else self._engine.observe())[0]
        if self.render_mode == "human":
            self.render()
        return obs, info_for(request, 0.0)

    def step(self, action: int):
        """Advance the game one tick with ``action`` (``frame_skip`` ticks, or until the game ends).

        Raises:
            ValueError: ``action`` is not one of the action space's.
            gymnasium.error.ResetNeeded: no episode was started.
        """
        if not 0 <= action < self._n_actions:
            raise ValueError(
                f"action {action!r} is not in 0..{self._n_actions - 1} ({', '.join(self.action_names)})"
            )
        if self._request is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        skip = self.frame_skip
        obs, reward, terminated, truncated, score, winner = self._engine.step_one(action, skip == 1)
        ticks = 1
        while ticks < skip and not (terminated or truncated):
            ticks += 1
            obs, more, terminated, truncated, score, winner = self._engine.step_one(action, ticks == skip)
            reward += more
        if obs is None:  # the game ended before the last tick of the skip
            obs = self._engine.observe()[0]
        truncated = truncated and not terminated
        self._score = score
        self._steps += ticks
        request = self._request
        info = {
            "level_id": request.level_id,
            "level_seed": request.level_seed,
            "difficulty": request.difficulty,
            "score": score,
        }
        if terminated or truncated:
            info["is_success"] = winner == 1
            info["winner"] = winner
            if terminated and winner == 1:
                reward += self.win_reward
            if self._open:
                self._open = False
                self._report(winner == 1, truncated)
        if self.render_mode == "human":
            self.render()
        return obs, reward, terminated, truncated, info

    def _report(self, won: bool, truncated: bool) -> None:
        req = self._request
        self._setup.source.episode_done(
            self.env_index,
            EpisodeResult(
                req.level_id, won, self._score, self._steps, truncated, req.difficulty, req.level_seed
            ),
        )

    def _close_episode(self, truncated: bool) -> None:
        if self._open and self._steps > 0:
            self._report(False, truncated)
        self._open = False

    # --------------------------------------------------------------------------------------------------------
    def render(self):
        """``rgb_array``: the frame (``uint8 [H*tile, W*tile, 3]``); ``ansi``: the level as text; ``human``:
        a window."""
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode= to gymnasium.make")
            return None
        if self._request is None:
            raise gym.error.ResetNeeded("call reset() before render()")
        r = self._get_renderer()
        size = (self._request.level.width, self._request.level.height)
        if self.render_mode == "ansi":
            return r.ansi(self._engine, 0, size)
        frame = r.frame(self._engine, 0, size)
        if self.render_mode == "rgb_array":
            return frame
        if self._window is None:
            from ppcg.envs.render import Window

            self._window = Window(f"ppcg: {self.game_name}", fps=self.metadata["render_fps"])
        self._window.show(frame, self.status_line())
        return None

    def status_line(self) -> str:
        """``score 3  tick 120  d=0.50  zelda/d=0.500/seed=...`` for windows and videos."""
        req = self._request
        d = "" if req is None or req.difficulty is None else f"  d={req.difficulty:.2f}"
        lid = "" if req is None else f"  {req.level_id}"
        return f"score {self._score:g}  tick {self._steps}{d}{lid}"

    def _get_renderer(self):
        if self._renderer is None:
            from ppcg.envs.render import Renderer

            self._renderer = Renderer(self.game, self.tile_size, self._setup.obs_size)
        return self._renderer

    def get_keys_to_action(self) -> dict[tuple[int, ...], int]:
        """Key bindings for :func:`gymnasium.utils.play.play`: arrows move, space is USE, no key is NIL."""
        from ppcg.envs.play import keys_to_action

        return keys_to_action(self.action_names)

    def close(self) -> None:
        """Close the window, if one was opened."""
        if self._window is not None:
            self._window.close()
            self._window = None

    # --------------------------------------------------------------------------------------------------------
    # pickling: rebuilt from the constructor arguments, with the generator, the level source and, mid-episode,
    # the engine's state carried over
    def __getstate__(self) -> dict[str, Any]:
        kwargs = dict(self._init_kwargs)
        kwargs["level_source"] = self._setup.source
        episode = None
        if self._request is not None:
            episode = (self._request, self._steps, self._score, self._open, self._engine.get_state(0))
        return {
            "kwargs": kwargs,
            "np_random": self._np_random,
            "np_random_seed": getattr(self, "_np_random_seed", None),
            "spec": self.spec,
            "episode": episode,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state["kwargs"])
        self._np_random = state["np_random"]
        self._np_random_seed = state["np_random_seed"]
        self.spec = state["spec"]
        if state["episode"] is not None:
            request, steps, score, is_open, engine_state = state["episode"]
            self._engine.reset([request.level], np.zeros(1, dtype=np.int64))
            self._engine.set_state(0, engine_state)
            self._request, self._steps, self._score, self._open = request, steps, score, is_open
