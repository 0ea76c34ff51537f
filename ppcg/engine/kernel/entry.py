"""The batch entry points: prange over a few chunks, each stepped by one call (no per-environment reference
counting). These are what :class:`ppcg.engine.BatchEngine` calls."""

from __future__ import annotations

from numba import njit, prange

from ppcg.engine.kernel.cycle import reset_env, step_env
from ppcg.engine.kernel.observe import obs_offsets, obs_rgb_incremental, obs_symbolic
from ppcg.engine.layout import *  # noqa: F403 - field index constants


# ---------------------------------------------------------------------------------------------------------------
# batch entry points: prange over a few chunks, each stepped by one call (no per-environment reference counting)
@njit(cache=True, _nrt=False)
def _bad_action(tb, actions, lo, hi):
    """The first ``i`` in ``lo..hi-1`` whose action is not a Gym action of the game, or -1."""
    n = tb.misc[M_GYM1] - tb.misc[M_GYM0]
    for i in range(lo, hi):
        if actions[i] < 0 or actions[i] >= n:
            return i
    return -1


@njit(cache=True, _nrt=False)
def _needs_room(st, i):
    """Environment ``i`` faulted, ran out of room in its tick (slots, timers, shields, a cell), or (playing)
    is more than half full of sprites or timers (BatchEngine grows ahead of need: a tick seldom runs out)."""
    if st.ev[i, EV_FAULT] != 0 or st.ev[i, EV_REFUSED] != 0 or st.ev[i, EV_OVERFLOW] != 0:
        return True
    return st.ev[i, EV_ACTIVE] != 0 and (2 * st.ev[i, EV_NFREE] < st.si.shape[1]
                                         or 2 * st.ev[i, EV_TQN] > st.tq.shape[1])


@njit(cache=True, _nrt=False)
def _step_range(tb, st, actions, lo, hi, max_steps, obs_kind, sym, rgb, reward):
    """Step environments ``lo..hi-1``. Returns how many need BatchEngine's attention (:func:`_needs_room`), or
    ``-1 - i`` when environment ``i``'s action is out of range (then nothing is stepped)."""
    bad = _bad_action(tb, actions, lo, hi)
    if bad >= 0:
        return -1 - bad
    attention = 0
    for i in range(lo, hi):
        reward[i] = step_env(tb, st, i, actions[i], max_steps)
        if obs_kind == 1:
            obs_symbolic(tb, st, i, sym[i])
        elif obs_kind == 2:
            obs_rgb_incremental(tb, st, i, rgb[i])
        if _needs_room(st, i):
            attention += 1
    return attention


@njit(cache=True, _nrt=False)
def _observe_range(tb, st, idx, lo, hi, obs_kind, sym, rgb):
    for k in range(lo, hi):
        i = idx[k]
        if obs_kind == 1:
            obs_symbolic(tb, st, i, sym[i])
        elif obs_kind == 2:
            obs_rgb_incremental(tb, st, i, rgb[i])


@njit(cache=True, _nrt=False)
def offsets_all(tb, st, out, first):
    """:func:`obs_offsets` of every environment ``i`` into ``out[i]`` (``BatchEngine(offsets=True)``)."""
    for i in range(out.shape[0]):
        obs_offsets(tb, st, i, out[i], first)


@njit(cache=True, _nrt=False)
def _reset_range(tb, st, idx, offsets, types, xs, ys, widths, heights, seeds, lo, hi):
    for k in range(lo, hi):
        a = offsets[k]
        b = offsets[k + 1]
        reset_env(tb, st, idx[k], types[a:b], xs[a:b], ys[a:b], widths[k], heights[k], seeds[k])


@njit(parallel=True, cache=True)
def step_batch(tb, st, actions, max_steps, obs_kind, sym, rgb, reward, chunks):
    """Step every environment and write its observation (1 symbolic, 2 rgb, 0 none); ``prange`` over chunks.
    Returns what :func:`_step_range` returns, for the whole batch."""
    n = actions.shape[0]
    bad = _bad_action(tb, actions, 0, n)
    if bad >= 0:
        return -1 - bad
    attention = 0
    for c in prange(chunks):
        attention += _step_range(tb, st, actions, (c * n) // chunks, ((c + 1) * n) // chunks, max_steps,
                                 obs_kind, sym, rgb, reward)
    return attention


@njit(parallel=True, cache=True)
def reset_batch(tb, st, idx, offsets, types, xs, ys, widths, heights, seeds, chunks):
    """Reset environments ``idx[k]`` to plan ``k`` (``offsets[k]:offsets[k+1]`` of the packed plans)."""
    n = idx.shape[0]
    for c in prange(chunks):
        _reset_range(tb, st, idx, offsets, types, xs, ys, widths, heights, seeds, (c * n) // chunks,
                     ((c + 1) * n) // chunks)


@njit(parallel=True, cache=True)
def observe_batch(tb, st, idx, obs_kind, sym, rgb, chunks):
    """Write the observations of environments ``idx`` into ``sym`` / ``rgb``."""
    n = idx.shape[0]
    for c in prange(chunks):
        _observe_range(tb, st, idx, (c * n) // chunks, ((c + 1) * n) // chunks, obs_kind, sym, rgb)
