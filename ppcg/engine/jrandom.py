"""``java.util.Random``, bit for bit, usable inside numba kernels.

GVGAI draws every random decision of a game from one ``java.util.Random``; reproducing its trajectories tick
by tick needs the same generator drawn in the same order. The generator is a 48-bit linear congruential
generator (Knuth, TAOCP vol. 2, 3.2.1) with multiplier ``0x5DEECE66D`` and increment ``0xB``, seeded by
XOR-scrambling the user seed with the multiplier; each method takes the high bits of the new state.

Two forms share one set of arithmetic:

* compiled functions over a state held in a numpy ``int64`` array, e.g. ``state = np.zeros(1, np.int64)`` for
  one stream, or ``rng = np.zeros((N, 1), np.int64)`` with ``rng[i]`` as environment ``i``'s stream.
  ``state[0]`` is the 48-bit LCG state (always in ``[0, 2**48)``):

  >>> state = np.zeros(1, np.int64)
  >>> jr_seed(state, 0)
  >>> int(jr_next_int32(state))
  -1155484576

* ``JavaRandom``, a pure-Python class with Java's method names, for tests and tools:

  >>> r = JavaRandom(42)
  >>> r.nextInt(10)
  0

Java's ``int`` is signed 32-bit: ``next(32)`` and ``nextInt()`` return values in ``[-2**31, 2**31)``; the
other methods return non-negative values. ``nextFloat`` is returned as a Python/numba float64 holding the
exact float32 value (``k / 2**24``), which compares with a double exactly as Java's promotion does.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "MULTIPLIER",
    "ADDEND",
    "MASK48",
    "JavaRandom",
    "jr_scramble",
    "jr_seed",
    "jr_advance",
    "jr_next",
    "jr_next_int32",
    "jr_next_int",
    "jr_next_float",
    "jr_next_double",
    "jr_next_bool",
    "jr_next_long",
    "new_states",
]

MULTIPLIER = 0x5DEECE66D
ADDEND = 0xB
MASK48 = (1 << 48) - 1
_MASK24 = (1 << 24) - 1
_INT32_MAX = (1 << 31) - 1


@numba.njit(cache=True)
def jr_scramble(seed: int) -> int:
    """The initial LCG state for ``new Random(seed)``: ``(seed ^ 0x5DEECE66D) & (2**48 - 1)``."""
    return (np.int64(seed) ^ np.int64(MULTIPLIER)) & np.int64(MASK48)


@numba.njit(cache=True)
def jr_seed(state: np.ndarray, seed: int) -> None:
    """Set ``state`` (an int64 array, state in element 0) as ``new java.util.Random(seed)`` would."""
    state[0] = (np.int64(seed) ^ np.int64(MULTIPLIER)) & np.int64(MASK48)


@numba.njit(cache=True)
def jr_advance(s: int) -> int:
    """One LCG step on a 48-bit state, ``(s * 0x5DEECE66D + 0xB) mod 2**48``, without int64 overflow.

    The state is split into 24-bit halves so that every partial product stays below 2**60.
    """
    s = np.int64(s)
    lo = s & np.int64(_MASK24)
    hi = s >> np.int64(24)
    hi_part = ((hi * np.int64(MULTIPLIER)) & np.int64(_MASK24)) << np.int64(24)
    return (hi_part + lo * np.int64(MULTIPLIER) + np.int64(ADDEND)) & np.int64(MASK48)


@numba.njit(cache=True)
def jr_next(state: np.ndarray, bits: int) -> int:
    """Java's ``next(bits)`` for ``1 <= bits <= 31``: advance the state, return its top ``bits`` bits (>= 0).

    For ``bits == 32`` use ``jr_next_int32``, which applies Java's signed conversion.
    """
    s = jr_advance(state[0])
    state[0] = s
    return s >> np.int64(48 - bits)


@numba.njit(cache=True)
def jr_next_int32(state: np.ndarray) -> int:
    """Java's ``nextInt()`` (= ``next(32)``): a signed 32-bit value in ``[-2**31, 2**31)``."""
    s = jr_advance(state[0])
    state[0] = s
    r = s >> np.int64(16)
    if r > np.int64(_INT32_MAX):
        r -= np.int64(1) << np.int64(32)
    return r


@numba.njit(cache=True)
def jr_next_int(state: np.ndarray, bound: int) -> int:
    """Java's ``nextInt(bound)``: uniform in ``[0, bound)``; ``bound`` must be positive (not checked here).

    Powers of two take the high bits (``(bound * next(31)) >> 31``); other bounds use Java's rejection loop,
    which redraws while ``u - u % bound + (bound - 1)`` overflows a signed 32-bit int.
    """
    bound = np.int64(bound)
    r = jr_next(state, 31)
    m = bound - np.int64(1)
    if (bound & m) == 0:
        return (bound * r) >> np.int64(31)
    u = r
    r = u % bound
    while u - r + m > np.int64(_INT32_MAX):
        u = jr_next(state, 31)
        r = u % bound
    return r


@numba.njit(cache=True)
def jr_next_float(state: np.ndarray) -> float:
    """Java's ``nextFloat()``: ``next(24) / 2**24`` in ``[0, 1)`` (a float32 value, returned as float64)."""
    return jr_next(state, 24) / 16777216.0


@numba.njit(cache=True)
def jr_next_double(state: np.ndarray) -> float:
    """Java's ``nextDouble()``: ``((next(26) << 27) + next(27)) * 2**-53`` in ``[0, 1)``."""
    hi = jr_next(state, 26)
    lo = jr_next(state, 27)
    return ((hi << np.int64(27)) + lo) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True)
def jr_next_bool(state: np.ndarray) -> bool:
    """Java's ``nextBoolean()``: ``next(1) != 0``."""
    return jr_next(state, 1) != 0


@numba.njit(cache=True)
def jr_next_long(state: np.ndarray) -> int:
    """Java's ``nextLong()``: ``((long) next(32) << 32) + next(32)``, wrapping like a Java long."""
    hi = jr_next_int32(state)
    lo = jr_next_int32(state)
    # (hi << 32) + lo in two's complement: compute on uint64 bits, then reinterpret.
    bits = (np.uint64(hi & np.int64(0xFFFFFFFF)) << np.uint64(32)) + np.uint64(lo & np.int64(0xFFFFFFFF))
    bits = bits - np.uint64(np.uint64(lo < 0) << np.uint64(32))
    return np.int64(bits)


def new_states(seeds) -> np.ndarray:
    """An ``(N, 1)`` int64 array of streams, row ``k`` seeded as ``new Random(seeds[k])``."""
    seeds = np.asarray(seeds, dtype=np.int64).reshape(-1)
    out = np.empty((seeds.shape[0], 1), dtype=np.int64)
    out[:, 0] = (seeds ^ np.int64(MULTIPLIER)) & np.int64(MASK48)
    return out


def _to_int32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def _to_int64(v: int) -> int:
    v &= 0xFFFFFFFFFFFFFFFF
    return v - (1 << 64) if v >= 1 << 63 else v


class JavaRandom:
    """A pure-Python ``java.util.Random`` with Java's method names (for tests and tools, not for kernels).

    Args:
        seed: the seed, as ``new Random(seed)`` takes it (a Java long; wider values are truncated to 64 bits).

    Attributes:
        seed: the current 48-bit LCG state.
    """

    def __init__(self, seed: int) -> None:
        self.seed = (_to_int64(seed) ^ MULTIPLIER) & MASK48

    def setSeed(self, seed: int) -> None:  # noqa: N802 - Java's name
        """Reseed as ``new Random(seed)`` would."""
        self.seed = (_to_int64(seed) ^ MULTIPLIER) & MASK48

    def next(self, bits: int) -> int:
        """``next(bits)``, 1 <= bits <= 32, as a Java int (signed when bits == 32)."""
        if not 1 <= bits <= 32:
            raise ValueError(f"bits must be in 1..32, got {bits}")
        self.seed = (self.seed * MULTIPLIER + ADDEND) & MASK48
        return _to_int32(self.seed >> (48 - bits))

    def nextInt(self, bound: int | None = None) -> int:  # noqa: N802
        """``nextInt()`` (signed 32-bit) or ``nextInt(bound)`` (uniform in ``[0, bound)``)."""
        if bound is None:
            return self.next(32)
        if bound <= 0 or bound > _INT32_MAX:
            raise ValueError(f"bound must be a positive Java int, got {bound}")
        r = self.next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        r = u % bound
        while u - r + m > _INT32_MAX:
            u = self.next(31)
            r = u % bound
        return r

    def nextLong(self) -> int:  # noqa: N802
        """``nextLong()``: a signed 64-bit value."""
        return _to_int64((self.next(32) << 32) + self.next(32))

    def nextBoolean(self) -> bool:  # noqa: N802
        """``nextBoolean()``."""
        return self.next(1) != 0

    def nextFloat(self) -> float:  # noqa: N802
        """``nextFloat()`` in ``[0, 1)``: an exact float32 value, as a Python float."""
        return self.next(24) / float(1 << 24)

    def nextDouble(self) -> float:  # noqa: N802
        """``nextDouble()`` in ``[0, 1)``."""
        return ((self.next(26) << 27) + self.next(27)) * (1.0 / (1 << 53))

    # snake_case aliases matching the compiled functions.
    next_int = nextInt
    next_float = nextFloat
    next_double = nextDouble
    next_bool = nextBoolean
    next_long = nextLong
