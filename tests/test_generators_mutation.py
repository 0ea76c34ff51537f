"""Level mutation for the four paper games: children differ, stay playable, keep the size and the generator's
invariants, and repeat from their seed."""

from __future__ import annotations

import numpy as np
import pytest

from ppcg.generators import GENERATORS, get_generator, mutate
from ppcg.generators.base import Uniforms
from ppcg.generators.mutation import EDITS, INVARIANTS, Edit, mutate_grid
from ppcg.generators.playability import Board, check_level_text

NAMES = sorted(GENERATORS)


@pytest.mark.parametrize("name", NAMES)
def test_children_are_playable_edits_of_their_parent(name):
    gen = get_generator(name)
    changed = 0
    for s in range(150):
        parent = gen.generate((s % 11) / 10, np.random.default_rng(s))
        child = mutate(gen, parent, np.random.default_rng(10_000 + s), 3)
        assert (child.width, child.height) == (parent.width, parent.height)
        assert check_level_text(name, child.rows) is None
        extra = INVARIANTS.get(name)
        assert extra is None or extra(Board.from_rows(child.rows)) is None
        edited = sum(
            a != b
            for ra, rb in zip(parent.rows, child.rows, strict=True)
            for a, b in zip(ra, rb, strict=True)
        )
        changed += child != parent
        # the border never changes, and a child is at most a few edits away (a swap edits two cells)
        assert child.rows[0] == parent.rows[0] and child.rows[-1] == parent.rows[-1]
        assert edited <= 2 * 3
    assert changed >= 145


@pytest.mark.parametrize("name", NAMES)
def test_mutation_repeats_from_its_seed(name):
    gen = get_generator(name)
    parent = gen.generate(0.7, np.random.default_rng(3))
    a = [mutate(gen, parent, np.random.default_rng(s), 5) for s in range(20)]
    b = [mutate(gen, parent, np.random.default_rng(s), 5) for s in range(20)]
    assert a == b
    assert len({c.rows for c in a}) > 10


def test_zelda_edits_do_what_they_say():
    rows = ("wwwww", "wA.+w", "w.g.w", "wwwww")
    u = Uniforms(np.random.default_rng(0))
    EDITS["test"] = (Edit("swap", "+", ".", "move the key"),)
    try:
        out = mutate_grid("test", rows, u, 1)
    finally:
        del EDITS["test"]
    assert "".join(out).count("+") == 1 and out != list(rows)
    assert [r.replace("+", ".") for r in out] == [r.replace("+", ".") for r in rows]


def test_frogs_edits_keep_each_lane_one_kind():
    gen = get_generator("frogs")
    for s in range(50):
        parent = gen.generate(1.0, np.random.default_rng(s))
        child = mutate(gen, parent, np.random.default_rng(s), 10)
        for pr, cr in zip(parent.rows, child.rows, strict=True):
            road = set("-x_l.")
            river = set("0=1234")
            assert bool(set(pr) & road) == bool(set(cr) & road)
            assert bool(set(pr) & river - {"0"}) == bool(set(cr) & river - {"0"})
            # cars keep their lane's direction
            assert not ({"-", "x"} & set(cr) and {"_", "l"} & set(cr)) or (
                {"-", "x"} & set(pr) and {"_", "l"} & set(pr)
            )


def test_bad_edit_counts_are_rejected():
    gen = get_generator("zelda")
    level = gen.generate(0.5, np.random.default_rng(0))
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="n_edits"):
            mutate(gen, level, np.random.default_rng(0), bad)
