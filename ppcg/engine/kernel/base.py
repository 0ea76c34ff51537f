"""Shared pieces of the kernel: direction tables, java.util.Random draws, the grid index, sprite creation and
killing, resources."""

from __future__ import annotations

import numpy as np
from numba import njit

from ppcg.engine.jrandom import jr_advance
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
    c = si[i, s, SI_CELL]
    if c == -2:
        return
    if c == -1:
        n = ev[i, EV_OUTN]
        for k in range(n):
            if lst[i, L_OUT, k] == s:
                lst[i, L_OUT, k] = lst[i, L_OUT, n - 1]
                ev[i, EV_OUTN] = n - 1
                break
        si[i, s, SI_CELL] = -2
        return
    if _unaligned(si[i, s, SI_X], si[i, s, SI_Y]):
        gu[i, c] -= 1
    n = gn[i, c]
    for k in range(n):
        if gi[i, c, k] & GI_SLOT == s:
            gi[i, c, k] = gi[i, c, n - 1]
            gn[i, c] = n - 1
            break
    si[i, s, SI_CELL] = -2


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
        si[i, s, SI_CELL] = -1
        return
    c = (y // BS) * w + x // BS
    si[i, s, SI_CELL] = c
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
    c = st.si[i, s, SI_CELL]
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
    st.si[i, s, SI_CELL] = -2
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


@njit(cache=True, _nrt=False, inline="always")
def _oriented(tb, st, i, s):
    """GVGAI's per-sprite ``is_oriented``: the type's, or set on this sprite by an effect."""
    return tb.ti[st.si[i, s, SI_TYPE], TI_ORIENTED] != 0 or st.si[i, s, SI_ORI] != 0
