"""Robust PLR's masked A2C: the mask follows the buffer's flattening; all-True is SB3's A2C; all-False
is a no-op."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("stable_baselines3")

import torch as th  # noqa: E402
from gymnasium.vector import AutoresetMode, SyncVectorEnv  # noqa: E402
from ppcg.agents.robust import MaskedRolloutBuffer, RobustA2C, RobustPPO  # noqa: E402
from ppcg.agents.vec_env import SB3VecEnv  # noqa: E402
from stable_baselines3 import A2C, PPO  # noqa: E402
from stable_baselines3.common.callbacks import BaseCallback  # noqa: E402


def test_mask_follows_the_buffers_shuffled_flattening():
    space = gym.spaces.Box(0, 1000, (2,), np.float32)
    buf = MaskedRolloutBuffer(4, space, gym.spaces.Discrete(2), n_envs=3, device="cpu")
    for t in range(4):
        obs = np.array([[t, e] for e in range(3)], np.float32)
        buf.add(obs, np.zeros((3, 1)), np.zeros(3), np.zeros(3, bool), th.zeros(3), th.zeros(3))
    buf.compute_returns_and_advantage(th.zeros(3), np.zeros(3, bool))
    buf.replay_mask = np.array([[(t + e) % 2 == 0 for e in range(3)] for t in range(4)])
    seen = 0
    for batch in buf.get(batch_size=5):
        o = batch.observations.numpy()
        expected = ((o[:, 0] + o[:, 1]) % 2 == 0).astype(np.float32)
        np.testing.assert_array_equal(batch.mask.numpy(), expected)
        seen += len(o)
    assert seen == 12


class Obs(gym.Env):
    def __init__(self):
        self.observation_space = gym.spaces.Box(-1, 1, (3,), np.float32)
        self.action_space = gym.spaces.Discrete(2)
        self.render_mode = None

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return self.np_random.uniform(-1, 1, 3).astype(np.float32), {}

    def step(self, a):
        return (
            self.np_random.uniform(-1, 1, 3).astype(np.float32),
            float(a),
            bool(self.np_random.random() < 0.2),
            False,
            {},
        )


class SetMask(BaseCallback):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def _on_step(self):
        return True

    def _on_rollout_end(self):
        buf = self.model.rollout_buffer
        buf.replay_mask = np.full((buf.buffer_size, buf.n_envs), self.value)


def params_after(cls, mask_value, steps=50):
    env = SB3VecEnv(SyncVectorEnv([Obs, Obs], autoreset_mode=AutoresetMode.SAME_STEP), seed=0)
    kwargs = {"n_steps": 5} if issubclass(cls, A2C) else {"n_steps": 8, "batch_size": 4, "n_epochs": 2}
    model = cls("MlpPolicy", env, seed=0, device="cpu", **kwargs)
    before = [p.detach().clone() for p in model.policy.parameters()]
    model.learn(steps, callback=SetMask(mask_value) if cls in (RobustA2C, RobustPPO) else None)
    return before, [p.detach().clone() for p in model.policy.parameters()]


def test_all_true_mask_is_sb3s_a2c_and_all_false_learns_nothing():
    _, ref = params_after(A2C, True)
    _, robust = params_after(RobustA2C, True)
    for a, b in zip(ref, robust, strict=True):
        th.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    before, frozen = params_after(RobustA2C, False)
    for a, b in zip(before, frozen, strict=True):
        assert th.equal(a, b)


def test_robust_ppo_all_true_is_sb3s_ppo_and_all_false_learns_nothing():
    _, ref = params_after(PPO, True, steps=32)
    _, robust = params_after(RobustPPO, True, steps=32)
    for a, b in zip(ref, robust, strict=True):
        th.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    before, frozen = params_after(RobustPPO, False, steps=32)
    for a, b in zip(before, frozen, strict=True):
        assert th.equal(a, b)
