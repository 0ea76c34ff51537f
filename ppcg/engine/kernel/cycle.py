"""One game cycle (GVGAI's ``Game.gameCycle``), the time-effect queue, terminations, and resetting an
environment."""

from __future__ import annotations

import numpy as np
from numba import njit

from ppcg.engine.features import (
    A_NIL,
    C_DOOR,
    C_IMMOVABLE,
    T_MULTI_SPRITE_COUNTER,
    T_MULTI_SPRITE_COUNTER_SUBTYPES,
    T_SPRITE_COUNTER,
    T_SPRITE_COUNTER_MORE,
    T_STOP_COUNTER,
    T_TIMEOUT,
)
from ppcg.engine.jrandom import MASK48, MULTIPLIER
from ppcg.engine.kernel.base import _add_sprite, _at_edge, _clear_all, _count_active, _grid_add
from ppcg.engine.kernel.movement import _pre_movement
from ppcg.engine.kernel.pathfinding import _path_init
from ppcg.engine.kernel.avatars import _update_avatar
from ppcg.engine.kernel.sprites import _update_sprite
from ppcg.engine.kernel.effects import _add_score, _apply_effect, _exec_effect, _time_push
from ppcg.engine.kernel.collisions import _pair_stamp, _run_pair_effect, _shielded
from ppcg.engine.layout import *  # noqa: F403 - field index constants


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
        st.si[i, k, SI_CELL] = -2
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
        st.si[i, s, SI_CELL] = -2
        if st.si[i, s, SI_TYPE] >= 0:
            _grid_add(st.si, st.ev, st.lst, st.gn, st.gi, st.gu, i, s)
