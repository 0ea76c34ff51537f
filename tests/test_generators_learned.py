"""The learned generator for any VGDL game: 1,000 seeds per game (valid, checked, deterministic, round trip),
what d controls, the engine checks and the winnability search, mutation, ``ppcg generate`` and the envs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ppcg.generators import LEARNED_PREFIX, LearnedGenerator, get_generator, mutate
from ppcg.generators.learned import CHECK_SEEDS, search_win
from ppcg.vgdl import Level

SEEDS = 1000

TINY_GAME = """BasicGame
    SpriteSet
        floor > Immovable color=GRAY
        goal > Immovable color=GREEN
        lava > Immovable color=RED
    InteractionSet
        avatar wall > stepBack
        avatar lava > killSprite
        goal avatar > killSprite scoreChange=1
    TerminationSet
        SpriteCounter stype=goal win=True
        SpriteCounter stype=avatar win=False
        Timeout limit=200 win=False
    LevelMapping
        . > floor
        g > floor goal
        x > floor lava
        A > floor avatar
"""

TINY_LEVELS = [
    "wwwwwwww\nwA....gw\nw..x...w\nw......w\nwwwwwwww\n",
    "wwwwwwww\nw.....Aw\nw.x....w\nwg..x..w\nwwwwwwww\n",
    "wwwwwwww\nwg.....w\nw...x..w\nw.A....w\nwwwwwwww\n",
    "wwwwwwww\nw..x...w\nwA...x.w\nw.....gw\nwwwwwwww\n",
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A tiny game (reach the goal, avoid lava) with four example levels beside it, GVGAI's layout."""
    folder = tmp_path_factory.mktemp("tiny")
    game = folder / "tiny.txt"
    game.write_text(TINY_GAME)
    for k, text in enumerate(TINY_LEVELS):
        (folder / f"tiny_lvl{k}.txt").write_text(text)
    return game


def difficulty_of(seed: int) -> float:
    return (seed % 11) / 10


def check_batch(gen: LearnedGenerator, n: int = SEEDS) -> None:
    """Every seed's level: valid, of the generator's size, with the examples' avatars and rare counts, a
    faithful text round trip, the same again from the same seed, and alive after the do-nothing ticks."""
    from ppcg.engine import BatchEngine

    levels = [gen.generate(difficulty_of(s), np.random.default_rng(s)) for s in range(n)]
    roles = gen.roles
    for lv in levels:
        lv.validate(gen.spec)
        assert (lv.width, lv.height) == (gen.width, gen.height)
        text = "".join(lv.rows)
        assert sum(ch in roles.avatar for ch in text) == roles.avatars
        for ch, (lo, hi) in roles.counts.items():
            assert lo <= text.count(ch) <= hi, ch
        assert Level.for_game(lv.to_str(), gen.spec) == lv
        if gen.reach_goal:
            assert gen.stats(lv)["goal_distance"] >= 0
    for s in range(0, n, max(1, n // 50)):
        assert gen.generate(difficulty_of(s), np.random.default_rng(s)) == levels[s]
    assert len({lv.rows for lv in levels}) > 0.9 * n  # new levels, not copies of a few
    assert not {lv.rows for lv in levels} & {ex.rows for ex in gen.examples}
    # the engine check, again, on a fresh engine: no episode ends within the do-nothing ticks
    sample = levels[:: max(1, n // 100)]
    engine = BatchEngine(gen.compiled, len(sample), obs_type=None)
    for seed in CHECK_SEEDS:
        engine.reset(sample, [seed] * len(sample))
        for _ in range(gen.ticks):
            res = engine.step(np.zeros(len(sample), np.int64))
            assert not res.terminated.any()


def test_learned_zelda_over_1000_seeds():
    gen = get_generator(LEARNED_PREFIX + "zelda")
    assert isinstance(gen, LearnedGenerator) and (gen.width, gen.height) == (13, 9)
    assert gen.roles.avatar == {"A"} and gen.roles.hostile == {"1", "2", "3"} and "g" in gen.roles.goal
    assert gen.roles.counts["+"] == (1, 1) and gen.roles.counts["g"] == (1, 1)  # one key, one door
    check_batch(gen)


@pytest.mark.corpus
@pytest.mark.parametrize("game", ["aliens", "sokoban", "chase"])
def test_learned_corpus_games_over_1000_seeds(corpus_dir, game):
    gen = get_generator(str(corpus_dir / f"{game}.txt"))
    assert gen.name == game and len(gen.examples) == 5
    check_batch(gen)


def test_difficulty_raises_hostiles_and_walls():
    gen = get_generator(LEARNED_PREFIX + "zelda")
    means = {}
    for d in (0.0, 1.0):
        stats = [gen.stats(gen.generate(d, np.random.default_rng(s))) for s in range(150)]
        means[d] = {k: np.mean([x[k] for x in stats]) for k in stats[0]}
    assert set(gen.increasing) <= set(means[0.0])
    assert means[1.0]["hostiles"] > means[0.0]["hostiles"] + 2
    assert means[1.0]["solid_share"] > means[0.0]["solid_share"] + 0.05
    assert means[1.0]["goal_distance"] > means[0.0]["goal_distance"] + 1


def test_levels_that_end_at_once_or_lack_the_avatar_are_rejected(tiny):
    gen = LearnedGenerator(tiny, search_budget=0)  # (the search would reject on_lava: lava cuts the way)
    no_goal = Level(("wwwwww", "wA..xw", "wwwwww"), gen.spec.mapping)  # won at the first tick
    on_lava = Level(("wwwwww", "wAx.gw", "wwwwww"), gen.spec.mapping)  # stays alive: NIL never moves
    two = Level(("wwwwww", "wA.Agw", "wwwwww"), gen.spec.mapping)
    ok = Level(("wwwwww", "wA..gw", "wwwwww"), gen.spec.mapping)
    problems = gen.check_levels([no_goal, on_lava, two, ok])
    assert "ended at tick 1" in problems[0]
    assert problems[1] is None and problems[3] is None
    assert "2 avatars" in problems[2]


def test_search_finds_wins_and_switches_itself_on(tiny):
    from ppcg.engine import BatchEngine

    gen = LearnedGenerator(tiny)
    engine = BatchEngine(gen.compiled, 20, obs_type=None)
    open_ = Level(("wwwwwww", "wA...gw", "wwwwwww"), gen.spec.mapping)
    walled = Level(("wwwwwww", "wA.xwgw", "wwwwwww"), gen.spec.mapping)
    assert search_win(engine, open_, 0, 100)
    assert not search_win(engine, walled, 0, 100)
    assert gen.searchable  # it wins every example level
    problems = gen.check_levels([walled, open_])
    assert "no win found" in problems[0] and problems[1] is None
    for s in range(20):  # every generated level is won by the search
        assert search_win(
            engine, gen.generate(difficulty_of(s), np.random.default_rng(s)), 0, gen.search_budget
        )


def test_learned_mutation_keeps_levels_checked(tiny):
    gen = LearnedGenerator(tiny)
    changed = 0
    for s in range(30):
        parent = gen.generate(0.5, np.random.default_rng(s))
        child = mutate(gen, parent, np.random.default_rng(100 + s), 3)
        assert (child.width, child.height) == (parent.width, parent.height)
        assert gen.check_levels([child])[0] is None
        changed += child != parent
        assert mutate(gen, parent, np.random.default_rng(100 + s), 3) == child
    assert changed >= 25


def test_get_generator_learns_any_game_file(tiny):
    gen = get_generator(str(tiny))
    assert isinstance(gen, LearnedGenerator) and gen.name == "tiny"
    assert get_generator(str(tiny)) is gen  # learned and compiled once per process
    assert type(get_generator("zelda")).__name__ == "ZeldaGenerator"
    with pytest.raises(KeyError, match="registered: zelda"):
        get_generator("no/such/game.txt")


def test_ppcg_generate_any_game(tiny, tmp_path, capsys):
    from ppcg.cli import main

    assert main(["generate", str(tiny), "--stats", "--count", "5"]) == 0
    text = capsys.readouterr().out
    assert "tiny: 5 levels" in text and "hostiles *" in text and "goal_distance *" in text
    out = tmp_path / "out"
    levels = [str(tiny.parent / f"tiny_lvl{k}.txt") for k in range(2)]
    assert main(["generate", str(tiny), "--levels", *levels, "-d", "0.3", "-n", "2", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["tiny_d0.300_seed0.txt", "tiny_d0.300_seed1.txt"]
    assert main(["generate", str(tiny), "--levels", str(tmp_path / "nope.txt"), "--stats"]) == 2


def test_vgdl_env_plays_learned_levels_and_accel_edits_them(tiny):
    import gymnasium as gym

    import ppcg  # noqa: F401 - registers the ids
    from ppcg.curricula import make_curriculum
    from ppcg.curricula.testing import ScriptedVecEnv, wins_below
    from ppcg.envs.sources import GeneratorSource

    gen = get_generator(str(tiny))
    env = gym.make("ppcg/VGDL-v0", game=str(tiny), level_source=GeneratorSource("tiny", 0.5, generator=gen))
    obs, info = env.reset(seed=3)
    assert obs.shape[1:] == (gen.height, gen.width) and info["level_id"].startswith("tiny/d=0.500/")
    env.step(0)
    cur = make_curriculum("accel", game="tiny", generator=gen, capacity=4, n_edits=2)
    vec = ScriptedVecEnv(cur, 2, wins_below(0.5))
    vec.reset()
    for _ in range(60):
        _, infos = vec.step()
        for info in infos:
            if "is_success" in info:
                cur.update_score(info["level_id"], 0.0 if info["is_success"] else 1.0)
    assert cur.made > 0
