"""The compiled simulation: one GVGAI game cycle for every environment of a batch, in numba.

Everything here works on two named tuples of arrays (:mod:`ppcg.engine.layout`): ``tb`` (the game's tables) and
``st`` (the batch's state); ``i`` is an environment index and ``s`` a sprite slot. The order of one cycle is
GVGAI's ``Game.gameCycle`` (the rules, in the project's words: ``docs/semantics.md``):

1. the avatar moves (first), then every other sprite in reverse sprite order, each type's sprites by id;
2. EOS effects; 3. pair effects, pair by pair in order of first appearance; 4. killed sprites are removed;
5. terminations in file order.

Randomness is one ``java.util.Random`` per environment (:mod:`ppcg.engine.jrandom`), drawn where GVGAI draws.
Collisions use a per-environment grid index (sprites by covered cell, plus a list of sprites not fully inside the
level); small sprite sets are scanned directly. Candidates are always visited in GVGAI's order: the pair's subtree
order of types, then sprite id.

Effects are small functions dispatched on their code in :func:`_apply_effect`; sprite classes in
:func:`_update_sprite` and :func:`_update_avatar`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ppcg.engine.features import (
    A_NIL,
    A_USE,
    C_BOMBER,
    C_BOMBER_RANDOM_MISSILE,
    C_CHASER,
    C_DOOR,
    C_FLAK_AVATAR,
    C_LOS_CHASER,
    C_PATH_ALT_CHASER,
    C_PATH_CHASER,
    C_RANDOM_PATH_ALT_CHASER,
    C_MISSILE_AVATAR,
    C_ONGOING_SHOOT_AVATAR,
    C_RANDOM_BOMBER,
    C_RANDOM_MISSILE,
    C_SPREADER,
    C_FLICKER,
    C_IMMOVABLE,
    C_MISSILE,
    C_ONGOING_AVATAR,
    C_ORIENTED_AVATAR,
    C_ORIENTED_FLICKER,
    C_PASSIVE,
    C_RANDOM_NPC,
    C_RESOURCE,
    C_SHOOT_AVATAR,
    C_SPAWN_POINT,
    E_CHANGE_RESOURCE,
    E_COLLECT_RESOURCE,
    E_KILL_IF_FROM_ABOVE,
    E_KILL_IF_OTHER_HAS_MORE,
    E_KILL_SPRITE,
    E_PULL_WITH_IT,
    E_REVERSE_DIRECTION,
    E_SHIELD_FROM,
    E_SPAWN,
    E_SPAWN_IF_HAS_MORE,
    E_STEP_BACK,
    E_TRANSFORM_TO,
    E_WRAP_AROUND,
    E_ADD_HEALTH_POINTS,
    E_ADD_TIMER,
    E_ALIGN,
    E_ATTRACT_GAZE,
    E_BOUNCE_FORWARD,
    E_COLLECT_RESOURCE_IF_HELD,
    E_FLIP_DIRECTION,
    E_KILL_ALL,
    E_KILL_BOTH,
    E_KILL_IF_FRONTAL,
    E_KILL_IF_HAS_LESS,
    E_KILL_IF_HAS_MORE,
    E_KILL_IF_NOT_FRONTAL,
    E_SUBTRACT_HEALTH_POINTS,
    E_TELEPORT_TO_EXIT,
    E_TRANSFORM_IF_COUNT,
    E_TRANSFORM_TO_ALL,
    E_TURN_AROUND,
    E_UNDO_ALL,
    E_SPAWN_BEHIND,
    E_SPAWN_SIDE,
    E_TRANSFORM_TO_SINGLETON,
    E_SET_SPEED_FOR_ALL,
    E_KILL_IF_ALIVE,
    E_REMOVE_SCORE,
    E_ADD_HEALTH_POINTS_TO_MAX,
    E_SPAWN_IF_HAS_LESS,
    E_HALF_SPEED,
    E_CHANGE_SPEED_TO_ALL,
    E_CLONE_SPRITE,
    E_KILL_IF_NOT_UPRIGHT,
    E_TRANSFORM_TO_RANDOM_CHILD,
    E_UPDATE_SPAWN_TYPE,
    E_SPAWN_IF_COUNTER_SUBTYPES,
    C_SHOOT_ONLY_AVATAR,
    C_ONGOING_TURNING_AVATAR,
    C_SPAWN_POINT_MULTI,
    E_WALL_STOP,
    E_WALL_BOUNCE,
    E_WALL_REVERSE,
    NPC_BASE2,
    C_ALTERNATE_CHASER,
    C_RANDOM_ALT_CHASER,
    E_KILL_IF_SLOW,
    T_MULTI_SPRITE_COUNTER,
    T_SPRITE_COUNTER,
    T_TIMEOUT,
    T_MULTI_SPRITE_COUNTER_SUBTYPES,
    T_SPRITE_COUNTER_MORE,
    T_STOP_COUNTER,
)
from ppcg.engine.jrandom import MASK48, MULTIPLIER, jr_advance
from ppcg.engine.layout import *  # noqa: F403 - field index constants

BS = BLOCK
DIRECT_MAX = 12  # candidate sets this small are scanned directly instead of through the grid

# engine action -> direction (NIL, USE, LEFT, RIGHT, DOWN, UP)
ACT_DX = np.array([0, 0, -1, 1, 0, 0], np.int32)
ACT_DY = np.array([0, 0, 0, 0, 1, -1], np.int32)
# GVGAI's Types.DBASEDIRS: UP, LEFT, DOWN, RIGHT (RandomNPC draws an index into it)
BASE_DX = np.array([0, -1, 0, 1], np.int32)
BASE_DY = np.array([-1, 0, 1, 0], np.int32)
# ONTOLOGY: engine action -> the ``stype`` entry a ShootOnlyAvatar fires (GVGAI's LEFT, UP, RIGHT, DOWN, USE)
SHOOT_ONLY_ENTRY = np.array([-1, 4, 0, 2, 3, 1], np.int32)

MOVE_STILL = 0
MOVE_ROTATE = 1
MOVE_MOVE = 2


# ---------------------------------------------------------------------------------------------------------------
# java.util.Random on the environment's row of ``st.rng`` (jrandom's LCG step; no array views in the hot path)
@njit(cache=True, _nrt=False, inline="always")
def _rnd_next(st, i, bits):
    s = jr_advance(st.rng[i, 0])
    st.rng[i, 0] = s
    return s >> np.int64(48 - bits)


@njit(cache=True, _nrt=False, inline="always")
def _rnd_int(st, i, bound):
    """``nextInt(bound)``."""
    bound = np.int64(bound)
    r = _rnd_next(st, i, 31)
    m = bound - 1
    if (bound & m) == 0:
        return (bound * r) >> np.int64(31)
    u = r
    r = u % bound
    while u - r + m > np.int64(2147483647):
        u = _rnd_next(st, i, 31)
        r = u % bound
    return r


@njit(cache=True, _nrt=False, inline="always")
def _rnd_float(st, i):
    """``nextFloat()``: an exact float32 value as a float64."""
    return _rnd_next(st, i, 24) / 16777216.0


@njit(cache=True, _nrt=False, inline="always")
def _rnd_double(st, i):
    """``nextDouble()``."""
    hi = _rnd_next(st, i, 26)
    lo = _rnd_next(st, i, 27)
    return ((hi << np.int64(27)) + lo) * (1.0 / 9007199254740992.0)


# ---------------------------------------------------------------------------------------------------------------
# grid index
@njit(cache=True, _nrt=False, inline="always")
def _unaligned(x, y):
    """1 when a sprite at pixel ``(x, y)`` (inside the level) is not aligned to the grid, else 0."""
    return 1 if x % BS != 0 or y % BS != 0 else 0


@njit(cache=True, _nrt=False, inline="always")
def _skip_cell(st, i, c, cx, cy, x, y):
    """Whether the search around a sprite at pixel ``(x, y)`` can skip cell ``c`` = ``(cx, cy)``: sprites indexed
    left of or above the sprite's own cell reach into it only when unaligned, and the cell holds none."""
    return (cx < x // BS or cy < y // BS) and st.gu[i, c] == 0


@njit(cache=True, _nrt=False)
def _grid_remove(si, ev, lst, gn, gi, gu, i, s):
    c = si[i, s, SI_CX0]
    if c == -2:
        return
    if c == -1:
        n = ev[i, EV_OUTN]
        for k in range(n):
            if lst[i, L_OUT, k] == s:
                lst[i, L_OUT, k] = lst[i, L_OUT, n - 1]
                ev[i, EV_OUTN] = n - 1
                break
        si[i, s, SI_CX0] = -2
        return
    if _unaligned(si[i, s, SI_X], si[i, s, SI_Y]):
        gu[i, c] -= 1
    n = gn[i, c]
    for k in range(n):
        if gi[i, c, k] & GI_SLOT == s:
            gi[i, c, k] = gi[i, c, n - 1]
            gn[i, c] = n - 1
            break
    si[i, s, SI_CX0] = -2


@njit(cache=True, _nrt=False)
def _grid_add(si, ev, lst, gn, gi, gu, i, s):
    """Index a sprite under the cell of its top-left corner (a block-sized sprite overlaps only sprites indexed in
    its own cell's 3x3 neighbourhood); sprites not fully inside the level go to a separate list."""
    x = si[i, s, SI_X]
    y = si[i, s, SI_Y]
    w = ev[i, EV_WIDTH]
    h = ev[i, EV_HEIGHT]
    if x < 0 or y < 0 or x + BS > w * BS or y + BS > h * BS:
        lst[i, L_OUT, ev[i, EV_OUTN]] = s
        ev[i, EV_OUTN] += 1
        si[i, s, SI_CX0] = -1
        return
    c = (y // BS) * w + x // BS
    si[i, s, SI_CX0] = c
    if _unaligned(x, y):
        gu[i, c] += 1
    n = gn[i, c]
    if n < gi.shape[2]:
        gi[i, c, n] = s | (si[i, s, SI_TYPE] << GI_TYPE)
        gn[i, c] = n + 1
    else:  # scanned by type lists for the rest of the tick; BatchEngine then widens the cells (regrid_env)
        ev[i, EV_OVERFLOW] = True


@njit(cache=True, _nrt=False, inline="always")
def _set_pos(st, i, s, x, y):
    """Move sprite ``s`` to pixel ``(x, y)``, keeping the grid index in step."""
    if x == st.si[i, s, SI_X] and y == st.si[i, s, SI_Y]:
        return
    st.pv[i, st.si[i, s, SI_TYPE]] += 1
    c = st.si[i, s, SI_CX0]
    w = st.ev[i, EV_WIDTH]
    if c >= 0 and x >= 0 and y >= 0 and x + BS <= w * BS and y + BS <= st.ev[i, EV_HEIGHT] * BS:
        if (y // BS) * w + x // BS == c:
            st.gu[i, c] += _unaligned(x, y) - _unaligned(st.si[i, s, SI_X], st.si[i, s, SI_Y])
            st.si[i, s, SI_X] = x
            st.si[i, s, SI_Y] = y
            return
    _grid_remove(st.si, st.ev, st.lst, st.gn, st.gi, st.gu, i, s)
    st.si[i, s, SI_X] = x
    st.si[i, s, SI_Y] = y
    _grid_add(st.si, st.ev, st.lst, st.gn, st.gi, st.gu, i, s)


@njit(cache=True, _nrt=False, inline="always")
def _intersects(st, i, a, b):
    """``java.awt.Rectangle.intersects`` for two block-sized sprites: strict overlap."""
    xa = st.si[i, a, SI_X]
    xb = st.si[i, b, SI_X]
    ya = st.si[i, a, SI_Y]
    yb = st.si[i, b, SI_Y]
    return xa < xb + BS and xb < xa + BS and ya < yb + BS and yb < ya + BS


@njit(cache=True, _nrt=False, inline="always")
def _at_edge(st, i, s):
    """GVGAI's EOS test: the sprite's rect is not contained in the screen."""
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    return x < 0 or y < 0 or x + BS > st.ev[i, EV_WIDTH] * BS or y + BS > st.ev[i, EV_HEIGHT] * BS


# ---------------------------------------------------------------------------------------------------------------
# sprite lifecycle
@njit(cache=True, _nrt=False, inline="always")
def _count_subtree(tb, st, i, t):
    """GVGAI's ``getNumSprites(t)``: sprites of ``t`` and its subtypes, killed-this-tick and disabled included."""
    n = 0
    for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
        n += st.tc[i, tb.items[q], TC_N]
    return n


@njit(cache=True, _nrt=False, inline="always")
def _count_active(tb, st, i, t):
    """Sprites of ``t`` and its subtypes that are not disabled (what the counters compare)."""
    n = 0
    for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
        u = tb.items[q]
        n += st.tc[i, u, TC_N] - st.tc[i, u, TC_DIS]
    return n


@njit(cache=True, _nrt=False)
def _add_sprite(tb, st, i, t, x, y):
    """GVGAI's ``addSprite``: refused (-1) when a singleton type (or ancestor) already has a sprite."""
    for q in range(tb.ti[t, TI_SING0], tb.ti[t, TI_SING1]):
        if _count_subtree(tb, st, i, tb.items[q]) > 0:
            return -1
    return _add_sprite_any(tb, st, i, t, x, y)


@njit(cache=True, _nrt=False)
def _add_sprite_any(tb, st, i, t, x, y):
    """``addSprite`` with ``force``: singletons not checked (-1 only when no slot is free: BatchEngine then grows
    the slots and redoes the tick; or for a type that does not exist, an engine fault)."""
    if t < 0 or t >= st.tc.shape[1]:
        st.ev[i, EV_FAULT] += 1
        return -1
    nf = st.ev[i, EV_NFREE]
    if nf == 0:
        st.ev[i, EV_REFUSED] += 1
        return -1
    nf -= 1
    st.ev[i, EV_NFREE] = nf
    s = st.lst[i, L_FREE, nf]
    st.si[i, s, SI_TYPE] = t
    st.si[i, s, SI_ID] = st.ev[i, EV_NEXT_ID]
    st.ev[i, EV_NEXT_ID] += 1
    st.si[i, s, SI_X] = x
    st.si[i, s, SI_Y] = y
    st.si[i, s, SI_LX] = x
    st.si[i, s, SI_LY] = y
    st.si[i, s, SI_OX] = tb.ti[t, TI_OX0]
    st.si[i, s, SI_OY] = tb.ti[t, TI_OY0]
    st.si[i, s, SI_LASTMOVE] = 0
    st.si[i, s, SI_FIRST] = True
    st.si[i, s, SI_DISABLED] = False
    st.si[i, s, SI_KILLED] = False
    st.si[i, s, SI_AGE] = 0
    st.si[i, s, SI_COUNTER] = 0
    st.si[i, s, SI_PAX] = 0
    st.si[i, s, SI_PAY] = 0
    st.si[i, s, SI_START] = -1
    st.si[i, s, SI_HP] = tb.ti[t, TI_HP0]
    st.si[i, s, SI_TGT] = -1  # NPC: PathAltChaser's last target, none yet
    st.si[i, s, SI_SPAWN] = -1  # ONTOLOGY: a SpawnPoint spawns its type's stype
    st.si[i, s, SI_LKX] = NO_POS
    st.si[i, s, SI_TTL] = tb.ti[t, TI_TTL]
    st.si[i, s, SI_ORI] = 0  # EFFECTS
    st.si[i, s, SI_PPXO] = -1  # EFFECTS
    st.si[i, s, SI_MARK] = 0
    for r in range(st.res.shape[2]):
        st.res[i, s, r] = -1
    for q in range(st.pull.shape[2]):
        st.pull[i, s, q] = -1
    st.tl[i, t, st.tc[i, t, TC_N]] = s
    st.tc[i, t, TC_N] += 1
    st.pv[i, t] += 1
    st.si[i, s, SI_CX0] = -2
    _grid_add(st.si, st.ev, st.lst, st.gn, st.gi, st.gu, i, s)
    return s


@njit(cache=True, _nrt=False, inline="always")
def _kill(tb, st, i, s, transformed):
    """GVGAI's ``killSprite``: an avatar killed (not transformed) is only disabled; others join the kill list."""
    t = st.si[i, s, SI_TYPE]
    if tb.ti[t, TI_AVATAR] and not transformed:
        if not st.si[i, s, SI_DISABLED]:
            st.si[i, s, SI_DISABLED] = True
            st.tc[i, t, TC_DIS] += 1
            st.pv[i, t] += 1  # it leaves the observation
        return
    if not st.si[i, s, SI_KILLED]:
        st.si[i, s, SI_KILLED] = True
        st.pv[i, t] += 1
        st.lst[i, L_KILL, st.ev[i, EV_NKILL]] = s
        st.ev[i, EV_NKILL] += 1


@njit(cache=True, _nrt=False)
def _clear_all(tb, st, i):
    """GVGAI's ``clearAll``: remove the killed sprites (type lists keep id order) and drop the shields."""
    nk = st.ev[i, EV_NKILL]
    for k in range(nk):
        s = st.lst[i, L_KILL, k]
        t = st.si[i, s, SI_TYPE]
        n = st.tc[i, t, TC_N]
        m = 0
        for j in range(n):
            u = st.tl[i, t, j]
            if not st.si[i, u, SI_KILLED]:
                st.tl[i, t, m] = u
                m += 1
        st.tc[i, t, TC_N] = m
    for k in range(nk):
        s = st.lst[i, L_KILL, k]
        t = st.si[i, s, SI_TYPE]
        _grid_remove(st.si, st.ev, st.lst, st.gn, st.gi, st.gu, i, s)
        if st.si[i, s, SI_DISABLED]:
            st.tc[i, t, TC_DIS] -= 1
        if st.ev[i, EV_AVATAR] == s:
            st.ev[i, EV_AVATAR] = -1
        st.si[i, s, SI_TYPE] = -1
        st.si[i, s, SI_KILLED] = False
        st.lst[i, L_FREE, st.ev[i, EV_NFREE]] = s
        st.ev[i, EV_NFREE] += 1
    st.ev[i, EV_NKILL] = 0
    st.ev[i, EV_SHN] = 0


@njit(cache=True, _nrt=False, inline="always")
def _get_res(st, i, s, r):
    v = st.res[i, s, r]
    return v if v > 0 else 0


@njit(cache=True, _nrt=False, inline="always")
def _modify_res(st, i, s, r, delta):
    """GVGAI's ``modifyResource``: the entry is created if absent and never goes below 0."""
    v = _get_res(st, i, s, r) + delta
    st.res[i, s, r] = v if v > 0 else 0


# ---------------------------------------------------------------------------------------------------------------
# movement
@njit(cache=True, _nrt=False, inline="always")
def _update_pos(tb, st, i, s, dx, dy, px):
    """GVGAI's ``_updatePos``: move ``px`` pixels along (dx, dy) if the cooldown allows; resets ``lastmove``."""
    if px == 0:
        return False
    t = st.si[i, s, SI_TYPE]
    if tb.ti[t, TI_COOLDOWN] <= st.si[i, s, SI_LASTMOVE] and (dx != 0 or dy != 0):
        _set_pos(st, i, s, st.si[i, s, SI_X] + dx * px, st.si[i, s, SI_Y] + dy * px)
        st.si[i, s, SI_LASTMOVE] = 0
        return True
    return False


@njit(cache=True, _nrt=False, inline="always")
def _passive(tb, st, i, s, t):
    """GVGAI's ``updatePassive`` + ``GridPhysics.passiveMovement`` (no move on the first tick)."""
    if tb.ti[t, TI_STATIC]:
        return
    if st.si[i, s, SI_FIRST]:
        st.si[i, s, SI_FIRST] = False
        return
    px = tb.ti[t, TI_PPX] if st.si[i, s, SI_PPXO] < 0 else st.si[i, s, SI_PPXO]  # EFFECTS: setSpeedForAll
    if px != 0 and tb.ti[t, TI_ORIENTED]:
        _update_pos(tb, st, i, s, st.si[i, s, SI_OX], st.si[i, s, SI_OY], px)


@njit(cache=True, _nrt=False, inline="always")
def _pre_movement(st, i, s):
    st.si[i, s, SI_LX] = st.si[i, s, SI_X]
    st.si[i, s, SI_LY] = st.si[i, s, SI_Y]
    st.si[i, s, SI_LASTMOVE] += 1


# ---------------------------------------------------------------------------------------------------------------
# ONTOLOGY (issue 13): a sprite's own speed, set by the speed effects (setSpeedForAll, increaseSpeedToAll ...).
# GVGAI keeps it as a double per sprite; it is stored bit-exact in SI_SPDH/SI_SPDL (sign, exponent, top mantissa
# bits / low 31 mantissa bits), with its passive pixels in SI_PPXO (-1: the sprite moves at its type's speed).
@njit(cache=True, _nrt=False, inline="always")
def _speed_of(tb, st, i, s):
    """The sprite's speed in cells per move (GVGAI's ``VGDLSprite.speed``)."""
    if st.si[i, s, SI_PPXO] < 0:
        return tb.tf[st.si[i, s, SI_TYPE], TF_SPEED]
    hi = st.si[i, s, SI_SPDH]
    if hi == 0:
        return 0.0
    m = (np.int64(hi & 0x3FFFFF) << 31) | np.int64(st.si[i, s, SI_SPDL])
    v = math.ldexp(float(m), int((hi >> 22) & 0xFF) - 128 - 53)
    return -v if (hi >> 30) & 1 else v


@njit(cache=True, _nrt=False)
def _set_speed(st, i, s, v):
    """Give sprite ``s`` its own speed ``v``; its passive step is ``(int)(v * block)`` in doubles (GridPhysics:
    0.9 - 3 * 0.2 moves 2 px, not 3)."""
    m, e = math.frexp(abs(v))
    if v == 0 or e < -127:
        st.si[i, s, SI_SPDH] = 0
        st.si[i, s, SI_SPDL] = 0
    else:
        mi = np.int64(m * 9007199254740992.0)  # m * 2**53, exact
        hi = ((min(e, 127) + 128) << 22) | np.int32(mi >> 31)
        st.si[i, s, SI_SPDH] = hi | (1 << 30) if v < 0 else hi
        st.si[i, s, SI_SPDL] = np.int32(mi & 0x7FFFFFFF)
    ps = 1.0 if v == -1 else v
    st.si[i, s, SI_PPXO] = max(0, int(ps * BS))


@njit(cache=True, _nrt=False, inline="always")
def _apx(tb, st, i, s, t):
    """Pixels per active move (``GridPhysics.activeMovement`` with the sprite's own speed; 0 counts as 1)."""
    if st.si[i, s, SI_PPXO] < 0:
        return tb.ti[t, TI_APX]
    v = _speed_of(tb, st, i, s)
    return BS if v == 0 else int(v * BS)


# ---------------------------------------------------------------------------------------------------------------
# sprite classes
@njit(cache=True, _nrt=False)
def _random_npc(tb, st, i, s, t):
    _passive(tb, st, i, s, t)
    if st.si[i, s, SI_COUNTER] < tb.ti[t, TI_CONS]:
        st.si[i, s, SI_COUNTER] += 1
        dx = st.si[i, s, SI_PAX]
        dy = st.si[i, s, SI_PAY]
    else:
        k = _rnd_int(st, i, 4)
        dx = BASE_DX[k]
        dy = BASE_DY[k]
        st.si[i, s, SI_PAX] = dx
        st.si[i, s, SI_PAY] = dy
        st.si[i, s, SI_COUNTER] = 0
    if dx != 0 or dy != 0:
        _update_pos(tb, st, i, s, dx, dy, _apx(tb, st, i, s, t))


@njit(cache=True, _nrt=False)
def _spawn_point(tb, st, i, s, t, gt, nt):
    """SpawnPoint (and the Bomber family, which move): spawn ``nt`` on a cooldown tick with probability prob."""
    if _spawn_due(tb, st, i, s, t, gt):
        _spawn_one(tb, st, i, s, t, nt)
    _passive(tb, st, i, s, t)
    if tb.ti[t, TI_TOTAL] > 0 and st.si[i, s, SI_COUNTER] >= tb.ti[t, TI_TOTAL]:
        _kill(tb, st, i, s, False)


@njit(cache=True, _nrt=False, inline="always")
def _spawn_due(tb, st, i, s, t, gt):
    """A SpawnPoint's roll (``nextFloat()``, drawn every update): it spawns at ``(start + tick) % cooldown == 0``
    with probability ``prob``, where start is the tick of its first update."""
    if st.si[i, s, SI_START] == -1:
        st.si[i, s, SI_START] = gt
    roll = _rnd_float(st, i)
    return (st.si[i, s, SI_START] + gt) % tb.ti[t, TI_COOLDOWN] == 0 and roll < tb.tf[t, TF_PROB]


@njit(cache=True, _nrt=False, inline="always")
def _spawn_one(tb, st, i, s, t, nt):
    """A SpawnPoint adds ``nt`` on itself (counted toward ``total``), facing ``spawnorientation``, else its own
    orientation when the new sprite has none."""
    ns = _add_sprite(tb, st, i, nt, st.si[i, s, SI_X], st.si[i, s, SI_Y])
    if ns >= 0:
        st.si[i, s, SI_COUNTER] += 1
        if tb.ti[t, TI_SOX] != 0 or tb.ti[t, TI_SOY] != 0:
            st.si[i, ns, SI_OX] = tb.ti[t, TI_SOX]
            st.si[i, ns, SI_OY] = tb.ti[t, TI_SOY]
        elif st.si[i, ns, SI_OX] == 0 and st.si[i, ns, SI_OY] == 0:
            st.si[i, ns, SI_OX] = st.si[i, s, SI_OX]
            st.si[i, ns, SI_OY] = st.si[i, s, SI_OY]


@njit(cache=True, _nrt=False)
def _update_sprite_ontology(tb, st, i, s, t, c, gt):
    """The non-avatar classes added for the whole ontology (ONTOLOGY, issue 13)."""
    if c == C_SPAWN_POINT_MULTI:  # every type of its stypes list on one roll
        if _spawn_due(tb, st, i, s, t, gt):
            for q in range(tb.ti[t, TI_MISS0], tb.ti[t, TI_MISS1]):
                _spawn_one(tb, st, i, s, t, tb.items[q])
        _passive(tb, st, i, s, t)
        if tb.ti[t, TI_TOTAL] > 0 and st.si[i, s, SI_COUNTER] >= tb.ti[t, TI_TOTAL]:
            _kill(tb, st, i, s, False)
    elif c == C_ALTERNATE_CHASER or c == C_RANDOM_ALT_CHASER:
        _alt_chaser(tb, st, i, s, t)


@njit(cache=True, _nrt=False)
def _alt_chaser(tb, st, i, s, t):
    """GVGAI's AlternateChaser (RandomAltChaser: a random step when ``nextDouble() < epsilon``, drawn first).

    While stype1's subtree holds sprites (killed and disabled ones included) it steps toward the nearest ones
    (Manhattan pixels), choosing with ``nextInt`` among the moves that get 1 px closer to each; it never flees.
    Its targets come from GVGAI's ``getSubSpritesGroup``, which lists the sprites of stype1's own type twice, so
    each of those adds its moves twice. Without targets or moves: ``nextInt(4)`` over UP, LEFT, DOWN, RIGHT."""
    if tb.ti[t, TI_CLS] == C_RANDOM_ALT_CHASER and _rnd_double(st, i) < tb.tf[t, TF_PROB]:
        _passive(tb, st, i, s, t)
        k = _rnd_int(st, i, 4)
        _npc_active(tb, st, i, s, t, BASE_DX[k], BASE_DY[k])
        return
    _passive(tb, st, i, s, t)
    tt = tb.ti[t, TI_STYPE]
    n = 0
    best = -1
    tg = _closest(tb, st, i, s, tt)  # -1: stype1's subtree is empty
    if tg >= 0:
        best = abs(st.si[i, s, SI_Y] - st.si[i, tg, SI_Y]) + abs(st.si[i, s, SI_X] - st.si[i, tg, SI_X])
        n = _alt_moves(tb, st, i, s, tt, best, -1)
    if n == 0:
        k = _rnd_int(st, i, 4)
    else:
        k = _alt_moves(tb, st, i, s, tt, best, _rnd_int(st, i, n))
    _npc_active(tb, st, i, s, t, BASE_DX[k], BASE_DY[k])


@njit(cache=True, _nrt=False)
def _alt_moves(tb, st, i, s, tt, best, pick):
    """AlternateChaser's action list: over ``getSubSpritesGroup(stype1)`` (the sprites of ``tt`` itself, then of
    every type of its subtree, ``tt`` again first), for each sprite at distance ``best`` the base directions whose
    1-px probe gets closer. Returns its length, or with ``pick >= 0`` that entry's index into BASE_DX/BASE_DY."""
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    n = 0
    for q in range(tb.ti[tt, TI_SUB0] - 1, tb.ti[tt, TI_SUB1]):
        u = tt if q < tb.ti[tt, TI_SUB0] else tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            o = st.tl[i, u, j]
            ox = st.si[i, o, SI_X]
            oy = st.si[i, o, SI_Y]
            d = abs(y - oy) + abs(x - ox)
            if d != best:
                continue
            for k in range(4):
                if abs(y + BASE_DY[k] - oy) + abs(x + BASE_DX[k] - ox) < d:
                    if n == pick:
                        return k
                    n += 1
    return n


@njit(cache=True, _nrt=False, inline="always")
def _spawn_type(tb, st, i, s, t):
    """The type a SpawnPoint or Bomber spawns: its type's ``stype``, or the one updateSpawnType gave it (ONTOLOGY)."""
    o = st.si[i, s, SI_SPAWN]
    return tb.ti[t, TI_STYPE] if o < 0 else o


# ---------------------------------------------------------------------------------------------------------------
# NPC classes (issue 3, NPC): chasers, random missiles, bombers, spreaders
@njit(cache=True, _nrt=False, inline="always")
def _npc_active(tb, st, i, s, t, dx, dy):
    """``GridPhysics.activeMovement`` for a non-avatar sprite: rotate in place (if set), else move."""
    if dx == 0 and dy == 0:
        return False
    if tb.ti[t, TI_ROTATE] and tb.ti[t, TI_ORIENTED]:
        if st.si[i, s, SI_OX] != dx or st.si[i, s, SI_OY] != dy:
            st.si[i, s, SI_OX] = dx
            st.si[i, s, SI_OY] = dy
            return False
    return _update_pos(tb, st, i, s, dx, dy, _apx(tb, st, i, s, t))


@njit(cache=True, _nrt=False, inline="always")
def _random_move(tb, st, i, s, t):
    """RandomNPC's ``getRandomMove``: repeat the previous move ``cons`` times, else draw one with nextInt(4)."""
    if st.si[i, s, SI_COUNTER] < tb.ti[t, TI_CONS]:
        st.si[i, s, SI_COUNTER] += 1
        return st.si[i, s, SI_PAX], st.si[i, s, SI_PAY]
    k = _rnd_int(st, i, 4)
    st.si[i, s, SI_PAX] = BASE_DX[k]
    st.si[i, s, SI_PAY] = BASE_DY[k]
    st.si[i, s, SI_COUNTER] = 0
    return BASE_DX[k], BASE_DY[k]


@njit(cache=True, _nrt=False, inline="always")
def _sees(st, i, s, o):
    """LOSChaser: ``o`` lies on the ray of this sprite's last random move (none: it sees nothing)."""
    dx = st.si[i, s, SI_PAX]
    dy = st.si[i, s, SI_PAY]
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    ox = st.si[i, o, SI_X]
    oy = st.si[i, o, SI_Y]
    if dy == 1:
        return ox == x and oy >= y
    if dy == -1:
        return ox == x and oy <= y
    if dx == -1:
        return ox <= x and oy == y
    if dx == 1:
        return ox >= x and oy == y
    return False


@njit(cache=True, _nrt=False, inline="always")
def _chase_moves(tb, st, i, s, t, best, pick):
    """Walk Chaser's action list (per nearest target, the directions in UP, LEFT, DOWN, RIGHT order whose 1-px
    probe gets closer, or farther when fleeing). Returns its length, or with ``pick >= 0`` that entry's index
    into the base directions."""
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    flee = tb.ti[t, TI_FLEE]
    maxd = tb.ti[t, TI_MAXDIST]
    tt = tb.ti[t, TI_STYPE]
    los = tb.ti[t, TI_CLS] == C_LOS_CHASER
    n = 0
    for q in range(tb.ti[tt, TI_SUB0], tb.ti[tt, TI_SUB1]):
        u = tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            o = st.tl[i, u, j]
            ox = st.si[i, o, SI_X]
            oy = st.si[i, o, SI_Y]
            d = abs(y - oy) + abs(x - ox)
            if d != best or (maxd >= 0 and d > maxd) or (los and not _sees(st, i, s, o)):
                continue
            for k in range(4):
                nd = abs(y + BASE_DY[k] - oy) + abs(x + BASE_DX[k] - ox)
                if (flee and nd > d) or (not flee and nd < d):
                    if n == pick:
                        return k
                    n += 1
    return n


@njit(cache=True, _nrt=False)
def _chaser(tb, st, i, s, t):
    """GVGAI's Chaser / Fleeing: move toward (away from) the nearest ``stype`` sprites by Manhattan pixels."""
    _passive(tb, st, i, s, t)
    tt = tb.ti[t, TI_STYPE]
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    best = -1
    los = tb.ti[t, TI_CLS] == C_LOS_CHASER
    for q in range(tb.ti[tt, TI_SUB0], tb.ti[tt, TI_SUB1]):
        u = tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            o = st.tl[i, u, j]
            if los and not _sees(st, i, s, o):
                continue
            d = abs(y - st.si[i, o, SI_Y]) + abs(x - st.si[i, o, SI_X])
            if best < 0 or d < best:
                best = d
    n = 0
    if best >= 0:
        n = _chase_moves(tb, st, i, s, t, best, -1)
    if n == 0:
        dx, dy = _random_move(tb, st, i, s, t)
    else:
        k = _chase_moves(tb, st, i, s, t, best, _rnd_int(st, i, n))
        dx = BASE_DX[k]
        dy = BASE_DY[k]
    _npc_active(tb, st, i, s, t, dx, dy)


@njit(cache=True, _nrt=False, inline="always")
def _random_missile(tb, st, i, s, t):
    """GVGAI's RandomMissile: without an orientation (NIL, kept as (-1, -1)) it draws one, then moves passively."""
    if st.si[i, s, SI_OX] == -1 and st.si[i, s, SI_OY] == -1:
        k = _rnd_int(st, i, 4)
        st.si[i, s, SI_OX] = BASE_DX[k]
        st.si[i, s, SI_OY] = BASE_DY[k]
    _passive(tb, st, i, s, t)


@njit(cache=True, _nrt=False)
def _spreader(tb, st, i, s, t):
    """GVGAI's Spreader: a Flicker that, at age 2, adds ``stype`` (or its own type) on the four neighbours."""
    _passive(tb, st, i, s, t)
    if st.si[i, s, SI_AGE] > tb.ti[t, TI_FLIMIT]:
        _kill(tb, st, i, s, False)
    st.si[i, s, SI_AGE] += 1
    if st.si[i, s, SI_AGE] == 2:
        nt = tb.ti[t, TI_STYPE]
        if nt < 0:
            nt = t
        for k in range(4):
            if _rnd_double(st, i) < tb.tf[t, TF_PROB]:
                _add_sprite(tb, st, i, nt, st.si[i, s, SI_LX] + BASE_DX[k] * BS, st.si[i, s, SI_LY] + BASE_DY[k] * BS)


# ---------------------------------------------------------------------------------------------------------------
# GVGAI's pathfinder (NPC, issue 3). Built once from the level as loaded: a cell is an obstacle when it holds a
# sprite of an ``obs`` type (st.pf[i, 0]). A path from cell S goes along the search tree GVGAI grows from S:
# a uniform-cost search whose open list is java.util.PriorityQueue (a binary heap, ties in heap order), that
# expands neighbours UP, DOWN, LEFT, RIGHT and gives each cell the parent that first reached it. Only the first
# step is ever used; it is fixed when the goal cell is first reached, so the search stops there.
@njit(cache=True, _nrt=False)
def _path_init(tb, st, i):
    """The obstacle grid of environment ``i`` (after its level is built)."""
    if not tb.misc[M_PATHF]:
        return
    w = st.ev[i, EV_WIDTH]
    h = st.ev[i, EV_HEIGHT]
    for c in range(w * h):
        st.pf[i, 0, c] = 0
    for k in range(PATH_CACHE):
        st.pf[i, 4, k] = -1
    st.pf[i, 4, PATH_CACHE] = 0
    for t in range(tb.ti.shape[0]):
        if not tb.ti[t, TI_OBST]:
            continue
        for j in range(st.tc[i, t, TC_N]):
            s = st.tl[i, t, j]
            x = st.si[i, s, SI_X]
            y = st.si[i, s, SI_Y]
            if 0 <= x < w * BS and 0 <= y < h * BS:
                st.pf[i, 0, (y // BS) * w + x // BS] = 1


@njit(cache=True, _nrt=False, inline="always")
def _heap_push(st, i, n, node):
    """java.util.PriorityQueue.offer on st.pf[i, 3] (keys: the cost in st.pf[i, 1])."""
    k = n
    key = st.pf[i, 1, node]
    while k > 0:
        parent = (k - 1) >> 1
        e = st.pf[i, 3, parent]
        if key >= st.pf[i, 1, e]:
            break
        st.pf[i, 3, k] = e
        k = parent
    st.pf[i, 3, k] = node
    return n + 1


@njit(cache=True, _nrt=False, inline="always")
def _heap_pop(st, i, n):
    """java.util.PriorityQueue.poll; returns (node, new size)."""
    top = st.pf[i, 3, 0]
    n -= 1
    x = st.pf[i, 3, n]
    if n > 0:
        key = st.pf[i, 1, x]
        k = 0
        half = n >> 1
        while k < half:
            child = 2 * k + 1
            c = st.pf[i, 3, child]
            right = child + 1
            if right < n and st.pf[i, 1, c] > st.pf[i, 1, st.pf[i, 3, right]]:
                child = right
                c = st.pf[i, 3, child]
            if key <= st.pf[i, 1, c]:
                break
            st.pf[i, 3, k] = c
            k = child
        st.pf[i, 3, k] = x
    return top, n


# the pathfinder's neighbour order (UP, DOWN, LEFT, RIGHT) as indices into BASE_DX/BASE_DY (UP, LEFT, DOWN, RIGHT)
PATH_DIRS = np.array([0, 2, 1, 3], np.int32)


@njit(cache=True, _nrt=False)
def _path_first(st, i, px, py, gx, gy, q0, cached):
    """GVGAI's ``getPath(from, to)`` first step (pixel positions, floored to cells) as a BASE_DX index, or -1
    where GVGAI has no path (same cell, an obstacle, unreachable, off the map). ``q0``: the first of PATH_DIRS
    the search expands (2: LEFT and RIGHT only, see M_PATHF); ``cached``: FAST_PATH."""
    w = st.ev[i, EV_WIDTH]
    h = st.ev[i, EV_HEIGHT]
    sx = px // BS
    sy = py // BS
    tx = gx // BS
    ty = gy // BS
    if px < 0 or py < 0 or gx < 0 or gy < 0 or sx >= w or sy >= h or tx >= w or ty >= h:
        return -1
    S = sy * w + sx
    D = ty * w + tx
    if S == D or st.pf[i, 0, S] or st.pf[i, 0, D]:
        return -1
    return st.pf[i, _path_row(st, i, S, w, h, q0, cached), D]


@njit(cache=True, _nrt=False)
def _path_row(st, i, S, w, h, q0, cached):
    """The row of st.pf holding the first step from cell ``S`` to every cell (-1: none): cached for the last
    PATH_CACHE sources (the obstacles never change; ``cached``: FAST_PATH), else one full search that replaces
    the oldest entry."""
    for k in range(PATH_CACHE if cached else 0):
        if st.pf[i, 4, k] == S:
            return 5 + k
    slot = st.pf[i, 4, PATH_CACHE]
    st.pf[i, 4, PATH_CACHE] = (slot + 1) % PATH_CACHE
    st.pf[i, 4, slot] = S
    row = 5 + slot
    for c in range(w * h):
        st.pf[i, 1, c] = -1
        st.pf[i, row, c] = -1
    st.pf[i, 1, S] = 0
    n = _heap_push(st, i, 0, S)
    while n > 0:
        node, n = _heap_pop(st, i, n)
        nx0 = node % w
        ny0 = node // w
        for q in range(q0, 4):
            k = PATH_DIRS[q]
            nx = nx0 + BASE_DX[k]
            ny = ny0 + BASE_DY[k]
            if nx < 0 or ny < 0 or nx >= w or ny >= h:
                continue
            c = ny * w + nx
            if st.pf[i, 0, c] or st.pf[i, 1, c] >= 0:
                continue
            st.pf[i, 1, c] = st.pf[i, 1, node] + 1
            st.pf[i, row, c] = k if node == S else st.pf[i, row, node]
            n = _heap_push(st, i, n, c)
    return row


@njit(cache=True, _nrt=False, inline="always")
def _path_q0(tb):
    """The pathfinder's first neighbour in PATH_DIRS: 2 (LEFT, RIGHT only) where M_PATHF says so, else 0."""
    return 2 if tb.misc[M_PATHF] == 2 else 0


@njit(cache=True, _nrt=False, inline="always")
def _closest(tb, st, i, s, tt):
    """Chaser's ``closestTargets``: the first sprite (subtree order, then id) at the least Manhattan distance."""
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    best = -1
    tg = -1
    for q in range(tb.ti[tt, TI_SUB0], tb.ti[tt, TI_SUB1]):
        u = tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            o = st.tl[i, u, j]
            d = abs(y - st.si[i, o, SI_Y]) + abs(x - st.si[i, o, SI_X])
            if best < 0 or d < best:
                best = d
                tg = o
    return tg


@njit(cache=True, _nrt=False)
def _path_chaser(tb, st, i, s, t):
    """GVGAI's PathChaser: the pathfinder's first step toward the nearest target; random (cons) without one."""
    _passive(tb, st, i, s, t)
    tg = _closest(tb, st, i, s, tb.ti[t, TI_STYPE])
    if tg >= 0:
        st.si[i, s, SI_COUNTER] = tb.ti[t, TI_CONS]
        k = _path_first(st, i, st.si[i, s, SI_X], st.si[i, s, SI_Y], st.si[i, tg, SI_X], st.si[i, tg, SI_Y],
                        _path_q0(tb), tb.misc[M_FAST] & FAST_PATH)
        if k >= 0:
            _npc_active(tb, st, i, s, t, BASE_DX[k], BASE_DY[k])
    else:
        dx, dy = _random_move(tb, st, i, s, t)
        _npc_active(tb, st, i, s, t, dx, dy)


@njit(cache=True, _nrt=False)
def _path_alt_chaser(tb, st, i, s, t):
    """GVGAI's PathAltChaser (and RandomPathAltChaser, which first draws nextDouble() against epsilon).

    As in GVGAI, only stype1 is chased (stype2 is read from stype1, and the chase/flee counts both add to the
    chasing side); the last target is kept until this sprite reaches its rectangle."""
    c = tb.ti[t, TI_CLS]
    if c == C_RANDOM_PATH_ALT_CHASER and _rnd_double(st, i) < tb.tf[t, TF_PROB]:
        _passive(tb, st, i, s, t)
        k = _rnd_int(st, i, 4)
        _npc_active(tb, st, i, s, t, BASE_DX[k], BASE_DY[k])
        return
    _passive(tb, st, i, s, t)
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    tg = st.si[i, s, SI_TGT]
    have = False
    if tg >= 0:
        if st.si[i, tg, SI_ID] == st.si[i, s, SI_TGTID]:  # alive, or dead with its slot not reused: where it died
            st.si[i, s, SI_TX] = st.si[i, tg, SI_X]
            st.si[i, s, SI_TY] = st.si[i, tg, SI_Y]
        have = not (st.si[i, s, SI_TX] == x and st.si[i, s, SI_TY] == y)  # rect.contains(lastTarget.rect)
    if not have:
        tt = tb.ti[t, TI_STYPE]
        tg = -1
        if _count_subtree(tb, st, i, tt) > 0:
            if tb.ti[t, TI_RANDTGT]:
                pick = _rnd_int(st, i, _count_subtree(tb, st, i, tt))
                for q in range(tb.ti[tt, TI_SUB0], tb.ti[tt, TI_SUB1]):
                    u = tb.items[q]
                    if pick < st.tc[i, u, TC_N]:
                        tg = st.tl[i, u, pick]
                        break
                    pick -= st.tc[i, u, TC_N]
            else:
                tg = _closest(tb, st, i, s, tt)
        if tg >= 0:
            st.si[i, s, SI_TGT] = tg
            st.si[i, s, SI_TGTID] = st.si[i, tg, SI_ID]
            st.si[i, s, SI_TX] = st.si[i, tg, SI_X]
            st.si[i, s, SI_TY] = st.si[i, tg, SI_Y]
            have = True
    if not have:
        k = _rnd_int(st, i, 4)
        _npc_active(tb, st, i, s, t, BASE_DX[k], BASE_DY[k])
        return
    cached = tb.misc[M_FAST] & FAST_PATH
    k = _path_first(st, i, x, y, st.si[i, s, SI_TX], st.si[i, s, SI_TY], _path_q0(tb), cached)
    if k < 0 and st.si[i, s, SI_LKX] != NO_POS:
        k = _path_first(st, i, x, y, st.si[i, s, SI_LKX], st.si[i, s, SI_LKY], _path_q0(tb), cached)
    else:
        st.si[i, s, SI_LKX] = st.si[i, s, SI_TX]
        st.si[i, s, SI_LKY] = st.si[i, s, SI_TY]
    if k >= 0:
        _npc_active(tb, st, i, s, t, BASE_DX[k], BASE_DY[k])


@njit(cache=True, _nrt=False, inline="always")
def _update_sprite(tb, st, i, s, t, gt):
    """One non-avatar sprite's ``update`` (after ``preMovement``), by class."""
    c = tb.ti[t, TI_CLS]
    if c == C_MISSILE or c == C_PASSIVE or c == C_RESOURCE:
        _passive(tb, st, i, s, t)
        if st.si[i, s, SI_TTL] > 0:  # NPC: VGDLSprite.update's timeToLive
            st.si[i, s, SI_TTL] -= 1
        elif st.si[i, s, SI_TTL] == 0:
            _kill(tb, st, i, s, False)
    elif c == C_FLICKER or c == C_ORIENTED_FLICKER:
        _passive(tb, st, i, s, t)
        if st.si[i, s, SI_AGE] > tb.ti[t, TI_FLIMIT]:
            _kill(tb, st, i, s, False)
        st.si[i, s, SI_AGE] += 1
    elif c == C_RANDOM_NPC:
        _random_npc(tb, st, i, s, t)
    elif c == C_SPAWN_POINT or c == C_BOMBER:
        _spawn_point(tb, st, i, s, t, gt, _spawn_type(tb, st, i, s, t))
    elif c == C_CHASER or c == C_LOS_CHASER:
        _chaser(tb, st, i, s, t)
    elif c == C_PATH_CHASER:
        _path_chaser(tb, st, i, s, t)
    elif c == C_PATH_ALT_CHASER or c == C_RANDOM_PATH_ALT_CHASER:
        _path_alt_chaser(tb, st, i, s, t)
    elif c == C_RANDOM_MISSILE:
        _random_missile(tb, st, i, s, t)
    elif c == C_SPREADER:
        _spreader(tb, st, i, s, t)
    elif c == C_RANDOM_BOMBER:
        k = _rnd_int(st, i, 4)
        _npc_active(tb, st, i, s, t, BASE_DX[k], BASE_DY[k])
        _spawn_point(tb, st, i, s, t, gt, _spawn_type(tb, st, i, s, t))
    elif c == C_BOMBER_RANDOM_MISSILE:
        m0 = tb.ti[t, TI_MISS0]
        k = _rnd_int(st, i, tb.ti[t, TI_MISS1] - m0)
        _spawn_point(tb, st, i, s, t, gt, tb.items[m0 + k])
    elif c >= NPC_BASE2:  # ONTOLOGY
        _update_sprite_ontology(tb, st, i, s, t, c, gt)
    # Immovable, Door, Portal: static, nothing to do


@njit(cache=True, _nrt=False)
def _avatar_active(tb, st, i, s, t, dx, dy):
    """``GridPhysics.activeMovement`` for an avatar: rotate in place, or move."""
    if dx == 0 and dy == 0:
        return MOVE_STILL
    if tb.ti[t, TI_ROTATE] and tb.ti[t, TI_ORIENTED]:
        if st.si[i, s, SI_OX] != dx or st.si[i, s, SI_OY] != dy:
            st.si[i, s, SI_OX] = dx
            st.si[i, s, SI_OY] = dy
            return MOVE_ROTATE
    if _update_pos(tb, st, i, s, dx, dy, _apx(tb, st, i, s, t)):
        return MOVE_MOVE
    return MOVE_STILL


@njit(cache=True, _nrt=False)
def _shoot(tb, st, i, s, t):
    ox = st.si[i, s, SI_OX]
    oy = st.si[i, s, SI_OY]
    am = tb.ti[t, TI_AMMO]
    if am >= 0 and st.res[i, s, am] < 1:
        return
    ns = _add_sprite(tb, st, i, tb.ti[t, TI_STYPE], st.si[i, s, SI_X] + ox * BS, st.si[i, s, SI_Y] + oy * BS)
    if ns >= 0:
        if tb.ti[tb.ti[t, TI_STYPE], TI_ORIENTED]:
            st.si[i, ns, SI_OX] = ox
            st.si[i, ns, SI_OY] = oy
        if am >= 0 and st.res[i, s, am] >= 0:
            st.res[i, s, am] -= 1


@njit(cache=True, _nrt=False)
def _flak_shoot(tb, st, i, s, t):
    """FlakAvatar's USE: ``stype`` on the avatar's own cell, if it holds more than ``minAmmo`` (0) of its ammo."""
    am = tb.ti[t, TI_AMMO]
    if am >= 0:
        have = st.res[i, s, am]
        if have < 0 or have <= max(tb.ti[t, TI_MINAMMO], 0):
            return
    ns = _add_sprite(tb, st, i, tb.ti[t, TI_STYPE], st.si[i, s, SI_X], st.si[i, s, SI_Y])
    if ns >= 0 and am >= 0:
        st.res[i, s, am] -= tb.ti[t, TI_AMMOCOST]


@njit(cache=True, _nrt=False)
def _update_avatar(tb, st, i, s, a):
    """The avatar's ``updateAvatar`` for engine action ``a`` (after ``preMovement``)."""
    t = st.si[i, s, SI_TYPE]
    if not tb.act[t, a]:
        a = A_NIL
    dx = ACT_DX[a]
    dy = ACT_DY[a]
    c = tb.ti[t, TI_CLS]
    if c >= C_SHOOT_ONLY_AVATAR:  # ONTOLOGY
        _update_avatar_ontology(tb, st, i, s, t, c, a)
        return
    if c == C_ONGOING_AVATAR or c == C_ONGOING_SHOOT_AVATAR:
        if (dx != 0 or dy != 0) and tb.ti[t, TI_ORIENTED]:
            st.si[i, s, SI_OX] = dx
            st.si[i, s, SI_OY] = dy
        _passive(tb, st, i, s, t)
        if c == C_ONGOING_SHOOT_AVATAR and a == A_USE:
            _shoot(tb, st, i, s, t)
        return
    if c == C_MISSILE_AVATAR:
        _passive(tb, st, i, s, t)
        return
    mv = _avatar_active(tb, st, i, s, t, dx, dy)
    if c == C_FLAK_AVATAR:
        if mv == MOVE_STILL and a == A_USE:
            _flak_shoot(tb, st, i, s, t)
        return
    if (c == C_ORIENTED_AVATAR or c == C_SHOOT_AVATAR) and mv == MOVE_MOVE:
        vx = st.si[i, s, SI_X] - st.si[i, s, SI_LX]
        vy = st.si[i, s, SI_Y] - st.si[i, s, SI_LY]
        if vx != 0 or vy != 0:
            st.si[i, s, SI_OX] = int(vx > 0) - int(vx < 0)
            st.si[i, s, SI_OY] = int(vy > 0) - int(vy < 0)
    if c == C_SHOOT_AVATAR and mv == MOVE_STILL and a == A_USE:
        _shoot(tb, st, i, s, t)


@njit(cache=True, _nrt=False)
def _update_avatar_ontology(tb, st, i, s, t, c, a):
    """The avatar classes added for the whole ontology (ONTOLOGY, issue 13)."""
    if c == C_SHOOT_ONLY_AVATAR:
        _shoot_only(tb, st, i, s, t, SHOOT_ONLY_ENTRY[a])
    elif c == C_ONGOING_TURNING_AVATAR:
        dx = ACT_DX[a]
        dy = ACT_DY[a]
        ox = st.si[i, s, SI_OX]
        oy = st.si[i, s, SI_OY]
        if (dx != 0 or dy != 0) and dx * ox + dy * oy == 0:  # only a turn sideways (Direction.orthogonal)
            st.si[i, s, SI_OX] = dx
            st.si[i, s, SI_OY] = dy
        _passive(tb, st, i, s, t)
        x = st.si[i, s, SI_X]
        y = st.si[i, s, SI_Y]
        lx = st.si[i, s, SI_LX]
        ly = st.si[i, s, SI_LY]
        if not (lx < x + BS and x < lx + BS and ly < y + BS and y < ly + BS):  # it left its last rectangle
            _add_sprite(tb, st, i, tb.ti[t, TI_STYPE], lx, ly)


@njit(cache=True, _nrt=False)
def _shoot_only(tb, st, i, s, t, k):
    """ShootOnlyAvatar: fire entry ``k`` of its ``stype`` list one cell ahead (it never turns). As GVGAI's
    ``hasAmmo``, ``ammo`` (one resource) is needed only by the first entry."""
    m0 = tb.ti[t, TI_MISS0]
    if k < 0 or k >= tb.ti[t, TI_MISS1] - m0:
        return
    am = tb.ti[t, TI_AMMO] if k == 0 else -1
    if am >= 0 and st.res[i, s, am] < 1:
        return
    nt = tb.items[m0 + k]
    ox = st.si[i, s, SI_OX]
    oy = st.si[i, s, SI_OY]
    ns = _add_sprite(tb, st, i, nt, st.si[i, s, SI_X] + ox * BS, st.si[i, s, SI_Y] + oy * BS)
    if ns >= 0:
        if tb.ti[nt, TI_ORIENTED]:
            st.si[i, ns, SI_OX] = ox
            st.si[i, ns, SI_OY] = oy
        if am >= 0:
            st.res[i, s, am] -= 1


# ---------------------------------------------------------------------------------------------------------------
# effects: each returns GVGAI's ``applyScore`` (whether the effect's scoreChange counts)
@njit(cache=True, _nrt=False)
def _eff_transform_to(tb, st, i, e, s1, s2):
    if not st.si[i, s1, SI_DISABLED]:
        _transform(tb, st, i, e, s1, s2, tb.ei[e, EI_STYPE], False)
    return True


@njit(cache=True, _nrt=False)
def _eff_collect_resource(tb, st, i, e, s1, s2):
    if s2 < 0:
        return True
    t1 = st.si[i, s1, SI_TYPE]
    r = tb.ti[t1, TI_RES_OF]
    if r < 0:
        return True
    num = _get_res(st, i, s2, r)
    lim = tb.seq[tb.misc[M_RESL0] + r]
    if num < lim:
        topup = min(tb.ti[t1, TI_RES_VALUE], lim - num)
        _modify_res(st, i, s2, r, topup)
        if tb.ei[e, EI_FLAG1]:
            _kill(tb, st, i, s1, True)
        return True
    return False


@njit(cache=True, _nrt=False)
def _eff_change_resource(tb, st, i, e, s1, s2):
    r = tb.ei[e, EI_RES]
    v = tb.ei[e, EI_VALUE]
    if _get_res(st, i, s1, r) + v <= tb.seq[tb.misc[M_RESL0] + r]:
        _modify_res(st, i, s1, r, v)
        if tb.ei[e, EI_FLAG1] and s2 >= 0:
            _kill(tb, st, i, s2, True)
        return True
    return False


@njit(cache=True, _nrt=False)
def _eff_kill_if_from_above(tb, st, i, e, s1, s2):
    if s2 < 0:
        return True
    higher = st.si[i, s1, SI_LY] > st.si[i, s2, SI_LY] + BS // 2
    going_down = st.si[i, s2, SI_Y] > st.si[i, s2, SI_LY]
    if higher and going_down:
        _kill(tb, st, i, s1, False)
        return True
    return False


@njit(cache=True, _nrt=False)
def _eff_kill_if_other_has_more(tb, st, i, e, s1, s2):
    if s2 < 0:
        return True
    r = tb.ei[e, EI_RES]
    if _get_res(st, i, s2, r) >= tb.ei[e, EI_LIMIT]:
        _kill(tb, st, i, s1, False)
        if tb.ei[e, EI_FLAG1]:
            _modify_res(st, i, s2, r, -tb.ei[e, EI_LIMIT])
        return True
    return False


@njit(cache=True, _nrt=False)
def _eff_spawn(tb, st, i, e, s1, s2):
    if _rnd_double(st, i) >= tb.ef[e, EF_PROB]:
        return True
    _add_sprite(tb, st, i, tb.ei[e, EI_STYPE], st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    return True


@njit(cache=True, _nrt=False)
def _eff_spawn_if_has_more(tb, st, i, e, s1, s2):
    if _rnd_double(st, i) >= tb.ef[e, EF_PROB]:
        return False
    r = tb.ei[e, EI_RES]
    if _get_res(st, i, s1, r) >= tb.ei[e, EI_LIMIT]:
        _add_sprite(tb, st, i, tb.ei[e, EI_STYPE], st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
        _modify_res(st, i, s1, r, -tb.ei[e, EI_VALUE])
        return True
    return False


@njit(cache=True, _nrt=False)
def _eff_wrap_around(tb, st, i, e, s1, s2):
    off = tb.ef[e, EF_OFFSET]
    x = st.si[i, s1, SI_X]
    y = st.si[i, s1, SI_Y]
    if st.si[i, s1, SI_OX] > 0:
        x = int(off * BS)
    elif st.si[i, s1, SI_OX] < 0:
        x = int(st.ev[i, EV_WIDTH] * BS - BS * (1.0 + off))
    elif st.si[i, s1, SI_OY] > 0:
        y = int(off * BS)
    elif st.si[i, s1, SI_OY] < 0:
        y = int(st.ev[i, EV_HEIGHT] * BS - BS * (1.0 + off))
    _set_pos(st, i, s1, x, y)
    st.si[i, s1, SI_LASTMOVE] = 0
    return True


@njit(cache=True, _nrt=False)
def _eff_shield_from(tb, st, i, e, s1, s2):
    a = st.si[i, s1, SI_TYPE]
    b = tb.ei[e, EI_STYPE]
    f = tb.ei[e, EI_VALUE]
    n = st.ev[i, EV_SHN]
    for k in range(n):
        if st.shd[i, 0, k] == a and st.shd[i, 1, k] == b and st.shd[i, 2, k] == f:
            return True
    if n < st.shd.shape[2]:
        st.shd[i, 0, n] = a
        st.shd[i, 1, n] = b
        st.shd[i, 2, n] = f
        st.ev[i, EV_SHN] = n + 1
    else:  # no room: BatchEngine grows the state and redoes the tick
        st.ev[i, EV_REFUSED] += 1
    return True


@njit(cache=True, _nrt=False)
def _eff_pull_with_it(tb, st, i, e, s1, s2, gt):
    if s2 < 0:
        return True
    q = tb.ei[e, EI_PULL]
    if st.pull[i, s1, q] == gt:
        return True
    st.pull[i, s1, q] = gt
    rx = st.si[i, s1, SI_LX]
    ry = st.si[i, s1, SI_LY]
    vx = float(st.si[i, s2, SI_X] - st.si[i, s2, SI_LX])
    vy = float(st.si[i, s2, SI_Y] - st.si[i, s2, SI_LY])
    mag = np.sqrt(vx * vx + vy * vy)
    if mag > 0:
        vx /= mag
        vy /= mag
    t1 = st.si[i, s1, SI_TYPE]
    spd = int(_speed_of(tb, st, i, s2) * BS)
    if spd == 0:
        spd = int(_speed_of(tb, st, i, s1))
    if spd != 0 and tb.ti[t1, TI_COOLDOWN] <= st.si[i, s1, SI_LASTMOVE] and (abs(vx) + abs(vy) != 0):
        _set_pos(st, i, s1, st.si[i, s1, SI_X] + int(vx * spd), st.si[i, s1, SI_Y] + int(vy * spd))
        st.si[i, s1, SI_LASTMOVE] = 0
    st.si[i, s1, SI_LX] = rx
    st.si[i, s1, SI_LY] = ry
    if tb.ei[e, EI_FLAG1]:  # ONTOLOGY: pixelPerfect puts sprite1 on sprite2's rectangle
        _set_pos(st, i, s1, st.si[i, s2, SI_X], st.si[i, s2, SI_Y])
    return True


@njit(cache=True, _nrt=False, inline="always")
def _apply_effect(tb, st, i, e, s1, s2, gt):
    """Execute effect ``e`` on (s1, s2) (``s2 = -1`` for EOS) and apply its score change, as ``executeEffect``."""
    _add_score(tb, st, i, e, _exec_effect(tb, st, i, e, s1, s2, gt))


@njit(cache=True, _nrt=False, inline="always")
def _add_score(tb, st, i, e, mode):
    """Score change of an executed effect: ``mode`` 0 none (``applyScore`` false), 1 ``scoreChange``, 2 the
    alternative one (subtractHealthPoints' ``scoreChangeIfKilled``)."""
    if mode != 0 and st.ev[i, EV_AVATAR] >= 0:
        sc = tb.ei[e, EI_SCORE] if mode == 1 else tb.ei[e, EI_SCORE2]
        if sc != 0:
            st.score[i] += sc


@njit(cache=True, _nrt=False, inline="always")
def _exec_effect(tb, st, i, e, s1, s2, gt):
    """Execute effect ``e`` on (s1, s2) (``s2 = -1`` for EOS, both -1 for a timer); returns the score mode."""
    code = tb.ei[e, EI_CODE]
    if s1 < 0:  # a timer (addTimer): only the effects that act on whole types
        if code == E_TRANSFORM_TO_ALL:
            _eff_transform_to_all(tb, st, i, e, s1, s2)
        elif code == E_KILL_ALL:
            _eff_kill_all(tb, st, i, e)
        elif code == E_UNDO_ALL:
            _eff_undo_all(tb, st, i, e)
        return 1
    apply = True
    if code == E_STEP_BACK:
        if tb.ei[e, EI_FLAG1] and s2 >= 0:
            _step_back_pixel_perfect(st, i, s1, s2)
        else:
            _set_pos(st, i, s1, st.si[i, s1, SI_LX], st.si[i, s1, SI_LY])
    elif code == E_KILL_SPRITE:
        _kill(tb, st, i, s1, False)
    elif code == E_TRANSFORM_TO:
        apply = _eff_transform_to(tb, st, i, e, s1, s2)
    elif code == E_COLLECT_RESOURCE:
        apply = _eff_collect_resource(tb, st, i, e, s1, s2)
    elif code == E_CHANGE_RESOURCE:
        apply = _eff_change_resource(tb, st, i, e, s1, s2)
    elif code == E_KILL_IF_FROM_ABOVE:
        apply = _eff_kill_if_from_above(tb, st, i, e, s1, s2)
    elif code == E_KILL_IF_OTHER_HAS_MORE:
        apply = _eff_kill_if_other_has_more(tb, st, i, e, s1, s2)
    elif code == E_SPAWN:
        apply = _eff_spawn(tb, st, i, e, s1, s2)
    elif code == E_SPAWN_IF_HAS_MORE:
        apply = _eff_spawn_if_has_more(tb, st, i, e, s1, s2)
    elif code == E_REVERSE_DIRECTION:
        st.si[i, s1, SI_OX] = -st.si[i, s1, SI_OX]
        st.si[i, s1, SI_OY] = -st.si[i, s1, SI_OY]
    elif code == E_WRAP_AROUND:
        apply = _eff_wrap_around(tb, st, i, e, s1, s2)
    elif code == E_SHIELD_FROM:
        apply = _eff_shield_from(tb, st, i, e, s1, s2)
    elif code == E_PULL_WITH_IT:
        apply = _eff_pull_with_it(tb, st, i, e, s1, s2, gt)
    elif code >= E_UNDO_ALL:
        return _exec_effect_corpus(tb, st, i, e, code, s1, s2, gt)
    return 1 if apply else 0


@njit(cache=True, _nrt=False)
def _eff_kill_all(tb, st, i, e):
    """``killAll``: every sprite of exactly type ``stype``."""
    t = tb.ei[e, EI_STYPE]
    for j in range(st.tc[i, t, TC_N]):
        _kill(tb, st, i, st.tl[i, t, j], False)
    return True


@njit(cache=True, _nrt=False)
def _exec_effect_corpus(tb, st, i, e, code, s1, s2, gt):
    """The dispatcher of the effects added for the corpus (``s1 >= 0``); returns the score mode."""
    apply = True
    if code == E_UNDO_ALL:
        apply = _eff_undo_all(tb, st, i, e)
    elif code == E_BOUNCE_FORWARD:
        apply = _eff_bounce_forward(tb, st, i, e, s1, s2)
    elif code == E_KILL_BOTH:
        _kill(tb, st, i, s1, False)
        if s2 >= 0:
            _kill(tb, st, i, s2, False)
    elif code == E_ATTRACT_GAZE:
        apply = _eff_attract_gaze(tb, st, i, e, s1, s2)
    elif code == E_TRANSFORM_TO_ALL:
        apply = _eff_transform_to_all(tb, st, i, e, s1, s2)
    elif code == E_ADD_HEALTH_POINTS:
        apply = _eff_add_health(tb, st, i, e, s1, s2)
    elif code == E_SUBTRACT_HEALTH_POINTS:
        return _eff_subtract_health(tb, st, i, e, s1, s2)
    elif code == E_KILL_IF_HAS_LESS or code == E_KILL_IF_HAS_MORE:
        v = _get_res(st, i, s1, tb.ei[e, EI_RES])
        lim = tb.ei[e, EI_LIMIT]
        apply = v <= lim if code == E_KILL_IF_HAS_LESS else v >= lim
        if apply:
            _kill(tb, st, i, s1, False)
    elif code == E_TELEPORT_TO_EXIT:
        apply = _eff_teleport_to_exit(tb, st, i, e, s1, s2)
    elif code == E_ALIGN:
        if s2 >= 0:
            if tb.ei[e, EI_FLAG1]:
                st.si[i, s1, SI_OX] = st.si[i, s2, SI_OX]
                st.si[i, s1, SI_OY] = st.si[i, s2, SI_OY]
            _set_pos(st, i, s1, st.si[i, s2, SI_X], st.si[i, s2, SI_Y])
    elif code == E_ADD_TIMER:
        _time_push(st, i, tb.ei[e, EI_SUB], gt + tb.ei[e, EI_TIMER], -1)
    elif code == E_KILL_ALL:
        apply = _eff_kill_all(tb, st, i, e)
    elif code == E_TRANSFORM_IF_COUNT:
        apply = _eff_transform_if_count(tb, st, i, e, s1, s2)
    elif code == E_TURN_AROUND:
        apply = _eff_turn_around(tb, st, i, e, s1)
    elif code == E_FLIP_DIRECTION:
        k = _rnd_int(st, i, 4)
        st.si[i, s1, SI_OX] = BASE_DX[k]
        st.si[i, s1, SI_OY] = BASE_DY[k]
    elif code == E_KILL_IF_FRONTAL or code == E_KILL_IF_NOT_FRONTAL:
        if s2 >= 0:
            still, opposite = _frontal(st, i, s1, s2)
            apply = still or (opposite if code == E_KILL_IF_FRONTAL else not opposite)
            if apply:
                _kill(tb, st, i, s1, False)
    elif code == E_COLLECT_RESOURCE_IF_HELD:
        apply = _eff_collect_if_held(tb, st, i, e, s1, s2)
    elif code == E_SPAWN_BEHIND or code == E_SPAWN_SIDE:
        apply = _eff_spawn_near(tb, st, i, e, code, s1, s2)
    elif code == E_TRANSFORM_TO_SINGLETON:
        apply = _eff_transform_to_singleton(tb, st, i, e, s1, s2)
    elif code == E_SET_SPEED_FOR_ALL:
        t = tb.ei[e, EI_STYPE]
        for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
            u = tb.items[q]
            for j in range(st.tc[i, u, TC_N]):
                _set_speed(st, i, st.tl[i, u, j], tb.ef[e, EF_OFFSET])  # the value (ONTOLOGY)
    elif code >= E_KILL_IF_ALIVE:
        apply = _exec_effect_ontology(tb, st, i, e, code, s1, s2)
    return 1 if apply else 0


# ---------------------------------------------------------------------------------------------------------------
# ONTOLOGY (issue 13): the rest of GVGAI's gridphysics effects
@njit(cache=True, _nrt=False)
def _exec_effect_ontology(tb, st, i, e, code, s1, s2):
    """The dispatcher of the effects added for the whole ontology (``s1 >= 0``); returns ``applyScore``."""
    if code == E_KILL_IF_ALIVE:  # unless sprite2 is already on the kill list
        if s2 < 0 or not st.si[i, s2, SI_KILLED]:
            _kill(tb, st, i, s1, False)
    elif code == E_REMOVE_SCORE:
        return _eff_remove_score(tb, st, i, e, s1, s2)
    elif code == E_ADD_HEALTH_POINTS_TO_MAX:  # up to limitHealthPoints, always applies
        lim = tb.ti[st.si[i, s1, SI_TYPE], TI_HP_LIMIT]
        st.si[i, s1, SI_HP] = min(st.si[i, s1, SI_HP] + tb.ei[e, EI_VALUE], lim)
        if tb.ei[e, EI_FLAG1] and s2 >= 0:
            _kill(tb, st, i, s2, False)
    elif code == E_SPAWN_IF_HAS_LESS:  # nextDouble() against prob first, score only when it spawns
        if _rnd_double(st, i) >= tb.ef[e, EF_PROB]:
            return False
        if _get_res(st, i, s1, tb.ei[e, EI_RES]) > tb.ei[e, EI_LIMIT]:
            return False
        _add_sprite(tb, st, i, tb.ei[e, EI_STYPE], st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    elif code == E_HALF_SPEED:
        _set_speed(st, i, s1, _speed_of(tb, st, i, s1) * 0.5)
    elif code == E_CHANGE_SPEED_TO_ALL:
        _eff_change_speed_to_all(tb, st, i, e)
    elif code == E_CLONE_SPRITE:
        _add_sprite(tb, st, i, st.si[i, s1, SI_TYPE], st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    elif code == E_KILL_IF_NOT_UPRIGHT:  # rotation 0 (no implemented class rotates) is never upright
        _kill(tb, st, i, s1, False)
    elif code == E_TRANSFORM_TO_RANDOM_CHILD:
        _eff_transform_to_random_child(tb, st, i, e, s1, s2)
    elif code == E_UPDATE_SPAWN_TYPE:
        _eff_update_spawn_type(tb, st, i, e)
    elif code == E_SPAWN_IF_COUNTER_SUBTYPES:
        return _eff_spawn_if_counter_subtypes(tb, st, i, e, s1)
    elif code == E_WALL_STOP and s2 >= 0:
        _eff_wall_stop(tb, st, i, s1, s2)
    elif code == E_KILL_IF_SLOW and s2 >= 0:
        _eff_kill_if_slow(tb, st, i, e, s1, s2)
    # wallBounce / wallReverse run in batch (_run_pair_effect_batch); here only as EOS or timer effects, where
    # GVGAI's only warns (the score still counts)
    return True


@njit(cache=True, _nrt=False)
def _eff_kill_if_slow(tb, st, i, e, s1, s2):
    """``killIfSlow`` / ``killIfFast`` (flag1): kill sprite1 when the relative speed is below (above) ``limspeed``:
    the other sprite's speed when one of them is static, else the length of the difference of their orientations
    (GVGAI compares directions, not velocities)."""
    if tb.ti[st.si[i, s1, SI_TYPE], TI_STATIC]:
        rel = _speed_of(tb, st, i, s2)
    elif tb.ti[st.si[i, s2, SI_TYPE], TI_STATIC]:
        rel = _speed_of(tb, st, i, s1)
    else:
        vx = float(st.si[i, s1, SI_OX] - st.si[i, s2, SI_OX])
        vy = float(st.si[i, s1, SI_OY] - st.si[i, s2, SI_OY])
        rel = math.sqrt(vx * vx + vy * vy)
    lim = tb.ef[e, EF_OFFSET]
    if (rel > lim) if tb.ei[e, EI_FLAG1] else (rel < lim):
        _kill(tb, st, i, s1, False)


@njit(cache=True, _nrt=False, inline="always")
def _axis_only(tb, st, i, s, keep_x):
    """The wall effects' new motion: only the orientation's x (``keep_x``) or y part, normalised; the sprite's
    speed is multiplied by that part's length (so it stops when the part is 0), and raised to its gravity (0)."""
    if keep_x:
        st.si[i, s, SI_OY] = 0
        moving = st.si[i, s, SI_OX] != 0
    else:
        st.si[i, s, SI_OX] = 0
        moving = st.si[i, s, SI_OY] != 0
    sp = _speed_of(tb, st, i, s)
    if (not moving and sp != 0.0) or sp < 0.0:
        _set_speed(st, i, s, 0.0)


@njit(cache=True, _nrt=False)
def _eff_wall_stop(tb, st, i, s1, s2):
    """``wallStop``: sprite1 stops flush against sprite2 (stepBack pixelPerfect's placement) and keeps only the
    motion along the wall: the orientation's part across the larger centre distance is dropped."""
    _step_back_pixel_perfect(st, i, s1, s2)
    dcx = abs(st.si[i, s1, SI_X] - st.si[i, s2, SI_X])
    dcy = abs(st.si[i, s1, SI_Y] - st.si[i, s2, SI_Y])
    _axis_only(tb, st, i, s1, not dcx > dcy)


@njit(cache=True, _nrt=False, inline="always")
def _java_ratio(a, b):
    """``Math.abs(a / b)`` in Java's doubles: a zero ``b`` gives infinity (NaN for 0 / 0) instead of failing."""
    if b == 0.0:
        return math.nan if a == 0.0 else math.inf
    return abs(a / b)


@njit(cache=True, _nrt=False)
def _wall_sides(tb, st, i, s1, cx, cy, cw, ch):
    """GVGAI's ``Effect.determineCollision`` of sprite1 against the rectangle (cx, cy, cw, ch): (horizontal,
    vertical) bounce. A side whose overlap spans the whole sprite decides; else the one its velocity reaches
    first from its last position."""
    x = st.si[i, s1, SI_X]
    y = st.si[i, s1, SI_Y]
    iw = min(x + BS, cx + cw) - max(x, cx)
    ih = min(y + BS, cy + ch) - max(y, cy)
    horizontal = ih == BS
    vertical = iw == BS
    if not horizontal and not vertical:
        sp = _speed_of(tb, st, i, s1)
        vx = st.si[i, s1, SI_OX] * sp
        vy = st.si[i, s1, SI_OY] * sp
        lx = st.si[i, s1, SI_LX]
        ly = st.si[i, s1, SI_LY]
        if vx == 0.0:
            dist_x = abs(lx - cx)
        elif vx > 0.0:
            dist_x = abs(lx + BS - cx)
        else:
            dist_x = abs(cx + cw - lx)
        if vy == 0.0:
            dist_y = abs(ly - cy)
        elif vy > 0.0:
            dist_y = abs(ly + BS - cy)
        else:
            dist_y = abs(ly - (cy + ch))
        tx = _java_ratio(float(dist_x), vx)
        ty = _java_ratio(float(dist_y), vy)
        horizontal = tx < ty
        vertical = ty < tx
    return horizontal, vertical


@njit(cache=True, _nrt=False)
def _eff_wall_batch(tb, st, i, e, s1, nc):
    """``wallBounce`` / ``wallReverse`` of sprite1 against its ``nc`` second sprites at once (``st.lst[i,
    L_CAND]``, GVGAI's order): one wall (the nearest by last positions, the first on ties), or two side by side
    taken as one rectangle. Sprite1 bounces (reverses) off it, then it and every second sprite go back to their
    last positions. Returns how many walls counted (1 or 2: the score is scoreChange times that)."""
    n = 1
    b = st.lst[i, L_CAND, 0]
    cx = st.si[i, b, SI_X]
    cy = st.si[i, b, SI_Y]
    cw = BS
    ch = BS
    if nc == 2:
        b2 = st.lst[i, L_CAND, 1]
        if st.si[i, b2, SI_X] == cx:
            cy = min(cy, st.si[i, b2, SI_Y])
            ch = 2 * BS
            n = 2
        elif st.si[i, b2, SI_Y] == cy:
            cx = min(cx, st.si[i, b2, SI_X])
            cw = 2 * BS
            n = 2
    if nc > 1 and n == 1:  # the nearest centre to sprite1's last one (a stable sort's first)
        lx = st.si[i, s1, SI_LX]
        ly = st.si[i, s1, SI_LY]
        best = -1
        for k in range(nc):
            o = st.lst[i, L_CAND, k]
            dx = st.si[i, o, SI_LX] - lx
            dy = st.si[i, o, SI_LY] - ly
            d = dx * dx + dy * dy
            if best < 0 or d < best:
                best = d
                b = o
        cx = st.si[i, b, SI_X]
        cy = st.si[i, b, SI_Y]
    horizontal, vertical = _wall_sides(tb, st, i, s1, cx, cy, cw, ch)
    ox = st.si[i, s1, SI_OX]
    oy = st.si[i, s1, SI_OY]
    if tb.ei[e, EI_CODE] == E_WALL_BOUNCE:
        if vertical:
            st.si[i, s1, SI_OY] = -oy
        elif horizontal:
            st.si[i, s1, SI_OX] = -ox
        else:
            st.si[i, s1, SI_OX] = -ox
            st.si[i, s1, SI_OY] = -oy
    else:  # wallReverse: only the horizontal part survives, reversed unless the hit was vertical
        if not vertical:
            st.si[i, s1, SI_OX] = -ox
        _axis_only(tb, st, i, s1, True)
    _set_pos(st, i, s1, st.si[i, s1, SI_LX], st.si[i, s1, SI_LY])
    for k in range(nc):
        o = st.lst[i, L_CAND, k]
        _set_pos(st, i, o, st.si[i, o, SI_LX], st.si[i, o, SI_LY])
    return n


@njit(cache=True, _nrt=False)
def _eff_update_spawn_type(tb, st, i, e):
    """``updateSpawnType``: every SpawnPoint (Bombers included) of the ``spawnPoint`` subtree now spawns ``stype``;
    sprites of other classes there are left alone (GVGAI's cast fails on them)."""
    t = tb.ei[e, EI_STYPE2]
    for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
        u = tb.items[q]
        c = tb.ti[u, TI_CLS]
        if c == C_SPAWN_POINT or c == C_BOMBER or c == C_RANDOM_BOMBER or c == C_BOMBER_RANDOM_MISSILE:
            for j in range(st.tc[i, u, TC_N]):
                st.si[i, st.tl[i, u, j], SI_SPAWN] = tb.ei[e, EI_STYPE]


@njit(cache=True, _nrt=False)
def _eff_spawn_if_counter_subtypes(tb, st, i, e, s1):
    """``spawnIfCounterSubTypes``: ``stype`` on sprite1 when ``stypeCount``'s subtree holds ``limit`` active sprites
    and half (rounded down) of the types of that subtree that hold sprites of their own (GVGAI skips a type whose
    group is empty) with active sprites in their subtrees equals ``subTypesNum``; ``estype`` otherwise. Scores
    only in the first case."""
    t = tb.ei[e, EI_STYPE2]
    ok = False
    if _count_active(tb, st, i, t) == tb.ei[e, EI_LIMIT]:
        kinds = 0
        for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
            u = tb.items[q]
            if st.tc[i, u, TC_N] > 0 and _count_active(tb, st, i, u) > 0:
                kinds += 1
        ok = kinds // 2 == tb.ei[e, EI_VALUE]
    nt = tb.ei[e, EI_STYPE] if ok else tb.ei[e, EI_STYPE3]
    _add_sprite(tb, st, i, nt, st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    return ok


@njit(cache=True, _nrt=False)
def _eff_remove_score(tb, st, i, e, s1, s2):
    """``removeScore``: the score drops to 0 when sprite1 (no ``stype``) or a sprite of exactly ``stype`` is an
    avatar; ``killSecond`` then kills sprite2 (as transformed, as GVGAI does)."""
    t = tb.ei[e, EI_STYPE]
    hit = False
    if t < 0:
        hit = tb.ti[st.si[i, s1, SI_TYPE], TI_AVATAR] != 0
    elif tb.ti[t, TI_AVATAR]:
        hit = st.tc[i, t, TC_N] > 0
    if hit:
        st.score[i] = 0.0
        if tb.ei[e, EI_FLAG1] and s2 >= 0:
            _kill(tb, st, i, s2, True)
    return True


@njit(cache=True, _nrt=False)
def _eff_change_speed_to_all(tb, st, i, e):
    """``increaseSpeedToAll`` / ``decreaseSpeedToAll`` (flag1; never below 0): every sprite of ``stype``'s subtree."""
    t = tb.ei[e, EI_STYPE]
    v = tb.ef[e, EF_OFFSET]
    for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
        u = tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            s = st.tl[i, u, j]
            sp = _speed_of(tb, st, i, s)
            if tb.ei[e, EI_FLAG1]:
                sp = 0.0 if sp - v < 0 else sp - v
            else:
                sp += v
            _set_speed(st, i, s, sp)


@njit(cache=True, _nrt=False)
def _eff_transform_to_random_child(tb, st, i, e, s1, s2):
    """``transformToRandomChild``: transformTo a subtype of ``stype`` (itself excluded) drawn with nextInt."""
    t = tb.ei[e, EI_STYPE]
    n = tb.ti[t, TI_SUB1] - tb.ti[t, TI_SUB0] - 1
    if n <= 0:
        return
    k = _rnd_int(st, i, n)
    for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
        u = tb.items[q]
        if u == t:
            continue
        if k == 0:
            _transform(tb, st, i, e, s1, s2, u, False)
            return
        k -= 1


@njit(cache=True, _nrt=False)
def _eff_spawn_near(tb, st, i, e, code, s1, s2):
    """``spawnBehind`` (on ``s2``'s last position, if it left its cell) and ``spawnLeft/Right/Above/Below`` (a
    cell beside ``s2``'s position, or its last one with ``stepBack``); ``nextDouble() < prob`` drawn first."""
    if s2 < 0:
        return True
    if _rnd_double(st, i) >= tb.ef[e, EF_PROB]:
        return True
    x = st.si[i, s2, SI_X]
    y = st.si[i, s2, SI_Y]
    if code == E_SPAWN_BEHIND or tb.ei[e, EI_FLAG1]:
        lx = st.si[i, s2, SI_LX]
        ly = st.si[i, s2, SI_LY]
        if lx < x + BS and x < lx + BS and ly < y + BS and y < ly + BS:
            return True  # GVGAI's getLastPosition: none while the last rect overlaps the current one
        x = lx
        y = ly
    _add_sprite(tb, st, i, tb.ei[e, EI_STYPE], x + tb.ei[e, EI_LIMIT] * BS, y + tb.ei[e, EI_VALUE] * BS)
    return True


@njit(cache=True, _nrt=False)
def _singleton_fields(tb, st, i, ns, old):
    """``TransformToSingleton.setSpriteFields``: orientation, last position, resources; the old sprite dies."""
    t_new = st.si[i, ns, SI_TYPE]
    t_old = st.si[i, old, SI_TYPE]
    if _oriented(tb, st, i, ns) and _oriented(tb, st, i, old):
        st.si[i, ns, SI_OX] = st.si[i, old, SI_OX]
        st.si[i, ns, SI_OY] = st.si[i, old, SI_OY]
    st.si[i, ns, SI_LX] = st.si[i, old, SI_LX]
    st.si[i, ns, SI_LY] = st.si[i, old, SI_LY]
    for r in range(st.res.shape[2]):
        if st.res[i, old, r] >= 0:
            _modify_res(st, i, ns, r, st.res[i, old, r])
    transformed = True
    if tb.ti[t_old, TI_AVATAR]:
        if tb.ti[t_new, TI_AVATAR]:
            st.ev[i, EV_AVATAR] = ns
        else:
            transformed = False
    _kill(tb, st, i, old, transformed)


@njit(cache=True, _nrt=False)
def _eff_transform_to_singleton(tb, st, i, e, s1, s2):
    """``transformToSingleton``: sprites already of ``stype`` turn into ``stype_other``, then ``s1`` turns into
    ``stype`` (with ``takeOrientation``, facing opposite to ``s2``)."""
    if s2 < 0:
        return True
    t = tb.ei[e, EI_STYPE]
    for j in range(st.tc[i, t, TC_N]):
        old = st.tl[i, t, j]
        ns = _add_sprite(tb, st, i, tb.ei[e, EI_STYPE2], st.si[i, old, SI_X], st.si[i, old, SI_Y])
        if ns >= 0:
            _singleton_fields(tb, st, i, ns, old)
    ns = _add_sprite(tb, st, i, t, st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    if ns >= 0:
        _singleton_fields(tb, st, i, ns, s1)
        if tb.ei[e, EI_FLAG1]:
            st.si[i, ns, SI_OX] = -st.si[i, s2, SI_OX]
            st.si[i, ns, SI_OY] = -st.si[i, s2, SI_OY]
            st.si[i, ns, SI_ORI] = 1
    return True


@njit(cache=True, _nrt=False, inline="always")
def _oriented(tb, st, i, s):
    """GVGAI's per-sprite ``is_oriented``: the type's, or set on this sprite by an effect."""
    return tb.ti[st.si[i, s, SI_TYPE], TI_ORIENTED] != 0 or st.si[i, s, SI_ORI] != 0


# ---------------------------------------------------------------------------------------------------------------
# effects added for the corpus (issue 3, EFFECTS): each returns GVGAI's ``applyScore``
@njit(cache=True, _nrt=False, inline="always")
def _unit(v, mag):
    """One component of ``Vector2d.normalise`` (a zero vector stays zero)."""
    return v / mag if mag > 0 else 0.0


@njit(cache=True, _nrt=False)
def _eff_undo_all(tb, st, i, e):
    """``undoAll``: every sprite (killed this tick and disabled ones included) goes back to its last position,
    except those of the types listed in ``notStype``."""
    for s in range(st.si.shape[1]):
        t = st.si[i, s, SI_TYPE]
        if t < 0:
            continue
        skip = False
        for q in range(tb.ei[e, EI_L0], tb.ei[e, EI_L1]):
            if tb.items[q] == t:
                skip = True
        if not skip:
            _set_pos(st, i, s, st.si[i, s, SI_LX], st.si[i, s, SI_LY])
    return True


@njit(cache=True, _nrt=False)
def _active_move(tb, st, i, s, fx, fy, speed):
    """``GridPhysics.activeMovement`` of any sprite along the (float) direction (fx, fy) at ``speed`` cells."""
    t = st.si[i, s, SI_TYPE]
    if speed == 0:
        speed = _speed_of(tb, st, i, s)
        if speed <= 0:
            speed = 1.0
    if fx == 0 and fy == 0:
        return False
    if tb.ti[t, TI_ROTATE] and tb.ti[t, TI_ORIENTED]:
        ox = int(fx)
        oy = int(fy)
        if st.si[i, s, SI_OX] != ox or st.si[i, s, SI_OY] != oy:
            st.si[i, s, SI_OX] = ox
            st.si[i, s, SI_OY] = oy
            return False
    px = int(speed * BS)
    if px == 0:
        px = int(_speed_of(tb, st, i, s))
        if px == 0:
            return False
    if tb.ti[t, TI_COOLDOWN] <= st.si[i, s, SI_LASTMOVE]:
        _set_pos(st, i, s, st.si[i, s, SI_X] + int(fx * px), st.si[i, s, SI_Y] + int(fy * px))
        st.si[i, s, SI_LASTMOVE] = 0
        return True
    return False


@njit(cache=True, _nrt=False)
def _eff_bounce_forward(tb, st, i, e, s1, s2):
    """``bounceForward``: ``s1`` is pushed one move the way ``s2`` last moved, at ``s2``'s speed."""
    if s2 < 0:
        return True
    dx = st.si[i, s2, SI_X] - st.si[i, s2, SI_LX]
    dy = st.si[i, s2, SI_Y] - st.si[i, s2, SI_LY]
    mag = np.sqrt(float(dx * dx + dy * dy))
    fx = _unit(float(dx), mag)
    fy = _unit(float(dy), mag)
    if dx * st.si[i, s2, SI_OX] < 0:
        fx = -fx
    if dy * st.si[i, s2, SI_OY] < 0:
        fy = -fy
    _active_move(tb, st, i, s1, fx, fy, _speed_of(tb, st, i, s2))
    st.si[i, s1, SI_OX] = int(fx)
    st.si[i, s1, SI_OY] = int(fy)
    return True


@njit(cache=True, _nrt=False)
def _eff_attract_gaze(tb, st, i, e, s1, s2):
    """``attractGaze``: with probability ``prob`` (drawn only when both are oriented) ``s1`` takes ``s2``'s
    orientation, and with ``align`` lines up with it across that direction."""
    if s2 < 0:
        return True
    if _oriented(tb, st, i, s1) and _oriented(tb, st, i, s2):
        if _rnd_double(st, i) < tb.ef[e, EF_PROB]:
            st.si[i, s1, SI_OX] = st.si[i, s2, SI_OX]
            st.si[i, s1, SI_OY] = st.si[i, s2, SI_OY]
            if tb.ei[e, EI_FLAG1]:
                if st.si[i, s1, SI_OY] == 0 and st.si[i, s1, SI_OX] != 0:
                    _set_pos(st, i, s1, st.si[i, s1, SI_X], st.si[i, s2, SI_Y])
                else:
                    _set_pos(st, i, s1, st.si[i, s2, SI_X], st.si[i, s1, SI_Y])
    return True


@njit(cache=True, _nrt=False)
def _transform(tb, st, i, e, s1, s2, nt, force):
    """GVGAI's ``TransformTo.transformTo``: a new ``nt`` sprite on ``s1``'s position inherits from it; ``s1`` dies."""
    if force:
        ns = _add_sprite_any(tb, st, i, nt, st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    else:
        ns = _add_sprite(tb, st, i, nt, st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    if ns < 0:
        return
    t1 = st.si[i, s1, SI_TYPE]
    if tb.ei[e, EI_FLAG2] or (tb.ti[nt, TI_ORIENTED] and tb.ti[t1, TI_ORIENTED] and st.si[i, ns, SI_OX] == 0
                           and st.si[i, ns, SI_OY] == 0):
        st.si[i, ns, SI_OX] = st.si[i, s1, SI_OX]
        st.si[i, ns, SI_OY] = st.si[i, s1, SI_OY]
    st.si[i, ns, SI_LX] = st.si[i, s1, SI_LX]
    st.si[i, ns, SI_LY] = st.si[i, s1, SI_LY]
    for r in range(st.res.shape[2]):
        if st.res[i, s1, r] >= 0:
            _modify_res(st, i, ns, r, st.res[i, s1, r])
    transformed = True
    if tb.ti[t1, TI_AVATAR]:
        if tb.ti[nt, TI_AVATAR]:
            st.ev[i, EV_AVATAR] = ns
        else:
            transformed = False
    st.si[i, ns, SI_HP] = st.si[i, s1, SI_HP]
    _kill(tb, st, i, s1, transformed)
    if tb.ei[e, EI_FLAG1] and s2 >= 0:
        _kill(tb, st, i, s2, True)


@njit(cache=True, _nrt=False)
def _eff_transform_to_all(tb, st, i, e, s1, s2):
    """``transformToAll``: every sprite of exactly type ``stype`` becomes ``stypeTo`` (singletons ignored)."""
    t = tb.ei[e, EI_STYPE]
    for j in range(st.tc[i, t, TC_N]):
        _transform(tb, st, i, e, st.tl[i, t, j], s2, tb.ei[e, EI_STYPE2], True)
    return True


@njit(cache=True, _nrt=False)
def _eff_transform_if_count(tb, st, i, e, s1, s2):
    """``transformIfCount``: transform ``s1`` to ``stype`` when geq <= count(stypeCount) <= leq, else to
    ``estype`` if given (scoring only in the first case)."""
    if s2 < 0:
        return True
    c = _count_subtree(tb, st, i, tb.ei[e, EI_STYPE2])
    if tb.ei[e, EI_GEQ] <= c <= tb.ei[e, EI_LEQ]:
        _transform(tb, st, i, e, s1, s2, tb.ei[e, EI_STYPE], True)
        return True
    if tb.ei[e, EI_STYPE3] >= 0:
        _transform(tb, st, i, e, s1, s2, tb.ei[e, EI_STYPE3], True)
    return False


@njit(cache=True, _nrt=False)
def _eff_add_health(tb, st, i, e, s1, s2):
    """``addHealthPoints``: only while the result stays under ``limitHealthPoints``; ``killSecond``."""
    v = tb.ei[e, EI_VALUE]
    if st.si[i, s1, SI_HP] + v < tb.ti[st.si[i, s1, SI_TYPE], TI_HP_LIMIT]:
        st.si[i, s1, SI_HP] += v
        if tb.ei[e, EI_FLAG1] and s2 >= 0:
            _kill(tb, st, i, s2, False)
        return True
    return False


@njit(cache=True, _nrt=False)
def _eff_subtract_health(tb, st, i, e, s1, s2):
    """``subtractHealthPoints``: kill at ``hp <= limit``; the score change is then ``scoreChangeIfKilled``.
    With ``stype``, the target is the first sprite of the last non-empty type of that subtree. Returns 1 for the
    plain score, 2 for the if-killed one."""
    s = s1
    t = tb.ei[e, EI_STYPE]
    if t >= 0:
        for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
            u = tb.items[q]
            if st.tc[i, u, TC_N] > 0:
                s = st.tl[i, u, 0]
    if s < 0:
        return 0
    st.si[i, s, SI_HP] -= tb.ei[e, EI_VALUE]
    if st.si[i, s, SI_HP] <= tb.ei[e, EI_LIMIT]:
        _kill(tb, st, i, s, False)
        return 2
    return 1


@njit(cache=True, _nrt=False)
def _eff_teleport_to_exit(tb, st, i, e, s1, s2):
    """``teleportToExit``: to a random sprite of the portal's ``stype`` (``nextInt``), or die if there is none."""
    if s2 < 0:
        return True
    dest = tb.ti[st.si[i, s2, SI_TYPE], TI_STYPE]
    if dest < 0:
        return True
    n = st.tc[i, dest, TC_N]
    if n > 0:
        d = st.tl[i, dest, _rnd_int(st, i, n)]
        _set_pos(st, i, s1, st.si[i, d, SI_X], st.si[i, d, SI_Y])
        st.si[i, s1, SI_LASTMOVE] = 0
        if _oriented(tb, st, i, d):
            st.si[i, s1, SI_OX] = st.si[i, d, SI_OX]
            st.si[i, s1, SI_OY] = st.si[i, d, SI_OY]
    else:
        _kill(tb, st, i, s1, False)
    return True


@njit(cache=True, _nrt=False)
def _eff_turn_around(tb, st, i, e, s1):
    """``turnAround``: back to the last position, two forced moves down, then the reverse direction."""
    t = st.si[i, s1, SI_TYPE]
    _set_pos(st, i, s1, st.si[i, s1, SI_LX], st.si[i, s1, SI_LY])
    for _ in range(2):
        st.si[i, s1, SI_LASTMOVE] = tb.ti[t, TI_COOLDOWN]
        _active_move(tb, st, i, s1, 0.0, 1.0, _speed_of(tb, st, i, s1))
    st.si[i, s1, SI_OX] = -st.si[i, s1, SI_OX]
    st.si[i, s1, SI_OY] = -st.si[i, s1, SI_OY]
    return True


@njit(cache=True, _nrt=False)
def _frontal(st, i, s1, s2):
    """(s1 did not move, the two last moves are opposite) for killIfFrontal / killIfNotFrontal."""
    ax = st.si[i, s1, SI_X] - st.si[i, s1, SI_LX]
    ay = st.si[i, s1, SI_Y] - st.si[i, s1, SI_LY]
    bx = st.si[i, s2, SI_X] - st.si[i, s2, SI_LX]
    by = st.si[i, s2, SI_Y] - st.si[i, s2, SI_LY]
    ma = np.sqrt(float(ax * ax + ay * ay))
    mb = np.sqrt(float(bx * bx + by * by))
    still = ma == 0
    sx = _unit(float(ax), ma) + _unit(float(bx), mb)
    sy = _unit(float(ay), ma) + _unit(float(by), mb)
    return still, sx == 0 and sy == 0


@njit(cache=True, _nrt=False)
def _eff_collect_if_held(tb, st, i, e, s1, s2):
    """``collectResourceIfHeld``: collect ``s1`` only if ``s2`` holds ``value`` of ``heldResource``."""
    if s2 < 0:
        return True
    r = tb.ti[st.si[i, s1, SI_TYPE], TI_RES_OF]
    if r < 0:
        return True
    if _get_res(st, i, s2, tb.ei[e, EI_RES]) < tb.ei[e, EI_VALUE]:
        return False
    ok = False
    v = tb.ti[st.si[i, s1, SI_TYPE], TI_RES_VALUE]
    if _get_res(st, i, s2, r) + v <= tb.seq[tb.misc[M_RESL0] + r]:
        _modify_res(st, i, s2, r, v)
        ok = True
    if tb.ei[e, EI_FLAG1]:
        _kill(tb, st, i, s1, False)
    return ok


@njit(cache=True, _nrt=False)
def _step_back_pixel_perfect(st, i, s1, s2):
    """``stepBack pixelPerfect=True``: stop flush against ``s2`` along an axis move, else the last position."""
    dx = st.si[i, s1, SI_X] - st.si[i, s1, SI_LX]
    dy = st.si[i, s1, SI_Y] - st.si[i, s1, SI_LY]
    x = st.si[i, s1, SI_LX]
    y = st.si[i, s1, SI_LY]
    if dx == 0 and dy > 0:
        x = st.si[i, s1, SI_X]
        y = st.si[i, s2, SI_Y] - BS
    elif dx == 0 and dy < 0:
        x = st.si[i, s1, SI_X]
        y = st.si[i, s2, SI_Y] + BS
    elif dy == 0 and dx > 0:
        x = st.si[i, s2, SI_X] - BS
        y = st.si[i, s1, SI_Y]
    elif dy == 0 and dx < 0:
        x = st.si[i, s2, SI_X] + BS
        y = st.si[i, s1, SI_Y]
    _set_pos(st, i, s1, x, y)


# ---------------------------------------------------------------------------------------------------------------
# time effects (GVGAI's ``TimeEffect`` queue: a TreeSet by next execution, the latest insertion first on ties)
@njit(cache=True, _nrt=False)
def _time_push(st, i, e, nxt, subj):
    n = st.ev[i, EV_TQN]
    if n >= st.tq.shape[1]:
        st.ev[i, EV_REFUSED] += 1
        return
    st.tq[i, n, TQ_EFF] = e
    st.tq[i, n, TQ_NEXT] = nxt
    st.tq[i, n, TQ_SEQ] = st.ev[i, EV_TQSEQ]
    st.tq[i, n, TQ_SUBJ] = subj
    st.ev[i, EV_TQSEQ] += 1
    st.ev[i, EV_TQN] = n + 1


@njit(cache=True, _nrt=False)
def _time_reset(tb, st, i):
    """The game's native ``TIME`` effects, queued in file order."""
    st.ev[i, EV_TQN] = 0
    st.ev[i, EV_TQSEQ] = 0
    for k in range(tb.misc[M_TIME0], tb.misc[M_TIME1]):
        e = tb.seq[k]
        _time_push(st, i, e, tb.ei[e, EI_NEXT0], tb.ei[e, EI_SUBJ])


@njit(cache=True, _nrt=False)
def _time_effects(tb, st, i, gt):
    """GVGAI's first step of ``eventHandling``: run every queued time effect due at tick ``gt``."""
    while st.ev[i, EV_TQN] > 0:
        best = 0
        for k in range(1, st.ev[i, EV_TQN]):
            if (st.tq[i, k, TQ_NEXT] < st.tq[i, best, TQ_NEXT] or (st.tq[i, k, TQ_NEXT] == st.tq[i, best, TQ_NEXT]
                                                                  and st.tq[i, k, TQ_SEQ] > st.tq[i, best, TQ_SEQ])):
                best = k
        if st.tq[i, best, TQ_NEXT] > gt:
            return
        e = st.tq[i, best, TQ_EFF]
        subj = st.tq[i, best, TQ_SUBJ]
        n = st.ev[i, EV_TQN] - 1
        for f in range(4):
            st.tq[i, best, f] = st.tq[i, n, f]
        st.ev[i, EV_TQN] = n
        if subj < 0:
            _exec_effect(tb, st, i, e, -1, -1, gt)
            _add_score(tb, st, i, e, 1)
        else:
            for q in range(tb.ti[subj, TI_SUB0], tb.ti[subj, TI_SUB1]):
                u = tb.items[q]
                for j in range(st.tc[i, u, TC_N]):
                    s = st.tl[i, u, j]
                    if not st.si[i, s, SI_KILLED] and not st.si[i, s, SI_DISABLED]:
                        _exec_effect(tb, st, i, e, s, -1, gt)
                        _add_score(tb, st, i, e, 1)
        if tb.ei[e, EI_REPEATING]:
            _time_push(st, i, e, gt + tb.ei[e, EI_TIMER], subj)


# ---------------------------------------------------------------------------------------------------------------
# pair effects
@njit(cache=True, _nrt=False, inline="always")
def _gather(tb, st, i, s1, t2, lim, direct, fast):
    """Sprites of ``t2``'s subtree (id < lim, not s1) overlapping ``s1``, in GVGAI order, into ``st.cand[i]``
    (``direct``: by scanning the type lists, else through the grid; ``fast``: the FAST_* bits)."""
    nc = 0
    if direct or st.si[i, s1, SI_CX0] < 0:
        for q in range(tb.ti[t2, TI_SUB0], tb.ti[t2, TI_SUB1]):
            u = tb.items[q]
            for j in range(st.tc[i, u, TC_N]):
                s2 = st.tl[i, u, j]
                if st.si[i, s2, SI_ID] >= lim:
                    break
                if s2 != s1 and _intersects(st, i, s1, s2):
                    st.lst[i, L_CAND, nc] = s2
                    nc += 1
        return nc
    w = st.ev[i, EV_WIDTH]
    h = st.ev[i, EV_HEIGHT]
    x = st.si[i, s1, SI_X]
    y = st.si[i, s1, SI_Y]
    for cy in range(max(y // BS - 1, 0), min((y + BS - 1) // BS, h - 1) + 1):
        for cx in range(max(x // BS - 1, 0), min((x + BS - 1) // BS, w - 1) + 1):
            c = cy * w + cx
            if fast & FAST_SKIP and _skip_cell(st, i, c, cx, cy, x, y):
                continue
            for k in range(st.gn[i, c]):
                nc = _consider_cell(tb, st, i, s1, st.gi[i, c, k], t2, lim, nc, fast)
    for k in range(st.ev[i, EV_OUTN]):
        nc = _consider(tb, st, i, s1, st.lst[i, L_OUT, k], t2, lim, nc)
    # insertion sort by (rank of type within t2's subtree, id)
    for a in range(1, nc):
        key = st.ckey[i, a]
        v = st.lst[i, L_CAND, a]
        b = a - 1
        while b >= 0 and st.ckey[i, b] > key:
            st.ckey[i, b + 1] = st.ckey[i, b]
            st.lst[i, L_CAND, b + 1] = st.lst[i, L_CAND, b]
            b -= 1
        st.ckey[i, b + 1] = key
        st.lst[i, L_CAND, b + 1] = v
    return nc


@njit(cache=True, _nrt=False, inline="always")
def _consider_cell(tb, st, i, s1, g, t2, lim, nc, fast):
    """:func:`_consider` for a grid entry (slot and type packed): other types are passed over without reading the
    sprite (FAST_PACKED)."""
    if fast & FAST_PACKED and not tb.tt[TT_IN, t2, g >> GI_TYPE]:
        return nc
    return _consider(tb, st, i, s1, g & GI_SLOT, t2, lim, nc)


@njit(cache=True, _nrt=False, inline="always")
def _consider(tb, st, i, s1, s2, t2, lim, nc):
    if s2 == s1 or not tb.tt[TT_IN, t2, st.si[i, s2, SI_TYPE]] or st.si[i, s2, SI_ID] >= lim:
        return nc
    if not _intersects(st, i, s1, s2):
        return nc
    st.lst[i, L_CAND, nc] = s2
    st.ckey[i, nc] = (np.int64(tb.tt[TT_RANK, t2, st.si[i, s2, SI_TYPE]]) << 32) + st.si[i, s2, SI_ID]
    return nc + 1


@njit(cache=True, _nrt=False, inline="always")
def _shielded(st, i, t1, t2, code):
    for k in range(st.ev[i, EV_SHN]):
        if st.shd[i, 0, k] == t1 and st.shd[i, 1, k] == t2 and st.shd[i, 2, k] == code:
            return True
    return False


@njit(cache=True, _nrt=False, inline="always")
def _pair_s1(tb, st, i, s1, t2, e, lim, direct, gt, fast):
    """Execute effect ``e`` of a pair for one first sprite against the second sprites overlapping it; returns
    how many times it was applied."""
    nc = _gather(tb, st, i, s1, t2, lim, direct, fast)
    hits = 0
    for c in range(nc):
        if st.si[i, s1, SI_KILLED]:
            break
        s2 = st.lst[i, L_CAND, c]
        if _intersects(st, i, s1, s2):
            _apply_effect(tb, st, i, e, s1, s2, gt)
            hits += 1
    return hits


@njit(cache=True, _nrt=False)
def _run_pair_effect(tb, st, i, p, e, gt):
    """One pass of effect ``e`` of pair ``p`` over every overlapping (first, second) sprite pair, in GVGAI's order;
    returns how many times the effect was applied."""
    t1 = tb.pi[p, PI_T1]
    t2 = tb.pi[p, PI_T2]
    lim = st.ev[i, EV_NEXT_ID]
    n2 = _count_subtree(tb, st, i, t2)
    fast = tb.misc[M_FAST]
    direct = st.ev[i, EV_OVERFLOW] or n2 <= DIRECT_MAX or not fast & FAST_GRID
    code = tb.ei[e, EI_CODE]
    if code == E_WALL_BOUNCE or code == E_WALL_REVERSE:  # ONTOLOGY: GVGAI's batch effects
        return _run_pair_effect_batch(tb, st, i, t1, t2, e, lim, direct, fast)
    if (fast & FAST_SPARSE and tb.pi[p, PI_FAST] and not st.ev[i, EV_OVERFLOW]
            and n2 < _count_subtree(tb, st, i, t1)):
        # few second sprites, many first ones: only first sprites overlapping a second one can act, and nothing
        # moves a second sprite, so find them around the second sprites, then visit them in GVGAI's order
        hits = _run_pair_effect_sparse(tb, st, i, t1, t2, e, lim, gt, fast)
        if hits >= 0:
            return hits
    hits = 0
    for q in range(tb.ti[t1, TI_SUB0], tb.ti[t1, TI_SUB1]):
        u = tb.items[q]
        n = st.tc[i, u, TC_N]
        for j in range(n):
            s1 = st.tl[i, u, j]
            if st.si[i, s1, SI_ID] >= lim:
                break
            if st.si[i, s1, SI_KILLED]:
                continue
            hits += _pair_s1(tb, st, i, s1, t2, e, lim, direct, gt, fast)
    return hits


@njit(cache=True, _nrt=False)
def _run_pair_effect_batch(tb, st, i, t1, t2, e, lim, direct, fast):
    """A pass of a batch effect (GVGAI's ``Effect.inBatch``: wallBounce, wallReverse): each first sprite meets
    all the second sprites overlapping it at once. As in GVGAI, a first sprite already killed this tick still
    takes part. Returns how many first sprites it acted on."""
    hits = 0
    for q in range(tb.ti[t1, TI_SUB0], tb.ti[t1, TI_SUB1]):
        u = tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            s1 = st.tl[i, u, j]
            if st.si[i, s1, SI_ID] >= lim:
                break
            nc = _gather(tb, st, i, s1, t2, lim, direct, fast)
            if nc > 0:
                for _ in range(_eff_wall_batch(tb, st, i, e, s1, nc)):
                    _add_score(tb, st, i, e, 1)
                hits += 1
    return hits


@njit(cache=True, _nrt=False)
def _run_pair_effect_sparse(tb, st, i, t1, t2, e, lim, gt, fast):
    """The sparse form of :func:`_run_pair_effect`: mark the first sprites that overlap a second one (found around
    the second sprites), then visit the marked ones in GVGAI's order. Valid because nothing in the pass moves a
    second sprite and the two sides are disjoint. Returns how many times the effect was applied, or -1 (nothing
    done) when a second sprite is outside the level."""
    w = st.ev[i, EV_WIDTH]
    h = st.ev[i, EV_HEIGHT]
    mark = st.ev[i, EV_PASS] + 1
    st.ev[i, EV_PASS] = mark
    marked = 0
    n2 = 0
    for q in range(tb.ti[t2, TI_SUB0], tb.ti[t2, TI_SUB1]):
        u = tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            s2 = st.tl[i, u, j]
            if st.si[i, s2, SI_ID] >= lim:
                break
            if st.si[i, s2, SI_CX0] < 0:
                return -1  # outside the level: use the plain loop
            n2 += 1
            x = st.si[i, s2, SI_X]
            y = st.si[i, s2, SI_Y]
            for cy in range(max(y // BS - 1, 0), min((y + BS - 1) // BS, h - 1) + 1):
                for cx in range(max(x // BS - 1, 0), min((x + BS - 1) // BS, w - 1) + 1):
                    c = cy * w + cx
                    if fast & FAST_SKIP and _skip_cell(st, i, c, cx, cy, x, y):
                        continue
                    for k in range(st.gn[i, c]):
                        g = st.gi[i, c, k]
                        s1 = g & GI_SLOT
                        ty = g >> GI_TYPE if fast & FAST_PACKED else st.si[i, s1, SI_TYPE]
                        if not tb.tt[TT_IN, t1, ty]:
                            continue
                        if st.si[i, s1, SI_MARK] != mark and st.si[i, s1, SI_ID] < lim and _intersects(st, i, s1, s2):
                            st.si[i, s1, SI_MARK] = mark
                            marked += 1
    for k in range(st.ev[i, EV_OUTN]):
        s1 = st.lst[i, L_OUT, k]
        x = st.si[i, s1, SI_X]
        y = st.si[i, s1, SI_Y]
        if x + BS <= 0 or y + BS <= 0 or x >= w * BS or y >= h * BS:
            continue  # wholly outside the level, where every second sprite is: it overlaps none
        if tb.tt[TT_IN, t1, st.si[i, s1, SI_TYPE]] and st.si[i, s1, SI_ID] < lim:
            st.si[i, s1, SI_MARK] = mark  # overlap is checked per pair below
            marked += 1
    if marked == 0:
        return 0
    hits = 0
    direct = n2 <= DIRECT_MAX or not fast & FAST_GRID
    # GVGAI's order of first sprites: their type lists in subtree order, each in id order
    for q in range(tb.ti[t1, TI_SUB0], tb.ti[t1, TI_SUB1]):
        u = tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            s1 = st.tl[i, u, j]
            if st.si[i, s1, SI_ID] >= lim:
                break
            if st.si[i, s1, SI_MARK] != mark:
                continue
            marked -= 1
            if not st.si[i, s1, SI_KILLED]:
                hits += _pair_s1(tb, st, i, s1, t2, e, lim, direct, gt, fast)
            if marked == 0:
                return hits
    return hits


@njit(cache=True, _nrt=False, inline="always")
def _pair_stamp(tb, st, i, p):
    """One plus the sum of the change counters of the sprite types on both sides of pair ``p`` (never 0)."""
    acc = np.int64(1)
    for side in range(2):
        t = tb.pi[p, side]
        for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
            acc += st.pv[i, tb.items[q]]
    return acc


# ---------------------------------------------------------------------------------------------------------------
# one game cycle
@njit(cache=True, _nrt=False)
def _subtypes_counter(tb, st, i, q):
    """GVGAI's MultiSpriteCounterSubTypes: exactly ``limit`` active sprites of stype1, spread over exactly
    ``subTypesNum`` of its types that hold sprites themselves (NPC, issue 3)."""
    t = tb.qi[q, QI_T0]
    if t < 0 or _count_active(tb, st, i, t) != tb.qi[q, QI_LIMIT]:
        return False
    kinds = 0
    for k in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
        u = tb.items[k]
        if st.tc[i, u, TC_N] > 0 and _count_active(tb, st, i, u) > 0:
            kinds += 1
    return kinds == tb.qi[q, QI_T0 + 1]


@njit(cache=True, _nrt=False)
def _counter_more_or_stop(tb, st, i, q, code):
    """SpriteCounterMore: done when ``stype`` counts at least ``limit``. StopCounter: never done; sets the shared
    canEnd flag to ``count <= limit`` (``min``) or ``count != limit`` over its up to three types."""
    if code == T_SPRITE_COUNTER_MORE:
        return _count_active(tb, st, i, tb.qi[q, QI_T0]) >= tb.qi[q, QI_LIMIT]
    acc = 0
    for k in range(3):
        if tb.qi[q, QI_T0 + k] >= 0:
            acc += _count_active(tb, st, i, tb.qi[q, QI_T0 + k])
    lim = tb.qi[q, QI_LIMIT]
    st.ev[i, EV_NOEND] = not (acc <= lim if tb.qi[q, QI_MIN] != 0 else acc != lim)
    return False


@njit(cache=True, _nrt=False)
def _terminations(tb, st, i, gt):
    for q in range(tb.qi.shape[0]):
        code = tb.qi[q, QI_CODE]
        done = False
        if code == T_SPRITE_COUNTER:
            done = _count_active(tb, st, i, tb.qi[q, QI_T0]) <= tb.qi[q, QI_LIMIT]
        elif code == T_MULTI_SPRITE_COUNTER:
            acc = 0
            for k in range(3):
                if tb.qi[q, QI_T0 + k] >= 0:
                    acc += _count_active(tb, st, i, tb.qi[q, QI_T0 + k])
            done = acc == tb.qi[q, QI_LIMIT] or (tb.qi[q, QI_MIN] != 0 and acc > tb.qi[q, QI_LIMIT])
        elif code == T_TIMEOUT:
            done = gt >= tb.qi[q, QI_LIMIT]
        elif code == T_MULTI_SPRITE_COUNTER_SUBTYPES:  # NPC
            done = _subtypes_counter(tb, st, i, q)
        elif code == T_SPRITE_COUNTER_MORE or code == T_STOP_COUNTER:  # ONTOLOGY
            done = _counter_more_or_stop(tb, st, i, q, code)
        if done and code != T_TIMEOUT and st.ev[i, EV_NOEND]:
            done = False  # ONTOLOGY: GVGAI's counters also require Termination.canEnd
        if done:
            st.ev[i, EV_ENDED] = True
            st.ev[i, EV_WINNER] = 1 if tb.qi[q, QI_WIN] != 0 else -1
            return


@njit(cache=True, _nrt=False)
def _pair_effects(tb, st, i, gt):
    """Every pair effect, in the InteractionSet's order. A pass that hit nothing is remembered with its pair's change
    stamp; while the stamp holds (no sprite of either side added, killed or moved since), passes of that effect and
    of its identical repeats are skipped: they would hit nothing again."""
    T = st.tc.shape[1]
    fast = tb.misc[M_FAST]
    for p in range(tb.pi.shape[0]):
        missed = False
        for e in range(tb.pi[p, PI_E0], tb.pi[p, PI_E1]):
            if missed and tb.ei[e, EI_SAME_PREV] and fast & FAST_REPEAT:
                continue  # the state is as the previous, identical pass left it: it would hit nothing too
            if st.ev[i, EV_SHN] > 0 and _shielded(st, i, tb.pi[p, PI_T1], tb.pi[p, PI_T2], tb.ei[e, EI_CODE]):
                missed = False
                continue
            stamp = np.int64(0)
            if fast & FAST_STAMP:
                stamp = _pair_stamp(tb, st, i, p)
                if st.pv[i, T + e] == stamp:
                    missed = True
                    continue
            missed = _run_pair_effect(tb, st, i, p, e, gt) == 0
            if missed and fast & FAST_STAMP:
                st.pv[i, T + e] = stamp


@njit(cache=True, _nrt=False)
def game_cycle(tb, st, i, a):
    """One GVGAI ``gameCycle`` of environment ``i`` with engine action ``a``."""
    gt = st.ev[i, EV_TICK]
    av = st.ev[i, EV_AVATAR]
    if av >= 0 and not st.si[i, av, SI_DISABLED]:
        _pre_movement(st, i, av)
        _update_avatar(tb, st, i, av, a)
    for k in range(tb.misc[M_UPD0], tb.misc[M_UPD1]):
        t = tb.seq[k]
        n = st.tc[i, t, TC_N]
        c = tb.ti[t, TI_CLS]
        if c == C_IMMOVABLE or c == C_DOOR:  # no update: only preMovement
            for j in range(n):
                s = st.tl[i, t, j]
                if not st.si[i, s, SI_DISABLED]:
                    st.si[i, s, SI_LX] = st.si[i, s, SI_X]
                    st.si[i, s, SI_LY] = st.si[i, s, SI_Y]
                    st.si[i, s, SI_LASTMOVE] += 1
            continue
        for j in range(n):
            s = st.tl[i, t, j]
            if st.si[i, s, SI_DISABLED]:
                continue
            _pre_movement(st, i, s)
            _update_sprite(tb, st, i, s, t, gt)
    if st.ev[i, EV_TQN] > 0:  # time effects (EFFECTS)
        _time_effects(tb, st, i, gt)
    # EOS effects
    for k in range(tb.misc[M_EOSL0], tb.misc[M_EOSL1]):
        t = tb.seq[k]
        for q in range(tb.ti[t, TI_EOS0], tb.ti[t, TI_EOS1]):
            e = tb.items[q]
            for m in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
                u = tb.items[m]
                n = st.tc[i, u, TC_N]
                for j in range(n):
                    s = st.tl[i, u, j]
                    if _at_edge(st, i, s) and not st.si[i, s, SI_KILLED] and not st.si[i, s, SI_DISABLED]:
                        _apply_effect(tb, st, i, e, s, -1, gt)
    _pair_effects(tb, st, i, gt)
    _clear_all(tb, st, i)
    _terminations(tb, st, i, gt)
    st.ev[i, EV_TICK] = gt + 1


@njit(cache=True, _nrt=False)
def step_env(tb, st, i, gym_action, max_steps):
    """Advance environment ``i`` by one step; returns the score change. Finished environments do nothing."""
    if not st.ev[i, EV_ACTIVE] or st.ev[i, EV_ENDED] or st.ev[i, EV_TRUNC]:
        return 0.0
    a = A_NIL
    if 0 <= gym_action < tb.misc[M_GYM1] - tb.misc[M_GYM0]:
        a = tb.seq[tb.misc[M_GYM0] + gym_action]
    before = st.score[i]
    game_cycle(tb, st, i, a)
    if not st.ev[i, EV_ENDED] and max_steps > 0 and st.ev[i, EV_TICK] >= max_steps:
        st.ev[i, EV_TRUNC] = True
    return st.score[i] - before


# ---------------------------------------------------------------------------------------------------------------
# reset
@njit(cache=True, _nrt=False)
def reset_env(tb, st, i, types, xs, ys, width, height, seed):
    """Build a level into environment ``i`` (GVGAI's creation order) and start a game with ``Random(seed)``."""
    S = st.si.shape[1]
    for k in range(S):
        st.si[i, k, SI_TYPE] = -1
        st.si[i, k, SI_KILLED] = False
        st.si[i, k, SI_DISABLED] = False
        st.si[i, k, SI_CX0] = -2
        st.lst[i, L_FREE, k] = S - 1 - k
    st.ev[i, EV_NFREE] = S
    st.pv[i, :] = 0
    st.tc[i, :, TC_N] = 0
    st.tc[i, :, TC_DIS] = 0
    st.ev[i, EV_NKILL] = 0
    st.gn[i, :] = 0
    st.gu[i, :] = 0
    st.ev[i, EV_OUTN] = 0
    st.ev[i, EV_OVERFLOW] = False
    st.ev[i, EV_SHN] = 0
    st.ev[i, EV_CANVAS] = 0
    st.ev[i, EV_WIDTH] = width
    st.ev[i, EV_HEIGHT] = height
    st.ev[i, EV_NEXT_ID] = 0
    st.ev[i, EV_TICK] = 0
    st.ev[i, EV_AVATAR] = -1
    st.score[i] = 0.0
    st.ev[i, EV_WINNER] = 0
    st.ev[i, EV_ENDED] = False
    st.ev[i, EV_TRUNC] = False
    st.ev[i, EV_ACTIVE] = True
    st.ev[i, EV_REFUSED] = 0
    st.ev[i, EV_FAULT] = 0
    st.ev[i, EV_NOEND] = 0  # ONTOLOGY
    st.ev[i, EV_PASS] = 0
    st.rng[i, 0] = (np.int64(seed) ^ np.int64(MULTIPLIER)) & np.int64(MASK48)
    for k in range(types.shape[0]):
        _add_sprite(tb, st, i, types[k], xs[k], ys[k])
    av = -1
    for k in range(tb.misc[M_AV0], tb.misc[M_AV1]):
        t = tb.seq[k]
        for j in range(st.tc[i, t, TC_N]):
            s = st.tl[i, t, j]
            if tb.ti[st.si[i, s, SI_TYPE], TI_AVATAR]:
                av = s
    st.ev[i, EV_AVATAR] = av
    _time_reset(tb, st, i)  # EFFECTS
    _path_init(tb, st, i)  # NPC: GVGAI builds its pathfinder from the level as loaded


@njit(cache=True, _nrt=False)
def regrid_env(st, i):
    """Rebuild environment ``i``'s grid index (after its cells were widened): every live sprite, by slot."""
    w = st.ev[i, EV_WIDTH]
    h = st.ev[i, EV_HEIGHT]
    for c in range(w * h):
        st.gn[i, c] = 0
        st.gu[i, c] = 0
    st.ev[i, EV_OUTN] = 0
    st.ev[i, EV_OVERFLOW] = False
    st.ev[i, EV_CANVAS] = 0
    for s in range(st.si.shape[1]):
        st.si[i, s, SI_CX0] = -2
        if st.si[i, s, SI_TYPE] >= 0:
            _grid_add(st.si, st.ev, st.lst, st.gn, st.gi, st.gu, i, s)


# ---------------------------------------------------------------------------------------------------------------
# observations
@njit(cache=True, _nrt=False)
def obs_symbolic(tb, st, i, out):
    """One plane per observed type: a cell is set where a sprite of that type covers the cell's centre.

    ``out`` keeps the environment's previous observation (``EV_CANVAS`` set): only the planes of types whose change
    counter moved since they were drawn are redrawn. Otherwise (a reset, a new buffer) everything is drawn."""
    H = out.shape[1]
    W = out.shape[2]
    w = min(st.ev[i, EV_WIDTH], W)
    h = min(st.ev[i, EV_HEIGHT], H)
    T = st.tc.shape[1]
    drawn = st.pv.shape[1] - T  # pv[i, drawn + t]: type t's change counter when its plane was drawn
    full = not st.ev[i, EV_CANVAS] or not tb.misc[M_FAST] & FAST_OBS
    if full:
        out[:] = 0
        if tb.misc[M_WALL_PLANE] >= 0:
            for r in range(H):
                for c in range(W):
                    if r >= h or c >= w:
                        out[tb.misc[M_WALL_PLANE], r, c] = 1
        st.ev[i, EV_CANVAS] = 1
    for t in range(tb.ti.shape[0]):
        pl = tb.ti[t, TI_PLANE]
        if pl < 0:
            continue
        if not full:
            if st.pv[i, drawn + t] == st.pv[i, t]:
                continue
            for r in range(h):  # the level's part of the plane (outside it, the wall plane stays set)
                for c in range(w):
                    out[pl, r, c] = 0
        st.pv[i, drawn + t] = st.pv[i, t]
        for j in range(st.tc[i, t, TC_N]):
            s = st.tl[i, t, j]
            if st.si[i, s, SI_DISABLED]:
                continue
            c = (st.si[i, s, SI_X] + 4) // BS
            r = (st.si[i, s, SI_Y] + 4) // BS
            if 0 <= c < w and 0 <= r < h:
                out[pl, r, c] = 1


@njit(cache=True, _nrt=False)
def obs_rgb(tb, st, i, out):
    """The level drawn in the game's colours, one 10x10 shape per sprite, in GVGAI's drawing order."""
    out[:] = 0
    Hp = out.shape[0]
    Wp = out.shape[1]
    wp = min(st.ev[i, EV_WIDTH] * BS, Wp)
    hp = min(st.ev[i, EV_HEIGHT] * BS, Hp)
    if tb.misc[M_WALL_TYPE] >= 0 and (wp < Wp or hp < Hp):
        for y in range(Hp):
            for x in range(Wp):
                if y >= hp or x >= wp:
                    for ch in range(3):
                        out[y, x, ch] = tb.col[tb.misc[M_WALL_TYPE], 0, ch]
    for k in range(tb.misc[M_DRAW0], tb.misc[M_DRAW1]):
        t = tb.seq[k]
        if tb.ti[t, TI_CLS] < 0 or tb.ti[t, TI_INVISIBLE]:
            continue
        for j in range(st.tc[i, t, TC_N]):
            s = st.tl[i, t, j]
            if st.si[i, s, SI_DISABLED]:
                continue
            x0 = st.si[i, s, SI_X]
            y0 = st.si[i, s, SI_Y]
            if x0 >= wp or y0 >= hp or x0 + BS <= 0 or y0 + BS <= 0:
                continue
            for dy in range(BS):
                y = y0 + dy
                if y < 0 or y >= hp:
                    continue
                for dx in range(BS):
                    x = x0 + dx
                    if x < 0 or x >= wp:
                        continue
                    m = tb.mask[t, dy, dx]
                    if m == 1:
                        out[y, x, 0] = tb.col[t, 0, 0]
                        out[y, x, 1] = tb.col[t, 0, 1]
                        out[y, x, 2] = tb.col[t, 0, 2]
                    elif m == 2:
                        out[y, x, 0] = tb.col[t, 1, 0]
                        out[y, x, 1] = tb.col[t, 1, 1]
                        out[y, x, 2] = tb.col[t, 1, 2]


@njit(cache=True, _nrt=False)
def _paint(tb, st, i, s, out, x0c, y0c, x1c, y1c):
    """Paint sprite ``s`` clipped to pixels [x0c, x1c) x [y0c, y1c)."""
    t = st.si[i, s, SI_TYPE]
    sx = st.si[i, s, SI_X]
    sy = st.si[i, s, SI_Y]
    for y in range(max(sy, y0c), min(sy + BS, y1c)):
        for x in range(max(sx, x0c), min(sx + BS, x1c)):
            m = tb.mask[t, y - sy, x - sx]
            if m != 0:
                out[y, x, 0] = tb.col[t, m - 1, 0]
                out[y, x, 1] = tb.col[t, m - 1, 1]
                out[y, x, 2] = tb.col[t, m - 1, 2]


@njit(cache=True, _nrt=False)
def obs_rgb_incremental(tb, st, i, out):
    """Like :func:`obs_rgb` on a canvas that already shows the previous frame: only cells whose content changed
    (a signature of the sprites covering them, in drawing order) are redrawn."""
    w = st.ev[i, EV_WIDTH]
    h = st.ev[i, EV_HEIGHT]
    if not tb.misc[M_FAST] & FAST_OBS:
        obs_rgb(tb, st, i, out)
        return
    if st.ev[i, EV_OVERFLOW] or w * BS > out.shape[1] or h * BS > out.shape[0] or not st.ev[i, EV_CANVAS]:
        obs_rgb(tb, st, i, out)
        if not st.ev[i, EV_OVERFLOW]:
            _signatures(tb, st, i, w, h)
            for c in range(w * h):
                st.sig[i, 0, c] = st.sig[i, 1, c]
            st.ev[i, EV_CANVAS] = 1
        return
    _signatures(tb, st, i, w, h)
    cand = st.lst[i, L_CAND]
    for c in range(w * h):
        sg = st.sig[i, 1, c]
        if sg == st.sig[i, 0, c]:
            continue
        st.sig[i, 0, c] = sg
        cx = c % w
        cy = c // w
        x0 = cx * BS
        y0 = cy * BS
        for y in range(y0, y0 + BS):
            for x in range(x0, x0 + BS):
                out[y, x, 0] = 0
                out[y, x, 1] = 0
                out[y, x, 2] = 0
        # the sprites over this cell, in drawing order (type rank, then id)
        nc = 0
        for ny in range(max(cy - 1, 0), cy + 1):
            for nx in range(max(cx - 1, 0), cx + 1):
                cc = ny * w + nx
                for k in range(st.gn[i, cc]):
                    s = st.gi[i, cc, k] & GI_SLOT
                    sx = st.si[i, s, SI_X]
                    sy = st.si[i, s, SI_Y]
                    if sx < x0 + BS and x0 < sx + BS and sy < y0 + BS and y0 < sy + BS:
                        cand[nc] = s
                        nc += 1
        for k in range(st.ev[i, EV_OUTN]):
            s = st.lst[i, L_OUT, k]
            sx = st.si[i, s, SI_X]
            sy = st.si[i, s, SI_Y]
            if sx < x0 + BS and x0 < sx + BS and sy < y0 + BS and y0 < sy + BS:
                cand[nc] = s
                nc += 1
        for a in range(1, nc):
            v = cand[a]
            kv = (np.int64(tb.ti[st.si[i, v, SI_TYPE], TI_DRAW_RANK]) << 32) + st.si[i, v, SI_ID]
            b = a - 1
            while b >= 0:
                u = cand[b]
                ku = (np.int64(tb.ti[st.si[i, u, SI_TYPE], TI_DRAW_RANK]) << 32) + st.si[i, u, SI_ID]
                if ku <= kv:
                    break
                cand[b + 1] = u
                b -= 1
            cand[b + 1] = v
        for k in range(nc):
            s = cand[k]
            t = st.si[i, s, SI_TYPE]
            if tb.ti[t, TI_CLS] < 0 or tb.ti[t, TI_INVISIBLE] or st.si[i, s, SI_DISABLED]:
                continue
            _paint(tb, st, i, s, out, x0, y0, x0 + BS, y0 + BS)


@njit(cache=True, _nrt=False, inline="always")
def _sig_mix(h, v):
    """``(h * M + v) mod 2**62`` for ``0 <= h < 2**62`` and ``0 <= v < 2**31``, without int64 overflow (the
    same value compiled and in pure Python, NUMBA_DISABLE_JIT=1): ``h`` is multiplied in 31-bit halves."""
    m = np.int64(1103515245)
    lo = h & np.int64(0x7FFFFFFF)
    hi = h >> np.int64(31)
    return ((((hi * m) & np.int64(0x7FFFFFFF)) << np.int64(31)) + lo * m + v) & np.int64(0x3FFFFFFFFFFFFFFF)


@njit(cache=True, _nrt=False)
def _signatures(tb, st, i, w, h):
    """Per level cell, a hash of the visible sprites covering it in drawing order (into ``st.sig[i, 1]``)."""
    for c in range(w * h):
        st.sig[i, 1, c] = 0
    for k in range(tb.misc[M_DRAW0], tb.misc[M_DRAW1]):
        t = tb.seq[k]
        if tb.ti[t, TI_CLS] < 0 or tb.ti[t, TI_INVISIBLE]:
            continue
        for j in range(st.tc[i, t, TC_N]):
            s = st.tl[i, t, j]
            if st.si[i, s, SI_DISABLED]:
                continue
            sx = st.si[i, s, SI_X]
            sy = st.si[i, s, SI_Y]
            if sx >= w * BS or sy >= h * BS or sx + BS <= 0 or sy + BS <= 0:
                continue
            cx0 = max(sx, 0) // BS
            cx1 = min(sx + BS - 1, w * BS - 1) // BS
            cy0 = max(sy, 0) // BS
            cy1 = min(sy + BS - 1, h * BS - 1) // BS
            for cy in range(cy0, cy1 + 1):
                for cx in range(cx0, cx1 + 1):
                    c = cy * w + cx
                    v = (np.int64(t + 1) * np.int64(1000003) + np.int64(sx - cx * BS + 32) * np.int64(131)
                         + np.int64(sy - cy * BS + 32))
                    st.sig[i, 1, c] = _sig_mix(st.sig[i, 1, c], v)


# ---------------------------------------------------------------------------------------------------------------
# batch entry points: prange over a few chunks, each stepped by one call (no per-environment reference counting)
@njit(cache=True, _nrt=False)
def _bad_action(tb, actions, lo, hi):
    """The first ``i`` in ``lo..hi-1`` whose action is not a Gym action of the game, or -1."""
    n = tb.misc[M_GYM1] - tb.misc[M_GYM0]
    for i in range(lo, hi):
        if actions[i] < 0 or actions[i] >= n:
            return i
    return -1


@njit(cache=True, _nrt=False)
def _needs_room(st, i):
    """Environment ``i`` faulted, ran out of room in its tick (slots, timers, shields, a cell), or (playing)
    is more than half full of sprites or timers (BatchEngine grows ahead of need: a tick seldom runs out)."""
    if st.ev[i, EV_FAULT] != 0 or st.ev[i, EV_REFUSED] != 0 or st.ev[i, EV_OVERFLOW] != 0:
        return True
    return st.ev[i, EV_ACTIVE] != 0 and (2 * st.ev[i, EV_NFREE] < st.si.shape[1]
                                         or 2 * st.ev[i, EV_TQN] > st.tq.shape[1])


@njit(cache=True, _nrt=False)
def _step_range(tb, st, actions, lo, hi, max_steps, obs_kind, sym, rgb, reward):
    """Step environments ``lo..hi-1``. Returns how many need BatchEngine's attention (:func:`_needs_room`), or
    ``-1 - i`` when environment ``i``'s action is out of range (then nothing is stepped)."""
    bad = _bad_action(tb, actions, lo, hi)
    if bad >= 0:
        return -1 - bad
    attention = 0
    for i in range(lo, hi):
        reward[i] = step_env(tb, st, i, actions[i], max_steps)
        if obs_kind == 1:
            obs_symbolic(tb, st, i, sym[i])
        elif obs_kind == 2:
            obs_rgb_incremental(tb, st, i, rgb[i])
        if _needs_room(st, i):
            attention += 1
    return attention


@njit(cache=True, _nrt=False)
def _observe_range(tb, st, idx, lo, hi, obs_kind, sym, rgb):
    for k in range(lo, hi):
        i = idx[k]
        if obs_kind == 1:
            obs_symbolic(tb, st, i, sym[i])
        elif obs_kind == 2:
            obs_rgb_incremental(tb, st, i, rgb[i])


@njit(cache=True, _nrt=False)
def _reset_range(tb, st, idx, offsets, types, xs, ys, widths, heights, seeds, lo, hi):
    for k in range(lo, hi):
        a = offsets[k]
        b = offsets[k + 1]
        reset_env(tb, st, idx[k], types[a:b], xs[a:b], ys[a:b], widths[k], heights[k], seeds[k])


@njit(parallel=True, cache=True)
def step_batch(tb, st, actions, max_steps, obs_kind, sym, rgb, reward, chunks):
    """Step every environment and write its observation (1 symbolic, 2 rgb, 0 none); ``prange`` over chunks.
    Returns what :func:`_step_range` returns, for the whole batch."""
    n = actions.shape[0]
    bad = _bad_action(tb, actions, 0, n)
    if bad >= 0:
        return -1 - bad
    attention = 0
    for c in prange(chunks):
        attention += _step_range(tb, st, actions, (c * n) // chunks, ((c + 1) * n) // chunks, max_steps,
                                 obs_kind, sym, rgb, reward)
    return attention


@njit(parallel=True, cache=True)
def reset_batch(tb, st, idx, offsets, types, xs, ys, widths, heights, seeds, chunks):
    """Reset environments ``idx[k]`` to plan ``k`` (``offsets[k]:offsets[k+1]`` of the packed plans)."""
    n = idx.shape[0]
    for c in prange(chunks):
        _reset_range(tb, st, idx, offsets, types, xs, ys, widths, heights, seeds, (c * n) // chunks,
                     ((c + 1) * n) // chunks)


@njit(parallel=True, cache=True)
def observe_batch(tb, st, idx, obs_kind, sym, rgb, chunks):
    """Write the observations of environments ``idx`` into ``sym`` / ``rgb``."""
    n = idx.shape[0]
    for c in prange(chunks):
        _observe_range(tb, st, idx, (c * n) // chunks, ((c + 1) * n) // chunks, obs_kind, sym, rgb)
