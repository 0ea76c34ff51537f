"""Moving a sprite: ``_update_pos`` (GVGAI's ``updatePos``), passive movement, sprite speeds, and the
active move that every NPC class uses."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ppcg.engine.kernel.base import BASE_DX, BASE_DY, BS, _rnd_int, _set_pos
from ppcg.engine.layout import *  # noqa: F403 - field index constants


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
