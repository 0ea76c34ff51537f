"""The batch API: determinism whatever the batch size, state copies, episode ends, resets, observations, tables."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from ppcg.engine import BatchEngine, compile_game, inventory_limits, inventory_plane_names
from ppcg.resources import human_level_paths
from ppcg.vgdl import load_game, parse_game
from ppcg.vgdl.level import Level, load_level

PAPER = ("zelda", "solarfox", "frogs", "boulderdash")
_GAMES: dict = {}


def game(name):
    if name not in _GAMES:
        spec = load_game(name)
        _GAMES[name] = (spec, compile_game(spec), [load_level(p, spec) for p in human_level_paths(name)])
    return _GAMES[name]


def rollout(name: str, n: int, steps: int, seed0: int = 100) -> list:
    """Per environment k (level k % 5, seed seed0 + k, actions from a per-env stream): a trajectory digest."""
    spec, comp, levels = game(name)
    eng = BatchEngine(comp, n, obs_type="symbolic")
    eng.reset([levels[k % len(levels)] for k in range(n)], [seed0 + k for k in range(n)])
    rngs = [np.random.default_rng(1000 + k) for k in range(n)]
    traj = [[] for _ in range(n)]
    for _ in range(steps):
        acts = np.array([r.integers(comp.n_actions) for r in rngs])
        res = eng.step(acts)
        for k in range(n):
            traj[k].append((float(res.score[k]), int(res.winner[k]), bool(res.terminated[k]), int(res.tick[k]),
                            hash(res.obs[k].tobytes())))
    for k in range(n):
        traj[k].append(tuple(eng.sprites(k)))
    return traj


@pytest.mark.parametrize("name", PAPER)
def test_same_seed_same_trajectory_whatever_the_batch_size(name):
    one = [rollout(name, 1, 60, seed0=100 + k)[0] for k in range(3)]
    seven = rollout(name, 7, 60)
    sixty_four = rollout(name, 64, 60)
    for k in range(3):
        # env k of a batch uses seed 100 + k, as env 0 of the one-env runs above (and action stream 1000 + k)
        assert seven[k][:-1] == sixty_four[k][:-1] and seven[k][-1] == sixty_four[k][-1]
    assert one[0] == seven[0]
    assert len({tuple(map(str, t)) for t in seven}) > 1  # different seeds/levels do differ


def test_get_state_set_state_replays_exactly():
    spec, comp, levels = game("zelda")
    eng = BatchEngine(comp, 2, obs_type="symbolic")
    eng.reset([levels[0], levels[1]], [3, 4])
    for a in [2, 3, 1, 4, 5]:
        eng.step([a, a])
    saved = pickle.loads(pickle.dumps(eng.get_state(0)))
    acts = [1, 2, 2, 5, 4, 1, 0, 3, 3, 1]
    first = []
    for a in acts:
        r = eng.step([a, 0])
        first.append((float(r.score[0]), eng.sprites(0), r.obs[0].tobytes()))
    eng.set_state(1, saved)  # into the other slot
    second = []
    for a in acts:
        r = eng.step([0, a])
        second.append((float(r.score[1]), eng.sprites(1), r.obs[1].tobytes()))
    assert first == second


def test_step_one_is_step_for_one_environment_and_calls_the_compiled_kernel_directly():
    from ppcg.engine import kernel as K

    spec, comp, levels = game("zelda")
    one, ref = BatchEngine(comp, 1, obs_type="rgb"), BatchEngine(comp, 1, obs_type="rgb")
    one.reset([levels[0]], [9])
    ref.reset([levels[0]], [9])
    for a in np.random.default_rng(0).integers(0, comp.n_actions, 40).tolist():
        obs, reward, terminated, truncated, score, winner = one.step_one(a)
        r = ref.step([a])
        want = (float(r.reward[0]), bool(r.terminated[0]), bool(r.truncated[0]), float(r.score[0]),
                int(r.winner[0]))
        assert (reward, terminated, truncated, score, winner) == want
        assert np.array_equal(obs, r.obs[0]) and obs.flags.owndata  # a copy, as step's
    if hasattr(K._step_range, "overloads"):  # compiled (not NUMBA_DISABLE_JIT=1): numba's dispatch is skipped
        assert one._entry[3] is not K._step_range
    with pytest.raises(ValueError, match="batch of one"):
        BatchEngine(comp, 2).step_one(0)


def test_a_state_taken_is_read_only_and_set_state_keeps_it_without_a_copy():
    spec, comp, levels = game("zelda")
    eng = BatchEngine(comp, 1, obs_type="symbolic")
    eng.reset([levels[0]], [1])
    saved = eng.get_state(0)
    assert not any(a.flags.writeable for a in saved.arrays.values())
    eng.set_state(0, saved)
    assert eng._basis[0][1]["si"] is saved.arrays["si"]
    restored = pickle.loads(pickle.dumps(saved))  # writable again: copied
    eng.set_state(0, restored)
    assert eng._basis[0][1]["si"] is not restored.arrays["si"]


def test_snapshot_restore_continues_the_whole_batch():
    spec, comp, levels = game("zelda")
    eng = BatchEngine(comp, 3, obs_type="symbolic")
    eng.reset(levels[:3], [5, 6, 7])
    rng = np.random.default_rng(0)
    for _ in range(20):
        eng.step(rng.integers(0, comp.n_actions, 3))
    snap = eng.snapshot()
    assert all(isinstance(a, np.ndarray) and a.dtype != object for a in snap.values())
    fresh = BatchEngine(comp, 3, obs_type="symbolic")  # never reset: restore allocates
    fresh.restore({k: v.copy() for k, v in snap.items()})
    for actions in rng.integers(0, comp.n_actions, (60, 3)):
        a, b = eng.step(actions), fresh.step(actions)
        assert a.obs.tobytes() == b.obs.tobytes() and (a.score == b.score).all() and (a.tick == b.tick).all()
    assert [eng.sprites(i) for i in range(3)] == [fresh.sprites(i) for i in range(3)]
    with pytest.raises(ValueError, match="another game or batch size"):
        BatchEngine(comp, 2, obs_type="symbolic").restore(snap)
    with pytest.raises(ValueError, match="another game or batch size"):
        BatchEngine(game("boulderdash")[1], 3, obs_type="symbolic").restore(snap)
    with pytest.raises(ValueError, match="lacks pv"):
        fresh.restore({k: v for k, v in snap.items() if k != "pv"})


@pytest.mark.parametrize("name", PAPER)
def test_restore_refuses_every_index_out_of_range(name):
    from ppcg.engine import layout as L

    spec, comp, levels = game(name)
    eng = BatchEngine(comp, 4, obs_type="symbolic")
    eng.reset([levels[k] for k in range(4)], [1, 2, 3, 4])
    rng = np.random.default_rng(1)
    for _ in range(150):  # deaths, kills, spawns and resets of finished episodes included
        r = eng.step(rng.integers(0, comp.n_actions, 4))
        done = np.flatnonzero(r.terminated | r.truncated)
        if len(done):
            eng.reset([levels[0]] * len(done), [int(k) for k in done], indices=done)
    snap = eng.snapshot()
    BatchEngine(comp, 4, obs_type="symbolic").restore({k: v.copy() for k, v in snap.items()})  # intact: fine
    slots, cells = (int(x) for x in snap["capacity"])
    live = int(np.flatnonzero(snap["si"][0, :, L.SI_TYPE] >= 0)[0])
    damage = [
        ("ev", (0, L.EV_AVATAR), slots),
        ("ev", (0, L.EV_AVATAR), -2),
        ("ev", (1, L.EV_WIDTH), 10_000),
        ("ev", (1, L.EV_NFREE), slots + 1),
        ("ev", (2, L.EV_TQN), -1),
        ("si", (0, live, L.SI_TYPE), len(comp.type_names)),
        ("si", (0, live, L.SI_CELL), cells),
        ("si", (0, live, L.SI_X), -1000),
        ("tc", (0, int(snap["si"][0, live, L.SI_TYPE]), L.TC_N), slots + 5),
        ("tl", (0, int(snap["si"][0, live, L.SI_TYPE]), 0), -7),
        ("gn", (0, 0), L.CELL_CAP + 1),
        ("pf", (0, 4, L.PATH_CACHE), 99),
        ("capacity", (0,), slots * 1000),
    ]
    for field, where, value in damage:
        bad = {k: v.copy() for k, v in snap.items()}
        bad[field][where] = value
        fresh = BatchEngine(comp, 4, obs_type="symbolic")
        with pytest.raises(ValueError, match="engine snapshot"):
            fresh.restore(bad)
        assert fresh._state is None  # nothing restored


def test_finished_environment_stays_finished_until_reset():
    spec, comp, _ = game("zelda")
    lvl = Level.for_game("wwwww\nwA1.w\nwwwww\nwwgww\n", spec)
    eng = BatchEngine(comp, 1, obs_type=None)
    eng.reset([lvl], [0])
    r = eng.step([comp.action_names.index("RIGHT")])  # into the monster
    assert bool(r.terminated[0]) and int(r.winner[0]) == -1 and float(r.reward[0]) == -1.0
    before = eng.sprites(0)
    r2 = eng.step([comp.action_names.index("LEFT")])
    assert bool(r2.terminated[0]) and float(r2.reward[0]) == 0.0 and int(r2.tick[0]) == 1
    assert eng.sprites(0) == before
    eng.reset([lvl], [0])
    assert eng.avatar(0)["disabled"] is False and int(eng.info()["tick"][0]) == 0


def test_truncation_at_max_steps():
    spec, comp, levels = game("zelda")
    eng = BatchEngine(comp, 2, obs_type=None, max_steps=5)
    eng.reset([levels[0], levels[0]], [0, 1])
    for t in range(1, 6):
        r = eng.step([0, 0])
        assert bool(r.truncated[0]) == (t == 5) and not r.terminated.any()
    r = eng.step([0, 0])
    assert r.truncated.all() and (r.tick == 5).all()


def test_reset_chosen_environments_only_and_capacity_grows():
    spec, comp, levels = game("boulderdash")
    small = Level.for_game("wwwww\nwA.ew\nwwwww\n", spec)
    eng = BatchEngine(comp, 3, obs_type=None)
    eng.reset([small] * 3, [0, 1, 2])
    eng.step([3, 3, 3])
    keep = eng.sprites(1)
    eng.reset([levels[0], levels[1]], [7, 8], indices=[0, 2])  # bigger levels: more sprite slots and cells
    assert eng.sprites(1) == keep
    assert len(eng.sprites(0)) > 400 and eng.avatar(2)["id"] >= 0
    fresh = BatchEngine(comp, 1, obs_type=None)
    fresh.reset([levels[0]], [7])
    for _ in range(20):
        a = np.random.default_rng(5).integers(6)
        r1, r2 = eng.step([a, 0, 0]), fresh.step([a])
        assert eng.sprites(0) == fresh.sprites(0) and r1.score[0] == r2.score[0]


def test_observation_padding_and_shapes():
    spec, comp, levels = game("zelda")
    lvl = Level.for_game("wwww\nwA.w\nwwww\n", spec)
    eng = BatchEngine(comp, 1, obs_type="symbolic", obs_size=(6, 5))
    obs = eng.reset([lvl], [0])
    wall = comp.leaf_names.index("wall")
    assert obs.shape == (1, len(comp.leaf_names), 5, 6) == (1,) + eng.observation_shape
    assert obs[0, wall].sum() == 30 - 2  # every cell but the avatar's and the floor's
    assert obs[0, comp.leaf_names.index("hero"), 1, 1] == 1
    rgb = BatchEngine(comp, 1, obs_type="rgb", obs_size=(6, 5))
    img = rgb.reset([lvl], [0])
    assert img.shape == (1, 50, 60, 3) and img[0, 45, 55].any()  # padding drawn as wall
    with pytest.raises(ValueError):
        eng.reset([levels[0]], [0])  # bigger than obs_size


def test_zelda_tables_follow_gvgai_orders():
    spec, comp, _ = game("zelda")
    assert comp.type_names[:2] == ["wall", "avatar"]
    assert comp.action_names == ["NIL", "USE", "LEFT", "RIGHT", "DOWN", "UP"]
    assert "ground" in comp.type_names and "ground" not in comp.leaf_names  # hidden
    with pytest.raises(ValueError):
        BatchEngine(comp, 1, obs_type="pixels")


@pytest.mark.parametrize("name", PAPER)
def test_incremental_rgb_equals_a_full_redraw(name):
    spec, comp, levels = game(name)
    eng = BatchEngine(comp, 3, obs_type="rgb")
    eng.reset(levels[:3], [1, 2, 3])
    rng = np.random.default_rng(7)
    for t in range(80):
        r = eng.step(rng.integers(comp.n_actions, size=3))
        for i in range(3):
            assert np.array_equal(r.obs[i], eng.render_rgb(i)), (name, t, i)
        done = np.flatnonzero(r.terminated | r.truncated)
        if done.size:
            eng.reset([levels[0]] * done.size, list(range(10, 10 + done.size)), indices=done)


def test_a_slow_first_kernel_call_says_it_is_compiling(monkeypatch):
    """In a terminal, a first kernel call that takes long (numba compiling) prints one notice; a fast one, a
    later one, or one whose stderr is not a terminal prints nothing."""
    import io
    import sys
    import time

    import ppcg.engine.batch as batch

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    def slow(x):
        time.sleep(0.3)
        return x + 1

    monkeypatch.setattr(batch, "_NOTICE_AFTER", 0.05)
    monkeypatch.setattr(batch, "_WARM", set())
    monkeypatch.setattr(batch, "_noticed", False)
    monkeypatch.setattr(batch, "COMPILED", [])
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal
    assert batch._call("a", slow, 1) == 2 and sys.stderr.getvalue() == ""
    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert batch._call("b", lambda x: x, 5) == 5 and term.getvalue() == ""  # fast: nothing
    assert batch._call("c", slow, 1) == 2 and "compiling the engine" in term.getvalue()
    before = term.getvalue()
    assert batch._call("d", slow, 1) == 2 and batch._call("c", slow, 2) == 3
    assert term.getvalue() == before  # once per process
    assert batch._WARM == {"a", "b", "c", "d"}


def test_warm_up_compiles_every_kernel_and_says_so_wherever_stderr_goes(monkeypatch):
    """``warm_up`` (called by training before its clock starts) runs reset, step and observe once; when that
    takes long (numba compiling), its notice goes to any stream, a terminal or not (a log file, pytest's
    capture), and the kernels that took long are recorded (the test suite's summary lists them)."""
    import io

    import ppcg.engine.batch as batch

    monkeypatch.setattr(batch, "_NOTICE_AFTER", 0.0)  # every call counts as slow
    monkeypatch.setattr(batch, "_WARM", set())
    monkeypatch.setattr(batch, "_noticed", False)
    monkeypatch.setattr(batch, "COMPILED", [])
    log = io.StringIO()  # not a terminal
    assert batch.warm_up(log) >= 0
    assert "compiling the engine" in log.getvalue() and "the engine is ready" in log.getvalue()
    assert {"reset", "step", "observe"} <= batch._WARM
    assert {name for name, _ in batch.COMPILED} >= {"reset", "step", "observe"}


def test_out_of_range_actions_are_refused_before_anything_moves():
    """As ``env.step(9)`` is refused by the action space, ``BatchEngine.step`` refuses actions outside
    ``0 .. n_actions - 1`` (they used to play as NIL), naming the environment, before any environment
    moves."""
    spec, comp, levels = game("zelda")
    eng = BatchEngine(comp, 3, obs_type="symbolic")
    eng.reset(levels[:3], [0, 1, 2])
    eng.step([0, 1, 2])
    before = eng.snapshot()
    for bad, k in (([0, comp.n_actions, 0], 1), ([0, 0, -1], 2)):
        with pytest.raises(ValueError, match=rf"action -?\d+ of environment {k} is out of range: .* 0\.\.5"):
            eng.step(bad)
    with pytest.raises(TypeError, match="integers"):
        eng.step(np.array([0.0, 1.5, 2.0]))
    after = eng.snapshot()
    assert all(np.array_equal(before[f], after[f]) for f in before)
    assert eng.step([comp.n_actions - 1, 0, 0]).tick.tolist() == [2, 2, 2]


def test_the_engines_thread_pool_sleeps_between_steps_instead_of_spinning():
    """numba's OpenMP pool starts with OMP_WAIT_POLICY=PASSIVE unless the user set a policy (spinning threads
    on busy cores made a threaded step 5-10 times slower than one thread); the variable is not left set for
    other OpenMP users of the process. libgomp prints its settings at start with OMP_DISPLAY_ENV."""
    import os
    import subprocess
    import sys

    code = ("import os, numba; from ppcg.engine.batch import launch_threads; launch_threads(); "
            "print(numba.threading_layer(), os.environ.get('OMP_WAIT_POLICY'))")
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env.update(OMP_DISPLAY_ENV="TRUE", NUMBA_NUM_THREADS="2", NUMBA_THREADING_LAYER="omp")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if out.returncode != 0 and "omp" in out.stderr.lower() and "threading layer" in out.stderr.lower():
        pytest.skip("numba's OpenMP threading layer is not available here")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["omp", "None"]
    assert "OMP_WAIT_POLICY = 'PASSIVE'" in out.stderr
    env["OMP_WAIT_POLICY"] = "ACTIVE"  # the user's choice stands
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "OMP_WAIT_POLICY = 'ACTIVE'" in out.stderr


def test_facing_planes_follow_the_avatar_and_leave_the_sprite_planes_alone():
    """``facing=True``: four planes after the sprite planes, the avatar's direction set at its cell. Zelda's
    hero (a ShootAvatar) turns before it moves: pressing LEFT from facing right turns it in place."""
    spec, comp, _ = game("zelda")
    level = Level.from_str("wwwwwww\nw+...gw\nw..A..w\nw.....w\nwwwwwww\n")  # no door: won at once
    plain = BatchEngine(comp, 2, obs_type="symbolic")
    faced = BatchEngine(comp, 2, obs_type="symbolic", facing=True)
    c = len(comp.leaf_names)
    names = comp.action_names
    obs_p = plain.reset([level, level], [1, 2])
    obs_f = faced.reset([level, level], [1, 2])
    assert obs_f.shape == (2, c + 4, *obs_p.shape[2:]) == (2, *faced.observation_shape)
    seen = set()
    for a in ("LEFT", "LEFT", "UP", "DOWN", "DOWN", "RIGHT", "NIL"):
        acts = np.array([names.index(a), names.index("UP")])
        obs_p = plain.step(acts).obs
        obs_f = faced.step(acts).obs
        np.testing.assert_array_equal(obs_f[:, :c], obs_p)
        for i in range(2):
            av = faced.avatar(i)
            facing = obs_f[i, c:]
            assert facing.sum() == 1
            d, r, col = (int(v[0]) for v in np.nonzero(facing))
            assert (r, col) == ((av["y"] + 4) // 10, (av["x"] + 4) // 10)
            ox, oy = av["orientation"]
            assert d == {(0, -1): 0, (0, 1): 1, (-1, 0): 2, (1, 0): 3}[(ox, oy)]
            seen.add(d)
    assert seen == {0, 1, 2, 3}
    with pytest.raises(ValueError, match="symbolic"):
        BatchEngine(comp, 1, obs_type="rgb", facing=True)


def test_offset_planes_show_which_half_of_its_way_a_slow_sprite_is_on():
    """``offsets=True``: four planes after the facing planes, set at a sprite's cell while it stands off the
    cell's grid position. Solarfox's ship flies on at 1 pixel of 10 a tick: right of its start cell for the
    first half of the way, then drawn in the next cell, left of it; a pill at rest marks nothing."""
    spec, comp, _ = game("solarfox")
    level = Level.from_str("w.2....w\nw++++++w\nwA++b++w\nw++++++w\nw....1.w\n")
    plain = BatchEngine(comp, 1, obs_type="symbolic", facing=True)
    both = BatchEngine(comp, 1, obs_type="symbolic", facing=True, offsets=True)
    c = len(comp.leaf_names) + 4
    obs_p, obs_o = plain.reset([level], [3]), both.reset([level], [3])
    assert obs_o.shape[1:] == both.observation_shape == (c + 4, *plain.observation_shape[1:])
    assert not obs_o[0, c:].any()  # everything starts on the grid
    seen = []
    for _ in range(14):
        obs_p, obs_o = plain.step(np.zeros(1, np.int64)).obs, both.step(np.zeros(1, np.int64)).obs
        np.testing.assert_array_equal(obs_o[:, :c], obs_p)  # the other planes are as without the option
        av = both.avatar(0)
        col, row = (av["x"] + 4) // 10, (av["y"] + 4) // 10
        ship = obs_o[0, c:, row, col]
        dx = av["x"] - col * 10
        assert list(ship) == [0, 0, int(dx < 0), int(dx > 0)], (av, ship)
        seen.append((col, int(dx > 0) - int(dx < 0)))
    assert (1, 1) in seen and (2, -1) in seen and (2, 0) in seen  # right of cell 1, left of cell 2, on it
    pill = comp.leaf_names.index("pill")
    r, cc = np.argwhere(obs_o[0, pill])[0]
    assert not obs_o[0, c:, r, cc].any()
    with pytest.raises(ValueError, match="symbolic"):
        BatchEngine(comp, 1, obs_type="rgb", offsets=True)


def test_inventory_planes_hold_what_the_avatar_carries_at_its_cell():
    """``inventory=True``: one plane per resource kind after all the others, holding at the avatar's cell the
    amount it carries (GVGAI's bar on the avatar): keys (limit 3) collected one a step, then gems (value 2,
    limit 5, taken only with a key held); the other planes are as without the option; two environments of one
    batch each show their own."""
    path = Path(__file__).parent / "games" / "effect_resources.txt"
    spec = parse_game(path.read_text(), path=str(path))
    comp = compile_game(spec)
    assert inventory_plane_names(comp) == ["holding key", "holding gem"]
    assert inventory_limits(comp).tolist() == [3, 5]
    level = Level.for_game("wwwwwwww\nwAkkgg.w\nwwwwwwww\n", spec)
    plain = BatchEngine(comp, 2, obs_type="symbolic", facing=True, offsets=True)
    held = BatchEngine(comp, 2, obs_type="symbolic", facing=True, offsets=True, inventory=True)
    obs_h = held.reset([level, level], [1, 2])
    plain.reset([level, level], [1, 2])
    c = plain.observation_shape[0]
    assert obs_h.shape[1:] == held.observation_shape == (c + 2, *plain.observation_shape[1:])
    assert not obs_h[:, c:].any()  # nothing held yet (GVGAI: no entry, no bar)
    right, nil = comp.action_names.index("RIGHT"), comp.action_names.index("NIL")
    seen = []
    for _ in range(5):
        obs_p, obs_h = plain.step([right, nil]).obs, held.step([right, nil]).obs
        np.testing.assert_array_equal(obs_h[:, :c], obs_p)
        av = held.avatar(0)
        row, col = (av["y"] + 4) // 10, (av["x"] + 4) // 10
        inv = obs_h[0, c:]
        assert inv.sum() == inv[:, row, col].sum()  # only at the avatar's cell
        seen.append(inv[:, row, col].tolist())
        assert not obs_h[1, c:].any()  # the other environment stood still and holds nothing
    assert seen == [[1, 0], [2, 0], [2, 2], [2, 4], [2, 4]]
    with pytest.raises(ValueError, match="symbolic"):
        BatchEngine(comp, 1, obs_type="rgb", inventory=True)


def test_what_a_step_returns_is_the_callers_and_the_next_step_leaves_it_alone():
    """The engine reuses its reward array and its observation arguments from step to step (the single
    environment's fast path): the rewards and observations handed out must not change with the next step."""
    path = Path(__file__).parent / "games" / "effect_health.txt"
    spec = parse_game(path.read_text(), path=str(path))
    comp = compile_game(spec)
    level = Level.for_game("wwwwww\nwAps.w\nwwwwww\n", spec)
    eng = BatchEngine(comp, 2, obs_type="symbolic")
    eng.reset([level, level], [1, 2])
    right, nil = comp.action_names.index("RIGHT"), comp.action_names.index("NIL")
    kept = [eng.step([right, nil]), eng.step([right, nil]), eng.step([nil, nil])]
    assert [r.reward.tolist() for r in kept] == [[1.0, 0.0], [-2.0, 0.0], [-2.0, 0.0]]
    first = kept[0].obs.copy()
    assert np.array_equal(kept[0].obs, first) and not np.array_equal(kept[0].obs, kept[2].obs)
    one = BatchEngine(comp, 1, obs_type="symbolic")
    one.reset([level], [1])
    steps = [one.step_one(right), one.step_one(right), one.step_one(nil)]
    assert [s[1] for s in steps] == [1.0, -2.0, -2.0]
    assert not np.array_equal(steps[0][0], steps[2][0])  # each observation its own copy
    assert np.array_equal(steps[0][0], kept[0].obs[0])


@pytest.mark.parametrize("obs_type", ["symbolic", "rgb"])
@pytest.mark.parametrize("name", PAPER)
def test_ticks_stepped_unobserved_then_observed_draw_what_every_tick_observed_draws(name, obs_type):
    """``step(observe=False)`` (a frame skip's first ticks) returns no observation and leaves the buffers as
    they were; the next observed step shows exactly what an engine observing every tick shows (the kernel's
    incremental drawing catches up on everything that changed in between), the extra planes included."""
    spec, comp, levels = game(name)
    extra = {"facing": True, "offsets": True} if obs_type == "symbolic" else {}
    every = BatchEngine(comp, 3, obs_type=obs_type, **extra)
    some = BatchEngine(comp, 3, obs_type=obs_type, **extra)
    for e in (every, some):
        e.reset(levels[:3], [1, 2, 3])
    rng = np.random.default_rng(3)
    for t in range(60):
        acts = rng.integers(comp.n_actions, size=3)
        a = every.step(acts)
        b = some.step(acts, observe=t % 4 == 3)
        assert np.array_equal(a.reward, b.reward) and np.array_equal(a.tick, b.tick)
        if t % 4 == 3:
            assert np.array_equal(a.obs, b.obs), (name, t)
        else:
            assert b.obs is None
        done = np.flatnonzero(a.terminated | a.truncated)
        if done.size:
            for e in (every, some):
                e.reset([levels[0]] * done.size, list(range(10, 10 + done.size)), indices=done)
    one = BatchEngine(comp, 1, obs_type=obs_type, **extra)
    one.reset(levels[:1], [1])
    assert one.step_one(0, False)[0] is None and one.step_one(0)[0].shape == one.observation_shape
