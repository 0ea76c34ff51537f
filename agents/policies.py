"""Feature extractors for ppcg's observations.

* Symbolic observations are small one-hot grids, uint8 ``[C, H, W]`` with values in {0, 1} (Zelda: 9 x 13
  cells). SB3's :class:`~stable_baselines3.common.torch_layers.NatureCNN` (8x8 stride-4, then 4x4 stride-2,
  then 3x3) needs 36 x 36 or more, so :class:`GridCNN` keeps the resolution instead: 3x3 convolutions with
  padding 1 (one cell of context per layer), then one fully connected layer. The grid is not normalised (it is
  already 0/1).
* RGB observations (10 pixels a cell: Zelda is 90 x 130) use SB3's NatureCNN, as the paper did; SB3 transposes
  them to channels-first and scales them to [0, 1] itself.

:func:`default_features_extractor` picks one from the observation space.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch as th
from stable_baselines3.common.preprocessing import is_image_space
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor, NatureCNN
from torch import nn

__all__ = ["GridCNN", "default_features_extractor"]


class GridCNN(BaseFeaturesExtractor):
    """A small CNN for ``[C, H, W]`` grids of any size (1 x 1 and up).

    Layers: ``len(channels)`` 3x3 convolutions with padding 1 and ReLU, flattened, then a linear layer to
    ``features_dim`` with ReLU. With the defaults (16 and 32 channels, 128 features) a Zelda grid (9 x 13)
    gives a network of about 0.5 M parameters, most of them in the last layer (sized for 3,000+ steps/s on one
    core).

    Args:
        observation_space: a ``Box`` of shape ``[C, H, W]``.
        features_dim: size of the output.
        channels: output channels of each convolution.

    Raises:
        ValueError: the space is not a 3-D ``Box``.
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        features_dim: int = 128,
        channels: tuple[int, ...] | list[int] = (16, 32),
    ) -> None:
        if not isinstance(observation_space, gym.spaces.Box) or len(observation_space.shape) != 3:
            raise ValueError(f"GridCNN needs a [C, H, W] Box observation space, got {observation_space}")
        if not channels:
            raise ValueError("GridCNN needs at least one convolution (channels is empty)")
        super().__init__(observation_space, features_dim)
        layers: list[nn.Module] = []
        in_channels = int(observation_space.shape[0])
        for out_channels in channels:
            layers += [nn.Conv2d(in_channels, int(out_channels), kernel_size=3, padding=1), nn.ReLU()]
            in_channels = int(out_channels)
        layers.append(nn.Flatten())
        self.cnn = nn.Sequential(*layers)
        with th.no_grad():
            n_flatten = self.cnn(th.zeros((1, *observation_space.shape), dtype=th.float32)).shape[1]
        self.linear = nn.Sequential(nn.Linear(n_flatten, features_dim), nn.ReLU())

    def forward(self, observations: th.Tensor) -> th.Tensor:
        """Features of a batch ``[N, C, H, W]`` (any dtype; cast to float)."""
        return self.linear(self.cnn(observations.float()))


def default_features_extractor(observation_space: gym.spaces.Space) -> type[BaseFeaturesExtractor]:
    """NatureCNN for image observations (uint8 0-255, 3 or 4 channels, 36 x 36 or more), else GridCNN.

    Raises:
        ValueError: an image too small for the Nature CNN and not a grid either.
    """
    if isinstance(observation_space, gym.spaces.Box) and is_image_space(
        observation_space, check_channels=True
    ):
        shape = observation_space.shape
        h, w = (shape[1], shape[2]) if shape[0] in (1, 3, 4) else (shape[0], shape[1])
        if min(h, w) >= 36:
            return NatureCNN
    if isinstance(observation_space, gym.spaces.Box) and len(observation_space.shape) == 3:
        if np.issubdtype(observation_space.dtype, np.integer) or np.issubdtype(
            observation_space.dtype, np.floating
        ):
            return GridCNN
    raise ValueError(f"no features extractor for observation space {observation_space}")
