"""Effects added for the corpus (issue 3): undoAll, bounceForward, transformToAll, health, teleports ..."""

from __future__ import annotations

import numpy as np
from numba import njit

from ppcg.engine.kernel.base import (
    BS,
    _add_sprite,
    _add_sprite_any,
    _count_subtree,
    _get_res,
    _kill,
    _modify_res,
    _oriented,
    _rnd_double,
    _rnd_int,
    _set_pos,
)
from ppcg.engine.kernel.movement import _speed_of
from ppcg.engine.layout import *  # noqa: F403 - field index constants


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
            if tb.ei[e, EI_ALIGN]:
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
    if tb.ei[e, EI_FORCE_ORIENTATION] or (tb.ti[nt, TI_ORIENTED] and tb.ti[t1, TI_ORIENTED] and st.si[i, ns, SI_OX] == 0
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
    if tb.ei[e, EI_KILL_SECOND] and s2 >= 0:
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
        if tb.ei[e, EI_KILL_SECOND] and s2 >= 0:
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
    if tb.ei[e, EI_KILL_RESOURCE]:
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
