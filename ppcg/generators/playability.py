"""Grid-level playability checks, on bit boards.

A level's text (rows joined by ``\\n``, with a final ``\\n``) is read as one Python integer per kind of cell:
bit ``r * (width + 1) + c`` stands for cell (row ``r``, column ``c``), and the ``\\n`` column is never set, so
shifting by one never wraps from one row into the next. A breadth-first search is then a handful of shifts and
``&``/``|`` per step over the whole grid at once, fast enough to check every generated level.

The per-game checks (:data:`CHECKS`) say whether the goal can be reached on the grid; they ignore timing
(monsters, cars and logs move), so they are necessary conditions, made conservative where the rules are
lethal (Boulderdash: the cell under a rock is never used, so no rock falls on the planned route).

>>> text = "wwwww\\nwA.gw\\nwwwww\\n"
>>> board = Board(text)
>>> distance(board.mask("A"), board.mask("g"), board.mask("A.g"), board.stride)
2
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

__all__ = [
    "Board",
    "CHECKS",
    "bit_indices",
    "bit_list",
    "check_level_text",
    "distance",
    "expand",
    "flood",
    "layers",
    "pick_bit",
    "pick_many",
]


@lru_cache(maxsize=256)
def _table(chars: str) -> bytes:
    """A ``bytes.translate`` table: the bytes of ``chars`` to ``'1'``, every other byte to ``'0'``."""
    table = bytearray(b"0" * 256)
    for ch in chars.encode("latin-1"):
        table[ch] = ord("1")
    return bytes(table)


class Board:
    """A level's text with a separator column, read as bit masks.

    Args:
        text: the rows joined by ``\\n``, ending with ``\\n`` (or a bytes/bytearray of that).
    """

    __slots__ = ("text", "width", "height", "stride")

    def __init__(self, text: str | bytes | bytearray) -> None:
        data = text.encode("latin-1") if isinstance(text, str) else bytes(text)
        if not data.endswith(b"\n"):
            data += b"\n"
        self.text = data
        self.stride = data.index(b"\n") + 1
        self.width = self.stride - 1
        self.height = len(data) // self.stride

    @classmethod
    def from_rows(cls, rows: tuple[str, ...] | list[str]) -> Board:
        return cls("\n".join(rows) + "\n")

    def mask(self, chars: str) -> int:
        """The cells holding any of ``chars``."""
        return int(self.text.translate(_table(chars))[::-1], 2)

    def count(self, chars: str) -> int:
        return sum(self.text.count(ch.encode("latin-1")) for ch in chars)

    def row_mask(self, row: int) -> int:
        """Every cell of ``row`` (the separator excluded)."""
        return ((1 << self.width) - 1) << (row * self.stride)


def expand(m: int, stride: int) -> int:
    """``m`` and its four neighbours (callers mask the result with what is passable)."""
    return m | (m << 1) | (m >> 1) | (m << stride) | (m >> stride)


def flood(seed: int, passable: int, stride: int) -> int:
    """Every cell of ``passable`` connected to ``seed`` (4-neighbourhood), ``seed`` included."""
    reach = seed
    while True:
        nxt = expand(reach, stride) & passable | seed
        if nxt == reach:
            return reach
        reach = nxt


def layers(seed: int, passable: int, stride: int) -> list[int]:
    """Breadth-first layers from ``seed``: ``out[k]`` holds the cells at distance exactly ``k``."""
    out = [seed]
    reach = seed
    frontier = seed
    while frontier:
        nxt = expand(frontier, stride) & passable & ~reach
        if not nxt:
            break
        out.append(nxt)
        reach |= nxt
        frontier = nxt
    return out


def distance(seed: int, target: int, passable: int, stride: int) -> int:
    """Steps from ``seed`` to the nearest cell of ``target`` (which need not be passable), or -1."""
    reach = seed
    steps = 0
    open_ = passable | target
    while not reach & target:
        nxt = expand(reach, stride) & open_ | reach
        if nxt == reach:
            return -1
        reach = nxt
        steps += 1
    return steps


def bit_indices(m: int) -> np.ndarray:
    """The indices of the set bits of ``m``, ascending (int64)."""
    if not m:
        return np.zeros(0, dtype=np.int64)
    s = bin(m)[:1:-1].encode("ascii")
    return np.flatnonzero(np.frombuffer(s, dtype=np.uint8) == 49)


def bit_list(m: int) -> list[int]:
    """The indices of the set bits of ``m``, ascending, as a list (fast for sparse masks)."""
    if m.bit_count() > 32:
        return bit_indices(m).tolist()
    out = []
    while m:
        low = m & -m
        out.append(low.bit_length() - 1)
        m ^= low
    return out


def pick_bit(m: int, u: float) -> int:
    """The set bit of ``m`` chosen by a uniform draw ``u`` in [0, 1) (-1 if ``m`` is empty)."""
    n = m.bit_count()
    if not n:
        return -1
    k = min(int(u * n), n - 1)
    if n > 32:
        return int(bit_indices(m)[k])
    for _ in range(k):
        m &= m - 1
    return (m & -m).bit_length() - 1


def pick_many(m: int, n: int, rng: np.random.Generator) -> list[int]:
    """Up to ``n`` distinct set bits of ``m``, in random order."""
    idx = bit_indices(m)
    order = rng.permutation(len(idx))
    return idx[order[:n]].tolist()


# ------------------------------------------------------------------------------------------------------------
# Per-game checks. Each takes a Board and returns None when the level is playable, or the reason it is not.


def _one_avatar(board: Board, chars: str) -> str | None:
    n = board.count(chars)
    return None if n == 1 else f"{n} avatars (expected exactly one)"


def check_zelda(board: Board) -> str | None:
    """The hero reaches a key without passing the (closed) door, then every door."""
    bad = _one_avatar(board, "A")
    if bad:
        return bad
    stride = board.stride
    keys, doors = board.mask("+"), board.mask("g")
    if not keys:
        return "no key"
    if not doors:
        return "no door"
    # Monsters move and can be slain, so their cells are passable; the door is solid without the key.
    floor = board.mask(".A+123")
    reach = flood(board.mask("A"), floor, stride)
    if not reach & keys:
        return "no key is reachable from the avatar"
    with_key = flood(reach & keys, floor | doors, stride)
    if with_key & doors != doors:
        return "a door is not reachable from the key"
    return None


def check_solarfox(board: Board) -> str | None:
    """Every pill and power pill is reachable from the ship without touching a wall or a guards' lane."""
    bad = _one_avatar(board, "A")
    if bad:
        return bad
    pills = board.mask("bp")
    if not pills:
        return "no pills (the game would be won at once)"
    reach = flood(board.mask("A"), board.mask("+Abp"), board.stride)
    if reach & pills != pills:
        return f"{(pills & ~reach).bit_count()} pills are not reachable"
    return None


_FROGS_WATER = "0=1234B"
_FROGS_SOURCES = "1234"


def check_frogs(board: Board) -> str | None:
    """The frog reaches the goal over grass, road, and rivers that logs cross (rows with a log source)."""
    bad = _one_avatar(board, "AB")
    if bad:
        return bad
    goals = board.mask("g")
    if not goals:
        return "no goal"
    passable = board.mask("+A.-x_l")
    water = board.mask(_FROGS_WATER)
    sources = board.mask(_FROGS_SOURCES)
    for r in range(board.height):
        row = board.row_mask(r)
        if sources & row:
            passable |= water & row
    start = board.mask("AB")
    reach = flood(start, passable | goals, board.stride)
    if not reach & goals:
        return "the goal is not reachable"
    return None


def boulderdash_passable(board: Board) -> int:
    """Cells the miner may use: earth, open cave, gems, the exit, the start; never one right under a rock."""
    rocks = board.mask("o")
    return board.mask(".-xeA") & ~(rocks << board.stride)


def check_boulderdash(board: Board, gems_needed: int = 9) -> str | None:
    """The miner reaches nine gems and every exit.

    It digs through earth and avoids rocks, critters and the cells right under rocks (so no rock falls on it).
    """
    bad = _one_avatar(board, "A")
    if bad:
        return bad
    exits = board.mask("e")
    if not exits:
        return "no exit"
    reach = flood(board.mask("A"), boulderdash_passable(board), board.stride)
    gems = (reach & board.mask("x")).bit_count()
    if gems < gems_needed:
        return f"only {gems} gems are reachable (need {gems_needed})"
    if reach & exits != exits:
        return "the exit is not reachable"
    return None


# game name -> check. One entry a line.
CHECKS: dict[str, Callable[[Board], str | None]] = {
    "zelda": check_zelda,
    "solarfox": check_solarfox,
    "frogs": check_frogs,
    "boulderdash": check_boulderdash,
}


def check_level_text(game: str, rows: tuple[str, ...] | list[str]) -> str | None:
    """Run ``game``'s grid check on a level's rows: None when playable, else the reason.

    Raises:
        KeyError: no check for ``game``.
    """
    return CHECKS[game](Board.from_rows(rows))
