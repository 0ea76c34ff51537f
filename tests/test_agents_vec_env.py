"""The SB3 adapter over Gymnasium vector envs, tested against Gymnasium's own SyncVectorEnv on a tiny env."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("stable_baselines3")

from gymnasium.vector import AutoresetMode, SyncVectorEnv  # noqa: E402
from ppcg.agents.vec_env import SB3VecEnv, split_infos  # noqa: E402


class CountEnv(gym.Env):
    """Counts its steps in the observation; ends after ``length`` steps (drawn at reset from its rng)."""

    metadata = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Box(0, 255, (1, 2, 3), np.uint8)
        self.action_space = gym.spaces.Discrete(3)
        self.t = 0
        self.length = 0
        self.episodes = 0
        self.render_mode = None

    def _obs(self) -> np.ndarray:
        return np.full((1, 2, 3), self.t, np.uint8)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        self.length = int(self.np_random.integers(2, 6))
        self.episodes += 1
        return self._obs(), {"level_id": f"ep{self.episodes}"}

    def step(self, action):
        self.t += 1
        done = self.t >= self.length
        info = {"score": float(self.t)}
        if done:
            info["is_success"] = bool(action == 2)
        return self._obs(), float(action), done, False, info


def make(mode, n=3):
    return SyncVectorEnv([CountEnv for _ in range(n)], autoreset_mode=mode)


def rollout(mode, steps=30, seed=7):
    env = SB3VecEnv(make(mode), seed=seed)
    obs = env.reset()
    out = [obs.copy()]
    rng = np.random.default_rng(0)
    for _ in range(steps):
        env.step_async(rng.integers(0, 3, env.num_envs))
        obs, rew, done, infos = env.step_wait()
        out.append((obs.copy(), rew.copy(), done.copy(), infos))
    return env, out


@pytest.mark.parametrize("mode", [AutoresetMode.SAME_STEP, AutoresetMode.DISABLED])
def test_finished_envs_come_back_reset_with_terminal_observation(mode):
    env, out = rollout(mode)
    assert env.num_envs == 3 and env.observation_space.shape == (1, 2, 3)
    assert (out[0] == 0).all()
    n_done = 0
    prev = out[0]
    for obs, rew, done, infos in out[1:]:
        assert rew.dtype == np.float32 and done.dtype == bool and len(infos) == 3
        for i in range(3):
            if done[i]:
                n_done += 1
                term = infos[i]["terminal_observation"]
                assert term.shape == (1, 2, 3)
                assert int(term.flat[0]) == int(prev[i].flat[0]) + 1  # the step that ended the episode
                assert (obs[i] == 0).all()  # already the next episode's first observation
                assert infos[i]["TimeLimit.truncated"] is False
                assert "is_success" in infos[i] and "score" in infos[i]
            else:
                assert "terminal_observation" not in infos[i]
                assert int(obs[i].flat[0]) == int(prev[i].flat[0]) + 1
        prev = obs
    assert n_done >= 10


def test_same_step_and_disabled_modes_give_the_same_trajectories():
    _, a = rollout(AutoresetMode.SAME_STEP)
    _, b = rollout(AutoresetMode.DISABLED)
    for x, y in zip(a[1:], b[1:], strict=True):
        np.testing.assert_array_equal(x[0], y[0])
        np.testing.assert_array_equal(x[1], y[1])
        np.testing.assert_array_equal(x[2], y[2])
        for ix, iy in zip(x[3], y[3], strict=True):
            assert ("terminal_observation" in ix) == ("terminal_observation" in iy)


def test_seeding_is_reproducible_and_seed_method_overrides():
    _, a = rollout(AutoresetMode.SAME_STEP, seed=3)
    _, b = rollout(AutoresetMode.SAME_STEP, seed=3)
    _, c = rollout(AutoresetMode.SAME_STEP, seed=4)
    assert all((x[2] == y[2]).all() for x, y in zip(a[1:], b[1:], strict=True))
    assert any((x[2] != y[2]).any() for x, y in zip(a[1:], c[1:], strict=True))
    env = SB3VecEnv(make(AutoresetMode.SAME_STEP), seed=99)
    assert env.seed(3) == [3, 4, 5]
    env.reset()
    assert [e.length for e in env.venv.envs] == [
        e.length for e in rollout(AutoresetMode.SAME_STEP, 0, 3)[0].venv.envs
    ]


def test_next_step_mode_is_refused():
    with pytest.raises(ValueError, match="NEXT_STEP"):
        SB3VecEnv(make(AutoresetMode.NEXT_STEP))


def test_attributes_and_methods_reach_the_environments():
    env = SB3VecEnv(make(AutoresetMode.SAME_STEP))
    env.reset()
    assert env.get_attr("episodes") == [1, 1, 1]
    env.set_attr("episodes", 10, indices=[1])
    assert env.get_attr("episodes", indices=[0, 1]) == [1, 10]
    assert env.env_method("_obs", indices=2)[0].shape == (1, 2, 3)
    assert env.env_is_wrapped(gym.Wrapper) == [False] * 3
    assert env.reset_infos[0]["level_id"] == "ep1"


def test_split_infos_uses_masks_and_nests():
    info = {
        "a": np.array([1, 2]),
        "_a": np.array([True, False]),
        "final_info": {"x": np.array([0.5, 0.0]), "_x": np.array([True, False])},
        "_final_info": np.array([True, False]),
    }
    assert split_infos(info, 2) == [{"a": 1, "final_info": {"x": 0.5}}, {}]


def test_a2c_trains_through_the_adapter():
    from stable_baselines3 import A2C

    env = SB3VecEnv(make(AutoresetMode.SAME_STEP, n=4), seed=0)
    model = A2C("MlpPolicy", env, n_steps=5, seed=0, device="cpu")
    model.learn(200)
    assert model.num_timesteps == 200
