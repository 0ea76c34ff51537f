"""``BatchEngine``: a batch of independent environments of one game, stepped by one compiled call."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ppcg.engine import kernel as K
from ppcg.engine import layout as L
from ppcg.engine.compiler import CompiledGame, compile_game, level_plan
from ppcg.engine.layout import BLOCK, STATE_FIELDS, State, alloc_state

__all__ = ["BatchEngine", "StepResult", "EngineState", "EngineCapacityError", "EngineFault", "FACING_PLANES",
           "OFFSET_PLANES", "inventory_limits", "inventory_plane_names", "warm_up"]

_OBS_KINDS = {None: 0, "symbolic": 1, "rgb": 2}
FACING_PLANES = ("facing up", "facing down", "facing left", "facing right")
"""The names of the observation planes that ``facing=True`` adds after the sprite planes, in their order."""
OFFSET_PLANES = ("above its cell", "below its cell", "left of its cell", "right of its cell")
"""The names of the observation planes that ``offsets=True`` adds after the sprite (and facing) planes: a cell is
set where a sprite drawn in it stands off the cell's grid position, up, down, left or right."""


def inventory_plane_names(compiled: CompiledGame) -> list[str]:
    """The names of the planes that ``inventory=True`` adds after the others: one per resource kind of the game,
    in resource-index order (none for a game without resources)."""
    return [f"holding {name}" for name in compiled.resource_names]


def inventory_limits(compiled: CompiledGame) -> np.ndarray:
    """The largest value each inventory plane can hold: the resource's limit, at most 255 (``uint8``)."""
    tb = compiled.tables
    lim = tb.seq[tb.misc[L.M_RESL0]:tb.misc[L.M_RESL1]].astype(np.int64)
    return np.clip(lim, 1, 255)


_SERIAL_MAX = 16  # steps/resets/observations of this few environments skip the thread pool
DEFAULT_MEMORY_LIMIT = 4 << 30  # bytes of engine state a batch may grow to (sprite slots, crowded cells)
_REBASE = 8192  # steps after which an environment's redo starts from a copy of its state, not from its reset


class EngineCapacityError(RuntimeError):
    """A tick needs more sprites (or a cell more room) than the engine's memory limit allows."""


class EngineFault(RuntimeError):
    """The kernel was asked for something that cannot be (a sprite of a type that does not exist): a bug."""


@dataclass
class StepResult:
    """What :meth:`BatchEngine.step` returns: arrays over the batch (fresh copies)."""

    obs: np.ndarray | None
    reward: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    score: np.ndarray
    winner: np.ndarray
    tick: np.ndarray


@dataclass
class EngineState:
    """A picklable copy of one environment's state (for search and tests)."""

    arrays: dict[str, np.ndarray]
    slots: int
    cells: int


class BatchEngine:
    """A batch of ``num_envs`` environments of one game in struct-of-arrays form.

    Args:
        game: a :class:`~ppcg.engine.compiler.CompiledGame`, a :class:`~ppcg.vgdl.spec.GameSpec`, or a bundled
            game name / game file path (loaded with ``ppcg.vgdl.load_game``).
        num_envs: batch size.
        obs_type: ``"symbolic"`` (uint8 ``[C, H, W]``), ``"rgb"`` (uint8 ``[H*10, W*10, 3]``) or None.
        obs_size: ``(width, height)`` in cells of the observation; levels smaller are padded with walls. None: the
            size of the first levels given to :meth:`reset`.
        max_steps: episode step limit (truncation); 0 for none.
        max_sprites: sprite slots per environment at first; None sizes them from the levels (twice the largest
            level's sprite count plus headroom, grown when a bigger level arrives).
        memory_limit: bytes the batch's state may grow to. GVGAI has no sprite limit: a tick that runs out of
            slots (or timers, or shields) is redone with twice the room, and a crowded grid cell widens every
            cell, up to this limit; beyond it :class:`EngineCapacityError` names the game, level and tick.
        reference: the reference mode: every fast path off (the bits of ``ppcg.engine.layout.FAST_ALL``:
            skipped and sparse pair passes, the grid index, incremental observations, the path cache), so that
            a test can check that the fast paths never change what happens. Same results, slower.
        fast_paths: the fast paths to take, a mask of ``layout.FAST_*`` bits (default all; ``reference=True``
            is ``fast_paths=0``), to compare one fast path at a time.
        facing: symbolic observations only: four more planes after the sprite planes (:data:`FACING_PLANES`:
            up, down, left, right), the one the avatar faces set at the avatar's cell. An avatar that turns
            before it moves (GVGAI's ShootAvatar) or acts ahead of itself (a sword, a shot) is otherwise a
            hidden state: the same grid, a different outcome of the same action.
        offsets: symbolic observations only: four more planes after those (:data:`OFFSET_PLANES`), set where a
            sprite drawn in the cell stands off the cell's grid position (above, below, left or right of it).
            A sprite slower than a cell a tick (Solarfox's ship and shots at 1 pixel of 10 a tick, Frogs' cars
            and logs, Boulderdash's falling rocks) is drawn in the cell whose centre it covers, so the grid
            alone hides when it will reach the next cell; these planes show which half of its way it is on.
        inventory: symbolic observations only: one more plane per resource kind of the game, after all the
            others (:func:`inventory_plane_names`), holding at the avatar's cell how much of it the avatar
            carries (0 to the resource's limit, capped at 255). GVGAI draws the same as a bar on the avatar
            (``VGDLSprite._drawResources``); the sprite planes alone hide it (Boulderdash's gems held, a
            shooter's ammunition).
    """

    def __init__(self, game, num_envs: int, *, obs_type: str | None = "symbolic",
                 obs_size: tuple[int, int] | None = None, max_steps: int = 2000,
                 max_sprites: int | None = None, memory_limit: int = DEFAULT_MEMORY_LIMIT,
                 facing: bool = False, offsets: bool = False, inventory: bool = False, reference: bool = False,
                 fast_paths: int = L.FAST_ALL) -> None:
        if obs_type not in _OBS_KINDS:
            raise ValueError(f"obs_type must be 'symbolic', 'rgb' or None, got {obs_type!r}")
        for name, asked in (("facing", facing), ("offsets", offsets), ("inventory", inventory)):
            if asked and obs_type != "symbolic":
                raise ValueError(f"{name} planes are part of symbolic observations, not of obs_type={obs_type!r}")
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        self.compiled = _as_compiled(game)
        self.facing = bool(facing)
        self.offsets = bool(offsets)
        self.inventory = bool(inventory)
        self._inventory_limits = inventory_limits(self.compiled)
        # how many planes those options add after the sprite planes (read by every step of a batch of one)
        self.extra_planes = (len(FACING_PLANES) * self.facing + len(OFFSET_PLANES) * self.offsets
                             + len(self.compiled.resource_names) * self.inventory)
        if not 0 <= int(fast_paths) <= L.FAST_ALL:
            raise ValueError(f"fast_paths must be a mask of layout.FAST_* bits (0..{L.FAST_ALL}), "
                             f"got {fast_paths}")
        self.fast_paths = 0 if reference else int(fast_paths)
        self._tables = self.compiled.tables
        if self.fast_paths != L.FAST_ALL:  # this engine's own copy of the tables, with its fast paths
            misc = self._tables.misc.copy()
            misc[L.M_FAST] = self.fast_paths
            self._tables = self._tables._replace(misc=misc)
        self.num_envs = int(num_envs)
        self.obs_type = obs_type
        self.obs_size = tuple(obs_size) if obs_size is not None else None
        self.max_steps = int(max_steps)
        self._fixed_slots = max_sprites
        self._state: State | None = None
        self._slots = 0
        self._cells = 0
        self._plans: dict = {}
        self._buf: np.ndarray | None = None
        self.memory_limit = int(memory_limit)
        self._room = {"cell_cap": L.CELL_CAP, "timers": L.MAX_TIMERS, "shields": L.MAX_SHIELDS}
        # redo (a tick that ran out of room): each environment's basis, a reset ("reset", level, plan, seed) or
        # a state ("state", {field: row}, slots), taken after ``_basis_step[i]`` steps; the actions since then
        self._basis: list = [None] * self.num_envs
        self._levels: list = [None] * self.num_envs  # each environment's level since its reset (None: a state)
        self._basis_step = np.zeros(self.num_envs, np.int64)
        self._hist: list[np.ndarray] = []
        self._hist0 = 0  # steps before self._hist[0]
        self._nstep = 0
        self._dummy = np.zeros((1, 1, 1, 1), np.uint8)  # the observation buffer not in use
        self._entry: tuple = ()  # (state, sym, rgb, the compiled serial step for them): see _step_serial
        self._obs_args: tuple = ()  # (obs_type, obs_size, _obs_buffers' answer for them)
        self._reward = np.zeros(self.num_envs, np.float64)  # the kernel writes every environment's reward
        self._grow_ahead = True  # grow before a tick runs out of room (until the memory limit stops it)

    # ------------------------------------------------------------------------------------------------------
    @property
    def tables(self):
        """The game's tables as this engine's kernel reads them (its fast paths in ``misc[M_FAST]``)."""
        return self._tables

    @property
    def reference(self) -> bool:
        """Whether every fast path is off (``BatchEngine(reference=True)``)."""
        return self.fast_paths == 0

    @property
    def observation_shape(self) -> tuple[int, ...] | None:
        """The per-environment observation shape (known once ``obs_size`` is, at the latest after reset)."""
        if self.obs_type is None or self.obs_size is None:
            return None
        w, h = self.obs_size
        if self.obs_type == "symbolic":
            return (len(self.compiled.leaf_names) + self.extra_planes, h, w)
        return (h * BLOCK, w * BLOCK, 3)

    def _plan(self, level):
        key = id(level)
        hit = self._plans.get(key)
        if hit is not None and hit[0] is level:
            return hit[1]
        plan = level_plan(self.compiled, level)
        if len(self._plans) > 4096:
            self._plans.clear()
        self._plans[key] = (level, plan)
        return plan

    def _alloc(self, n: int, slots: int, cells: int, room: dict) -> State:
        tb = self.tables
        n_res = int(tb.misc[L.M_RESL1] - tb.misc[L.M_RESL0])
        return alloc_state(n, slots, len(self.compiled.type_names), n_res, cells, int(tb.misc[L.M_N_PULL]),
                           int(tb.ei.shape[0]), **room)

    def _ensure(self, slots: int, cells: int, **room: int) -> None:
        """Allocate (or grow) the state so that every environment has ``slots`` slots and ``cells`` grid cells
        (and ``room``: ``cell_cap``, ``timers``, ``shields``, at least)."""
        new_room = {k: max(v, room.get(k, 0)) for k, v in self._room.items()}
        if (self._state is not None and slots <= self._slots and cells <= self._cells
                and new_room == self._room):
            return
        new_slots = max(slots, self._slots)
        new_cells = max(cells, self._cells)
        if new_slots > L.GI_SLOT + 1:  # a grid entry packs the slot in GI_TYPE bits
            raise EngineCapacityError(f"{new_slots:,} sprite slots needed, the engine indexes at most "
                                      f"{L.GI_SLOT + 1:,} per environment")
        one = self._alloc(1, new_slots, new_cells, new_room)
        need = self.num_envs * sum(a.nbytes for a in one)
        if self._state is not None and need > self.memory_limit:
            raise EngineCapacityError(f"{need:,} bytes needed, memory_limit={self.memory_limit:,}")
        new = self._alloc(self.num_envs, new_slots, new_cells, new_room)
        old = self._state
        if old is not None:
            for name in STATE_FIELDS:
                a, b = getattr(old, name), getattr(new, name)
                b[tuple(slice(0, d) for d in a.shape)] = a
            for i in range(self.num_envs):
                _free_added_slots(new, i, self._slots, new_slots)
        self._state = new
        self._slots = new_slots
        self._cells = new_cells
        self._room = new_room

    def _load_row(self, i: int, arrays: dict[str, np.ndarray], slots: int) -> None:
        """Environment ``i`` := one environment's arrays (``slots`` slots, any room up to this engine's)."""
        st = self._require()
        blank = None
        for f in STATE_FIELDS:
            a, whole = np.asarray(arrays[f]), getattr(st, f)
            if a.shape == whole.shape[1:]:
                whole[i] = a
                continue
            if blank is None:  # a smaller state: the rest of the row as a fresh one
                blank = self._alloc(1, self._slots, self._cells, self._room)
            whole[i] = getattr(blank, f)[0]
            whole[(i, *(slice(0, d) for d in a.shape))] = a
        _free_added_slots(st, i, slots, self._slots)
        st.ev[i, L.EV_REFUSED] = 0  # a state taken before a redo (or from an older engine) had room enough

    # ------------------------------------------------------------------------------------------------------
    def reset(self, levels: Sequence, seeds: Sequence[int], indices: Sequence[int] | np.ndarray | None = None):
        """Load ``levels[k]`` into environment ``indices[k]`` (all when None) with ``java.util.Random(seeds[k])``.

        Returns:
            The whole batch's observation (a copy), or None when ``obs_type`` is None.
        """
        if indices is None:
            indices = np.arange(self.num_envs)
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        levels = list(levels)
        seeds = np.asarray(seeds, dtype=np.int64).reshape(-1)
        if not (len(levels) == len(seeds) == len(idx)):
            raise ValueError(f"reset needs one level and one seed per environment: got {len(levels)} levels, "
                             f"{len(seeds)} seeds for {len(idx)} environments")
        if idx.size and (idx.min() < 0 or idx.max() >= self.num_envs):
            raise IndexError(f"environment index out of range 0..{self.num_envs - 1}")
        plans = [self._plan(lv) for lv in levels]
        if self.obs_size is None and plans and self.obs_type is not None:
            self.obs_size = (max(p[3] for p in plans), max(p[4] for p in plans))
        if self.obs_type is not None and self.obs_size is not None and plans:
            for p in plans:
                if p[3] > self.obs_size[0] or p[4] > self.obs_size[1]:
                    raise ValueError(f"level of size {p[3]}x{p[4]} does not fit obs_size {self.obs_size}")
        need_slots = self._fixed_slots or max([2 * len(p[0]) + 64 for p in plans] + [128])
        need_cells = max([p[3] * p[4] for p in plans] + [1])
        self._ensure(int(need_slots), int(need_cells))
        offsets = np.zeros(len(plans) + 1, np.int64)
        for k, p in enumerate(plans):
            offsets[k + 1] = offsets[k] + len(p[0])
        types = np.concatenate([p[0] for p in plans]) if plans else np.zeros(0, np.int32)
        xs = np.concatenate([p[1] for p in plans]) if plans else np.zeros(0, np.int32)
        ys = np.concatenate([p[2] for p in plans]) if plans else np.zeros(0, np.int32)
        widths = np.array([p[3] for p in plans], np.int32)
        heights = np.array([p[4] for p in plans], np.int32)
        for k, i in enumerate(idx):
            self._basis[i] = ("reset", levels[k], plans[k], int(seeds[k]))
            self._levels[i] = levels[k]
            self._basis_step[i] = self._nstep
        if len(idx) <= _SERIAL_MAX or _threads() == 1:
            _call("reset", K._reset_range, self.tables, self._state, idx, offsets, types, xs, ys, widths,
                  heights, seeds, 0, len(idx))
        else:
            _call("reset_batch", K.reset_batch, self.tables, self._state, idx, offsets, types, xs, ys, widths,
                  heights, seeds, _chunks(len(idx)))
        self._check_room(None)
        if self.obs_type is None:
            return None
        self._observe(idx)
        return self._obs_out()

    def step(self, actions, observe: bool = True) -> StepResult:
        """Advance every environment by one tick with Gym action indices ``actions`` (``[num_envs]``).

        ``observe=False``: no observation is drawn or returned (``obs`` is None), for ticks nobody looks at
        (a frame skip's first ticks); the next observed tick draws what changed since the last one drawn."""
        given = np.asarray(actions)
        if given.dtype.kind not in "iu":
            raise TypeError(f"actions must be integers (Gym action indices), got an array of {given.dtype}")
        actions = given.astype(np.int64).reshape(-1)  # a copy: the redo history keeps it
        if actions.shape[0] != self.num_envs:
            raise ValueError(f"expected {self.num_envs} actions, got {actions.shape[0]}")
        reward = self._advance(actions, observe)
        st = self._state
        obs = self._obs_out() if self.obs_type is not None and observe else None
        ev = st.ev
        return StepResult(
            obs=obs, reward=reward.astype(np.float32), terminated=(ev[:, L.EV_ENDED] != 0) & (ev[:, L.EV_ACTIVE] != 0),
            truncated=ev[:, L.EV_TRUNC] != 0, score=st.score.copy(), winner=ev[:, L.EV_WINNER].astype(np.int8),
            tick=ev[:, L.EV_TICK].copy(),
        )

    def step_one(self, action: int, observe: bool = True) -> tuple[np.ndarray | None, float, bool, bool, float, int]:
        """:meth:`step` for a batch of one environment, with Python values: ``(obs, reward, terminated,
        truncated, score, winner)`` (``obs`` a copy, or None). A single environment's fast path (VGDLEnv)."""
        if self.num_envs != 1:
            raise ValueError(f"step_one steps a batch of one environment, this one has {self.num_envs}")
        actions = np.empty(1, np.int64)  # a new array: the redo history keeps it
        actions[0] = action
        reward = self._advance(actions, observe).item(0)
        st = self._state
        ev = st.ev
        obs = (None if self.obs_type is None or not observe
               else self._obs_out()[0] if self.extra_planes else self._buf[0].copy())
        return (obs, reward,
                bool(ev.item(0, L.EV_ENDED) and ev.item(0, L.EV_ACTIVE)), bool(ev.item(0, L.EV_TRUNC)),
                float(st.score.item(0)), int(ev.item(0, L.EV_WINNER)))

    def _advance(self, actions: np.ndarray, observe: bool = True) -> np.ndarray:
        """One tick of every environment with engine-owned ``actions`` (int64, contiguous, kept for redos);
        returns the rewards (float64: the engine's own array, valid until the next step). Observations are
        written into the engine's buffer (unless ``observe`` is false: the buffers stay as they were drawn,
        and the kernel's change counters and cell signatures bring them up to date on the next drawing)."""
        st = self._require()
        reward = self._reward
        kind, sym, rgb = self._obs_buffers()
        if not observe:
            kind = 0  # the same buffers: the compiled entry looked up for them stays valid
        if self.num_envs <= _SERIAL_MAX or _threads() == 1:  # the thread pool costs more than it saves
            attention = self._step_serial(st, actions, kind, sym, rgb, reward)
        else:
            attention = _call("step_batch", K.step_batch, self.tables, st, actions, self.max_steps, kind, sym,
                              rgb, reward, _chunks(self.num_envs))
        if attention < 0:  # checked before anything moved
            k = -1 - int(attention)
            names = self.compiled.action_names
            raise ValueError(f"action {int(actions[k])} of environment {k} is out of range: "
                             f"{self.compiled.spec.name} has {len(names)} actions, 0..{len(names) - 1} "
                             f"({', '.join(names)})")
        self._hist.append(actions)
        self._nstep += 1
        if attention:  # an environment faulted, ran out of room, or is filling up (the kernel counts them)
            self._check_room(reward)
        if self._nstep % _REBASE == 0:
            self._rebase()
        return reward

    def _step_serial(self, st: State, actions, kind: int, sym, rgb, reward) -> int:
        """``kernel._step_range`` over the whole batch. numba's dispatcher types every argument on each call,
        the two named tuples of ~30 arrays included (tens of microseconds, most of a small batch's step): the
        compiled function for this state's and buffers' types is looked up once, then called directly."""
        args = (self.tables, st, actions, 0, self.num_envs, self.max_steps, kind, sym, rgb, reward)
        e = self._entry
        if e and e[0] is st and e[1] is sym and e[2] is rgb:
            return e[3](*args)
        attention = _call("step", K._step_range, *args)
        self._entry = (st, sym, rgb, _compiled(K._step_range, args))
        return attention

    # ------------------------------------------------------------------------------------------------------
    # room: GVGAI has no sprite limit, so a tick never loses a sprite
    def _check_room(self, reward: np.ndarray | None) -> None:
        """After a reset, or a step whose kernel asked for attention: raise on an engine fault; widen the
        cells when one overflowed (the kernel scanned type lists for the rest of that tick: same result,
        slower); redo every environment whose tick ran out of slots, timers or shields, with room enough; and
        grow ahead of need, while the memory limit allows, when an environment is more than half full of
        sprites or timers (so that a tick seldom runs out, and a redo is seldom needed)."""
        ev = self._state.ev
        if ev[:, L.EV_FAULT].any():
            i = int(np.flatnonzero(ev[:, L.EV_FAULT])[0])
            raise EngineFault(f"{self._where(i)}: the engine was asked for a sprite of a type that does not exist "
                              "(a bug in the engine: please report it with the game and level)")
        while ev[:, L.EV_OVERFLOW].any():
            bad = np.flatnonzero(ev[:, L.EV_OVERFLOW])
            self._grow(int(bad[0]), "sprites in one grid cell", cell_cap=2 * self._room["cell_cap"])
            ev = self._state.ev
            for i in bad:
                K.regrid_env(self._state, int(i))
        while ev[:, L.EV_REFUSED].any():
            bad = np.flatnonzero(ev[:, L.EV_REFUSED])
            short = int(ev[bad, L.EV_REFUSED].max())  # sprites (or timers, shields) the tick could not have
            self._grow(int(bad[0]), "sprites", slots=_doubled(self._slots, self._slots + 2 * short),
                       timers=2 * self._room["timers"], shields=2 * self._room["shields"])
            for i in bad:
                self._redo(int(i), reward)
            ev = self._state.ev
            self._observe(bad)
            self._rebase(bad)  # a later redo of these starts here, not from their reset
        if self._grow_ahead:
            active = ev[:, L.EV_ACTIVE] != 0  # environments never reset hold nothing
            full = active & (2 * ev[:, L.EV_NFREE] < self._slots)
            busy = active & (2 * ev[:, L.EV_TQN] > self._room["timers"])
            if full.any() or busy.any():
                try:
                    self._ensure(2 * self._slots if full.any() else self._slots, self._cells,
                                 timers=2 * self._room["timers"] if busy.any() else 0)
                except EngineCapacityError:
                    self._grow_ahead = False  # at the limit: grow only when a tick needs it (or fail clearly)
                else:
                    self._rebase(np.flatnonzero(full | busy))

    def _grow(self, i: int, what: str, slots: int = 0, **room: int) -> None:
        try:
            self._ensure(max(slots, self._slots), self._cells, **room)
        except EngineCapacityError as exc:
            raise EngineCapacityError(
                f"{self._where(i)}: more {what} than the engine allows ({exc}; BatchEngine(memory_limit=...) "
                "raises the memory limit)") from None

    def _where(self, i: int) -> str:
        spec = self.compiled.spec
        level = self._levels[i]  # kept when a redo's basis moves on to a copy of the state
        name = (getattr(level, "file", None) or getattr(level, "name", None) or "a level") if level is not None \
            else "a restored state"
        return f"game {spec.path or spec.name}, level {name}, tick {int(self._state.ev[i, L.EV_TICK])}"

    def _redo(self, i: int, reward: np.ndarray | None) -> None:
        """Environment ``i`` again from its basis, through every action since (its observation is redrawn)."""
        b = self._basis[i]
        if b is None:
            raise EngineCapacityError(f"{self._where(i)}: out of sprite slots, and nothing to redo the tick from")
        st = self._state
        one = np.array([i], np.int64)
        if b[0] == "reset":
            types, xs, ys, w, h = b[2]
            K._reset_range(self.tables, st, one, np.array([0, len(types)], np.int64), types, xs, ys,
                           np.array([w], np.int32), np.array([h], np.int32), np.array([b[3]], np.int64), 0, 1)
        else:
            self._load_row(i, b[1], b[2])
        dummy = self._dummy
        r = np.zeros(self.num_envs, np.float64)
        for acts in self._hist[int(self._basis_step[i]) - self._hist0:]:
            K._step_range(self.tables, st, acts, i, i + 1, self.max_steps, 0, dummy, dummy, r)
        if reward is not None:
            reward[i] = r[i]
        st.ev[i, L.EV_CANVAS] = 0
        if st.ev[i, L.EV_OVERFLOW]:
            K.regrid_env(st, i)  # widened already: this tick's crowd fits now

    def _rebase(self, old: np.ndarray | None = None) -> None:
        """Environments ``old`` (default: those whose basis is ``_REBASE`` steps old) redo from a copy of
        their present state instead; the actions no environment needs are dropped."""
        if old is None:
            old = np.flatnonzero(self._basis_step <= self._nstep - _REBASE)
        if old.size:
            copy = {f: getattr(self._state, f)[old].copy() for f in STATE_FIELDS}
            for k, i in enumerate(old):
                self._basis[i] = ("state", {f: copy[f][k] for f in STATE_FIELDS}, self._slots)
                self._basis_step[i] = self._nstep
        self._trim()

    def _trim(self) -> None:
        keep = int(self._basis_step.min()) if self.num_envs else self._nstep
        if keep > self._hist0:
            del self._hist[: keep - self._hist0]
            self._hist0 = keep

    def _obs_buffers(self):
        """The kernel's observation arguments: (kind, symbolic buffer, rgb buffer); the engine's own buffer is
        written in place and copied out, so a reset only redraws the environments it resets."""
        c = self._obs_args
        if c and c[0] is self.obs_type and c[1] is self.obs_size:  # each step asks: answered without numpy
            return c[2]
        kind = _OBS_KINDS[self.obs_type]
        dummy = self._dummy
        if kind == 0:
            return 0, dummy, dummy
        w, h = self.obs_size
        shape = ((self.num_envs, len(self.compiled.leaf_names), h, w) if kind == 1
                 else (self.num_envs, h * BLOCK, w * BLOCK, 3))
        if self._buf is None or self._buf.shape != shape:
            self._buf = np.zeros(shape, np.uint8)
            if self._state is not None:
                self._state.ev[:, L.EV_CANVAS] = 0  # a new canvas: redraw everything
        args = (1, self._buf, dummy) if kind == 1 else (2, dummy, self._buf)
        self._obs_args = (self.obs_type, self.obs_size, args)
        return args

    def _observe(self, idx: np.ndarray) -> None:
        kind, sym, rgb = self._obs_buffers()
        if kind == 0:
            return
        idx = np.asarray(idx, np.int64)
        if len(idx) <= _SERIAL_MAX or _threads() == 1:
            _call("observe", K._observe_range, self.tables, self._state, idx, 0, len(idx), kind, sym, rgb)
        else:
            _call("observe_batch", K.observe_batch, self.tables, self._state, idx, kind, sym, rgb, _chunks(len(idx)))

    def observe(self) -> np.ndarray | None:
        """The current observation of every environment (a copy)."""
        self._require()
        if self.obs_type is None:
            return None
        self._observe(np.arange(self.num_envs))
        return self._obs_out()

    def _obs_out(self) -> np.ndarray:
        """A copy of the observation buffer, with the facing, offset and inventory planes when asked for."""
        if not self.extra_planes:
            return self._buf.copy()
        n, c, h, w = self._buf.shape
        out = np.zeros((n, c + self.extra_planes, h, w), np.uint8)
        out[:, :c] = self._buf
        cells = self._avatar_cells() if self.facing or self.inventory else None
        if self.facing:
            env, plane, row, col = self._facing(*cells)
            out[env, c + plane, row, col] = 1
            c += len(FACING_PLANES)
        if self.offsets:
            _call("offsets", K.offsets_all, self.tables, self._state, out, c)
            c += len(OFFSET_PLANES)
        if self.inventory and self._inventory_limits.size:
            env, slot, row, col = cells
            held = np.clip(self._state.res[env, slot], 0, self._inventory_limits)  # absent (-1) is none held
            kinds = c + np.arange(self._inventory_limits.size)
            out[env[:, None], kinds[None, :], row[:, None], col[:, None]] = held
        return out

    def _avatar_cells(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(env, slot, row, col)`` of each environment's enabled avatar whose cell (the one its centre covers,
        as in the sprite planes) is inside the observation."""
        st = self._require()
        av = st.ev[:, L.EV_AVATAR]
        env = np.flatnonzero(av >= 0)
        si = st.si[env, av[env]]
        col = (si[:, L.SI_X] + BLOCK // 2 - 1) // BLOCK
        row = (si[:, L.SI_Y] + BLOCK // 2 - 1) // BLOCK
        w, h = self.obs_size if self.obs_size is not None else (0, 0)
        ok = (si[:, L.SI_DISABLED] == 0) & (col >= 0) & (col < w) & (row >= 0) & (row < h)
        return env[ok], av[env[ok]], row[ok], col[ok]

    def _facing(self, env, slot, row, col) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Of the avatars at ``_avatar_cells``, those facing one of the four directions: ``(env, direction, row,
        col)``."""
        si = self._state.si[env, slot]
        ox, oy = si[:, L.SI_OX], si[:, L.SI_OY]
        direction = np.select([oy < 0, oy > 0, ox < 0, ox > 0], [0, 1, 2, 3], -1)
        ok = direction >= 0
        return env[ok], direction[ok], row[ok], col[ok]

    def facing_cells(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Where each environment's avatar stands and which way it faces, over the whole batch:
        ``(env, direction, row, col)``, one entry per environment whose (enabled) avatar faces one of the four
        directions (:data:`FACING_PLANES`' order) from a cell inside the observation."""
        return self._facing(*self._avatar_cells())

    def render_rgb(self, i: int, tile_size: int = BLOCK) -> np.ndarray:
        """Environment ``i`` drawn in colour: uint8 ``[H*tile_size, W*tile_size, 3]``."""
        st = self._require()
        w, h = int(st.ev[i, L.EV_WIDTH]), int(st.ev[i, L.EV_HEIGHT])
        if self.obs_size is not None:
            w, h = max(w, self.obs_size[0]), max(h, self.obs_size[1])
        img = np.zeros((h * BLOCK, w * BLOCK, 3), np.uint8)
        K.obs_rgb(self.tables, st, int(i), img)
        if tile_size == BLOCK:
            return img
        ys = (np.arange(h * tile_size) * BLOCK) // tile_size
        xs = (np.arange(w * tile_size) * BLOCK) // tile_size
        return img[ys][:, xs]

    # ------------------------------------------------------------------------------------------------------
    def sprites(self, i: int) -> list[tuple[int, str, int, int]]:
        """Environment ``i``'s live, enabled sprites as ``(id, type_name, x, y)``, sorted by id."""
        st = self._require()
        names = self.compiled.type_names
        si = st.si[i]
        live = np.nonzero((si[:, L.SI_TYPE] >= 0) & (si[:, L.SI_DISABLED] == 0) & (si[:, L.SI_KILLED] == 0))[0]
        out = [(int(si[s, L.SI_ID]), names[int(si[s, L.SI_TYPE])], int(si[s, L.SI_X]), int(si[s, L.SI_Y]))
               for s in live]
        out.sort()
        return out

    def avatar(self, i: int) -> dict | None:
        """Environment ``i``'s avatar: ``x, y, orientation, resources, id, type, hp, disabled`` (None if none)."""
        st = self._require()
        s = int(st.ev[i, L.EV_AVATAR])
        if s < 0:
            return None
        si = st.si[i, s]
        res = {self.compiled.resource_names[r]: int(v) for r, v in enumerate(st.res[i, s]) if v >= 0}
        return {
            "x": int(si[L.SI_X]), "y": int(si[L.SI_Y]), "orientation": (int(si[L.SI_OX]), int(si[L.SI_OY])),
            "resources": res, "id": int(si[L.SI_ID]), "type": self.compiled.type_names[int(si[L.SI_TYPE])],
            "hp": int(si[L.SI_HP]), "disabled": bool(si[L.SI_DISABLED]),
        }

    def info(self) -> dict[str, np.ndarray]:
        """Per-environment bookkeeping: ``score``, ``winner``, ``tick``, ``refused`` (sprites, timers or shields
        refused for lack of room in the last tick: always 0 between calls, since such a tick is redone with more
        room) and ``ended``."""
        st = self._require()
        ev = st.ev
        return {"score": st.score.copy(), "winner": ev[:, L.EV_WINNER].astype(np.int8),
                "tick": ev[:, L.EV_TICK].copy(), "refused": ev[:, L.EV_REFUSED].copy(),
                "ended": ev[:, L.EV_ENDED] != 0}

    def sprite_counts(self) -> np.ndarray:
        """Live sprites in each environment (a disabled avatar included)."""
        return self._require().tc[:, :, L.TC_N].sum(axis=1)

    def get_state(self, i: int) -> EngineState:
        """A copy of environment ``i``'s state (read-only arrays, which :meth:`set_state` need not copy).

        With :meth:`set_state`, the copy a search or planning agent takes before it tries an action.
        """
        st = self._require()
        arrays = {}
        for f in STATE_FIELDS:
            a = np.array(getattr(st, f)[i], copy=True)  # a 0-d array where the field is one number
            a.flags.writeable = False
            arrays[f] = a
        return EngineState(arrays, self._slots, self._cells)

    def set_state(self, i: int, state: EngineState) -> None:
        """Overwrite environment ``i`` with a state from :meth:`get_state` (same game; any capacity)."""
        arrays = state.arrays
        self._ensure(state.slots, state.cells, **_room_of(arrays))
        self._load_row(i, arrays, state.slots)
        st = self._require()
        st.ev[i, L.EV_CANVAS] = 0  # this engine's canvas does not show that state
        # the basis to redo ticks from: get_state's read-only copies are kept as they are
        kept = {f: arrays[f] if _frozen(arrays[f]) else np.array(arrays[f], copy=True) for f in STATE_FIELDS}
        self._basis[i] = ("state", kept, state.slots)
        self._levels[i] = None
        self._basis_step[i] = self._nstep
        self._trim()

    def snapshot(self) -> dict[str, np.ndarray]:
        """A copy of the whole batch's state: every array of the engine state, its capacity and observation size.

        With :meth:`restore` an engine of the same game and batch size continues exactly where this one is
        (an exact training checkpoint); every value is a plain numeric array (``numpy.savez`` stores it).
        """
        st = self._require()
        out = {f: np.array(getattr(st, f), copy=True) for f in STATE_FIELDS}
        out["capacity"] = np.array([self._slots, self._cells], np.int64)
        out["obs_size"] = np.array(self.obs_size if self.obs_size is not None else (-1, -1), np.int64)
        return out

    def restore(self, snapshot: dict[str, np.ndarray]) -> None:
        """Overwrite the whole batch with a :meth:`snapshot` of an engine of the same game and batch size.

        Raises:
            ValueError: the snapshot lacks an array, or its arrays do not fit this game and batch size.
        """
        missing = [f for f in (*STATE_FIELDS, "capacity", "obs_size") if f not in snapshot]
        if missing:
            raise ValueError(f"engine snapshot lacks {', '.join(missing)}")
        slots, cells = (int(x) for x in np.asarray(snapshot["capacity"]).reshape(-1)[:2])
        obs_size = tuple(int(x) for x in np.asarray(snapshot["obs_size"]).reshape(-1)[:2])
        if obs_size != (-1, -1) and self.obs_size is not None and obs_size != tuple(self.obs_size):
            raise ValueError(f"engine snapshot has observation size {obs_size}, this engine {self.obs_size}")
        tb = self.tables
        si, gn = np.asarray(snapshot["si"]), np.asarray(snapshot["gn"])
        if not (0 < slots <= L.GI_SLOT + 1 and 0 < cells and si.shape[1:2] == (slots,)
                and gn.shape[1:2] == (max(cells, 1),)):  # sizes the arrays really have (alloc below)
            raise ValueError(f"engine snapshot's capacity {slots} slots / {cells} cells does not fit its "
                             "arrays")
        room = _room_of(snapshot)
        new = self._alloc(self.num_envs, slots, cells, room)
        for f in STATE_FIELDS:
            a, b = np.asarray(snapshot[f]), getattr(new, f)
            if a.shape != b.shape or not np.can_cast(a.dtype, b.dtype, "safe"):
                raise ValueError(f"engine snapshot's {f!r} is {a.dtype}{list(a.shape)}, this game and batch "
                                 f"size need {b.dtype}{list(b.shape)}: a snapshot of another game or "
                                 "batch size")
            b[...] = a
        _check_indices(new, slots, cells, len(self.compiled.type_names), int(tb.ei.shape[0]),
                       shields=room["shields"], timers=room["timers"])
        self._state, self._slots, self._cells, self._room = new, slots, cells, room
        if obs_size != (-1, -1):
            self.obs_size = obs_size
        new.ev[:, L.EV_CANVAS] = 0  # this engine's canvas does not show that state: redraw everything
        new.ev[:, L.EV_REFUSED] = 0
        copy = {f: getattr(new, f).copy() for f in STATE_FIELDS}
        self._basis = [("state", {f: copy[f][i] for f in STATE_FIELDS}, slots) for i in range(self.num_envs)]
        self._levels = [None] * self.num_envs
        self._basis_step[:] = self._nstep
        self._trim()

    def _require(self) -> State:
        if self._state is None:
            raise RuntimeError("call reset() before using the engine")
        return self._state


def _check_indices(st: State, slots: int, cells: int, n_types: int, n_effects: int, *,
                   shields: int = L.MAX_SHIELDS, timers: int = L.MAX_TIMERS) -> None:
    """Check every value of a restored state that the kernel uses as an index (it does not check bounds: a
    damaged or crafted snapshot would make it read and write outside its arrays).

    Raises:
        ValueError: names the first value out of range.
    """
    def need(ok, what: str) -> None:
        ok = np.asarray(ok)
        if not ok.all():
            where = tuple(int(k) for k in np.argwhere(~ok)[0])
            raise ValueError(f"engine snapshot: {what} out of range at {where}; a damaged snapshot")

    ev, si, lst, tc = st.ev.astype(np.int64), st.si, st.lst, st.tc
    w, h = ev[:, L.EV_WIDTH], ev[:, L.EV_HEIGHT]
    need((w >= 0) & (h >= 0) & (w * h <= cells), "the level's width x height")
    need((ev[:, L.EV_AVATAR] >= -1) & (ev[:, L.EV_AVATAR] < slots), "the avatar's slot")
    for k, cap, what in ((L.EV_NFREE, slots, "free slots"), (L.EV_NKILL, slots, "killed sprites"),
                         (L.EV_OUTN, slots, "sprites outside the level"),
                         (L.EV_SHN, shields, "shields"), (L.EV_TQN, timers, "timers")):
        need((ev[:, k] >= 0) & (ev[:, k] <= cap), f"the count of {what}")
    types = si[:, :, L.SI_TYPE]
    need((types >= -1) & (types < n_types), "a sprite's type")
    live = types >= 0
    av = ev[:, L.EV_AVATAR]
    need((av < 0) | live[np.arange(len(av)), np.maximum(av, 0)], "the avatar's slot (no sprite there)")
    cell = si[:, :, L.SI_CELL].astype(np.int64)
    need(~live | ((cell >= -2) & (cell < (w * h)[:, None])), "a sprite's grid cell")
    x, y = si[:, :, L.SI_X].astype(np.int64), si[:, :, L.SI_Y].astype(np.int64)
    inside = (x >= 0) & (y >= 0) & (x + L.BLOCK <= w[:, None] * L.BLOCK)
    inside &= y + L.BLOCK <= h[:, None] * L.BLOCK
    need(~live | (cell < 0) | (inside & (cell == (y // L.BLOCK) * w[:, None] + x // L.BLOCK)),
         "a sprite's position (not in its grid cell)")
    tgt = si[:, :, L.SI_TGT]
    need(~live | ((tgt >= -1) & (tgt < slots)), "a chaser's target slot")
    need((tc >= 0) & (tc <= slots), "a type's sprite count")
    upto = np.arange(slots)
    need(~(upto < tc[:, :, L.TC_N, None]) | ((st.tl >= 0) & (st.tl < slots)), "a type list's slot")
    for row, k in ((L.L_FREE, L.EV_NFREE), (L.L_KILL, L.EV_NKILL), (L.L_OUT, L.EV_OUTN)):
        ok = (lst[:, row] >= 0) & (lst[:, row] < slots)
        need(~(upto < ev[:, k, None]) | ok, "a slot list's entry")
    cap = st.gi.shape[-1]  # the cells' room (grown for crowded cells)
    need((st.gn >= 0) & (st.gn <= cap), "a grid cell's sprite count")
    entry = st.gi.astype(np.int64)
    ok = ((entry & L.GI_SLOT) < slots) & (entry >= 0) & ((entry >> L.GI_TYPE) < n_types)
    need(~(np.arange(cap) < st.gn[:, :, None]) | ok, "a grid cell's entry")
    tq = st.tq
    ok = (tq[:, :, L.TQ_EFF] >= 0) & (tq[:, :, L.TQ_EFF] < max(n_effects, 1))
    ok &= (tq[:, :, L.TQ_SUBJ] >= -1) & (tq[:, :, L.TQ_SUBJ] < n_types)
    need(~(np.arange(tq.shape[1]) < ev[:, L.EV_TQN, None]) | ok, "a timer's effect or type")
    pf = st.pf.astype(np.int64)
    need((pf[:, 4, :L.PATH_CACHE] >= -1) & (pf[:, 4, :L.PATH_CACHE] < max(cells, 1)), "a path cache's cell")
    nxt = pf[:, 4, L.PATH_CACHE]
    need((nxt >= 0) & (nxt < L.PATH_CACHE), "the path cache's next entry")
    need((pf[:, 5:] >= -1) & (pf[:, 5:] < 4), "a path's first step")


# The kernels this process has run once (compiled, or loaded from numba's cache). The first call of each may
# compile it: minutes on a new machine or after an upgrade. In a terminal a notice says so; every first call that
# took long is recorded in COMPILED (name, seconds) and logged (logger ``ppcg.engine``, INFO); the test suite's
# summary reports them. :func:`warm_up` does all of this ahead of time, with a notice wherever stderr goes.
_WARM: set[str] = set()
_NOTICE_AFTER = 3.0  # seconds: a first call that takes longer is compiling
_noticed = False
COMPILED: list[tuple[str, float]] = []
_log = logging.getLogger("ppcg.engine")
_NOTICE = ("ppcg: compiling the engine for this machine, once (about 2 minutes on 2 idle cores; numba caches it "
           "for the next runs) ...")


def _call(name: str, kernel, *args):
    if name in _WARM:
        return kernel(*args)
    return _call_cold(name, kernel, args)


def _call_cold(name: str, kernel, args):
    import threading
    import time

    timer = None
    stream = sys.stderr
    if not _noticed and stream is not None and hasattr(stream, "isatty") and stream.isatty():
        timer = threading.Timer(_NOTICE_AFTER, _compile_notice, args=(stream,))
        timer.daemon = True
        timer.start()
    t0 = time.perf_counter()
    try:
        return kernel(*args)
    finally:
        if timer is not None:
            timer.cancel()
        _WARM.add(name)
        seconds = time.perf_counter() - t0
        if seconds > _NOTICE_AFTER:
            COMPILED.append((name, seconds))
            _log.info("compiled (or loaded from numba's cache) the engine's %s kernel in %.1f s", name,
                      seconds)


def _compile_notice(stream) -> None:
    global _noticed
    if not _noticed:
        _noticed = True
        print(_NOTICE, file=stream, flush=True)


_WARM_GAME = """BasicGame
  SpriteSet
    box > Immovable
    avatar > MovingAvatar
  LevelMapping
    b > box
"""


def warm_up(stream=None) -> float:
    """Compile every kernel that :class:`BatchEngine` calls (or load them from numba's cache) now, so that
    the first steps of a run are not its compile time: training calls this before its clock and progress bar
    start.

    One compiled kernel serves every game (only array sizes and contents differ), so a tiny game warms them
    all: reset, step and observe, and their threaded versions where numba runs more than one thread.

    Args:
        stream: where the notice goes when this takes long (numba compiling): ``sys.stderr`` by default, a
            terminal or not.

    Returns:
        The seconds it took (a fraction of a second once compiled and cached).
    """
    import threading
    import time

    from ppcg.vgdl.level import Level
    from ppcg.vgdl.parser import parse_game

    stream = sys.stderr if stream is None else stream
    t0 = time.perf_counter()
    timer = threading.Timer(_NOTICE_AFTER, _compile_notice, args=(stream,))
    timer.daemon = True
    timer.start()
    try:
        spec = parse_game(_WARM_GAME, path="<warm-up>")
        level = Level.for_game("wwwww\nwAb w\nwwwww\n", spec)  # a space: an empty cell
        for n in (1, _SERIAL_MAX + 1) if _threads() > 1 else (1,):  # serial, and threaded where it runs
            eng = BatchEngine(compile_game(spec), n, obs_type="symbolic", max_steps=0, offsets=n == 1)
            eng.reset([level] * n, list(range(n)))
            eng.step(np.zeros(n, np.int64))
            eng.observe()
    finally:
        timer.cancel()
    seconds = time.perf_counter() - t0
    if seconds > _NOTICE_AFTER and stream is not None:
        print(f"ppcg: the engine is ready ({seconds:.0f} s)", file=stream, flush=True)
    return seconds


_launched = False


def launch_threads() -> None:
    """Start numba's thread pool (once per process) with OpenMP's passive wait policy unless the user chose one.

    Between parallel steps, OpenMP's default policy keeps its threads spinning on their cores; on a machine whose
    cores are busy with other work, the spinning threads and the working one fight for them, and a threaded step
    ran 5-10 times slower than one thread (Zelda, batch 256, 2 busy cores). Passive threads sleep instead, at the
    cost of a wake-up per step. ``OMP_WAIT_POLICY`` is set only while numba loads its OpenMP runtime, which reads
    it then: other OpenMP users of the process (torch) keep their own. A pool already started (by a call to
    ``numba.get_num_threads``/``set_num_threads`` before any engine step) keeps the policy it started with.
    """
    global _launched
    if _launched:
        return
    import os

    import numba

    chosen = "OMP_WAIT_POLICY" in os.environ
    if not chosen:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        numba.get_num_threads()  # loads the threading layer and starts its pool
    finally:
        if not chosen:
            del os.environ["OMP_WAIT_POLICY"]
    _launched = True


def _compiled(dispatcher, args):
    """The compiled function that ``dispatcher`` runs for ``args`` (called directly, it skips numba's typing
    of the arguments); the dispatcher itself under NUMBA_DISABLE_JIT=1 or when none is found."""
    overloads = getattr(dispatcher, "overloads", None)
    if not overloads:
        return dispatcher
    cres = overloads.get(tuple(dispatcher.typeof_pyval(a) for a in args))
    return cres.entry_point if cres is not None else dispatcher


def _frozen(a) -> bool:
    """A read-only array that owns its data (as :meth:`BatchEngine.get_state` makes them): safe to keep."""
    return isinstance(a, np.ndarray) and not a.flags.writeable and a.base is None


def _threads() -> int:
    import numba

    if not _launched:
        launch_threads()
    return numba.get_num_threads()


def _chunks(n: int) -> int:
    """How many pieces ``prange`` splits ``n`` environments into (a few per thread, for balance)."""
    return max(1, min(n, 4 * _threads()))


def _as_compiled(game) -> CompiledGame:
    if isinstance(game, CompiledGame):
        return game
    from ppcg.vgdl.spec import GameSpec

    if isinstance(game, GameSpec):
        return compile_game(game)
    if isinstance(game, (str, Path)):
        from ppcg.vgdl import load_game  # the language layer

        return compile_game(load_game(game))
    raise TypeError(f"expected a CompiledGame, GameSpec or game name, got {type(game).__name__}")


def _free_added_slots(st: State, i: int, old_slots: int, new_slots: int) -> None:
    """Slots ``old_slots .. new_slots - 1`` of environment ``i`` are free: they go below its free stack."""
    if new_slots <= old_slots:
        return
    extra = np.arange(new_slots - 1, old_slots - 1, -1, dtype=np.int32)
    nf = int(st.ev[i, L.EV_NFREE])
    st.lst[i, L.L_FREE, len(extra): len(extra) + nf] = st.lst[i, L.L_FREE, :nf].copy()
    st.lst[i, L.L_FREE, : len(extra)] = extra
    st.ev[i, L.EV_NFREE] = nf + len(extra)


def _doubled(size: int, need: int) -> int:
    """``size`` doubled, and doubled again until it is at least ``need``."""
    size = 2 * max(size, 1)
    while size < need:
        size *= 2
    return size


def _room_of(arrays) -> dict[str, int]:
    """The grown dimensions of a state's arrays (one environment's or a batch's: the last axes)."""
    return {"cell_cap": int(np.shape(arrays["gi"])[-1]), "timers": int(np.shape(arrays["tq"])[-2]),
            "shields": int(np.shape(arrays["shd"])[-1])}
