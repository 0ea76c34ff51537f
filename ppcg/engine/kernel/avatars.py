"""Avatar classes: ``_update_avatar`` (a branch per class: moving, turning, shooting, Flak and ShootOnly
avatars) and the helpers the avatars share."""

from __future__ import annotations

from numba import njit

from ppcg.engine.features import (
    A_NIL,
    A_USE,
    C_FLAK_AVATAR,
    C_MISSILE_AVATAR,
    C_ONGOING_AVATAR,
    C_ONGOING_SHOOT_AVATAR,
    C_ONGOING_TURNING_AVATAR,
    C_ORIENTED_AVATAR,
    C_SHOOT_AVATAR,
    C_SHOOT_ONLY_AVATAR,
)
from ppcg.engine.kernel.base import (
    ACT_DX,
    ACT_DY,
    BS,
    MOVE_MOVE,
    MOVE_ROTATE,
    MOVE_STILL,
    SHOOT_ONLY_ENTRY,
    _add_sprite,
)
from ppcg.engine.kernel.movement import _apx, _passive, _update_pos
from ppcg.engine.layout import *  # noqa: F403 - field index constants


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
