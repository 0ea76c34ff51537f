"""What must hold of every environment of a :class:`~ppcg.engine.BatchEngine` after any reset or step.

The fuzzers (``tests/fuzz/``, ``scripts/fuzz.py``) and the fault tests check these after every tick: a game file
may make the engine refuse it, never make it corrupt its state.
"""

from __future__ import annotations

import numpy as np

from ppcg.engine import layout as L

__all__ = ["POSITION_LIMIT", "problems"]

POSITION_LIMIT = 1 << 30  # pixels: every sprite's position stays strictly inside +-POSITION_LIMIT


def problems(engine, i: int) -> list[str]:
    """Everything wrong with environment ``i`` of ``engine`` (empty when its state is consistent).

    Checked: every slot holds a sprite of an existing type or none; each type's count equals its live slots and
    its list holds exactly them; the free stack holds the other slots; disabled counts match; positions lie inside
    the engine's range.
    """
    st = engine._require()
    out: list[str] = []
    si = st.si[i]
    S = si.shape[0]
    T = st.tc.shape[1]
    types = si[:, L.SI_TYPE]
    if (types < -1).any() or (types >= T).any():
        out.append(f"slot types outside -1..{T - 1}: {sorted(set(types[(types < -1) | (types >= T)].tolist()))}")
        return out
    live = types >= 0
    counts = np.bincount(types[live], minlength=T)
    tc = st.tc[i, :, L.TC_N]
    if not np.array_equal(counts, tc):
        bad = np.flatnonzero(counts != tc)
        out.append("type counts differ from live slots: " + ", ".join(
            f"type {t}: {int(tc[t])} counted, {int(counts[t])} live" for t in bad[:5]))
    for t in range(T):
        n = int(tc[t])
        if n < 0 or n > S:
            out.append(f"type {t}: count {n} outside 0..{S}")
            continue
        lst = st.tl[i, t, :n]
        if len(set(lst.tolist())) != n or (types[lst] != t).any():
            out.append(f"type {t}: its list does not hold exactly its {n} sprites")
    nfree = int(st.ev[i, L.EV_NFREE])
    if nfree + int(live.sum()) != S:
        out.append(f"{nfree} free slots + {int(live.sum())} live != {S} slots")
    else:
        free = st.lst[i, L.L_FREE, :nfree]
        if len(set(free.tolist())) != nfree or live[free].any():
            out.append("the free stack holds a live slot or a slot twice")
    dis = np.bincount(types[live & (si[:, L.SI_DISABLED] != 0)], minlength=T)
    if not np.array_equal(dis, st.tc[i, :, L.TC_DIS]):
        out.append("disabled counts differ from disabled sprites")
    xs, ys = si[live, L.SI_X], si[live, L.SI_Y]
    if xs.size and (np.abs(xs.astype(np.int64)).max() >= POSITION_LIMIT
                    or np.abs(ys.astype(np.int64)).max() >= POSITION_LIMIT):
        out.append(f"a position outside +-{POSITION_LIMIT}")
    if st.ev[i, L.EV_FAULT]:
        out.append("an engine fault was counted")
    return out
