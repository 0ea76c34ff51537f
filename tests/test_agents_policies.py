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


def test_centred_view_puts_the_avatar_in_the_middle():
    from ppcg.agents.policies import CentredGridCNN

    space = gym.spaces.Box(0, 1, (3, 3, 4), np.uint8)  # planes: avatar, key, wall
    net = CentredGridCNN(space, centre_planes=[0])
    obs = th.zeros(2, 3, 3, 4)
    obs[0, 0, 1, 2] = 1  # avatar at row 1, column 2
    obs[0, 1, 0, 0] = 1  # key one row up, two columns left of it
    obs[1, 0, 2, 0] = 1  # second sample: avatar in the bottom-left corner
    view = net.centred(obs)
    assert view.shape == (2, 4, 5, 7)
    assert view[0, 0, 2, 3] == 1 and view[0, 0].sum() == 1  # avatar at the centre
    assert view[0, 1, 1, 1] == 1 and view[0, 1].sum() == 1  # the key keeps its offset from the avatar
    assert view[1, 0, 2, 3] == 1
    # The extra plane marks cells outside the level: 12 inside, the rest outside, wherever the avatar is.
    assert (view[:, 3] == 0).sum(dim=(1, 2)).tolist() == [12, 12]
    assert view[1, 3, 2, 3] == 0 and view[1, 3, 2, 2] == 1  # left of a left-edge avatar: outside
    # The same surroundings anywhere in the level give the same features.
    moved = th.zeros(1, 3, 3, 4)
    moved[0, 0, 2, 3], moved[0, 1, 1, 1] = 1, 1
    near = th.zeros(1, 3, 3, 4)
    near[0, 0, 1, 2], near[0, 1, 0, 0] = 1, 1
    a, b = net.centred(moved), net.centred(near)
    assert th.equal(a[:, :2, 1:4, 1:6], b[:, :2, 1:4, 1:6])


@pytest.mark.parametrize("channels, strides", [((), None), ((8, 8), (1, 2))])
def test_centred_cnn_gives_features(channels, strides):
    from ppcg.agents.policies import CentredGridCNN

    space = gym.spaces.Box(0, 1, (9, 9, 13), np.uint8)
    net = CentredGridCNN(space, features_dim=32, channels=channels, strides=strides, centre_planes=[4, 5])
    x = th.as_tensor(np.random.default_rng(0).integers(0, 2, (5, 9, 9, 13)), dtype=th.uint8)
    out = net(x)
    assert out.shape == (5, 32) and (out >= 0).all()
    if not channels:
        assert net.linear[0].in_features == 10 * 17 * 25


def test_centred_cnn_rejects_bad_arguments():
    from ppcg.agents.policies import CentredGridCNN

    space = gym.spaces.Box(0, 1, (3, 5, 5), np.uint8)
    with pytest.raises(ValueError, match="centre_planes"):
        CentredGridCNN(space)
    with pytest.raises(ValueError, match="out of range"):
        CentredGridCNN(space, centre_planes=[3])
    with pytest.raises(ValueError, match="one stride per convolution"):
        CentredGridCNN(space, channels=(4,), strides=(1, 2), centre_planes=[0])


def test_train_centres_on_the_games_avatar():
    from ppcg.agents.config import load_hyperparams
    from ppcg.agents.policies import CentredGridCNN
    from ppcg.agents.train import avatar_planes, policy_kwargs_for

    import ppcg  # noqa: F401

    env = gym.make("ppcg/Zelda-v0")
    planes = avatar_planes("zelda")
    names = env.unwrapped.plane_names
    assert sorted(names[p] for p in planes) == ["hero", "herokey"]
    cfg = load_hyperparams("ppo", "ppcg/Zelda-v0", overrides={})
    cfg.policy_kwargs["features_extractor_class"] = "CentredGridCNN"
    cfg.policy_kwargs.pop("features_extractor_kwargs", None)
    kwargs = policy_kwargs_for(cfg, env.observation_space, "zelda")
    assert kwargs["policy_kwargs"]["features_extractor_class"] is CentredGridCNN
    assert kwargs["policy_kwargs"]["features_extractor_kwargs"]["centre_planes"] == planes


def test_cell_planes_are_read_at_the_avatar_beside_the_centred_view():
    """Facing planes (set at the avatar's cell only) enter as one number each: the linear layer grows by 4
    inputs, not by 4 centred planes, and the features change with the facing alone."""
    from ppcg.agents.policies import CentredGridCNN

    space = gym.spaces.Box(0, 1, (7, 3, 4), np.uint8)  # planes: key, avatar, wall, then 4 facing planes
    net = CentredGridCNN(space, features_dim=16, centre_planes=[1], cell_planes=[3, 4, 5, 6])
    assert net.linear[0].in_features == 4 * 5 * 7 + 4  # 3 planes + outside, centred; 4 facing numbers
    obs = th.zeros(2, 7, 3, 4)
    obs[:, 1, 1, 2] = 1  # the avatar at row 1, column 2
    obs[:, 0, 0, 0] = 1
    obs[0, 3, 1, 2] = 1  # facing up
    obs[1, 6, 1, 2] = 1  # facing right
    th.nn.init.normal_(net.linear[0].weight)
    a, b = net(obs)
    assert not th.equal(a, b)
    plain = CentredGridCNN(gym.spaces.Box(0, 1, (3, 3, 4), np.uint8), centre_planes=[1])
    assert th.equal(net.centred(obs[:, net.grid_planes]), plain.centred(obs[:, :3]))
    with pytest.raises(ValueError, match="sharing a plane"):
        CentredGridCNN(space, centre_planes=[1], cell_planes=[1, 3])


def test_ppcg_train_reads_facing_planes_as_cell_planes():
    from ppcg.agents.config import load_hyperparams
    from ppcg.agents.train import policy_kwargs_for

    import ppcg

    config = load_hyperparams("ppo", "ppcg/Zelda-v0")
    config = config.replace(env_kwargs={**config.env_kwargs, "facing": True})
    space = ppcg.make_vec("ppcg/Zelda-v0", 1, facing=True).single_observation_space
    fk = policy_kwargs_for(config, space, "zelda")["policy_kwargs"]["features_extractor_kwargs"]
    c = space.shape[0]
    assert fk["cell_planes"] == [c - 4, c - 3, c - 2, c - 1] and max(fk["centre_planes"]) < c - 4


def test_with_offset_planes_too_the_facing_planes_stay_the_cell_planes():
    from ppcg.agents.config import load_hyperparams
    from ppcg.agents.train import policy_kwargs_for

    import ppcg

    config = load_hyperparams("ppo", "ppcg/Solarfox-v0")
    config = config.replace(env_kwargs={**config.env_kwargs, "facing": True, "offsets": True})
    assert config.observation_kwargs() == {"facing": True, "offsets": True}  # evaluation shows them too
    space = ppcg.make_vec("ppcg/Solarfox-v0", 1, facing=True, offsets=True).single_observation_space
    fk = policy_kwargs_for(config, space, "solarfox")["policy_kwargs"]["features_extractor_kwargs"]
    c = space.shape[0]
    assert fk["cell_planes"] == [c - 8, c - 7, c - 6, c - 5] and max(fk["centre_planes"]) < c - 8


def test_inventory_planes_are_cell_planes_read_as_a_share_of_the_limit():
    """With ``inventory`` the resource planes are cell planes too (after the facing planes, the offset planes
    between them centred), and the network reads a plane bounded by 10 as a tenth of its value: the same
    features for 10 gems held as for a 0/1 plane set."""
    from ppcg.agents.config import load_hyperparams
    from ppcg.agents.policies import CentredGridCNN, GridCNN
    from ppcg.agents.train import policy_kwargs_for

    import ppcg

    config = load_hyperparams("ppo", "ppcg/Boulderdash-v0")
    config = config.replace(env_kwargs={**config.env_kwargs, "facing": True, "offsets": True, "inventory": True})
    assert config.observation_kwargs() == {"facing": True, "offsets": True, "inventory": True}
    venv = ppcg.make_vec("ppcg/Boulderdash-v0", 2, **config.observation_kwargs())
    space = venv.single_observation_space
    fk = policy_kwargs_for(config, space, "boulderdash")["policy_kwargs"]["features_extractor_kwargs"]
    c = space.shape[0]
    assert fk["cell_planes"] == [c - 9, c - 8, c - 7, c - 6, c - 1]
    obs = th.as_tensor(venv.reset(seed=0)[0], dtype=th.float32)
    for cls, kwargs in ((CentredGridCNN, fk), (GridCNN, {})):
        th.manual_seed(0)
        net = cls(space, **kwargs)
        held, unit = obs.clone(), obs.clone()
        held[0, c - 1] = 0
        unit[0, c - 1] = 0
        r, col = np.argwhere(obs[0, fk["centre_planes"]].sum(0).numpy() > 0)[0]
        held[0, c - 1, r, col] = 10
        unit[0, c - 1, r, col] = 1
        scaled = net(held)
        assert net.scaled
        net.scaled = False  # the same weights reading the plane unscaled: 1 there gives what 10 gave
        th.testing.assert_close(net(unit), scaled)
        assert not th.allclose(net(held), scaled)
        net.scaled = True
        # a network over 0/1 planes only scales nothing
        assert not cls(ppcg.make_vec("ppcg/Boulderdash-v0", 1, facing=True).single_observation_space,
                       **({k: v for k, v in fk.items() if k != "cell_planes"} if cls is CentredGridCNN
                          else {})).scaled


@pytest.mark.parametrize("game", ["zelda", "solarfox", "frogs", "boulderdash"])
def test_the_bundled_ppo_settings_of_each_game_build_its_network(game):
    """ppo.yml's per-game entries (Frogs' window, Solarfox's window and offset planes, Boulderdash's window, offset and
    inventory planes and win reward) make a network that reads that game's observations: the view, the centred
    and cell planes all fit."""
    from ppcg.agents.config import load_hyperparams
    from ppcg.agents.policies import CentredGridCNN
    from ppcg.agents.train import policy_kwargs_for

    import ppcg

    env_id = f"ppcg/{game.title()}-v0"
    config = load_hyperparams("ppo", env_id)
    space = ppcg.make_vec(env_id, 1, **config.observation_kwargs()).single_observation_space
    pk = policy_kwargs_for(config, space, game)["policy_kwargs"]
    net = CentredGridCNN(space, **pk["features_extractor_kwargs"])
    obs = th.as_tensor(ppcg.make_vec(env_id, 2, **config.observation_kwargs()).reset(seed=0)[0], dtype=th.float32)
    assert net(obs).shape == (2, 128)
    assert net.view == {"frogs": (21, 21), "boulderdash": (13, 13), "solarfox": (13, 13)}.get(game, net.view)
    assert net.view != (21, 21) or game == "frogs"
    assert bool(config.env_kwargs.get("offsets")) == (game in ("solarfox", "boulderdash"))
    assert bool(config.env_kwargs.get("inventory")) == net.scaled == (game == "boulderdash")
    assert config.env_kwargs.get("win_reward", 0) == (10 if game == "boulderdash" else 0)


def test_a_view_window_is_the_middle_of_the_whole_centred_view():
    from ppcg.agents.policies import CentredGridCNN

    space = gym.spaces.Box(0, 1, (2, 5, 9), np.uint8)
    whole = CentredGridCNN(space, centre_planes=[0])
    window = CentredGridCNN(space, centre_planes=[0], view=(3, 5))
    assert window.view == (3, 5) and window.linear[0].in_features == 3 * 3 * 5
    obs = th.as_tensor(np.random.default_rng(1).integers(0, 2, (4, 2, 5, 9)), dtype=th.float32)
    obs[:, 0] = 0
    obs[np.arange(4), 0, [0, 4, 2, 1], [0, 8, 4, 7]] = 1  # avatars in corners, the middle, near an edge
    assert th.equal(window.centred(obs), whole.centred(obs)[:, :, 3:6, 6:11])
    assert CentredGridCNN(space, centre_planes=[0], view=(99, 99)).view == (9, 17)  # cut to the whole view
    for bad in [(2, 3), (3,), (0, 1)]:
        with pytest.raises(ValueError, match="odd"):
            CentredGridCNN(space, centre_planes=[0], view=bad)
