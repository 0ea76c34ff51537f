"""Observations: the symbolic grid, RGB pixels (whole and incremental), and the cells' change signatures."""

from __future__ import annotations

import numpy as np
from numba import njit

from ppcg.engine.kernel.base import BS
from ppcg.engine.layout import *  # noqa: F403 - field index constants


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
def obs_offsets(tb, st, i, out, first):
    """Planes ``first`` .. ``first + 3`` of ``out`` (above, below, left, right): a cell is set where a sprite of an
    observed type, drawn in that cell (the cell whose centre it covers, as :func:`obs_symbolic`), stands off the
    cell's grid position in that direction. Always drawn whole (no incremental path)."""
    H = out.shape[1]
    W = out.shape[2]
    w = min(st.ev[i, EV_WIDTH], W)
    h = min(st.ev[i, EV_HEIGHT], H)
    for k in range(4):
        for r in range(H):
            for c in range(W):
                out[first + k, r, c] = 0
    for t in range(tb.ti.shape[0]):
        if tb.ti[t, TI_PLANE] < 0:
            continue
        for j in range(st.tc[i, t, TC_N]):
            s = st.tl[i, t, j]
            if st.si[i, s, SI_DISABLED]:
                continue
            x = st.si[i, s, SI_X]
            y = st.si[i, s, SI_Y]
            c = (x + 4) // BS
            r = (y + 4) // BS
            if 0 <= c < w and 0 <= r < h:
                dx = x - c * BS
                dy = y - r * BS
                if dy < 0:
                    out[first, r, c] = 1
                elif dy > 0:
                    out[first + 1, r, c] = 1
                if dx < 0:
                    out[first + 2, r, c] = 1
                elif dx > 0:
                    out[first + 3, r, c] = 1


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
