"""Effects: each a small function returning GVGAI's ``applyScore``; ``_apply_effect`` dispatches on the
effect's code (the corpus's and the ontology's effects in :mod:`.effects_corpus` and :mod:`.effects_ontology`)."""

from __future__ import annotations

import numpy as np
from numba import njit

from ppcg.engine.features import (
    E_ADD_HEALTH_POINTS,
    E_ADD_TIMER,
    E_ALIGN,
    E_ATTRACT_GAZE,
    E_BOUNCE_FORWARD,
    E_CHANGE_RESOURCE,
    E_COLLECT_RESOURCE,
    E_COLLECT_RESOURCE_IF_HELD,
    E_FLIP_DIRECTION,
    E_KILL_ALL,
    E_KILL_BOTH,
    E_KILL_IF_ALIVE,
    E_KILL_IF_FROM_ABOVE,
    E_KILL_IF_FRONTAL,
    E_KILL_IF_HAS_LESS,
    E_KILL_IF_HAS_MORE,
    E_KILL_IF_NOT_FRONTAL,
    E_KILL_IF_OTHER_HAS_MORE,
    E_KILL_SPRITE,
    E_PULL_WITH_IT,
    E_REVERSE_DIRECTION,
    E_SET_SPEED_FOR_ALL,
    E_SHIELD_FROM,
    E_SPAWN,
    E_SPAWN_BEHIND,
    E_SPAWN_IF_HAS_MORE,
    E_SPAWN_SIDE,
    E_STEP_BACK,
    E_SUBTRACT_HEALTH_POINTS,
    E_TELEPORT_TO_EXIT,
    E_TRANSFORM_IF_COUNT,
    E_TRANSFORM_TO,
    E_TRANSFORM_TO_ALL,
    E_TRANSFORM_TO_SINGLETON,
    E_TURN_AROUND,
    E_UNDO_ALL,
    E_WRAP_AROUND,
)
from ppcg.engine.kernel.base import (
    BASE_DX,
    BASE_DY,
    BS,
    _add_sprite,
    _get_res,
    _kill,
    _modify_res,
    _rnd_double,
    _rnd_int,
    _set_pos,
)
from ppcg.engine.kernel.movement import _set_speed, _speed_of
from ppcg.engine.kernel.effects_corpus import (
    _eff_add_health,
    _eff_attract_gaze,
    _eff_bounce_forward,
    _eff_collect_if_held,
    _eff_subtract_health,
    _eff_teleport_to_exit,
    _eff_transform_if_count,
    _eff_transform_to_all,
    _eff_turn_around,
    _eff_undo_all,
    _frontal,
    _step_back_pixel_perfect,
    _transform,
)
from ppcg.engine.kernel.effects_ontology import _eff_spawn_near, _eff_transform_to_singleton, _exec_effect_ontology
from ppcg.engine.layout import *  # noqa: F403 - field index constants


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
        if tb.ei[e, EI_KILL_RESOURCE]:
            _kill(tb, st, i, s1, True)
        return True
    return False


@njit(cache=True, _nrt=False)
def _eff_change_resource(tb, st, i, e, s1, s2):
    r = tb.ei[e, EI_RES]
    v = tb.ei[e, EI_VALUE]
    if _get_res(st, i, s1, r) + v <= tb.seq[tb.misc[M_RESL0] + r]:
        _modify_res(st, i, s1, r, v)
        if tb.ei[e, EI_KILL_RESOURCE] and s2 >= 0:
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
        if tb.ei[e, EI_SUBTRACT]:
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
        _modify_res(st, i, s1, r, -tb.ei[e, EI_SPEND])
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
    f = tb.ei[e, EI_FTYPE]
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
    if tb.ei[e, EI_PIXEL_PERFECT]:  # ONTOLOGY: pixelPerfect puts sprite1 on sprite2's rectangle
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
        if tb.ei[e, EI_PIXEL_PERFECT] and s2 >= 0:
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
            if tb.ei[e, EI_ORIENT]:
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
                _set_speed(st, i, st.tl[i, u, j], tb.ef[e, EF_SPEED])  # the value (ONTOLOGY)
    elif code >= E_KILL_IF_ALIVE:
        apply = _exec_effect_ontology(tb, st, i, e, code, s1, s2)
    return 1 if apply else 0


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
