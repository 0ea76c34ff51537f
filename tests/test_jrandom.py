"""``ppcg.engine.jrandom`` against numbers produced by ``java.util.Random`` itself (OpenJDK 17).

``tests/data/jrandom_java17.json`` was written by a throwaway Java program: for each seed, a fresh ``Random``
per method (``nextInt()``, ``nextLong()``, ``nextFloat()``, ``nextDouble()``, ``nextBoolean()``,
``nextInt(bound)`` for powers of two, small bounds and bounds just above 2**30 where Java's rejection loop
redraws about half the time), plus one mixed sequence per seed. Floats are Java's ``toString`` text and are
compared after rounding to float32.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numba
import numpy as np
import pytest

from ppcg.engine.jrandom import (
    MASK48,
    JavaRandom,
    jr_next,
    jr_next_bool,
    jr_next_double,
    jr_next_float,
    jr_next_int,
    jr_next_int32,
    jr_next_long,
    jr_scramble,
    jr_seed,
    new_states,
)

REF = json.loads((Path(__file__).parent / "data" / "jrandom_java17.json").read_text())
CASES = REF["cases"]
IDS = [c["seed"] for c in CASES]


# --- compiled drivers: draw a whole sequence inside numba, the way a kernel would ---------------------------


@numba.njit(cache=True)
def _draw_ints(seed, n):
    st = np.zeros(1, np.int64)
    jr_seed(st, seed)
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = jr_next_int32(st)
    return out


@numba.njit(cache=True)
def _draw_bounded(seed, bound, n):
    st = np.zeros(1, np.int64)
    jr_seed(st, seed)
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = jr_next_int(st, bound)
    return out


@numba.njit(cache=True)
def _draw_floats(seed, n, double):
    st = np.zeros(1, np.int64)
    jr_seed(st, seed)
    out = np.empty(n, np.float64)
    for i in range(n):
        out[i] = jr_next_double(st) if double else jr_next_float(st)
    return out


@numba.njit(cache=True)
def _draw_bools(seed, n):
    st = np.zeros(1, np.int64)
    jr_seed(st, seed)
    out = np.empty(n, np.bool_)
    for i in range(n):
        out[i] = jr_next_bool(st)
    return out


@numba.njit(cache=True)
def _draw_longs(seed, n):
    st = np.zeros(1, np.int64)
    jr_seed(st, seed)
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = jr_next_long(st)
    return out


@numba.njit(cache=True)
def _draw_batch_rows(states, bound, n):
    """Each row of an (N, 1) state array is an independent stream, as in a batch kernel."""
    out = np.empty((states.shape[0], n), np.int64)
    for i in numba.prange(states.shape[0]):
        for k in range(n):
            out[i, k] = jr_next_int(states[i], bound)
    return out


@numba.njit(cache=True)
def _scramble(seed):
    return jr_scramble(seed)


def _f32(text: str) -> np.float32:
    return np.float32(float(text))


# --- the headline facts -------------------------------------------------------------------------------------


def test_known_values_python():
    assert JavaRandom(0).nextInt() == -1155484576
    assert JavaRandom(42).nextInt(10) == 0
    assert JavaRandom(0).nextDouble() == 0.730967787376657
    assert JavaRandom(1000).nextInt(6) == 1  # zelda's first action index in the traces of seed 0


def test_known_values_compiled():
    assert _draw_ints(0, 1)[0] == -1155484576
    assert _draw_bounded(42, 10, 1)[0] == 0
    assert _draw_floats(0, 1, True)[0] == 0.730967787376657


# --- every method, every seed, both implementations ---------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_next_int_unbounded(case):
    seed = int(case["seed"])
    r = JavaRandom(seed)
    assert [r.nextInt() for _ in case["nextInt"]] == case["nextInt"]
    assert _draw_ints(seed, len(case["nextInt"])).tolist() == case["nextInt"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_next_int_bounded(case):
    seed = int(case["seed"])
    for bound_text, expected in case["nextIntBound"].items():
        bound = int(bound_text)
        r = JavaRandom(seed)
        assert [r.nextInt(bound) for _ in expected] == expected, bound
        assert _draw_bounded(seed, bound, len(expected)).tolist() == expected, bound


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_next_float_and_double(case):
    seed = int(case["seed"])
    r = JavaRandom(seed)
    floats = [r.nextFloat() for _ in case["nextFloat"]]
    assert [np.float32(f) for f in floats] == [_f32(t) for t in case["nextFloat"]]
    assert all(float(np.float32(f)) == f for f in floats)  # exactly a float32 value
    assert [np.float32(f) for f in _draw_floats(seed, len(floats), False)] == [
        _f32(t) for t in case["nextFloat"]
    ]
    r = JavaRandom(seed)
    assert [r.nextDouble() for _ in case["nextDouble"]] == [float(t) for t in case["nextDouble"]]
    assert _draw_floats(seed, len(case["nextDouble"]), True).tolist() == [
        float(t) for t in case["nextDouble"]
    ]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_next_bool_and_long(case):
    seed = int(case["seed"])
    r = JavaRandom(seed)
    assert [r.nextBoolean() for _ in case["nextBoolean"]] == case["nextBoolean"]
    assert _draw_bools(seed, len(case["nextBoolean"])).tolist() == case["nextBoolean"]
    longs = [int(t) for t in case["nextLong"]]
    r = JavaRandom(seed)
    assert [r.nextLong() for _ in longs] == longs
    assert _draw_longs(seed, len(longs)).tolist() == longs


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_mixed_sequence_python(case):
    r = JavaRandom(int(case["seed"]))
    for i, text in enumerate(case["mixed"]):
        k = i % 5
        if k == 0:
            assert r.nextInt(4) == int(text)
        elif k == 1:
            assert np.float32(r.nextFloat()) == _f32(text)
        elif k == 2:
            assert r.nextDouble() == float(text)
        elif k == 3:
            assert r.nextInt(1000000007) == int(text)
        else:
            assert r.nextInt() == int(text)


def test_scramble_and_state_range():
    for seed in (0, 1, -1, 2**63 - 1, -(2**63)):
        expected = (seed ^ 0x5DEECE66D) & MASK48
        assert JavaRandom(seed).seed == expected
        assert _scramble(seed) == expected
        assert new_states([seed])[0, 0] == expected
    st = np.zeros(1, np.int64)
    jr_seed(st, -1)
    for _ in range(1000):
        jr_next(st, 31)
        assert 0 <= st[0] <= MASK48


def test_batch_rows_are_independent_streams():
    seeds = [0, 1, 42, 1000, 0]
    states = new_states(seeds)
    got = _draw_batch_rows(states, 7, 20)
    for row, seed in zip(got, seeds, strict=True):
        r = JavaRandom(seed)
        assert row.tolist() == [r.nextInt(7) for _ in range(20)]
    assert got[0].tolist() == got[4].tolist()
    assert got[0].tolist() != got[1].tolist()


def test_bad_arguments():
    with pytest.raises(ValueError):
        JavaRandom(0).nextInt(0)
    with pytest.raises(ValueError):
        JavaRandom(0).next(33)


# --- the action sequences of GVGAI's own traces -------------------------------------------------------------

_ACTION = re.compile(rb'"action":(\d+)')


def test_trace_actions_are_java_random(traces_dir):
    """Every trace's per-tick ``action`` is ``Random(1000 + S).nextInt(len(actions))`` (README)."""
    files = sorted(traces_dir.glob("*/*.jsonl"))
    assert len(files) == 760
    for path in files:
        with path.open("rb") as fh:
            header = json.loads(fh.readline())
            fh.readline()  # tick 0 carries no action
            drawn = [int(m.group(1)) for line in fh for m in [_ACTION.search(line)]]
        assert header["action_seed"] == 1000 + header["game_seed"]
        r = JavaRandom(header["action_seed"])
        n = len(header["actions"])
        assert drawn == [r.nextInt(n) for _ in drawn], path.name
