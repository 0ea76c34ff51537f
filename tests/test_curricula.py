"""Curricula driven by scripted agents, not learning ones: fixed, random, difficulty, PPCG and its variant."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ppcg.curricula import (
    FixedDifficulty,
    FixedLevels,
    ProgressivePCG,
    UniformDifficulty,
    WinRatePCG,
    WinRule,
)
from ppcg.curricula.base import CurriculumConfigError
from ppcg.curricula.testing import FakeGenerator, ScriptedEnv, ScriptedVecEnv, always, never, wins_below
from ppcg.envs.source import EpisodeResult, LevelSource
from ppcg.envs.sources import FixedLevelSource, GeneratorSource, level_id_for
from ppcg.generators.base import level_rng
from ppcg.vgdl.level import Level


def result(
    won: bool, *, score: float = 0.0, truncated: bool = False, d: float | None = None
) -> EpisodeResult:
    return EpisodeResult("x", won, score, 10, truncated, d)


def run_episodes(source, agent, episodes: int, n_envs: int = 4, lengths=None) -> ScriptedVecEnv:
    """Step a scripted vector env until ``episodes`` episodes have finished."""
    vec = ScriptedVecEnv(source, n_envs, agent, lengths=lengths or [3 + i for i in range(n_envs)])
    vec.reset()
    done = 0
    while done < episodes:
        dones, _ = vec.step()
        done += int(dones.sum())
    return vec


# ------------------------------------------------------------------------------------------------------------
# every curriculum is a LevelSource; generated levels are named and reproducible
@pytest.mark.parametrize(
    "cur",
    [
        FixedLevels(game="zelda", levels=[Level(("wAw",), name="lvl0")]),
        UniformDifficulty(game="zelda", generator=FakeGenerator()),
        FixedDifficulty(game="zelda", generator=FakeGenerator(), difficulty=0.3),
        ProgressivePCG(game="zelda", generator=FakeGenerator()),
        WinRatePCG(game="zelda", generator=FakeGenerator()),
    ],
    ids=lambda c: c.name,
)
def test_curricula_are_level_sources(cur):
    assert isinstance(cur, LevelSource)
    req = cur.next_level(0, np.random.default_rng(0))
    assert isinstance(req.level, Level)


def test_generated_level_id_names_its_level_exactly():
    gen = FakeGenerator()
    cur = UniformDifficulty(game="zelda", generator=gen)
    req = cur.next_level(0, np.random.default_rng(5))
    m = re.fullmatch(r"zelda/d=(\d\.\d{3})/seed=(\d+)", req.level_id)
    assert m, req.level_id
    assert float(m.group(1)) == req.difficulty and int(m.group(2)) == req.level_seed
    assert gen.generate(float(m.group(1)), level_rng(int(m.group(2)))) == req.level
    assert level_id_for("zelda", 0.43, 1234) == "zelda/d=0.430/seed=1234"


def test_curricula_draw_seeds_and_build_ids_as_the_environments_do():
    # one seed bound and one level builder: the `difficulty` curriculum and the environments' own generator
    # source hand out the same levels, under the same ids, from the same generator state
    gen = FakeGenerator()
    env_source = GeneratorSource("zelda", 1 / 3, generator=gen)
    curricula = [
        FixedDifficulty(game="zelda", generator=gen, difficulty=1 / 3),
        ProgressivePCG(game="zelda", generator=gen, start=1 / 3),
    ]
    for cur in curricula:
        for k in range(20):
            rng, env_rng = np.random.default_rng(k), np.random.default_rng(k)
            assert cur.next_level(0, rng) == env_source.next_level(0, env_rng)
    cur = FixedLevels(game="zelda", levels=[Level(("wAw",), name="a"), Level(("wAw",), name="a")])
    assert cur.level_ids == ["a#0", "a#1"] and isinstance(cur.source, FixedLevelSource)


def test_levels_come_from_the_env_rng_so_runs_repeat():
    def played(seed: int) -> list[str]:
        env = ScriptedEnv(UniformDifficulty(game="zelda", generator=FakeGenerator()), seed=seed)
        for _ in range(5):
            env.reset()
        return env.played

    assert played(1) == played(1)
    assert played(1) != played(2)
    assert len(set(played(1))) == 5


@pytest.mark.parametrize(
    "make",
    [
        lambda: UniformDifficulty(game="zelda", generator=FakeGenerator()),
        lambda: FixedDifficulty(game="zelda", generator=FakeGenerator(), difficulty=0.3),
        lambda: FixedLevels(
            game="zelda", levels=[Level(("wAw",), name=f"l{k}") for k in range(4)], order="random"
        ),
    ],
    ids=["random", "difficulty", "fixed"],
)
def test_an_envs_levels_do_not_depend_on_the_batch_size(make):
    def first_env(n_envs: int) -> list[str]:
        vec = run_episodes(make(), always, 12 * n_envs, n_envs=n_envs, lengths=[3] * n_envs)
        return vec.envs[0].played[:10]

    assert first_env(1) == first_env(3) == first_env(8)


# ------------------------------------------------------------------------------------------------------------
# fixed, random, difficulty
def test_fixed_cycles_each_env_through_the_levels():
    levels = [Level(("wAw",), name=f"lvl{k}") for k in range(3)]
    cur = FixedLevels(game="zelda", levels=levels)
    rng = np.random.default_rng(0)
    assert [cur.next_level(0, rng).level_id for _ in range(4)] == ["lvl0", "lvl1", "lvl2", "lvl0"]
    assert [cur.next_level(1, rng).level_id for _ in range(3)] == ["lvl1", "lvl2", "lvl0"]
    assert cur.next_level(0, rng).level is levels[1]


def test_fixed_at_random_uses_the_env_rng():
    levels = [Level(("wAw",), name=f"lvl{k}") for k in range(5)]
    cur = FixedLevels(game="zelda", levels=levels, order="random")
    ids = [cur.next_level(0, np.random.default_rng(3)).level_id for _ in range(3)]
    assert len(set(ids)) == 1  # same rng state, same level
    rng = np.random.default_rng(0)
    assert {cur.next_level(0, rng).level_id for _ in range(200)} == {f"lvl{k}" for k in range(5)}


def test_fixed_needs_levels():
    with pytest.raises(CurriculumConfigError, match="levels"):
        FixedLevels(game="zelda", levels=[])


def test_random_covers_zero_to_one_uniformly():
    cur = UniformDifficulty(game="zelda", generator=FakeGenerator())
    rng = np.random.default_rng(0)
    ds = np.array([cur.next_level(0, rng).difficulty for _ in range(2000)])
    assert ds.min() >= 0 and ds.max() <= 1
    counts, _ = np.histogram(ds, bins=10, range=(0, 1))
    assert counts.min() > 150 and counts.max() < 250  # 200 expected per bin


def test_difficulty_is_fixed_and_seeds_vary():
    cur = FixedDifficulty(game="frogs", generator=FakeGenerator(), difficulty=0.7)
    rng = np.random.default_rng(0)
    reqs = [cur.next_level(0, rng) for _ in range(20)]
    assert {r.difficulty for r in reqs} == {0.7}
    assert len({r.level_seed for r in reqs}) == 20
    assert cur.stats()["difficulty"] == 0.7


# ------------------------------------------------------------------------------------------------------------
# PPCG
@pytest.mark.parametrize("name", ["difficulty", "random", "plr", "ppcg", "ppcg-winrate"])
def test_num_levels_draws_seeds_from_a_finite_set(name):
    """Procgen's num_levels/start_level: every level's seed is one of N from start_level; for the curricula
    whose levels are one set, exactly N levels, each the one training_level gives back."""
    from ppcg.curricula.config import make_curriculum

    cur = make_curriculum(name, game="zelda", generator=FakeGenerator(), num_levels=4, start_level=1000)
    rng = np.random.default_rng(0)
    requests = [cur.next_level(k % 3, rng) for k in range(300)]
    assert {r.level_seed for r in requests} == {1000, 1001, 1002, 1003}
    if name in ("difficulty", "random", "plr"):
        assert len({r.level_id for r in requests}) == 4
        for r in requests[:20]:
            again = cur.training_level(r.level_seed)
            assert (again.level_id, again.level) == (r.level_id, r.level)
    else:
        assert cur.training_level(1000) is None  # PPCG moves d: its levels are not one set
    unlimited = make_curriculum(name, game="zelda", generator=FakeGenerator())
    seeds = {unlimited.next_level(0, np.random.default_rng(k)).level_seed for k in range(50)}
    assert len(seeds) == 50 and unlimited.training_level(0) is None


def test_num_levels_errors_name_the_key():
    from ppcg.curricula.config import curriculum_from_yaml, make_curriculum

    for kwargs, key, match in [
        ({"num_levels": -1}, "num_levels", "integer >= 0"),
        ({"start_level": 5}, "start_level", "needs num_levels"),
        ({"num_levels": 10, "start_level": 2**31 - 5}, "num_levels", "passes 2"),
        ({"num_levels": 2.5}, "num_levels", "integer"),
    ]:
        with pytest.raises(CurriculumConfigError, match=match) as err:
            make_curriculum("random", game="zelda", generator=FakeGenerator(), **kwargs)
        assert err.value.key == key
    with pytest.raises(CurriculumConfigError, match="plays given levels") as err:
        make_curriculum("fixed", game="zelda", levels=[0], num_levels=3)
    assert err.value.key == "num_levels"
    cur = curriculum_from_yaml({"name": "difficulty", "difficulty": 0.3, "num_levels": 2}, game="zelda")
    assert cur.num_levels == 2 and cur.training_level(1).level_id == "zelda/d=0.300/seed=1"


def test_seed_difficulty_is_one_per_seed_and_spread():
    from ppcg.curricula.base import seed_difficulty

    ds = [seed_difficulty(s, 0.2, 0.6) for s in range(2000)]
    assert ds == [seed_difficulty(s, 0.2, 0.6) for s in range(2000)]
    assert min(ds) >= 0.2 and max(ds) <= 0.6 and abs(np.mean(ds) - 0.4) < 0.01
    assert seed_difficulty(7, 0.5, 0.5) == 0.5


def test_ppcg_always_winning_reaches_one_in_one_over_alpha_episodes():
    cur = ProgressivePCG(game="zelda", generator=FakeGenerator(), alpha=0.01)
    assert cur.d == 0.0
    run_episodes(cur, always, 99)
    assert cur.episodes >= 99
    assert cur.d == pytest.approx(min(1.0, 0.01 * cur.episodes))
    while cur.episodes < 100:
        cur.episode_done(0, result(True))
    assert cur.d == 1.0
    cur.episode_done(0, result(True))
    assert cur.d == 1.0  # clipped


def test_ppcg_always_losing_stays_at_zero():
    gen = FakeGenerator()
    cur = ProgressivePCG(game="zelda", generator=gen)
    run_episodes(cur, never, 300)
    assert cur.d == 0.0
    assert set(gen.calls) == {0.0}


def test_ppcg_holds_d_where_the_agent_stops_winning():
    gen = FakeGenerator()
    cur = ProgressivePCG(game="zelda", generator=gen, alpha=0.01)
    run_episodes(cur, wins_below(0.4), 3000)
    assert abs(cur.d - 0.4) <= 0.05
    late = np.array(gen.calls[-500:])
    assert abs(late.mean() - 0.4) < 0.03 and late.min() > 0.3 and late.max() < 0.5


def test_episodes_of_every_env_move_the_one_shared_d():
    cur = ProgressivePCG(game="zelda", generator=FakeGenerator(), alpha=0.01)
    rng = np.random.default_rng(0)
    cur.episode_done(3, result(True))
    cur.episode_done(1, result(True))
    assert cur.next_level(0, rng).difficulty == 0.02  # env 0 sees the wins of envs 3 and 1
    cur.episode_done(0, result(False))
    assert cur.next_level(2, rng).difficulty == 0.01
    vec = run_episodes(cur, always, 40, n_envs=4, lengths=[2, 3, 5, 7])
    per_env = [len(env.played) - 1 for env in vec.envs]  # finished episodes per env
    assert all(n > 0 for n in per_env)
    assert cur.d == pytest.approx(0.01 + 0.01 * sum(per_env))


def test_ppcg_uniform_sample_draws_below_d():
    gen = FakeGenerator()
    cur = ProgressivePCG(game="zelda", generator=gen, start=0.6, sample="uniform")
    rng = np.random.default_rng(0)
    ds = [cur.next_level(0, rng).difficulty for _ in range(500)]
    assert max(ds) <= 0.6 and min(ds) < 0.05 and np.mean(ds) == pytest.approx(0.3, abs=0.03)


def test_truncated_episodes_count_as_configured():
    trunc = result(False, truncated=True)
    for truncated, expected in [("loss", 0.49), ("win", 0.51), ("ignore", 0.5)]:
        cur = ProgressivePCG(game="zelda", generator=None, start=0.5, truncated=truncated)
        cur.episode_done(0, trunc)
        assert cur.d == pytest.approx(expected), truncated
    ignored = ProgressivePCG(game="zelda", generator=None, truncated="ignore")
    ignored.episode_done(0, trunc)
    assert np.isnan(ignored.win_rate)  # an ignored episode is not in the win rate either


def test_ppcg_ignores_cut_episodes_by_default_and_so_does_not_stall():
    """An agent that wins 1 episode in 3 and wanders until the step limit in the others: counting the cut
    episodes as losses pins d at 0; by default they are ignored and d rises with the wins."""
    outcomes = [result(True), result(False, truncated=True), result(False, truncated=True)] * 20
    default = ProgressivePCG(game="zelda", generator=None, alpha=0.01)
    losses = ProgressivePCG(game="zelda", generator=None, alpha=0.01, truncated="loss")
    for r in outcomes:
        default.episode_done(0, r)
        losses.episode_done(0, r)
    assert default.win_rule.truncated == "ignore" and default.d == pytest.approx(0.2)
    assert losses.d == 0.0
    dies = ProgressivePCG(game="zelda", generator=None, alpha=0.01, start=0.5)
    dies.episode_done(0, result(False))  # killed: a decided loss still lowers d
    assert dies.d == pytest.approx(0.49)


def test_boulderdash_counts_a_score_of_20_as_a_win():
    rule = WinRule.for_game("boulderdash")
    assert rule.win_score == 20.0
    assert rule.outcome(result(False, score=20.0)) == "win"
    assert rule.outcome(result(True, score=19.0)) == "loss"  # the paper's rule replaces the game's win
    assert rule.outcome(result(False, score=25.0, truncated=True)) == "win"  # the rule wins over truncation
    assert WinRule.for_game("zelda").outcome(result(True)) == "win"
    assert WinRule.for_game("boulderdash", win_score=None).outcome(result(True, score=2.0)) == "win"


def test_win_rate_statistic():
    cur = ProgressivePCG(game="zelda", generator=None, stats_window=4)
    for won in [True, False, False, False, True, True]:
        cur.episode_done(0, result(won))
    assert cur.win_rate == 0.5  # the last 4
    assert cur.stats()["difficulty"] == cur.d


def test_ppcg_state_round_trip():
    cur = ProgressivePCG(game="zelda", generator=FakeGenerator())
    run_episodes(cur, wins_below(0.2), 100)
    other = ProgressivePCG(game="zelda", generator=FakeGenerator())
    other.load_state_dict(cur.state_dict())
    assert other.d == cur.d and other.win_rate == cur.win_rate and other.episodes == cur.episodes
    with pytest.raises(ValueError, match="plr"):
        other.load_state_dict({**cur.state_dict(), "name": "plr"})


# ------------------------------------------------------------------------------------------------------------
# PPCG steered by the win rate
def test_winrate_variant_holds_d_near_the_band():
    gen = FakeGenerator()
    cur = WinRatePCG(game="zelda", generator=gen, step=0.05, window=20, band=(0.4, 0.6))
    run_episodes(cur, wins_below(0.4), 3000)
    assert 0.3 <= cur.d <= 0.5
    late = np.array(gen.calls[-500:])
    assert abs(late.mean() - 0.4) <= 0.05


def test_winrate_variant_moves_once_per_window_and_ignores_stale_episodes():
    cur = WinRatePCG(game="zelda", generator=FakeGenerator(), step=0.1, window=3)
    rng = np.random.default_rng(0)
    for env in range(4):
        cur.next_level(env, rng)
    for env in range(3):
        cur.episode_done(env, result(True))
    assert cur.d == 0.1  # window of 3 wins: above the band
    cur.episode_done(3, result(True))  # handed out at the old d: not counted
    assert cur.stats().get("window_win_rate") is None
    for _ in range(3):
        cur.next_level(0, rng)
        cur.episode_done(0, result(False))
    assert cur.d == 0.0


def test_winrate_in_flight_state_round_trip():
    """Which d each environment's current level was handed out at survives a checkpoint (exact resume), and is
    forgotten when the environments start afresh."""
    import json

    cur = WinRatePCG(game="zelda", generator=FakeGenerator(), step=0.1, window=3)
    rng = np.random.default_rng(0)
    for env in range(4):
        cur.next_level(env, rng)
    for env in range(3):
        cur.episode_done(env, result(True))  # d moves: env 3's level is from the old d
    state = json.loads(json.dumps(cur.state_dict()))
    assert state["in_flight"] == {"issued_epoch": {"0": 0, "1": 0, "2": 0, "3": 0}}
    exact = WinRatePCG(game="zelda", generator=FakeGenerator(), step=0.1, window=3)
    exact.load_state_dict(state)
    assert exact.state_dict() == cur.state_dict()
    for c in (cur, exact):
        c.episode_done(3, result(True))  # stale: not counted by either
        assert c.stats().get("window_win_rate") is None
    afresh = WinRatePCG(game="zelda", generator=FakeGenerator(), step=0.1, window=3)
    afresh.load_state_dict({k: v for k, v in state.items() if k != "in_flight"})
    assert afresh.state_dict()["in_flight"] == {"issued_epoch": {}} and afresh.d == cur.d


def test_winrate_always_winning_climbs_to_one():
    cur = WinRatePCG(game="zelda", generator=FakeGenerator(), step=0.05, window=10)
    run_episodes(cur, always, 400, n_envs=1)
    assert cur.d == 1.0


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"band": (0.7, 0.3)}, "band"),
        ({"band": 0.5}, "band"),
        ({"window": 0}, "window"),
        ({"step": 0}, "step"),
    ],
)
def test_winrate_bad_options(kwargs, key):
    with pytest.raises(CurriculumConfigError) as err:
        WinRatePCG(game="zelda", generator=None, **kwargs)
    assert err.value.key == key
