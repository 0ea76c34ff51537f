"""ACCEL driven by scripted agents: children of replays enter the buffer, won levels are not replayed, seeds
repeat runs, checkpoints keep the children."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ppcg.curricula import ACCEL, make_curriculum
from ppcg.curricula.accel import EDIT_MARK
from ppcg.curricula.base import CurriculumConfigError
from ppcg.curricula.testing import FakeGenerator, ScriptedVecEnv, wins_below
from ppcg.envs.source import EpisodeResult, LevelRequest


class Scorer:
    """A level source in front of the curriculum that scores every episode as a regret: 0 won, 1 lost (what
    the SB3 callback does from the rollout's values), and records which hand-outs were replays."""

    def __init__(self, cur: ACCEL) -> None:
        self.cur = cur
        self.replayed: list[LevelRequest] = []
        self.handed: list[str] = []

    def next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        before = self.cur.replays
        req = self.cur.next_level(env_index, rng)
        self.handed.append(req.level_id)
        if self.cur.replays > before:
            self.replayed.append(req)
        return req

    def episode_done(self, env_index: int, result: EpisodeResult) -> None:
        self.cur.episode_done(env_index, result)
        self.cur.update_score(result.level_id, 0.0 if result.won else 1.0)


def accel(**kwargs) -> ACCEL:
    kwargs.setdefault("capacity", 8)
    kwargs.setdefault("n_edits", 1)
    return ACCEL(game="zelda", generator=FakeGenerator(), **kwargs)


def play(cur: ACCEL, agent, episodes: int, n_envs: int = 3, seed: int = 0) -> Scorer:
    scorer = Scorer(cur)
    vec = ScriptedVecEnv(scorer, n_envs, agent, lengths=[2 + i for i in range(n_envs)], seed=seed)
    vec.reset()
    done = 0
    while done < episodes:
        dones, _ = vec.step()
        done += int(dones.sum())
    return scorer


def test_every_replay_breeds_a_child_that_is_played_and_enters_the_buffer():
    cur = accel(replay_prob=0.8)
    scorer = play(cur, wins_below(0.5), 300)
    assert cur.replays > 50
    assert cur.made + cur.failed == cur.replays  # one child per replay
    children = [lid for lid in scorer.handed if EDIT_MARK in lid]
    assert len(children) >= cur.made - 3  # played at the next resets (a few still queued)
    in_buffer = [lid for lid in cur.buffer if EDIT_MARK in lid]
    assert in_buffer and cur.stats()["buffer_children"] == len(in_buffer)
    assert cur.stats()["mean_edit_depth"] > 0
    for lid in in_buffer:  # a child differs from its generated ancestor, which its id names
        root = lid.split(EDIT_MARK)[0]
        d, seed = float(root.split("/d=")[1].split("/")[0]), int(root.split("seed=")[1])
        assert cur.buffer[lid].level.rows != cur.regenerate(d, seed).level.rows


def test_children_are_not_trained_on_in_robust_mode():
    """The robust mask is True exactly for replays: children handed out from the queue are only scored."""
    cur = accel(replay_prob=0.8)
    play(cur, wins_below(0.5), 100)
    rng = np.random.default_rng(5)
    ids, replayed, from_queue = [], [], []
    for env in range(40):
        replays, queued = cur.replays, len(cur.children)
        ids.append(cur.next_level(env, rng).level_id)
        replayed.append(cur.replays > replays)
        from_queue.append(len(cur.children) < queued and not replayed[-1])
    mask = cur.replay_mask(np.array([ids], dtype=object))[0]
    assert mask.tolist() == replayed
    assert any(from_queue) and all(EDIT_MARK in lid for lid, q in zip(ids, from_queue, strict=True) if q)
    assert any(replayed) and cur.robust


def test_a_level_the_agent_always_wins_is_not_replayed():
    """Won levels score 0: once the buffer holds lost ones, they never get in, so they are never replayed."""
    cur = accel(replay_prob=0.5, capacity=6, min_fill=1.0)
    scorer = play(cur, wins_below(0.5), 600)
    late = scorer.replayed[len(scorer.replayed) // 2 :]
    assert len(late) > 50
    assert all(req.difficulty >= 0.5 for req in late)
    assert all(e.difficulty >= 0.5 for e in cur.buffer.values())


def test_a_run_repeats_from_its_seed():
    a, b = accel(replay_prob=0.8), accel(replay_prob=0.8)
    sa, sb = play(a, wins_below(0.5), 200, seed=7), play(b, wins_below(0.5), 200, seed=7)
    assert sa.handed == sb.handed
    assert a.state_dict() == b.state_dict()
    c = accel(replay_prob=0.8)
    assert play(c, wins_below(0.5), 200, seed=8).handed != sa.handed


def test_state_round_trip_keeps_the_children_through_json():
    cur = accel(replay_prob=0.8)
    play(cur, wins_below(0.5), 200)
    rng = np.random.default_rng(1)
    for env in range(5):  # some children handed out and not scored, some still queued
        cur.next_level(env, rng)
    state = json.loads(json.dumps(cur.state_dict()))
    other = accel(replay_prob=0.8)
    other.load_state_dict(state)
    assert other.state_dict() == cur.state_dict()
    for lid, e in cur.buffer.items():
        assert other.buffer[lid].level == e.level
    assert [e.level for e in other.children] == [e.level for e in cur.children]
    # both continue alike
    r1, r2 = np.random.default_rng(9), np.random.default_rng(9)
    assert [cur.next_level(0, r1).level for _ in range(20)] == [
        other.next_level(0, r2).level for _ in range(20)
    ]


def test_defaults_are_the_papers_and_options_are_checked():
    cur = make_curriculum("accel", game="zelda", generator=FakeGenerator())
    assert (cur.replay_prob, cur.capacity, cur.temperature, cur.staleness_coef, cur.n_edits) == (
        0.8,
        4000,
        0.3,
        0.3,
        20,
    )
    assert cur.robust and cur.prioritization == "rank" and cur.min_fill == 0.5
    with pytest.raises(CurriculumConfigError) as err:
        make_curriculum("accel", game="zelda", generator=FakeGenerator(), n_edits=0)
    assert err.value.key == "n_edits"

    class NoMutate:
        def generate(self, d, rng):  # pragma: no cover - never called
            raise AssertionError

    with pytest.raises(CurriculumConfigError, match="cannot mutate"):
        make_curriculum("accel", game="zelda", generator=NoMutate())


def test_accel_with_the_zelda_generator_breeds_playable_children():
    from ppcg.generators import get_generator
    from ppcg.generators.playability import check_level_text

    cur = make_curriculum("accel", game="zelda", capacity=4, n_edits=3)
    scorer = play(cur, wins_below(0.5), 60)
    kids = [e for e in cur.buffer.values() if EDIT_MARK in e.level_id] + list(cur.children)
    assert kids and scorer.replayed
    gen = get_generator("zelda")
    for e in kids:
        assert check_level_text("zelda", e.level.rows) is None
        assert (e.level.width, e.level.height) == (gen.width, gen.height)
