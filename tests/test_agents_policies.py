"""Feature extractors: GridCNN takes any [C, H, W] grid unscaled; NatureCNN only for big enough images."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("stable_baselines3")

import torch as th  # noqa: E402
from ppcg.agents.policies import GridCNN, default_features_extractor  # noqa: E402
from stable_baselines3.common.preprocessing import preprocess_obs  # noqa: E402
from stable_baselines3.common.torch_layers import NatureCNN  # noqa: E402


@pytest.mark.parametrize("shape", [(9, 9, 13), (1, 1, 1), (4, 11, 28), (7, 13, 26)])
def test_gridcnn_keeps_the_grid_and_gives_features(shape):
    space = gym.spaces.Box(0, 1, shape, np.uint8)
    net = GridCNN(space, features_dim=32, channels=(8, 16))
    x = th.as_tensor(np.random.default_rng(0).integers(0, 2, (5, *shape)), dtype=th.uint8)
    out = net(x)
    assert out.shape == (5, 32) and (out >= 0).all()
    linear = net.linear[0]
    assert linear.in_features == 16 * shape[1] * shape[2]  # padding 1: no resolution lost


def test_gridcnn_default_size_for_zelda():
    net = GridCNN(gym.spaces.Box(0, 1, (9, 9, 13), np.uint8))
    n = sum(p.numel() for p in net.parameters())
    assert 400_000 < n < 600_000 and net.features_dim == 128


def test_gridcnn_rejects_non_grids():
    with pytest.raises(ValueError, match=r"\[C, H, W\]"):
        GridCNN(gym.spaces.Box(0, 1, (10,), np.float32))
    with pytest.raises(ValueError, match="at least one convolution"):
        GridCNN(gym.spaces.Box(0, 1, (2, 3, 3), np.uint8), channels=())


def test_default_extractor_by_observation_space():
    assert default_features_extractor(gym.spaces.Box(0, 1, (9, 9, 13), np.uint8)) is GridCNN
    assert default_features_extractor(gym.spaces.Box(0, 255, (90, 130, 3), np.uint8)) is NatureCNN
    assert default_features_extractor(gym.spaces.Box(0, 255, (3, 90, 130), np.uint8)) is NatureCNN
    assert default_features_extractor(gym.spaces.Box(0, 255, (20, 20, 3), np.uint8)) is GridCNN  # too small
    with pytest.raises(ValueError):
        default_features_extractor(gym.spaces.Discrete(3))


def test_symbolic_grids_are_not_divided_by_255():
    space = gym.spaces.Box(0, 1, (2, 3, 3), np.uint8)
    x = th.ones((1, 2, 3, 3), dtype=th.uint8)
    assert preprocess_obs(x, space, normalize_images=True).max().item() == 1.0
