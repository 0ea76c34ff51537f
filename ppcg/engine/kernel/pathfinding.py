"""GVGAI's pathfinder, and the classes that follow its paths (PathChaser, PathAltChaser, ...)."""

from __future__ import annotations

import numpy as np
from numba import njit

from ppcg.engine.features import (
    C_RANDOM_PATH_ALT_CHASER,
)
from ppcg.engine.kernel.base import BASE_DX, BASE_DY, BS, _count_subtree, _rnd_double, _rnd_int
from ppcg.engine.kernel.movement import _npc_active, _passive, _random_move
from ppcg.engine.layout import *  # noqa: F403 - field index constants


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
