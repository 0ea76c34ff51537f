"""Native vector environments: ``num_envs`` games stepped together in one :class:`BatchEngine` call.

>>> import ppcg
>>> envs = ppcg.make_vec("ppcg/Zelda-v0", num_envs=64)  # doctest: +SKIP
>>> obs, info = envs.reset(seed=0)  # doctest: +SKIP
>>> obs.shape  # doctest: +SKIP
(64, 8, 9, 13)

Sub-environment ``i`` behaves exactly as ``gymnasium.make(id)`` reset with seed ``seed + i`` and then with
plain resets: it has its own generator, from which its levels and its game's seeds are drawn, and it asks the
shared level source for a level (as ``env_index=i``) inside every reset, the automatic ones included.

Auto-reset follows Gymnasium's ``SAME_STEP`` mode (``metadata["autoreset_mode"]``): on the step where an
episode ends, ``terminated``/``truncated`` are reported, the returned observation is already the next
episode's first one, and the finished episode's last observation and info are in ``info["final_obs"]`` and
``info["final_info"]`` (masked by ``info["_final_obs"]``). Infos are vectorised the Gymnasium way: an array
per key plus a boolean mask ``_key``.

Gymnasium's ``AsyncVectorEnv`` and SB3's ``SubprocVecEnv`` work with the single environments too; in a process
that has already stepped the engine's parallel kernels, start them with ``context="forkserver"`` (SB3's
default) or ``"spawn"`` rather than ``fork``, and make them with ``gymnasium.make("ppcg:ppcg/Zelda-v0")`` so
that the child imports ``ppcg``.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from ppcg.envs.core import (
    DEFAULT_TILE_SIZE,
    OBS_TYPES,
    RENDER_FPS,
    GeneratorDifficulty,
    bind,
    check_frame_skip,
    check_render_mode,
    check_win_reward,
    observation_space,
    plane_names,
    request_from_options,
    setup_game,
)
from ppcg.envs.registration import MAX_EPISODE_STEPS
from ppcg.envs.source import EpisodeResult, LevelRequest, LevelSource
from ppcg.envs.sources import SEED_BOUND

__all__ = ["VGDLVectorEnv", "make_vec"]

def make_vec(id: str, num_envs: int, **kwargs: Any) -> VGDLVectorEnv:
    """A native vector environment of ``num_envs`` copies of the registered ``id``.

    Args:
        id: a registered id (``"ppcg/Zelda-v0"``; the ``ppcg`` namespace may be omitted).
        num_envs: how many environments.
        **kwargs: the environment's keyword arguments (``difficulty``, ``level``, ``obs_type``,
            ``level_source`` ...), overriding the registered ones; ``max_episode_steps`` overrides the
            registered limit.
    """
    env_id = id if "/" in id else f"ppcg/{id}"
    spec = gym.spec(env_id)
    merged = dict(spec.kwargs)
    merged.update(kwargs)
    if "max_steps" not in merged:
        merged.setdefault("max_episode_steps", spec.max_episode_steps or MAX_EPISODE_STEPS)
    env = VGDLVectorEnv(num_envs, **merged)
    env.spec = spec
    return env


class VGDLVectorEnv(GeneratorDifficulty, VectorEnv):
    """``num_envs`` environments of one game, stepped in one compiled call, with same-step auto-reset.

    Takes the keyword arguments of :class:`ppcg.envs.core.VGDLEnv` (except ``env_index``: environment ``i``
    reports as ``i``). ``render()`` returns a tuple of frames (``rgb_array``) or texts (``ansi``).

    Args:
        num_envs: how many environments.
        game: a bundled game's name or a path to a game file.
        level: a level or list of levels (see :class:`VGDLEnv`); default: the game's generator.
        difficulty: the generator's difficulty in [0, 1] (default 0.5); with ``level``, the given levels'.
        num_levels: generated levels from this many seeds only (Procgen's ``num_levels``; 0: unlimited).
        start_level: the first of those seeds.
        obs_type: ``"symbolic"`` or ``"rgb"``.
        render_mode: None, ``"rgb_array"`` or ``"ansi"``.
        level_source: one source shared by all environments (a curriculum).
        tile_size: pixels per cell of ``render()``.
        max_episode_steps: the engine's step limit (what ``gymnasium.make_vec`` passes).
        obs_size: ``(width, height)`` of the observation in cells.
        max_steps: the same as ``max_episode_steps`` (the single environment's name), which it overrides.
        facing: four more symbolic planes with the avatar's facing (see :class:`~ppcg.envs.core.VGDLEnv`).
        offsets: four more symbolic planes with where sprites stand inside their cells (the same).
        inventory: a symbolic plane per resource kind with what the avatar carries (the same).
        win_reward: added to the reward of the step on which the game is won (the same; default 0).
        frame_skip: game ticks each action is repeated for (the same; default 1). Every environment of the
            batch is stepped up to ``frame_skip`` ticks in one call; one whose game ends stops there.
    """

    metadata = {
        "render_modes": ["rgb_array", "ansi"],
        "render_fps": RENDER_FPS,
        "autoreset_mode": AutoresetMode.SAME_STEP,
    }

    def __init__(
        self,
        num_envs: int,
        game: str | None = None,
        *,
        level: Any = None,
        difficulty: float | None = None,
        obs_type: str = "symbolic",
        render_mode: str | None = None,
        level_source: LevelSource | None = None,
        tile_size: int = DEFAULT_TILE_SIZE,
        max_episode_steps: int = MAX_EPISODE_STEPS,
        obs_size: tuple[int, int] | None = None,
        max_steps: int | None = None,
        num_levels: int = 0,
        start_level: int = 0,
        facing: bool = False,
        offsets: bool = False,
        inventory: bool = False,
        win_reward: float = 0.0,
        frame_skip: int = 1,
    ) -> None:
        from ppcg.engine import BatchEngine

        if int(num_envs) < 1:
            raise ValueError(f"num_envs must be at least 1, not {num_envs!r}")
        check_render_mode(render_mode, self.metadata["render_modes"])
        if obs_type not in OBS_TYPES:
            raise ValueError(f"obs_type must be one of {OBS_TYPES}, not {obs_type!r}")
        self.num_envs = n = int(num_envs)
        self._setup = setup_game(game, level, difficulty, level_source, obs_size, num_levels, start_level)
        self.game_name = self._setup.name
        self.game = self._setup.compiled
        self.obs_type = obs_type
        self.render_mode = render_mode
        self.tile_size = int(tile_size)
        self.max_episode_steps = int(max_episode_steps if max_steps is None else max_steps)
        self.win_reward = check_win_reward(win_reward)
        self.frame_skip = check_frame_skip(frame_skip)
        self.action_names: list[str] = list(self.game.action_names)
        self.plane_names: list[str] = plane_names(self.game, facing, offsets, inventory)
        self._n_actions = int(self.game.n_actions)
        self.single_action_space = gym.spaces.Discrete(self._n_actions)
        self.single_observation_space = observation_space(
            self.game, obs_type, self._setup.obs_size, facing, offsets, inventory
        )
        self.action_space = batch_space(self.single_action_space, n)
        self.observation_space = batch_space(self.single_observation_space, n)
        self._engine = BatchEngine(
            self.game, n, obs_type=obs_type, obs_size=self._setup.obs_size, max_steps=self.max_episode_steps,
            facing=facing, offsets=offsets, inventory=inventory,
        )
        self._rngs: list[np.random.Generator | None] = [None] * n
        self._requests: list[LevelRequest | None] = [None] * n
        self._level_id = np.full(n, None, dtype=object)
        self._level_seed = np.full(n, None, dtype=object)
        self._difficulty = np.full(n, None, dtype=object)
        self._steps = np.zeros(n, dtype=np.int64)
        self._open = np.zeros(n, dtype=bool)  # episodes running and not yet reported
        self._score = np.zeros(n, dtype=np.float64)
        self._all = np.ones(n, dtype=bool)
        self._all.flags.writeable = False
        self._renderer: Any = None

    # --------------------------------------------------------------------------------------------------------
    @property
    def level_source(self) -> LevelSource:
        """The level source shared by every environment."""
        return self._setup.source

    @property
    def engine(self) -> Any:
        """The underlying :class:`ppcg.engine.BatchEngine`."""
        return self._engine

    @property
    def levels(self) -> tuple[LevelRequest | None, ...]:
        """Each environment's current level request."""
        return tuple(self._requests)

    # --------------------------------------------------------------------------------------------------------
    def reset(self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None):
        """Reset every environment (or those of ``options["reset_mask"]``) on its next level.

        Args:
            seed: an int (environment ``i`` gets ``seed + i``), a list of per-environment seeds, or None.
            options: ``{"level": ...}`` or ``{"difficulty": d}`` for these episodes only (see
                :class:`VGDLEnv`), and ``{"reset_mask": bool array}`` to reset only some environments.
        """
        n = self.num_envs
        if seed is None:
            seeds: list[int | None] = [None] * n
        elif isinstance(seed, (int, np.integer)):
            seeds = [int(seed) + i for i in range(n)]
            super().reset(seed=int(seed))
        else:
            seeds = list(seed)
            if len(seeds) != n:
                raise ValueError(f"{len(seeds)} seeds for {n} environments")
        options = dict(options or {})
        mask = options.pop("reset_mask", None)
        mask = self._all if mask is None else np.asarray(mask, dtype=bool)
        if mask.shape != (n,):
            raise ValueError(f"reset_mask must have shape ({n},), got {mask.shape}")
        idx = np.flatnonzero(mask)
        for i in idx:
            if seeds[i] is not None or self._rngs[i] is None:
                self._rngs[i], _ = seeding.np_random(seeds[i])
        self._close_episodes(idx)
        obs = self._reset_envs(idx, options)
        return obs, self._infos(self._score.copy())

    def _close_episodes(self, idx: np.ndarray) -> None:
        """Report episodes that are cut short by a reset (they count as truncated)."""
        for i in idx:
            if self._open[i] and self._steps[i] > 0:
                self._report(int(i), False, True)
            self._open[i] = False

    def _reset_envs(self, idx: np.ndarray, options: dict[str, Any] | None = None) -> np.ndarray:
        """Ask the level source for each environment's next level and load them all in one engine reset.

        Returns:
            the whole batch's observation after the reset.
        """
        levels, seeds = [], np.empty(len(idx), dtype=np.int64)
        setup = self._setup
        for k, i in enumerate(idx):
            i = int(i)
            rng = self._rngs[i]
            request = request_from_options(options, setup, rng, i) if options else None
            if request is None:
                request = setup.source.next_level(i, rng)
            request = bind(request, setup.spec, setup.obs_size)
            seeds[k] = int(rng.integers(SEED_BOUND))
            self._requests[i] = request
            self._level_id[i] = request.level_id
            self._level_seed[i] = request.level_seed
            self._difficulty[i] = request.difficulty
            levels.append(request.level)
        obs = self._engine.reset(levels, seeds, indices=np.asarray(idx, dtype=np.int64))
        self._steps[idx] = 0
        self._score[idx] = 0.0
        self._open[idx] = True
        return obs if obs is not None else self._engine.observe()

    def _report(self, i: int, won: bool, truncated: bool) -> None:
        req = self._requests[i]
        self._setup.source.episode_done(
            i,
            EpisodeResult(
                req.level_id, bool(won), float(self._score[i]), int(self._steps[i]), bool(truncated),
                req.difficulty, req.level_seed,
            ),
        )  # fmt: skip

    def _infos(self, score: np.ndarray) -> dict[str, Any]:
        m = self._all
        return {
            "level_id": self._level_id.copy(), "_level_id": m,
            "level_seed": self._level_seed.copy(), "_level_seed": m,
            "difficulty": self._difficulty.copy(), "_difficulty": m,
            "score": score, "_score": m,
        }  # fmt: skip

    def step(self, actions: Any):
        """Advance every environment one tick (``frame_skip`` ticks: one whose game ends on an earlier one
        stops there); finished ones are reset in the same step (``SAME_STEP``).

        Raises:
            ValueError: an action outside the action space, or not one per environment.
        """
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs,) or actions.min() < 0 or actions.max() >= self._n_actions:
            raise ValueError(
                f"expected {self.num_envs} actions in 0..{self._n_actions - 1}, got {actions.tolist()!r}"
            )
        if self._requests[0] is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        skip = self.frame_skip
        r = self._engine.step(actions, observe=skip == 1)
        reward = np.asarray(r.reward, dtype=np.float64)
        ticks = 1
        while ticks < skip and not (r.terminated | r.truncated).all():  # finished games stand still until reset
            ticks += 1
            r = self._engine.step(actions, observe=ticks == skip)
            reward += r.reward
        terminated = np.asarray(r.terminated, dtype=bool)
        truncated = np.asarray(r.truncated, dtype=bool) & ~terminated
        self._steps[:] = r.tick
        score = np.array(r.score, dtype=np.float64)
        self._score[:] = score
        obs = r.obs if r.obs is not None else self._engine.observe()
        done = terminated | truncated
        if not done.any():
            return obs, reward, terminated, truncated, self._infos(score)
        idx = np.flatnonzero(done)
        winner = np.asarray(r.winner)
        if self.win_reward:
            reward = reward + self.win_reward * (terminated & (winner == 1))
        final_obs = np.full(self.num_envs, None, dtype=object)
        for i in idx:
            final_obs[i] = obs[i].copy()
        final_info = self._infos(score.copy())
        final_info = {k: v for k, v in final_info.items() if not k.startswith("_")}
        final_info["is_success"] = winner == 1
        final_info["winner"] = winner.astype(np.int64)
        for k in list(final_info):
            final_info["_" + k] = done
        for i in idx:
            if self._open[i]:
                self._report(int(i), bool(winner[i] == 1), bool(truncated[i]))
            self._open[i] = False
        new_obs = self._reset_envs(idx)
        obs[idx] = new_obs[idx]
        score[idx] = 0.0
        infos = self._infos(score)
        infos["final_obs"], infos["_final_obs"] = final_obs, done
        infos["final_info"], infos["_final_info"] = final_info, done
        return obs, reward, terminated, truncated, infos

    # --------------------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Every environment's episode as it stands: engine state, generators, levels, steps and scores.

        Numeric arrays stay numpy arrays; everything else is plain JSON-able Python (``bit_generator`` states,
        the levels' rows and mapping). With :meth:`load_state_dict` a vector env of the same game and size
        continues these episodes exactly: the training checkpoints of ``ppcg train`` use it to resume a run
        as if it had never stopped. The level source's own state is not included (the curriculum saves it).
        """
        if self._requests[0] is None:
            raise gym.error.ResetNeeded("call reset() before state_dict()")
        return {
            "game": self.game_name,
            "num_envs": self.num_envs,
            "engine": self._engine.snapshot(),
            "rngs": [rng.bit_generator.state for rng in self._rngs],
            "requests": [_request_to_dict(r) for r in self._requests],
            "steps": self._steps.copy(),
            "open": self._open.copy(),
            "score": self._score.copy(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue the episodes of a :meth:`state_dict` from a vector env of the same game and size.

        Raises:
            ValueError: the state is of another game or another number of environments, or malformed.
        """
        if state.get("game") != self.game_name or int(state.get("num_envs", -1)) != self.num_envs:
            raise ValueError(
                f"the state is of {state.get('num_envs')} environments of {state.get('game')!r}; this vector "
                f"env has {self.num_envs} of {self.game_name!r}"
            )
        n = self.num_envs
        arrays = {k: np.asarray(state[k]) for k in ("steps", "open", "score")}
        if (
            any(a.shape != (n,) for a in arrays.values())
            or len(state["rngs"]) != n
            or len(state["requests"]) != n
        ):
            raise ValueError(f"the state's per-environment entries are not {n} long")
        rngs = [_rng_from_state(st) for st in state["rngs"]]
        requests = [_request_from_dict(r) for r in state["requests"]]
        self._engine.restore(state["engine"])
        self._rngs = rngs
        self._requests = requests
        for i, r in enumerate(requests):
            self._level_id[i], self._level_seed[i], self._difficulty[i] = (
                r.level_id,
                r.level_seed,
                r.difficulty,
            )
        self._steps[:] = arrays["steps"]
        self._open[:] = arrays["open"]
        self._score[:] = arrays["score"]

    # --------------------------------------------------------------------------------------------------------
    def render(self) -> tuple[Any, ...] | None:
        """Every environment's frame (``rgb_array``) or text (``ansi``), as a tuple."""
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode")
            return None
        if self._renderer is None:
            from ppcg.envs.render import Renderer

            self._renderer = Renderer(self.game, self.tile_size, self._setup.obs_size)
        out = []
        for i, req in enumerate(self._requests):
            if req is None:
                raise gym.error.ResetNeeded("call reset() before render()")
            size = (req.level.width, req.level.height)
            draw = self._renderer.ansi if self.render_mode == "ansi" else self._renderer.frame
            out.append(draw(self._engine, i, size))
        return tuple(out)

    def close_extras(self, **kwargs: Any) -> None:
        self._renderer = None


# the bit generators a saved environment generator may name
_BIT_GENERATORS = {
    name: getattr(np.random, name) for name in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
}


def _rng_from_state(state: dict[str, Any]) -> np.random.Generator:
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:
        raise ValueError(f"unknown bit generator {name!r} in a saved environment state")
    bits = _BIT_GENERATORS[name]()
    bits.state = state
    return np.random.Generator(bits)


def _request_to_dict(request: LevelRequest) -> dict[str, Any]:
    level = request.level
    return {
        "rows": list(level.rows),
        "mapping": [[c, list(names)] for c, names in level.mapping],
        "name": level.name,
        "level_id": request.level_id,
        "level_seed": request.level_seed,
        "difficulty": request.difficulty,
    }


def _request_from_dict(d: dict[str, Any]) -> LevelRequest:
    from ppcg.vgdl.level import Level

    level = Level(tuple(d["rows"]), tuple((c, tuple(names)) for c, names in d["mapping"]), d.get("name"))
    seed, difficulty = d.get("level_seed"), d.get("difficulty")
    return LevelRequest(
        level,
        str(d["level_id"]),
        None if seed is None else int(seed),
        None if difficulty is None else float(difficulty),
    )
