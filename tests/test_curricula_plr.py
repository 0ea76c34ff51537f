"""Prioritized Level Replay: sampling formulas on a fixed score table, staleness, eviction, scoring."""

from __future__ import annotations

import numpy as np
import pytest

from ppcg.curricula import PrioritizedLevelReplay
from ppcg.curricula.base import CurriculumConfigError
from ppcg.curricula.plr import segment_scores
from ppcg.curricula.testing import FakeGenerator
from ppcg.envs.source import EpisodeResult


def plr(**kwargs) -> PrioritizedLevelReplay:
    kwargs.setdefault("capacity", 5)
    kwargs.setdefault("min_fill", 1.0)
    return PrioritizedLevelReplay(game="zelda", generator=FakeGenerator(), **kwargs)


def fill(cur: PrioritizedLevelReplay, scores, rng=None) -> list[str]:
    """Hand out one new level per score and score it; returns the level ids in insertion order."""
    rng = rng or np.random.default_rng(0)
    ids = []
    for s in scores:
        req = cur.next_level(0, rng)
        assert req.level_id not in cur.buffer  # a new level
        cur.update_score(req.level_id, s)
        if req.level_id in cur.buffer:
            assert cur.buffer[req.level_id].level == req.level  # the level that was played gets in
        ids.append(req.level_id)
    return ids


SCORES = [0.5, 2.0, 1.0, 0.1, 1.0]


def expected_weights(scores, temperature, staleness, rho, prioritization="rank"):
    scores = np.asarray(scores, dtype=float)
    if prioritization == "rank":
        # rank 1 = highest score; equal scores ranked by insertion order
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        rank = np.empty(len(scores))
        for r, i in enumerate(order, start=1):
            rank[i] = r
        h = (1 / rank) ** (1 / temperature)
    else:
        h = scores ** (1 / temperature)
    p_s = h / h.sum()
    stale = np.asarray(staleness, dtype=float)
    p_c = stale / stale.sum()
    return (1 - rho) * p_s + rho * p_c


@pytest.mark.parametrize("prioritization", ["rank", "power"])
@pytest.mark.parametrize("temperature, rho", [(0.5, 0.3), (1.0, 0.0), (0.1, 1.0)])
def test_sampling_probabilities_equal_the_formulas(prioritization, temperature, rho):
    cur = plr(temperature=temperature, staleness_coef=rho, prioritization=prioritization)
    fill(cur, SCORES)
    # handed out at counts 1..5, now c = 5: staleness 4, 3, 2, 1, 0
    assert cur.staleness().tolist() == [4, 3, 2, 1, 0]
    want = expected_weights(SCORES, temperature, [4, 3, 2, 1, 0], rho, prioritization)
    np.testing.assert_allclose(cur.sample_weights(), want, rtol=1e-12)
    assert cur.sample_weights().sum() == pytest.approx(1.0)


def test_rank_weights_by_hand():
    cur = plr(temperature=1.0, staleness_coef=0.0)
    fill(cur, SCORES)
    # ranks 4, 1, 2, 5, 3 -> h = 1/4, 1, 1/2, 1/5, 1/3
    h = np.array([1 / 4, 1, 1 / 2, 1 / 5, 1 / 3])
    np.testing.assert_allclose(cur.score_weights(), h / h.sum())


def test_power_weights_do_not_overflow_at_low_temperature():
    cur = plr(temperature=0.01, staleness_coef=0.0, prioritization="power")
    fill(cur, [1e4, 5e3, 0.0, 9990.0, 1.0])  # 1e4 ** 100 overflows a float
    w = cur.score_weights()
    assert np.isfinite(w).all() and w.sum() == pytest.approx(1.0)
    assert w[0] / w[3] == pytest.approx((1e4 / 9990) ** 100)


def test_replays_are_drawn_by_those_probabilities():
    cur = plr(temperature=0.5, staleness_coef=0.0, replay_prob=1.0)
    ids = fill(cur, SCORES)
    p = cur.sample_weights()
    rng = np.random.default_rng(1)
    n = 20_000
    drawn = [cur.next_level(0, rng).level_id for _ in range(n)]
    freq = np.array([drawn.count(i) for i in ids]) / n
    np.testing.assert_allclose(freq, p, atol=4 * np.sqrt(p * (1 - p) / n).max())
    assert cur.replays == n


def test_no_replay_before_the_buffer_is_filled_to_min_fill():
    cur = plr(capacity=4, min_fill=0.5, replay_prob=1.0)
    rng = np.random.default_rng(0)
    fill(cur, [1.0], rng)  # 1 of the 2 needed
    req = cur.next_level(0, rng)
    assert req.level_id not in cur.buffer and cur.replays == 0
    cur.update_score(req.level_id, 2.0)
    assert len(cur.buffer) == 2
    assert cur.next_level(0, rng).level_id in cur.buffer
    assert cur.replays == 1


def test_staleness_grows_for_unsampled_levels():
    cur = plr(replay_prob=1.0, staleness_coef=0.0, temperature=0.01)  # nearly always the top-ranked level
    ids = fill(cur, SCORES)
    top = ids[1]
    before = dict(zip(ids, cur.staleness(), strict=True))
    rng = np.random.default_rng(0)
    for k in range(1, 4):
        assert cur.next_level(0, rng).level_id == top
        now = dict(zip(ids, cur.staleness(), strict=True))
        assert now[top] == 0
        for i in ids:
            if i != top:
                assert now[i] == before[i] + k
    assert cur.stats()["mean_staleness"] == pytest.approx(np.mean(list(now.values())))


def test_staleness_mixing_favours_levels_left_alone():
    cur = plr(replay_prob=1.0, staleness_coef=1.0)  # staleness only
    ids = fill(cur, SCORES)
    rng = np.random.default_rng(0)
    np.testing.assert_allclose(cur.sample_weights(), [0.4, 0.3, 0.2, 0.1, 0.0])  # staleness 4, 3, 2, 1, 0
    replayed = cur.next_level(0, rng).level_id
    w = cur.sample_weights()
    stale = cur.staleness()
    np.testing.assert_allclose(w, stale / stale.sum())
    assert w[ids.index(replayed)] == 0.0  # just played: not stale at all


def test_buffer_evicts_the_lowest_score():
    cur = plr(capacity=3, replay_prob=0.0)
    ids = fill(cur, [1.0, 3.0, 2.0])
    rng = np.random.default_rng(5)
    low = cur.next_level(0, rng).level_id
    cur.update_score(low, 0.5)  # lower than everything: dropped
    assert list(cur.buffer) == ids and cur.evicted == 0
    tie = cur.next_level(0, rng).level_id
    cur.update_score(tie, 1.0)  # equal to the lowest: not better, dropped
    assert list(cur.buffer) == ids
    high = cur.next_level(0, rng).level_id
    cur.update_score(high, 5.0)
    assert list(cur.buffer) == [ids[1], ids[2], high] and cur.evicted == 1
    assert min(e.score for e in cur.buffer.values()) == 2.0


def test_rescoring_a_buffered_level_replaces_or_averages_its_score():
    cur = plr(capacity=3)
    (lid,) = fill(cur, [1.0])
    cur.update_score(lid, 3.0)
    assert cur.buffer[lid].score == 3.0
    ema = plr(capacity=3, score_ema=0.25)
    (lid,) = fill(ema, [1.0])
    ema.update_score(lid, 3.0)
    assert ema.buffer[lid].score == pytest.approx(0.75 * 1.0 + 0.25 * 3.0)
    cur.update_score("zelda/d=0.500/seed=1", 9.0)  # never handed out: ignored
    assert len(cur.buffer) == 1


# ------------------------------------------------------------------------------------------------------------
# scoring from rollouts
def test_segments_split_at_episode_ends():
    ids = np.array([["a", "x"], ["a", "x"], ["b", "x"], ["b", "y"]], dtype=object)
    dones = np.array([[0, 0], [1, 0], [0, 0], [0, 0]], dtype=bool)
    assert segment_scores(ids, dones) == [
        (0, "a", 0, 2, True),
        (0, "b", 2, 4, False),
        (1, "x", 0, 3, True),  # the level changed without a done: that episode is over
        (1, "y", 3, 4, False),
    ]


def test_score_rollout_scores_episodes_and_carries_cut_ones_over():
    cur = plr(capacity=10, score="positive_value_loss")
    rng = np.random.default_rng(0)
    a = cur.next_level(0, rng).level_id
    b = cur.next_level(1, rng).level_id
    c = cur.next_level(0, rng).level_id
    ids = np.array([[a, b], [a, b], [c, b]], dtype=object)
    dones = np.array([[0, 0], [1, 0], [0, 0]], dtype=bool)
    adv = np.array([[1.0, -1.0], [3.0, 2.0], [-5.0, 4.0]])
    zeros = np.zeros_like(adv)
    cur.score_rollout(ids, dones, zeros, zeros, adv)
    assert list(cur.buffer) == [a]  # the only finished episode
    assert cur.buffer[a].score == pytest.approx((1.0 + 3.0) / 2)
    # next rollout: b goes on for one step and ends; c goes on for two and ends
    ids2 = np.array([[c, b], [c, "zelda/d=0.000/seed=1"]], dtype=object)
    dones2 = np.array([[0, 1], [1, 0]], dtype=bool)
    adv2 = np.array([[1.0, 6.0], [2.0, 0.0]])
    cur.score_rollout(ids2, dones2, np.zeros_like(adv2), np.zeros_like(adv2), adv2)
    assert cur.buffer[b].score == pytest.approx((0 + 2 + 4 + 6) / 4)
    assert cur.buffer[c].score == pytest.approx((0 + 1 + 2) / 3)


@pytest.mark.parametrize(
    "score, want",
    [("gae", (1.0 + 3.0) / 2), ("max_mc", ((7.0 - 2.0) + (7.0 - 4.0)) / 2), ("positive_value_loss", 0.5)],
)
def test_score_functions(score, want):
    cur = plr(capacity=10, score=score)
    req = cur.next_level(0, np.random.default_rng(0))
    cur.episode_done(0, EpisodeResult(req.level_id, True, 7.0, 2, difficulty=req.difficulty))
    cur.episode_done(0, EpisodeResult(req.level_id, True, 5.0, 2, difficulty=req.difficulty))
    ids = np.array([[req.level_id], [req.level_id]], dtype=object)
    dones = np.array([[0], [1]], dtype=bool)
    values = np.array([[2.0], [4.0]])
    adv = np.array([[1.0], [-3.0]]) if score != "positive_value_loss" else np.array([[1.0], [-3.0]])
    cur.score_rollout(ids, dones, values, values + adv, adv)
    assert cur.buffer[req.level_id].score == pytest.approx(want)
    assert cur.buffer[req.level_id].max_return == 7.0


def test_replay_mask_marks_steps_of_replayed_levels():
    cur = plr(capacity=2, replay_prob=1.0, robust=True)
    old = fill(cur, [1.0, 2.0])
    rng = np.random.default_rng(0)
    replayed = cur.next_level(1, rng).level_id
    assert replayed in old
    ids = np.array([["zelda/d=0.123/seed=9", replayed], [replayed, replayed]], dtype=object)
    mask = cur.replay_mask(ids)
    assert mask.tolist() == [[False, True], [False, True]]  # env 0 was never handed `replayed` as a replay


def test_replay_mask_over_a_long_rollout_of_short_episodes():
    cur = plr(capacity=4, replay_prob=0.5, min_fill=0.5)
    fill(cur, [1.0, 2.0])
    rng = np.random.default_rng(0)
    n_steps, n_envs = 400, 2  # two-step episodes: 200 levels per env in one rollout
    ids = np.empty((n_steps, n_envs), dtype=object)
    dones = np.zeros((n_steps, n_envs), dtype=bool)
    expected = np.zeros((n_steps, n_envs), dtype=bool)
    for env in range(n_envs):
        for t in range(0, n_steps, 2):
            replays = cur.replays
            ids[t : t + 2, env] = cur.next_level(env, rng).level_id
            expected[t : t + 2, env] = cur.replays > replays
            dones[t + 1, env] = True
    assert 0 < expected.mean() < 1
    np.testing.assert_array_equal(cur.replay_mask(ids), expected)
    zeros = np.zeros((n_steps, n_envs))
    cur.score_rollout(ids, dones, zeros, zeros, zeros)
    assert all(len(issued) == 1 for issued in cur._issued.values())  # forgotten once scored


def test_plr_state_round_trip_regenerates_the_buffer():
    cur = plr(capacity=4)
    fill(cur, [1.0, 2.0, 3.0])
    other = plr(capacity=4)
    other.load_state_dict(cur.state_dict())
    assert list(other.buffer) == list(cur.buffer)
    for k, e in cur.buffer.items():
        assert other.buffer[k].level == e.level and other.buffer[k].score == e.score
    np.testing.assert_allclose(other.sample_weights(), cur.sample_weights())


def test_plr_in_flight_state_round_trip():
    """Levels handed out and not yet scored, each env's issued levels and an episode a rollout cut survive a
    checkpoint through JSON; dropping ``in_flight`` forgets them."""
    import json

    cur = plr(capacity=4, min_fill=0.5, replay_prob=0.5)
    fill(cur, [1.0, 2.0])
    rng = np.random.default_rng(3)
    ids = np.array([[cur.next_level(env, rng).level_id for env in range(3)]] * 4, dtype=object)
    dones = np.zeros((4, 3), dtype=bool)
    dones[3, 0] = True
    zeros = np.zeros((4, 3))
    cur.score_rollout(ids, dones, zeros, zeros + 1.0, zeros + 0.5)  # env 0 done; envs 1, 2 cut mid-episode
    state = json.loads(json.dumps(cur.state_dict()))
    flight = state["in_flight"]
    assert set(flight["partial"]) == {"1", "2"} and flight["partial"]["1"][2] == 4
    assert set(flight["issued"]) == {"0", "1", "2"} and flight["pending"]
    other = plr(capacity=4, min_fill=0.5, replay_prob=0.5)
    other.load_state_dict(state)
    assert other.state_dict() == cur.state_dict()
    # both score the next rollout alike: the cut episodes continue
    ids2 = np.array([list(ids[0])] * 2, dtype=object)
    dones2 = np.ones((2, 3), dtype=bool)
    for c in (cur, other):
        c.score_rollout(ids2, dones2, np.zeros((2, 3)), np.ones((2, 3)), np.full((2, 3), 0.25))
    assert other.state_dict() == cur.state_dict()
    afresh = plr(capacity=4, min_fill=0.5, replay_prob=0.5)
    afresh.load_state_dict({k: v for k, v in state.items() if k != "in_flight"})
    assert afresh.state_dict()["in_flight"] == {"pending": [], "issued": {}, "partial": {}}


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"replay_prob": 1.5}, "replay_prob"),
        ({"temperature": 0}, "temperature"),
        ({"staleness_coef": -0.1}, "staleness_coef"),
        ({"score": "regret"}, "score"),
        ({"prioritization": "softmax"}, "prioritization"),
        ({"capacity": 0}, "capacity"),
        ({"robust": "yes"}, "robust"),
        ({"low": 0.8, "high": 0.2}, "high"),
    ],
)
def test_plr_bad_options(kwargs, key):
    with pytest.raises(CurriculumConfigError) as err:
        plr(**kwargs)
    assert err.value.key == key
