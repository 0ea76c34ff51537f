"""Level generators: the contract, determinism, playability and difficulty, over 1,000 seeds per generator."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ppcg.generators import (
    GENERATORS,
    GenerationError,
    Generator,
    GridGenerator,
    check_difficulty,
    get_generator,
    level_for_seed,
)
from ppcg.generators.playability import check_level_text
from ppcg.vgdl import Level, load_game

NAMES = sorted(GENERATORS)
SIZES = {"zelda": (13, 9), "solarfox": (10, 11), "frogs": (28, 11), "boulderdash": (26, 13)}
SEEDS = 1000


def difficulty_of(seed: int) -> float:
    """The difficulty the 1,000-seed tests use for ``seed``: 21 steps over [0, 1]."""
    return (seed % 21) / 20


@pytest.fixture(scope="module", params=NAMES)
def batch(request):
    """(name, generator, levels) with the level of every seed 0..999 at ``difficulty_of(seed)``."""
    gen = get_generator(request.param)
    levels = [gen.generate(difficulty_of(s), np.random.default_rng(s)) for s in range(SEEDS)]
    return request.param, gen, levels


def test_registry_and_protocol():
    assert NAMES == ["boulderdash", "frogs", "solarfox", "zelda"]
    for name in NAMES:
        gen = get_generator(name)
        assert isinstance(gen, Generator)
        assert gen.name == name and gen.game == name
        assert (gen.width, gen.height) == SIZES[name]
        assert gen.increasing and set(gen.increasing) <= set(gen.stats(level_for_seed(gen, 0.5, 0)))
    with pytest.raises(KeyError, match="registered: zelda"):
        get_generator("zeldaa")


@pytest.mark.parametrize("bad", [-0.01, 1.01, math.nan, math.inf, "0.5", None, True])
def test_difficulty_outside_unit_interval_is_rejected(bad):
    with pytest.raises(ValueError, match=r"difficulty must be"):
        check_difficulty(bad)
    with pytest.raises(ValueError, match=r"difficulty must be"):
        get_generator("zelda").generate(bad, np.random.default_rng(0))


def test_difficulty_bounds_are_accepted():
    assert check_difficulty(0) == 0.0 and check_difficulty(np.float32(1.0)) == 1.0


def test_every_level_has_the_fixed_size_is_valid_and_playable(batch):
    name, gen, levels = batch
    spec = load_game(name)
    for seed, level in enumerate(levels):
        assert (level.width, level.height) == SIZES[name], seed
        assert level.mapping == spec.mapping
        level.validate(spec, strict=True)  # every character maps to sprites the game defines; one avatar
        assert check_level_text(name, level.rows) is None, (seed, str(level))


def test_same_seed_same_level(batch):
    name, gen, levels = batch
    again = get_generator(name)  # a fresh instance: no state carries over between generators
    for seed, level in enumerate(levels):
        assert again.generate(difficulty_of(seed), np.random.default_rng(seed)) == level, seed


def test_different_seeds_give_different_levels(batch):
    name, gen, levels = batch
    distinct = len({lvl.rows for lvl in levels})
    assert distinct >= 0.95 * len(levels), distinct
    # Drawing from one generator object in turn gives a stream of different levels too.
    rng = np.random.default_rng(123)
    stream = [gen.generate(0.5, rng).rows for _ in range(50)]
    assert len(set(stream)) == 50


def test_global_random_state_is_not_used():
    gen = get_generator("boulderdash")
    np.random.seed(1)
    a = gen.generate(0.7, np.random.default_rng(9))
    np.random.seed(2)
    b = gen.generate(0.7, np.random.default_rng(9))
    assert a == b


def test_round_trip_through_text(batch):
    name, gen, levels = batch
    spec = load_game(name)
    for level in levels[:200]:
        text = level.to_str()
        assert Level.from_str(text, spec.mapping) == level
        assert Level.for_game(text, spec).to_str() == text


def test_difficulty_controls_what_the_paper_says():
    """Over 200 levels each at d = 0, 0.5 and 1, every controlled quantity's mean grows with d."""
    for name in NAMES:
        gen = get_generator(name)
        means = {}
        for d in (0.0, 0.5, 1.0):
            rows = [gen.stats(gen.generate(d, np.random.default_rng(s))) for s in range(200)]
            means[d] = {k: float(np.mean([r[k] for r in rows])) for k in gen.increasing}
        for k in gen.increasing:
            assert means[0.0][k] < means[0.5][k] < means[1.0][k], (name, k, [means[d][k] for d in means])


def test_paper_figures():
    """The figures PPCG.md quotes for the paper's generators, at the ends of the range."""

    def mean(name, d, key, n=100):
        gen = get_generator(name)
        return np.mean([gen.stats(level_for_seed(gen, d, s))[key] for s in range(n)])

    assert 5 <= mean("solarfox", 0.0, "pills") <= 8 and 31 <= mean("solarfox", 1.0, "pills") <= 38
    assert mean("zelda", 0.0, "monsters") <= 0.5 and 2 <= mean("zelda", 1.0, "monsters") <= 3
    assert mean("boulderdash", 0.0, "rocks") == 0 and 10 <= mean("boulderdash", 1.0, "rocks") <= 20
    assert mean("boulderdash", 0.0, "critters") == 0 and 6 <= mean("boulderdash", 1.0, "critters") <= 13
    assert mean("frogs", 0.0, "river_rows") == 0 and mean("frogs", 0.0, "road_rows") == 0
    assert 6 <= mean("frogs", 0.0, "width") <= 9 and 24 <= mean("frogs", 1.0, "width") <= 27


class _Flaky(GridGenerator):
    """A generator whose first candidates are unplayable (the key walled in), then playable."""

    name = game = "zelda"
    width, height = 13, 9
    max_tries = 5
    bad_first = 2

    def __init__(self):
        super().__init__()
        self.calls = 0

    def build(self, d, rng, u):
        self.calls += 1
        rows = ["wwwwwwwwwwwww", "wA.........gw"] + ["w...........w"] * 5 + ["w.........w+w", "wwwwwwwwwwwww"]
        if self.calls <= self.bad_first:
            rows[6] = "w.........www"
        return rows

    def stats(self, level):
        return {}


def test_unplayable_candidates_are_regenerated_never_returned():
    gen = _Flaky()
    level = gen.generate(0.3, np.random.default_rng(0))
    assert gen.calls == 3 and check_level_text("zelda", level.rows) is None


def test_impossible_levels_raise_a_clear_error():
    gen = _Flaky()
    gen.bad_first = 99
    with pytest.raises(GenerationError, match=r"no playable level at difficulty 0.3 in 5 tries.*key"):
        gen.generate(0.3, np.random.default_rng(0))
    assert gen.calls == 5
