"""The Gymnasium environments: a matrix over every registered id, then seeding, levels, sources and vectors.

The matrix follows MiniGrid's habit: every id in the registry gets Gymnasium's and SB3's checkers, a two-env
determinism rollout, pickling, every render mode and truncation, without anyone remembering to add them.
"""

from __future__ import annotations

import pickle
import re
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env

import ppcg
from ppcg.envs.core import VGDLEnv
from ppcg.envs.registration import ENV_TABLE, GAMES, MAX_EPISODE_STEPS, register_envs
from ppcg.envs.source import EpisodeResult, LevelRequest
from ppcg.envs.sources import FixedLevelSource, GeneratorSource, LevelSourceError
from ppcg.envs.vector import VGDLVectorEnv
from ppcg.vgdl.level import Level

ALL_IDS = [e.id for e in ENV_TABLE]
GAME_IDS = [f"ppcg/{g.title}-v0" for g in GAMES]

# A Zelda level without monsters: nothing can end it before the step limit.
CALM = "wwwwwww\nwA...gw\nw..+..w\nwwwwwww\n"
# A Zelda level with monsters, for the Gymnasium VGDL-v0 id (any game file, given levels).
BUSY = "wwwwwwwwwwwww\nw....w....g.w\nw.A..w..1...w\nw....+..2...w\nwwwwwwwwwwwww\n"
EXTRA: dict[str, dict] = {"ppcg/VGDL-v0": {"game": "zelda", "level": BUSY}}


def make(env_id: str, **kwargs) -> gym.Env:
    return gym.make(env_id, **{**EXTRA.get(env_id, {}), **kwargs})


def rollout(env: gym.Env, seed: int, steps: int) -> list[tuple]:
    """(obs, reward, terminated, truncated, info) of ``steps`` random steps with resets, all from ``seed``."""
    rng = np.random.default_rng(seed)
    obs, info = env.reset(seed=seed)
    out = [(obs, 0.0, False, False, info)]
    for _ in range(steps):
        obs, r, term, trunc, info = env.step(int(rng.integers(env.action_space.n)))
        out.append((obs, r, term, trunc, info))
        if term or trunc:
            obs, info = env.reset()
            out.append((obs, 0.0, False, False, info))
    return out


def assert_same(a: list[tuple], b: list[tuple]) -> None:
    assert len(a) == len(b)
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        np.testing.assert_array_equal(x[0], y[0], err_msg=f"observation {k}")
        assert x[1:] == y[1:], k


class RecordingSource:
    """A level source that records every call (a curriculum stand-in)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: list[tuple] = []

    def next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        req = self.inner.next_level(env_index, rng)
        self.calls.append(("next", env_index, req.level_id))
        return req

    def episode_done(self, env_index: int, result: EpisodeResult) -> None:
        self.calls.append(("done", env_index, result))


# ------------------------------------------------------------------------------------------------------------
# the registry


def test_registry_has_every_game_and_level():
    ids = set(gym.registry)
    for g in GAMES:
        assert f"ppcg/{g.title}-v0" in ids
        for k in range(5):
            assert f"ppcg/{g.title}-lvl{k}-v0" in ids
    assert "ppcg/VGDL-v0" in ids
    assert all(gym.spec(i).max_episode_steps == MAX_EPISODE_STEPS for i in ALL_IDS)


def test_register_envs_is_idempotent():
    before = {i: gym.spec(i) for i in ALL_IDS}
    register_envs()
    register_envs()
    assert {i: gym.spec(i) for i in ALL_IDS} == before


def test_one_observation_shape_per_game():
    for g in GAMES:
        shapes = {make(i).observation_space.shape for i in ALL_IDS if i.startswith(f"ppcg/{g.title}-")}
        assert len(shapes) == 1, (g.title, shapes)
        (shape,) = shapes
        assert shape[1:] == (g.height, g.width)
        rgb = make(f"ppcg/{g.title}-v0", obs_type="rgb").observation_space.shape
        assert rgb == (g.height * 10, g.width * 10, 3)


def test_facing_adds_four_planes_to_single_and_vector_envs_alike():
    from ppcg.engine import FACING_PLANES

    env = make("ppcg/Zelda-lvl0-v0", facing=True)
    venv = ppcg.make_vec("ppcg/Zelda-lvl0-v0", 3, facing=True)
    plain = make("ppcg/Zelda-lvl0-v0")
    c = plain.observation_space.shape[0]
    shape = (c + 4, *plain.observation_space.shape[1:])
    assert env.observation_space.shape == venv.single_observation_space.shape == shape
    assert env.unwrapped.plane_names[c:] == venv.plane_names[c:] == list(FACING_PLANES)
    gym_check_env(env.unwrapped)
    obs, _ = env.reset(seed=0)
    vobs, _ = venv.reset(seed=0)
    assert obs[c:].sum() == 1 and (vobs[:, c:].sum(axis=(1, 2, 3)) == 1).all()
    for _ in range(20):  # the episodes go on (and end and restart) with one facing cell each
        vobs, *_ = venv.step(venv.action_space.sample())
        assert (vobs[:, c:].sum(axis=(1, 2, 3)) <= 1).all()
    with pytest.raises(ValueError, match="symbolic"):
        make("ppcg/Zelda-v0", obs_type="rgb", facing=True)


def test_offsets_add_four_planes_after_the_facing_planes_in_single_and_vector_envs_alike():
    from ppcg.engine import FACING_PLANES, OFFSET_PLANES

    env = make("ppcg/Solarfox-lvl0-v0", facing=True, offsets=True)
    venv = ppcg.make_vec("ppcg/Solarfox-lvl0-v0", 2, facing=True, offsets=True)
    c = make("ppcg/Solarfox-lvl0-v0").observation_space.shape[0]
    assert env.observation_space.shape[0] == venv.single_observation_space.shape[0] == c + 8
    assert env.unwrapped.plane_names[c:] == venv.plane_names[c:] == list(FACING_PLANES) + list(OFFSET_PLANES)
    gym_check_env(env.unwrapped)
    obs, _ = env.reset(seed=0)
    vobs, _ = venv.reset(seed=0)
    moved = 0
    for _ in range(12):  # the ship never stops: off its cell's grid position 9 ticks of 10
        obs, *_ = env.step(0)
        vobs, *_ = venv.step(np.zeros(2, np.int64))
        np.testing.assert_array_equal(vobs[0], obs)  # the same level and seed: the same observation
        moved += bool(obs[c + 4 :].any())
    assert moved >= 9
    with pytest.raises(ValueError, match="symbolic"):
        make("ppcg/Solarfox-v0", obs_type="rgb", offsets=True)


def test_inventory_adds_a_plane_per_resource_bounded_by_its_limit_in_single_and_vector_envs_alike():
    """Boulderdash's miner carries up to ten gems: one plane, ``holding gem``, after all the others, in a space
    whose bound on that plane is the limit (10) and 1 elsewhere; random play stays inside the space and the
    single and vector environments agree."""
    env = make("ppcg/Boulderdash-lvl0-v0", facing=True, offsets=True, inventory=True)
    venv = ppcg.make_vec("ppcg/Boulderdash-lvl0-v0", 2, facing=True, offsets=True, inventory=True)
    c = make("ppcg/Boulderdash-lvl0-v0", facing=True, offsets=True).observation_space.shape[0]
    space = env.observation_space
    assert space.shape[0] == venv.single_observation_space.shape[0] == c + 1
    assert env.unwrapped.plane_names[c:] == venv.plane_names[c:] == ["holding gem"]
    assert (space.high[c] == 10).all() and (space.high[:c] == 1).all() and (space.low == 0).all()
    assert venv.single_observation_space == space
    gym_check_env(env.unwrapped)
    obs, _ = env.reset(seed=0)
    vobs, _ = venv.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = int(rng.integers(env.action_space.n))
        obs, _, term, trunc, _ = env.step(a)
        vobs, *_ = venv.step(np.array([a, 0]))
        assert obs in space
        np.testing.assert_array_equal(vobs[0], obs)
        if term or trunc:
            break
    with pytest.raises(ValueError, match="symbolic"):
        make("ppcg/Boulderdash-v0", obs_type="rgb", inventory=True)


# ------------------------------------------------------------------------------------------------------------
# the matrix


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_gymnasium_check_env(env_id):
    env = make(env_id, render_mode="rgb_array")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gym_check_env(env.unwrapped)  # every render mode too (human on the dummy video driver)
    env.close()


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_sb3_check_env(env_id):
    from stable_baselines3.common.env_checker import check_env

    # Symbolic observations are {0,1} planes of a small grid: SB3 warns that they are not a [0, 255] image for
    # its NatureCNN, which is why ppcg.agents ships a small-grid extractor. Any other warning is a defect.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(make(env_id).unwrapped, warn=True)
    unexpected = [str(w.message) for w in caught if not _known_small_grid_warning(str(w.message))]
    assert not unexpected, unexpected


@pytest.mark.parametrize("env_id", GAME_IDS)
def test_sb3_check_env_rgb_fits_cnn_policy(env_id):
    from stable_baselines3.common.env_checker import check_env

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(make(env_id, obs_type="rgb").unwrapped, warn=True)


def _known_small_grid_warning(message: str) -> bool:
    return "bounds are not in [0, 255]" in message or "minimal resolution for an image is 36x36" in message


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_two_envs_same_seed_same_trajectory(env_id):
    a, b = make(env_id), make(env_id)
    assert_same(rollout(a, 11, 150), rollout(b, 11, 150))


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_pickle_mid_episode_continues_identically(env_id):
    env = make(env_id)
    env.reset(seed=5)
    for a in range(7):
        env.step(a % env.action_space.n)
    twin = pickle.loads(pickle.dumps(env))
    rng = np.random.default_rng(0)
    for _ in range(60):
        a = int(rng.integers(env.action_space.n))
        x, y = env.step(a), twin.step(a)
        np.testing.assert_array_equal(x[0], y[0])
        assert x[1:] == y[1:]
        if x[2] or x[3]:
            x, y = env.reset(), twin.reset()  # the generators were pickled too
            np.testing.assert_array_equal(x[0], y[0])
            assert x[1] == y[1]


def test_num_levels_and_start_level_as_in_procgen():
    env = make("ppcg/Zelda-v0", num_levels=3, start_level=10)
    env.reset(seed=0)
    ids = {env.reset()[1]["level_id"] for _ in range(40)}
    assert ids == {f"zelda/d=0.500/seed={s}" for s in (10, 11, 12)}
    _, info = env.reset(options={"difficulty": 0.3})  # a changed difficulty keeps to the set's seeds
    assert info["level_seed"] in (10, 11, 12) and info["difficulty"] == 0.3
    vec = ppcg.make_vec("ppcg/Zelda-v0", 8, num_levels=2)
    _, info = vec.reset(seed=0)
    assert set(info["level_seed"]) == {0, 1}
    unlimited = make("ppcg/Zelda-v0")
    unlimited.reset(seed=0)
    assert len({unlimited.reset()[1]["level_seed"] for _ in range(20)}) == 20
    for kwargs, match in [
        ({"num_levels": -1}, "integer >= 0"),
        ({"start_level": 4}, "needs num_levels"),
        ({"num_levels": 2, "start_level": 2**31 - 1}, "passes 2"),
        ({"num_levels": 2, "level": "lvl0"}, "not with level="),
    ]:
        with pytest.raises(ValueError, match=match):
            make("ppcg/Zelda-v0", **kwargs)


@pytest.mark.parametrize(
    "env_id, obs",
    [
        ("ppcg/Zelda-v0", "symbolic"),
        ("ppcg/Boulderdash-v0", "rgb"),
        ("ppcg/Frogs-v0", "symbolic"),
        ("ppcg/Solarfox-v0", "rgb"),
    ],
)
def test_vector_state_dict_continues_every_episode(env_id, obs):
    """A vector env's state, through JSON and plain arrays, continues every episode, auto-resets included."""
    import json

    a = ppcg.make_vec(env_id, 3, max_episode_steps=40, obs_type=obs)
    b = ppcg.make_vec(env_id, 3, max_episode_steps=40, obs_type=obs)
    n = a.single_action_space.n
    a.reset(seed=1)
    rng = np.random.default_rng(0)
    for _ in range(25):
        a.step(rng.integers(0, n, 3))
    state = a.state_dict()
    arrays = {"engine", "steps", "open", "score"}
    json.dumps({k: v for k, v in state.items() if k not in arrays})  # the rest is plain JSON
    with pytest.raises(gym.error.ResetNeeded):
        b.state_dict()
    b.reset(seed=99)
    for _ in range(5):
        b.step(rng.integers(0, n, 3))  # b's own episodes, its canvas drawn: all replaced
    b.load_state_dict(state)
    resets = 0
    for actions in rng.integers(0, n, (100, 3)):
        ra, rb = a.step(actions), b.step(actions)
        for x, y in zip(ra[:4], rb[:4], strict=True):
            np.testing.assert_array_equal(x, y)
        assert list(ra[4]["level_id"]) == list(rb[4]["level_id"])
        resets += int(ra[3].sum() + ra[2].sum())
    assert resets >= 3  # new episodes (their levels drawn from the restored generators) agree too
    with pytest.raises(ValueError, match=f"3 environments of '{a.game_name}'"):
        ppcg.make_vec(env_id, 2, obs_type=obs).load_state_dict(state)


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_every_render_mode(env_id):
    w, h = make(env_id).unwrapped._setup.obs_size
    env = make(env_id, render_mode="rgb_array", tile_size=6)
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (h * 6, w * 6, 3) and frame.dtype == np.uint8
    assert frame.std() > 0
    env = make(env_id, render_mode="ansi")
    env.reset(seed=0)
    text = env.render()
    level = env.unwrapped.level.level
    assert text == "\n".join(level.rows)  # before any move, the level read back through the mapping
    env = make(env_id, render_mode="human")
    env.reset(seed=0)  # human mode draws on reset and step
    env.step(0)
    assert env.unwrapped._window is not None and env.unwrapped._window.is_open
    env.close()
    assert env.unwrapped._window is None


@pytest.mark.parametrize("env_id", ALL_IDS)
def test_truncation_at_the_step_limit(env_id):
    # TimeLimit and the engine set to the same limit: the episode ends there once, truncated, unless the game
    # ended
    env = make(env_id, max_episode_steps=40, max_steps=40)
    env.reset(seed=1)
    for t in range(1, 41):  # noqa: B007 (t is read after the loop)
        _, _, term, trunc, info = env.step(0)
        if term or trunc:
            break
    assert term or (trunc and t == 40)
    assert "is_success" in info and "winner" in info
    assert info["is_success"] == (info["winner"] == 1)


# ------------------------------------------------------------------------------------------------------------
# the step limit, the level source, seeding


def test_default_limit_is_2000_and_engine_and_timelimit_agree():
    src = RecordingSource(FixedLevelSource([Level.from_str(CALM)], ["calm"]))
    env = gym.make("ppcg/VGDL-v0", game="zelda", level_source=src)
    env.reset(seed=0)
    for t in range(1, MAX_EPISODE_STEPS + 1):  # noqa: B007 (t is read after the loop)
        _, _, term, trunc, info = env.step(0)
        assert not term
        if trunc:
            break
    assert t == MAX_EPISODE_STEPS and trunc
    assert "is_success" in info and info["winner"] == 0
    done = [c for c in src.calls if c[0] == "done"]
    assert len(done) == 1 and done[0][2].truncated and done[0][2].length == MAX_EPISODE_STEPS
    assert done[0][2] == EpisodeResult("calm", False, info["score"], MAX_EPISODE_STEPS, True)
    # the engine alone (no TimeLimit) truncates on the same step
    raw = VGDLEnv("zelda", level=CALM)
    raw.reset(seed=0)
    flags = [raw.step(0)[3] for _ in range(MAX_EPISODE_STEPS)]
    assert flags[-1] and not any(flags[:-1])


def test_source_consulted_every_reset_and_told_every_episode():
    src = RecordingSource(FixedLevelSource([Level.from_str(BUSY)], ["busy"]))
    env = VGDLEnv("zelda", level_source=src, max_steps=30, env_index=3)
    for _ in range(3):
        env.reset()
        for _ in range(30):
            _, _, term, trunc, _ = env.step(int(env.np_random.integers(env.action_space.n)))
            if term or trunc:
                break
    kinds = [c[0] for c in src.calls]
    assert kinds == ["next", "done", "next", "done", "next", "done"]
    assert all(c[1] == 3 for c in src.calls)


def test_a_wrapper_cut_episode_is_reported_at_the_next_reset():
    src = RecordingSource(FixedLevelSource([Level.from_str(CALM)], ["calm"]))
    env = gym.make(
        "ppcg/VGDL-v0", game="zelda", level_source=src, max_episode_steps=10
    )  # engine still at 2000
    env.reset(seed=0)
    for _ in range(10):
        *_, trunc, _ = env.step(0)
    assert trunc
    env.reset()
    done = [c[2] for c in src.calls if c[0] == "done"]
    assert len(done) == 1 and done[0].truncated and done[0].length == 10


def test_reset_seed_then_plain_resets_are_reproducible():
    def ids(seed):
        env = make("ppcg/Zelda-v0")
        first = env.reset(seed=seed)[1]["level_id"]
        return [first] + [env.reset()[1]["level_id"] for _ in range(4)]

    assert ids(3) == ids(3)
    assert ids(3) != ids(4)
    assert len(set(ids(3))) == 5


def test_info_keys_on_every_step_and_the_last():
    env = make("ppcg/Zelda-v0", difficulty=0.3)
    _, info = env.reset(seed=2)
    assert info["difficulty"] == 0.3 and isinstance(info["level_seed"], int)
    assert info["level_id"] == f"zelda/d=0.300/seed={info['level_seed']}"
    _, _, term, trunc, info = env.step(0)
    assert set(info) >= {"level_id", "level_seed", "difficulty", "score"}
    human = make("ppcg/Zelda-lvl2-v0")
    _, info = human.reset(seed=0)
    assert info == {"level_id": "lvl2", "level_seed": None, "difficulty": None, "score": 0.0}


def test_observation_is_a_copy():
    env = make("ppcg/Zelda-v0")
    obs0, _ = env.reset(seed=0)
    keep = obs0.copy()
    obs1, *_ = env.step(2)
    env.step(3)
    np.testing.assert_array_equal(obs0, keep)
    assert not np.shares_memory(obs0, obs1)


def test_reset_options_level_and_difficulty():
    env = make("ppcg/Zelda-v0")
    _, info = env.reset(seed=0, options={"level": CALM})
    assert info["level_id"] == "level0" and env.unwrapped.level.level.rows == tuple(CALM.split("\n")[:-1])
    _, info = env.reset(options={"difficulty": 0.9})
    assert info["difficulty"] == 0.9
    _, info = env.reset()  # options hold for one episode only
    assert info["difficulty"] == 0.5
    with pytest.raises(ValueError, match="unknown reset option"):
        env.reset(options={"levle": CALM})


def test_difficulty_options_are_honoured_or_refused():
    env = make("ppcg/Zelda-v0")
    _, info = env.reset(seed=0, options={"level": CALM, "difficulty": 0.8})  # the README's example
    assert info["difficulty"] == 0.8 and info["level_id"] == "level0"
    _, info = make("ppcg/Zelda-v0", difficulty=0.5, level=CALM).reset(seed=0)
    assert info["difficulty"] == 0.5 and info["level_id"] == "level0"
    _, info = make("ppcg/Zelda-v0").reset(seed=0)
    assert info["difficulty"] == 0.5  # the default when no level is given
    human = make("ppcg/Zelda-lvl0-v0")
    with pytest.raises(ValueError, match="plays given levels"):
        human.reset(seed=0, options={"difficulty": 0.3})
    _, info = human.reset(seed=0, options={"level": "lvl1", "difficulty": 0.3})
    assert info["level_id"] == "lvl1" and info["difficulty"] == 0.3
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        env.reset(options={"difficulty": 1.5})
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        make("ppcg/Zelda-v0", difficulty=-0.1)


def test_level_argument_forms(tmp_path):
    path = tmp_path / "calm.txt"
    path.write_text(CALM)
    lvl = Level.from_str(CALM, name="mine")
    for level, expected_id in [
        (str(path), "calm"),
        (path, "calm"),
        (CALM, "level0"),
        (lvl, "mine"),
        ("lvl1", "lvl1"),
    ]:
        env = VGDLEnv("zelda", level=level)
        assert env.reset(seed=0)[1]["level_id"] == expected_id
    env = VGDLEnv("zelda", level=[CALM, BUSY])
    seen = {env.reset(seed=s)[1]["level_id"] for s in range(20)}
    assert seen == {"level0", "level1"}
    with pytest.raises(ValueError, match="not a file"):
        VGDLEnv("zelda", level="no_such_level.txt")
    with pytest.raises(ValueError, match="larger than the observation"):
        VGDLEnv("zelda", level="w" * 20 + "\nwA" + "." * 17 + "w\n" + "w" * 20 + "\n")
    with pytest.raises(ValueError, match="no game"):
        gym.make("ppcg/VGDL-v0")


def test_difficulty_property_changes_the_generator():
    env = make("ppcg/Zelda-v0").unwrapped
    env.difficulty = 0.8
    assert env.reset(seed=0)[1]["difficulty"] == 0.8
    with pytest.raises(ValueError):
        env.difficulty = 1.5
    with pytest.raises(AttributeError):
        make("ppcg/Zelda-lvl0-v0").unwrapped.difficulty = 0.5


def test_generated_level_is_named_by_difficulty_and_seed():
    src = GeneratorSource("zelda", 0.4)
    a = src.next_level(0, np.random.default_rng(1))
    b = src.level_at(0.4, a.level_seed)
    assert a == b and a.level == b.level


def _rebuilt(game: str, level_id: str) -> Level:
    """The level that ``level_id`` names, generated again from the difficulty and seed it spells."""
    m = re.fullmatch(rf"{game}/d=(\d\.\d{{3}})/seed=(\d+)", level_id)
    assert m, level_id
    return GeneratorSource(game).level_at(float(m.group(1)), int(m.group(2))).level


def test_a_generated_level_id_rebuilds_its_level_at_any_difficulty():
    # d = 1/3 is spelled 0.333: the level must be generated at 0.333 too, or some seeds give another level
    # (before the fix, 5 of these 300 Boulderdash ids named a level generated at 0.3333...).
    src = GeneratorSource("boulderdash", 1 / 3)
    assert src.difficulty == 0.333
    for seed in range(300):
        req = src.level_at(1 / 3, seed)
        assert req.difficulty == 0.333 and req.level == _rebuilt("boulderdash", req.level_id), req.level_id
    env = make("ppcg/Boulderdash-v0").unwrapped
    for seed in (4, 8, 140):  # seeds whose level at 0.3333... differs from the one at 0.333
        env.reset(seed=seed, options={"difficulty": 1 / 3})
        assert env.level.difficulty == 0.333
        assert env.level.level.rows == _rebuilt("boulderdash", env.level.level_id).rows, env.level.level_id


# ------------------------------------------------------------------------------------------------------------
# vector environments


def test_make_vec_is_native_and_gymnasium_make_vec_uses_it():
    envs = ppcg.make_vec("ppcg/Zelda-v0", 3)
    assert isinstance(envs, VGDLVectorEnv) and envs.max_episode_steps == MAX_EPISODE_STEPS
    assert envs.metadata["autoreset_mode"] == gym.vector.AutoresetMode.SAME_STEP
    assert envs.observation_space.shape == (3, *make("ppcg/Zelda-v0").observation_space.shape)
    g = gym.make_vec("ppcg/Zelda-v0", num_envs=2, max_episode_steps=50)
    assert isinstance(g, VGDLVectorEnv) and g.max_episode_steps == 50


@pytest.mark.parametrize("env_id", ["ppcg/Zelda-v0", "ppcg/Boulderdash-lvl0-v0", "ppcg/Frogs-v0"])
def test_make_vec_equals_single_envs(env_id):
    n, seed, steps = 4, 21, 120
    envs = ppcg.make_vec(env_id, n, max_steps=40)
    singles = [make(env_id, max_steps=40, max_episode_steps=40) for _ in range(n)]
    obs, info = envs.reset(seed=seed)
    for i, e in enumerate(singles):
        o, inf = e.reset(seed=seed + i)
        np.testing.assert_array_equal(obs[i], o)
        assert info["level_id"][i] == inf["level_id"]
    rng = np.random.default_rng(0)
    finished = 0
    for _ in range(steps):
        actions = rng.integers(envs.single_action_space.n, size=n)
        obs, rew, term, trunc, info = envs.step(actions)
        for i, e in enumerate(singles):
            o, r, te, tr, inf = e.step(int(actions[i]))
            assert (rew[i], term[i], trunc[i]) == (r, te, tr)
            if te or tr:
                finished += 1
                assert info["_final_obs"][i]
                np.testing.assert_array_equal(info["final_obs"][i], o)
                fi = info["final_info"]
                assert fi["_winner"][i] and fi["winner"][i] == inf["winner"]
                assert fi["is_success"][i] == inf["is_success"] and fi["score"][i] == inf["score"]
                assert fi["level_id"][i] == inf["level_id"]
                o, inf = e.reset()
            np.testing.assert_array_equal(obs[i], o)
            assert info["level_id"][i] == inf["level_id"] and info["score"][i] == inf["score"]
            assert info["level_seed"][i] == inf["level_seed"] and info["difficulty"][i] == inf["difficulty"]
    assert finished >= n  # auto-resets were exercised


def test_vector_consults_the_source_inside_every_auto_reset():
    src = RecordingSource(FixedLevelSource([Level.from_str(BUSY, name="b"), Level.from_str(CALM, name="c")]))
    envs = ppcg.make_vec("ppcg/VGDL-v0", 3, game="zelda", level_source=src, max_steps=15)
    envs.reset(seed=0)
    ends = 0
    for _ in range(50):
        *_, term, trunc, info = envs.step(envs.action_space.sample())
        ends += int((term | trunc).sum())
    for i in range(3):
        mine = [c for c in src.calls if c[1] == i]
        kinds = [c[0] for c in mine]
        # next, then (done, next) per finished episode: every auto-reset asked the source, after reporting
        assert kinds[0] == "next" and kinds[1::2] == ["done"] * (len(kinds) // 2)
        assert kinds[2::2] == ["next"] * ((len(kinds) - 1) // 2)
        for k in range(1, len(mine), 2):
            assert mine[k][2].level_id == mine[k - 1][2]  # the episode reported is the level handed out
    assert sum(c[0] == "done" for c in src.calls) == ends >= 9


def test_vector_reset_mask_resets_only_those():
    envs = ppcg.make_vec("ppcg/Zelda-v0", 3)
    envs.reset(seed=0)
    for _ in range(5):
        envs.step(np.array([2, 3, 2]))
    before = envs.levels
    _, info = envs.reset(options={"reset_mask": np.array([False, True, False])})
    after = envs.levels
    assert after[0] is before[0] and after[2] is before[2] and after[1] is not before[1]
    assert info["level_id"][1] == after[1].level_id


def test_vector_render():
    envs = ppcg.make_vec("ppcg/Solarfox-v0", 2, render_mode="rgb_array", tile_size=4)
    envs.reset(seed=0)
    frames = envs.render()
    assert len(frames) == 2 and frames[0].shape == (11 * 4, 10 * 4, 3)


def test_async_vector_env_and_sb3_subproc():
    from stable_baselines3.common.vec_env import SubprocVecEnv

    # forkserver: this process already ran the engine's parallel kernels, and numba's OpenMP layer is not
    # fork-safe
    fns = [lambda: gym.make("ppcg:ppcg/Zelda-lvl0-v0") for _ in range(2)]  # "ppcg:" imports ppcg in the child
    av = gym.vector.AsyncVectorEnv(fns, context="forkserver")
    obs, _ = av.reset(seed=0)
    obs2, *_ = av.step(np.array([0, 0]))
    assert obs.shape == (2, *make("ppcg/Zelda-lvl0-v0").observation_space.shape) and obs2.shape == obs.shape
    av.close()
    sv = SubprocVecEnv(fns, start_method="forkserver")
    sv.seed(0)
    obs = sv.reset()
    obs, rew, done, infos = sv.step(np.array([0, 0]))
    assert obs.shape[0] == 2 and "level_id" in infos[0]
    sv.close()


def test_fixed_source_cycles_per_env_and_draws_uniformly():
    lv = [Level.from_str(CALM, name=f"l{k}") for k in range(3)]
    cyc = FixedLevelSource(lv, order="cycle")
    rng = np.random.default_rng(0)
    assert [cyc.next_level(0, rng).level_id for _ in range(4)] == ["l0", "l1", "l2", "l0"]
    assert [cyc.next_level(1, rng).level_id for _ in range(3)] == ["l1", "l2", "l0"]
    rnd = FixedLevelSource(lv)
    counts = {f"l{k}": 0 for k in range(3)}
    for _ in range(300):
        counts[rnd.next_level(0, rng).level_id] += 1
    assert all(70 < c < 130 for c in counts.values())
    with pytest.raises(ValueError):
        FixedLevelSource([])
    with pytest.raises(ValueError):
        FixedLevelSource(lv, order="sorted")
    with pytest.raises(LevelSourceError, match="item 1 is str") as err:  # not a late failure in reset
        FixedLevelSource([lv[0], CALM])
    assert err.value.key == "levels"
    twins = FixedLevelSource([lv[0], lv[0]], order="cycle")  # ids stay unique, as the curriculum's
    assert [r.level_id for r in twins.requests] == ["l0#0", "l0#1"]


def test_generator_source_pickles_without_its_generator():
    src = GeneratorSource("zelda", 0.3)
    a = src.next_level(0, np.random.default_rng(5))
    state = pickle.dumps(src)
    assert b"ZeldaGenerator" not in state
    twin = pickle.loads(state)
    assert twin.next_level(0, np.random.default_rng(5)) == a
    with pytest.raises(ValueError):
        GeneratorSource("zelda", 1.2)
    with pytest.raises(ValueError, match="must be a number"):  # one difficulty check, the generators'
        GeneratorSource("zelda", "0.5")


def test_bad_actions_and_step_before_reset_are_errors():
    env = make("ppcg/Zelda-lvl0-v0").unwrapped
    with pytest.raises(gym.error.ResetNeeded):
        env.step(0)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="not in 0..5"):
        env.step(6)
    with pytest.raises(ValueError):
        env.step(-1)
    envs = ppcg.make_vec("ppcg/Zelda-lvl0-v0", 2)
    with pytest.raises(gym.error.ResetNeeded):
        envs.step(np.array([0, 0]))
    envs.reset(seed=0)
    with pytest.raises(ValueError, match="expected 2 actions"):
        envs.step(np.array([0, 9]))
    with pytest.raises(ValueError):
        envs.step(np.array([0]))


def test_win_reward_is_added_on_the_winning_step_only_and_the_score_stays_the_games():
    """tests/games/collect.txt: two gems (+5 each), then the gate opens to a miner holding both and the game is
    won, a step that scores nothing. ``win_reward=10`` adds 10 to that step's reward, in the single and the
    vector environment alike; ``info["score"]`` stays the game's; a lost or cut episode gets nothing."""
    from pathlib import Path

    path = str(Path(__file__).parent / "games" / "collect.txt")
    level = "wwwwww\nwAggdw\nwwwwww\n"
    for win_reward, last in ((0.0, 0.0), (10.0, 10.0)):
        env = VGDLEnv(path, level=level, win_reward=win_reward)
        venv = VGDLVectorEnv(2, path, level=level, win_reward=win_reward)
        env.reset(seed=0)
        venv.reset(seed=0)
        right = env.action_names.index("RIGHT")
        rewards, vrewards = [], []
        for _ in range(3):
            _, r, term, _, info = env.step(right)
            _, vr, vterm, _, vinfo = venv.step(np.array([right, 0]))
            rewards.append(r)
            vrewards.append(vr.tolist())
        assert rewards == [5.0, 5.0, last] and term and info["is_success"] and info["score"] == 10.0
        assert vrewards == [[5.0, 0.0], [5.0, 0.0], [last, 0.0]] and vterm.tolist() == [True, False]
        assert vinfo["final_info"]["score"][0] == 10.0
    cut = VGDLEnv(path, level=level, win_reward=10.0, max_steps=2)
    cut.reset(seed=0)
    assert [cut.step(0)[1] for _ in range(2)] == [0.0, 0.0]  # truncated, not won: no bonus
    for bad in ("ten", float("nan"), True):
        with pytest.raises(ValueError, match="win_reward"):
            VGDLEnv(path, level=level, win_reward=bad)


def test_frame_skip_repeats_the_action_for_k_ticks_and_stops_where_the_game_ends():
    """tests/games/collect.txt with ``frame_skip=2``: the first step walks two cells (both gems, reward 10), the
    second ends on its first tick (the gate opens: won), so the episode took 3 ticks in 2 steps. The step limit
    counts ticks: ``max_steps=5`` cuts the third step after one tick. Single and vector environments alike."""
    from pathlib import Path

    path = str(Path(__file__).parent / "games" / "collect.txt")
    level = "wwwwww\nwAggdw\nwwwwww\n"
    env = VGDLEnv(path, level=level, frame_skip=2, win_reward=1.0)
    venv = VGDLVectorEnv(2, path, level=level, frame_skip=2, win_reward=1.0)
    env.reset(seed=0)
    venv.reset(seed=0)
    right = env.action_names.index("RIGHT")
    _, r1, t1, _, _ = env.step(right)
    assert (r1, t1, env.tick) == (10.0, False, 2)
    _, r2, t2, _, info = env.step(right)
    assert (r2, t2, env.tick, info["is_success"]) == (1.0, True, 3, True)
    _, vr1, vt1, _, _ = venv.step(np.array([right, 0]))
    _, vr2, vt2, _, vinfo = venv.step(np.array([right, 0]))
    assert vr1.tolist() == [10.0, 0.0] and vr2.tolist() == [1.0, 0.0] and vt2.tolist() == [True, False]
    assert vinfo["final_info"]["score"][0] == 10.0
    cut = VGDLEnv(path, level=level, frame_skip=2, max_steps=5)
    vcut = VGDLVectorEnv(1, path, level=level, frame_skip=2, max_episode_steps=5)
    cut.reset(seed=0)
    vcut.reset(seed=0)
    ends = [cut.step(0)[3] for _ in range(3)]
    vends = [bool(vcut.step(np.array([0]))[3][0]) for _ in range(3)]
    assert ends == vends == [False, False, True] and cut.tick == 5
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(ValueError, match="frame_skip"):
            VGDLEnv(path, level=level, frame_skip=bad)
        with pytest.raises(ValueError, match="frame_skip"):
            VGDLVectorEnv(1, path, level=level, frame_skip=bad)


def test_frame_skip_is_k_plain_steps_with_the_same_action():
    """Solarfox (fireballs fall at random) on generated levels, seeded: a ``frame_skip=3`` environment's step
    gives the observation, the summed reward and the ending of three plain steps with the same action, tick for
    tick, whole episodes long; and environment i of a ``frame_skip=3`` vector env plays as the single one
    seeded ``seed + i``."""
    rng = np.random.default_rng(1)
    skip = VGDLEnv("solarfox", frame_skip=3, offsets=True)
    plain = VGDLEnv("solarfox", offsets=True)
    venv = VGDLVectorEnv(3, "solarfox", frame_skip=3, offsets=True)
    singles = [VGDLEnv("solarfox", frame_skip=3, offsets=True) for _ in range(3)]
    obs, _ = skip.reset(seed=7)
    obs_plain, _ = plain.reset(seed=7)
    vobs, _ = venv.reset(seed=7)
    sobs = [e.reset(seed=7 + i)[0] for i, e in enumerate(singles)]
    assert np.array_equal(obs, obs_plain) and all(np.array_equal(vobs[i], o) for i, o in enumerate(sobs))
    ended = 0
    for _ in range(400):
        a = int(rng.integers(skip.action_space.n))
        obs, r, term, trunc, _ = skip.step(a)
        total, done = 0.0, False
        for _ in range(3):
            obs_plain, rp, tp, cp, _ = plain.step(a)
            total += rp
            if tp or cp:
                done = True
                break
        assert np.array_equal(obs, obs_plain) and r == total and (term or trunc) == done
        assert skip.tick == plain.tick
        if done:
            ended += 1
            obs, _ = skip.reset(seed=100 + ended)
            plain.reset(seed=100 + ended)
        acts = rng.integers(venv.single_action_space.n, size=3)
        vobs, vr, vt, vc, vinfo = venv.step(acts)
        for i, e in enumerate(singles):
            o, ri, ti, ci, _ = e.step(int(acts[i]))
            assert vr[i] == ri and vt[i] == ti and vc[i] == ci
            if ti or ci:
                assert np.array_equal(vinfo["final_obs"][i], o)
                o, _ = e.reset()
            assert np.array_equal(vobs[i], o)
    assert ended >= 3  # whole episodes, their ends included
