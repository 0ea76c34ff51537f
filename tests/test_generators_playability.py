"""The grid-level playability checks and the bit-board search under them, on tiny hand-made levels."""

from __future__ import annotations

import numpy as np
import pytest

from ppcg.generators.playability import (
    Board,
    bit_indices,
    check_level_text,
    distance,
    flood,
    layers,
    pick_bit,
)


def rows(text: str) -> list[str]:
    return text.strip().split()


def test_bits_never_wrap_between_rows():
    board = Board("A..w\n...w\nww.B\n")
    assert board.stride == 5 and board.width == 4 and board.height == 3
    assert board.mask("A") == 1 and board.mask("B") == 1 << (2 * 5 + 3)
    passable = board.mask("A.B")
    # (0, 2) and (1, 0) are neighbours in the flat text only through the separator column: no path that way.
    assert flood(board.mask("A"), passable, board.stride) == board.mask("A.") | board.mask("B")
    assert distance(board.mask("A"), board.mask("B"), passable, board.stride) == 5
    assert [m.bit_count() for m in layers(board.mask("A"), passable, board.stride)] == [1, 2, 2, 1, 1, 1]


def test_distance_unreachable_and_bit_helpers():
    board = Board("Aw.\n")
    assert distance(board.mask("A"), board.mask("."), board.mask("A."), board.stride) == -1
    assert bit_indices(0b101001).tolist() == [0, 3, 5]
    assert bit_indices(0).tolist() == []
    assert pick_bit(0b101001, 0.0) == 0 and pick_bit(0b101001, 0.99) == 5 and pick_bit(0, 0.5) == -1


ZELDA_OK = """
wwwwwww wA..w+w w...w.w w.....w wg..1.w wwwwwww
"""


@pytest.mark.parametrize(
    "level, reason",
    [
        (ZELDA_OK, None),
        (ZELDA_OK.replace("w.....w", "w...www"), "no key is reachable"),  # the key walled in
        (ZELDA_OK.replace("+", "."), "no key"),
        (ZELDA_OK.replace("wg..1.w", "w...1.w"), "no door"),
        (ZELDA_OK.replace("wA..", "wAA."), "2 avatars"),
        # The door blocks the way to the key until the key is held.
        ("wwwwww\nwA.g+w\nwwwwww", "no key is reachable"),
        # Monsters do not block (they move, and the sword kills them).
        ("wwwwwww\nwA.1.+w\nwg....w\nwwwwwww", None),
    ],
)
def test_zelda_check(level, reason):
    got = check_level_text("zelda", rows(level))
    assert got is None if reason is None else reason in got


@pytest.mark.parametrize(
    "level, reason",
    [
        ("w2...w\nw+b++w\nw+A+pw\nw...1w", None),
        ("w2...w\nw++++w\nw+A++w\nw...1w", "no pills"),
        ("w2...w\nw+bw+w\nwwww+w\nw+A+pw\nw...1w", "1 pills are not reachable"),
        ("w2...w\nw+bA+w\nw+A+pw\nw...1w", "2 avatars"),
    ],
)
def test_solarfox_check(level, reason):
    got = check_level_text("solarfox", rows(level))
    assert got is None if reason is None else reason in got


FROGS_OK = """
wwwgwww w+++++w 0==0001 .--..x. w++A++w wwwwwww
"""


@pytest.mark.parametrize(
    "level, reason",
    [
        (FROGS_OK, None),
        (FROGS_OK.replace("0==0001", "0==0000"), "not reachable"),  # a river no log will ever cross
        (FROGS_OK.replace("0==0001", "0==0004"), None),  # a quiet source, sitting on a log
        (FROGS_OK.replace("0==0001", "wwwwwww"), "not reachable"),
        (FROGS_OK.replace("wwwgwww", "wwwwwww"), "no goal"),
        (FROGS_OK.replace("w++A++w", "w+++++w"), "0 avatars"),
        (FROGS_OK.replace("w++A++w", "w+++++w").replace("0==0001", "0=B0001"), None),  # starts on a log
    ],
)
def test_frogs_check(level, reason):
    got = check_level_text("frogs", rows(level))
    assert got is None if reason is None else reason in got


BOULDER_OK = """
wwwwwwwwwwwww wA..xxxxxxxxw w.........xew wwwwwwwwwwwww
"""


@pytest.mark.parametrize(
    "level, reason",
    [
        (BOULDER_OK, None),
        (BOULDER_OK.replace("w.........xew", "w.........x.w"), "no exit"),
        (BOULDER_OK.replace("wA..xxxxxxxxw", "wA..xxxxxxx.w"), "only 8 gems"),  # nine are needed
        (BOULDER_OK.replace("w.........xew", "wo........xew"), None),  # a rock beside the path
        (BOULDER_OK.replace("wA..", "wAo."), "only 0 gems"),  # the only way on passes under the rock
        (BOULDER_OK.replace("wA..", "wAwo").replace("w...", "w.w."), "only 0 gems"),  # rock and wall block
        # The cell under a rock is never used: a rock above the only way in blocks it.
        ("wwwwwww\nwwwowww\nwA..xew\nwwwwwww", "only 0 gems"),
        (BOULDER_OK.replace("wA..", "wAc.").replace("w....", "wc..."), "only 0 gems"),  # critters block
        (BOULDER_OK.replace("wA..", "wA-."), None),  # open cave is passable
    ],
)
def test_boulderdash_check(level, reason):
    got = check_level_text("boulderdash", rows(level))
    assert got is None if reason is None else reason in got


def test_gvgai_levels_pass_our_checks(corpus_dir):
    """GVGAI's own human levels are playable by our checks (a check that rejected them would be wrong)."""
    for game in ("zelda", "solarfox", "frogs", "boulderdash"):
        for i in range(5):
            lines = (corpus_dir / f"{game}_lvl{i}.txt").read_text().splitlines()
            width = len(lines[0])
            grid = [line[:width].ljust(width) for line in lines]
            assert check_level_text(game, grid) is None, (game, i)


def test_pick_bit_is_uniform_enough():
    rng = np.random.default_rng(0)
    m = 0b1111 << 10
    counts = np.bincount([pick_bit(m, u) - 10 for u in rng.random(4000)], minlength=4)
    assert counts.min() > 900
