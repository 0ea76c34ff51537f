"""The SB3 callback (TensorBoard scalars, PLR scoring, the robust mask) and curricula inside SB3's vector
envs: after every auto-reset, the level played is the curriculum's."""

from __future__ import annotations

import sys

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("stable_baselines3")
import cloudpickle  # noqa: E402
from stable_baselines3 import A2C  # noqa: E402
from stable_baselines3.common.logger import KVWriter, Logger  # noqa: E402
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv  # noqa: E402

from ppcg.curricula import CurriculumServer, PrioritizedLevelReplay, ProgressivePCG, env_fns  # noqa: E402
from ppcg.curricula.sb3_callback import CurriculumCallback  # noqa: E402
from ppcg.curricula.testing import FakeGenerator  # noqa: E402
from ppcg.envs.source import EpisodeResult  # noqa: E402

# SubprocVecEnv pickles the env factories with cloudpickle; ship this module's classes by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Tiny networks: more threads only fight over the cores."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class LevelEnv(gym.Env):
    """A tiny env that asks its level source for a level in every reset; episodes last ``length`` steps and
    are won on levels easier than 0.3; the reward is 1 for action 1."""

    observation_space = gym.spaces.Box(0.0, 1.0, (2,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def __init__(self, level_source, length: int = 4, env_index: int = 0):
        self.level_source, self.length, self.env_index = level_source, length, env_index
        self.req = None
        self.t = 0

    def _obs(self):
        return np.array([self.req.difficulty, self.t / self.length], dtype=np.float32)

    def _info(self):
        return {
            "level_id": self.req.level_id,
            "difficulty": self.req.difficulty,
            "level_seed": self.req.level_seed,
        }

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.req = self.level_source.next_level(self.env_index, self.np_random)
        self.t = 0
        return self._obs(), self._info()

    def step(self, action):
        self.t += 1
        done = self.t >= self.length
        info = self._info()
        if done:
            won = self.req.difficulty < 0.3
            self.level_source.episode_done(
                self.env_index,
                EpisodeResult(self.req.level_id, won, float(won), self.t, False, self.req.difficulty),
            )
        return self._obs(), float(action == 1), done, False, info


class Capture(KVWriter):
    def __init__(self):
        self.records: list[dict] = []

    def write(self, key_values, key_excluded, step=0):
        self.records.append(dict(key_values))


class Seen(CurriculumCallback):
    """Also remembers every level id the envs reported, and every replay mask."""

    def __init__(self, curriculum):
        super().__init__(curriculum)
        self.seen: set[str] = set()
        self.masks: list[np.ndarray] = []

    def _on_step(self):
        self.seen.update(info["level_id"] for info in self.locals["infos"])
        return super()._on_step()

    def _on_rollout_end(self):
        super()._on_rollout_end()
        if self.last_replay_mask is not None:
            self.masks.append(self.last_replay_mask.copy())


class Handed:
    """Wraps a curriculum's ``_next_level`` to remember the ids it handed out."""

    def __init__(self, cur):
        self.ids: set[str] = set()
        inner = cur._next_level

        def wrapped(env_index, rng):
            req = inner(env_index, rng)
            self.ids.add(req.level_id)
            return req

        cur._next_level = wrapped


def learn(cur, venv, steps: int) -> tuple[A2C, Seen, Capture]:
    model = A2C("MlpPolicy", venv, n_steps=5, seed=0, device="cpu")
    capture = Capture()
    model.set_logger(Logger(folder=None, output_formats=[capture]))
    callback = Seen(cur)
    model.learn(steps, callback=callback, log_interval=1)
    return model, callback, capture


def test_ppcg_in_dummy_vec_env_logs_difficulty_and_win_rate():
    cur = ProgressivePCG(game="zelda", generator=FakeGenerator(), alpha=0.02)
    handed = Handed(cur)
    venv = DummyVecEnv([lambda i=i: LevelEnv(cur, env_index=i, length=3 + i) for i in range(3)])
    _, callback, capture = learn(cur, venv, 600)
    assert cur.episodes > 100
    assert callback.seen <= handed.ids and len(callback.seen) > 100  # every level played was the curriculum's
    last = capture.records[-1]
    assert last["curriculum/difficulty"] == cur.d
    assert 0.2 <= cur.d <= 0.4  # wins below 0.3 only: d stays near 0.3
    assert last["curriculum/win_rate"] == pytest.approx(cur.win_rate)


def test_plr_scores_levels_and_writes_the_replay_mask():
    cur = PrioritizedLevelReplay(
        game="zelda", generator=FakeGenerator(), capacity=8, min_fill=0.5, replay_prob=0.5
    )
    handed = Handed(cur)
    venv = DummyVecEnv([lambda i=i: LevelEnv(cur, env_index=i, length=4 + 3 * i) for i in range(2)])
    model, callback, capture = learn(cur, venv, 600)
    assert callback.seen <= handed.ids
    assert len(cur.buffer) == 8 and cur.inserted >= 8 and cur.replays > 0
    assert all(np.isfinite(e.score) and e.score >= 0 for e in cur.buffer.values())
    mask = model.rollout_buffer.replay_mask
    assert mask.shape == (5, 2) and mask.dtype == bool
    assert any(m.any() for m in callback.masks) and any((~m).any() for m in callback.masks)
    last = capture.records[-1]
    assert last["curriculum/buffer_size"] == 8
    assert last["curriculum/mean_score"] == pytest.approx(np.mean([e.score for e in cur.buffer.values()]))
    assert "curriculum/mean_staleness" in last


def test_plr_needs_an_on_policy_algorithm():
    from stable_baselines3 import DQN

    cur = PrioritizedLevelReplay(game="zelda", generator=FakeGenerator())
    venv = DummyVecEnv([lambda: LevelEnv(cur)])
    model = DQN("MlpPolicy", venv, learning_starts=0, device="cpu")
    with pytest.raises(TypeError, match="on-policy"):
        model.learn(10, callback=CurriculumCallback(cur))


def test_subproc_vec_env_plays_the_main_curriculums_levels():
    cur = ProgressivePCG(game="zelda", generator=FakeGenerator(), alpha=0.02)
    handed = Handed(cur)
    with CurriculumServer(cur) as server:
        venv = SubprocVecEnv(env_fns(server, 2, LevelEnv, length=3))
        try:
            _, callback, capture = learn(cur, venv, 200)
        finally:
            venv.close()
    assert cur.episodes >= 200 // 3 - 2  # every finished episode of both subprocesses came back
    assert callback.seen <= handed.ids and len(callback.seen) > 30
    assert capture.records[-1]["curriculum/difficulty"] == cur.d > 0


def test_async_vector_env_plays_the_main_curriculums_levels():
    cur = ProgressivePCG(game="zelda", generator=FakeGenerator(), alpha=0.02)
    handed = Handed(cur)
    with CurriculumServer(cur) as server:
        venv = gym.vector.AsyncVectorEnv(env_fns(server, 2, LevelEnv, length=2), context="spawn")
        try:
            venv.reset(seed=0)
            seen = set()
            for _ in range(20):
                _, _, _, _, info = venv.step(np.ones(2, dtype=np.int64))
                seen.update(i for i in info["level_id"] if i)
        finally:
            venv.close()
    # Gymnasium resets a finished env on its next step: 20 steps of 2-step episodes are at least 6 per env
    assert cur.episodes >= 12 and seen <= handed.ids and len(seen) >= 10
