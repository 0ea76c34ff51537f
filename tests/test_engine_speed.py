"""A sprite's own speed (GVGAI's ``VGDLSprite.speed``, set by the speed effects) is kept bit-exact in two int32
fields: GVGAI's steps depend on the last bit (0.9 - 3 * 0.2 moves 2 px, not 3)."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

from ppcg.engine import kernel as K
from ppcg.engine import layout as L

St = namedtuple("St", "si")
Tb = namedtuple("Tb", "tf")


@pytest.mark.parametrize("v", [0.0, 0.1, 0.25, 0.9 - 0.2 - 0.2 - 0.2, 1.0 / 3.0, 7.5, 1e-30, -0.5, 123.456])
def test_speed_round_trips_bit_exact(v):
    st = St(np.zeros((1, 2, L.NSI), np.int32))
    tb = Tb(np.full((1, 2), 0.7, np.float64))
    st.si[0, 1, L.SI_PPXO] = -1
    assert K._speed_of(tb, st, 0, 1) == 0.7
    K._set_speed(st, 0, 1, v)
    assert K._speed_of(tb, st, 0, 1) == v
    assert st.si[0, 1, L.SI_PPXO] == max(0, int(v * L.BLOCK))


def test_passive_step_is_computed_in_doubles():
    st = St(np.zeros((1, 1, L.NSI), np.int32))
    K._set_speed(st, 0, 0, 0.9 - 0.2 - 0.2 - 0.2)  # 0.29999999999999993
    assert st.si[0, 0, L.SI_PPXO] == 2
