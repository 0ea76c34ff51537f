"""Pair effects: finding the sprites of two types that overlap, in GVGAI's order, and applying the effect."""

from __future__ import annotations

import numpy as np
from numba import njit

from ppcg.engine.features import (
    E_WALL_BOUNCE,
    E_WALL_REVERSE,
)
from ppcg.engine.kernel.base import BS, DIRECT_MAX, _count_subtree, _intersects, _skip_cell
from ppcg.engine.kernel.effects_ontology import _eff_wall_batch
from ppcg.engine.kernel.effects import _add_score, _apply_effect
from ppcg.engine.layout import *  # noqa: F403 - field index constants


# ---------------------------------------------------------------------------------------------------------------
# pair effects
@njit(cache=True, _nrt=False, inline="always")
def _gather(tb, st, i, s1, t2, lim, direct, fast):
    """Sprites of ``t2``'s subtree (id < lim, not s1) overlapping ``s1``, in GVGAI order, into ``st.cand[i]``
    (``direct``: by scanning the type lists, else through the grid; ``fast``: the FAST_* bits)."""
    nc = 0
    if direct or st.si[i, s1, SI_CELL] < 0:
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
            if st.si[i, s2, SI_CELL] < 0:
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
