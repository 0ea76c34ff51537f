"""Feature extractors for ppcg's observations.

* Symbolic observations are small one-hot grids, uint8 ``[C, H, W]`` with values in {0, 1} (Zelda: 9 x 13
  cells). SB3's :class:`~stable_baselines3.common.torch_layers.NatureCNN` (8x8 stride-4, then 4x4 stride-2,
  then 3x3) needs 36 x 36 or more, so :class:`GridCNN` keeps the resolution instead: 3x3 convolutions with
  padding 1 (one cell of context per layer), then one fully connected layer. The grid's 0/1 planes are read as
  they are; a plane whose space goes higher (``inventory=True``: an amount up to the resource's limit) is
  divided by its bound, so every input is in [0, 1].
* :class:`CentredGridCNN` sees the same grid re-centred on the avatar (an egocentric view, as MiniGrid's
  agents have): what matters to the avatar (a monster next to it, the key three cells left) is then the same
  input wherever the avatar stands, which is what lets a policy carry over from one level layout to another.
  The centring happens inside the network, on the environment's ordinary observation, so environments,
  evaluation and recorded runs are unchanged.
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

__all__ = ["GridCNN", "CentredGridCNN", "default_features_extractor"]


def _plane_scale(observation_space: gym.spaces.Box) -> th.Tensor | None:
    """``[1, C, 1, 1]``: 1 / each plane's upper bound, or None where every plane is 0/1 (nothing to scale)."""
    high = np.asarray(observation_space.high, dtype=np.float64).reshape(observation_space.shape[0], -1).max(1)
    if (high <= 1).all():
        return None
    return th.as_tensor(1.0 / np.maximum(high, 1.0), dtype=th.float32).reshape(1, -1, 1, 1)


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
        scale = _plane_scale(observation_space)
        self.scaled = scale is not None
        if self.scaled:
            self.register_buffer("plane_scale", scale, persistent=False)

    def forward(self, observations: th.Tensor) -> th.Tensor:
        """Features of a batch ``[N, C, H, W]`` (any dtype; cast to float, planes above 1 scaled to [0, 1])."""
        obs = observations.float()
        if self.scaled:
            obs = obs * self.plane_scale
        return self.linear(self.cnn(obs))


class CentredGridCNN(BaseFeaturesExtractor):
    """The grid re-centred on the avatar, then optional 3x3 convolutions and one fully connected layer.

    The ``[C, H, W]`` observation is placed on a ``[C + 1, 2H - 1, 2W - 1]`` canvas so that the avatar's cell
    (the first cell set in the ``centre_planes``, summed) is the canvas' centre; the extra plane marks the
    cells outside the level. With no avatar on the grid (it died) the view is centred on the top-left cell.
    Every cell of the level stays in view wherever the avatar stands. Then ``len(channels)`` 3x3 convolutions
    (padding 1, stride ``strides[i]``, ReLU), flattened, and a linear layer to ``features_dim`` with ReLU;
    ``channels=()`` gives a linear layer on the centred one-hot grid alone (the cheapest, and on small grids
    often the best).

    Args:
        observation_space: a ``Box`` of shape ``[C, H, W]``.
        features_dim: size of the output.
        channels: output channels of each convolution (may be empty).
        strides: the stride of each convolution (default 1 each).
        centre_planes: the planes whose cell is the centre: the avatar's types (``ppcg train`` fills them in
            from the game when they are not given).
        cell_planes: planes set at the avatar's cell only (the facing planes of ``facing=True`` and the
            inventory planes of ``inventory=True`` observations, which ``ppcg train`` fills in): read as one
            number each beside the view rather than centred with it, the same information for a fraction of the
            linear layer's inputs.
        view: ``(height, width)`` of the centred view, odd numbers: the cells up to ``height // 2`` rows and
            ``width // 2`` columns away from the avatar (default: the whole level from anywhere, ``2H - 1`` x
            ``2W - 1``; larger values are cut to that). On a wide level (Frogs, 28 x 11) the whole view is a
            large input; a window of what is near costs a fraction of it.

    Raises:
        ValueError: the space is not a 3-D ``Box``, no centre plane is given, or one is out of range.
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        features_dim: int = 128,
        channels: tuple[int, ...] | list[int] = (),
        strides: tuple[int, ...] | list[int] | None = None,
        centre_planes: tuple[int, ...] | list[int] = (),
        cell_planes: tuple[int, ...] | list[int] = (),
        view: tuple[int, int] | list[int] | None = None,
    ) -> None:
        if not isinstance(observation_space, gym.spaces.Box) or len(observation_space.shape) != 3:
            raise ValueError(f"CentredGridCNN needs a [C, H, W] Box space, not {observation_space}")
        c, h, w = (int(n) for n in observation_space.shape)
        planes = [int(p) for p in centre_planes]
        cells = sorted({int(p) for p in cell_planes})
        if not planes:
            raise ValueError("CentredGridCNN needs centre_planes: the observation planes of the avatar")
        if any(not 0 <= p < c for p in planes + cells) or set(planes) & set(cells):
            raise ValueError(
                f"centre_planes {planes} and cell_planes {cells}: out of range for {c} observation planes, "
                "or sharing a plane"
            )
        grid = [p for p in range(c) if p not in cells]
        planes = [grid.index(p) for p in planes]  # among the planes that are centred
        c = len(grid)
        strides = [1] * len(channels) if strides is None else [int(s) for s in strides]
        if len(strides) != len(channels):
            raise ValueError(f"strides {strides} must give one stride per convolution ({len(channels)})")
        super().__init__(observation_space, features_dim)
        self.centre_planes = planes
        self.grid_planes = grid if cells else None
        self.cell_planes = cells
        full = (2 * h - 1, 2 * w - 1)
        if view is None:
            view = full
        if len(view) != 2 or any(int(v) < 1 or int(v) % 2 == 0 for v in view):
            raise ValueError(f"view must be (height, width), two odd positive numbers, not {view!r}")
        self.view = (min(int(view[0]), full[0]), min(int(view[1]), full[1]))
        # canvas rows/columns of the view, from the avatar's cell (the canvas pads the level by H - 1, W - 1)
        top, left = (full[0] - self.view[0]) // 2, (full[1] - self.view[1]) // 2
        self.register_buffer("rows", th.arange(top, top + self.view[0]), persistent=False)
        self.register_buffer("cols", th.arange(left, left + self.view[1]), persistent=False)
        layers: list[nn.Module] = []
        in_channels = c + 1
        for out_channels, stride in zip(channels, strides, strict=True):
            layers += [nn.Conv2d(in_channels, int(out_channels), 3, stride=stride, padding=1), nn.ReLU()]
            in_channels = int(out_channels)
        layers.append(nn.Flatten())
        self.cnn = nn.Sequential(*layers)
        with th.no_grad():
            n_flatten = self.cnn(th.zeros((1, c + 1, *self.view), dtype=th.float32)).shape[1]
        self.linear = nn.Sequential(nn.Linear(n_flatten + len(cells), features_dim), nn.ReLU())
        scale = _plane_scale(observation_space)
        self.scaled = scale is not None
        if self.scaled:
            self.register_buffer("plane_scale", scale, persistent=False)

    def centred(self, obs: th.Tensor) -> th.Tensor:
        """``[N, C, H, W]`` -> ``[N, C + 1, *view]`` (by default ``2H - 1`` x ``2W - 1``), the avatar's cell
        at the centre."""
        n, c, h, w = obs.shape
        canvas = obs.new_zeros((n, h + 2 * (h - 1), w + 2 * (w - 1), c + 1))
        canvas[..., c] = 1.0  # outside the level
        inner = canvas[:, h - 1 : 2 * h - 1, w - 1 : 2 * w - 1]
        inner[..., :c] = obs.permute(0, 2, 3, 1)
        inner[..., c] = 0.0
        at = obs[:, self.centre_planes].sum(1).reshape(n, -1).argmax(1)
        r, col = at // w, at % w
        idx = th.arange(n, device=obs.device)[:, None, None]
        view = canvas[idx, (r[:, None] + self.rows)[:, :, None], (col[:, None] + self.cols)[:, None, :]]
        return view.permute(0, 3, 1, 2)

    def forward(self, observations: th.Tensor) -> th.Tensor:
        """Features of a batch ``[N, C, H, W]`` (any dtype; cast to float, planes above 1 scaled to [0, 1])."""
        obs = observations.float()
        if self.scaled:
            obs = obs * self.plane_scale
        if self.grid_planes is None:
            return self.linear(self.cnn(self.centred(obs)))
        cells = obs[:, self.cell_planes].flatten(2).amax(2)  # set at one cell at most: its value
        view = self.cnn(self.centred(obs[:, self.grid_planes]))
        return self.linear(th.cat([view, cells], dim=1))


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
