"""Property tests on random games from our own generator (``tests/randgame.py``): every drawn game compiles and
runs; the same seed gives the same trajectory whatever the batch size and the environment's place in it; an
ended game stays ended; the engine's bookkeeping stays consistent (ids unique, the avatar among the sprites while
it is alive, ticks counting up). GVGAI's own random games are replayed in ``tests/test_gvgai_random.py``."""

from __future__ import annotations

import numpy as np
import pytest

from ppcg.engine import BatchEngine, compile_game
from ppcg.engine.batch import EngineCapacityError
from ppcg.vgdl import Level, parse_game
from tests.randgame import random_game

SEEDS = range(24)
STEPS = 60
# GVGAI has no sprite limit, and some random games breed without end (a SpawnPoint spawning a Bomber spawning the
# SpawnPoint): the engine grows until its memory limit, then raises EngineCapacityError naming game, level and
# tick. A small limit makes such a game end quickly, as the engine promises, instead of growing to gigabytes.
MEMORY_LIMIT = 4 << 20


def _build(seed: int):
    g = random_game(seed)
    spec = parse_game(g.text, path=f"random_{seed}.txt")
    compiled = compile_game(spec)
    levels = [Level.for_game(t, spec) for t in g.levels]
    return g, compiled, levels


def _snapshot(engine: BatchEngine, i: int):
    av = engine.avatar(i)
    av = None if av is None else {k: v for k, v in av.items() if k != "resources"} | {
        "resources": dict(av["resources"])}
    return engine.sprites(i), av


def test_generator_is_deterministic_and_varied():
    a, b = random_game(7), random_game(7)
    assert a == b
    texts = {random_game(s).text for s in SEEDS}
    assert len(texts) == len(SEEDS)
    classes = " ".join(texts)
    for name in ("NullAvatar", "VerticalAvatar", "ErraticMissile", "SpriteCounterMore", "StopCounter",
                 "removeScore", "halfSpeed", "cloneSprite"):
        assert name in classes, name


@pytest.mark.parametrize("seed", SEEDS)
def test_random_game_runs_deterministically_whatever_the_batch(seed):
    g, compiled, levels = _build(seed)
    rng = np.random.default_rng(1000 + seed)
    actions = rng.integers(0, compiled.n_actions, STEPS)
    # one environment alone, and the same level and seed at places 0 and 2 of a batch of three (the middle one
    # plays other actions with another seed)
    solo = BatchEngine(compiled, 1, obs_type="symbolic", memory_limit=MEMORY_LIMIT)
    solo.reset([levels[0]], [seed])
    batch = BatchEngine(compiled, 3, obs_type="symbolic", memory_limit=MEMORY_LIMIT)
    batch.reset([levels[0]] * 3, [seed, seed + 1, seed])
    ended = False
    last_tick, before = 0, None
    for k, a in enumerate(actions):
        try:
            r1 = solo.step(np.array([a]))
            r3 = batch.step(np.array([a, (a + 1) % compiled.n_actions, a]))
        except EngineCapacityError as exc:  # a game that breeds without end: a clear error, never a lost sprite
            assert f"random_{seed}.txt" in str(exc) and "tick" in str(exc)
            return
        want = _snapshot(solo, 0)
        assert _snapshot(batch, 0) == want, f"seed {seed} step {k}: batch place 0 differs from the solo run"
        assert _snapshot(batch, 2) == want, f"seed {seed} step {k}: batch place 2 differs from the solo run"
        assert np.array_equal(r3.obs[0], r1.obs[0]) and np.array_equal(r3.obs[2], r1.obs[0])
        assert r3.score[0] == r1.score[0] == r3.score[2] and r3.winner[0] == r1.winner[0]
        assert np.isfinite(r1.score[0]) and r1.reward[0] == np.float32(r1.reward[0])
        sprites, av = want
        ids = [s[0] for s in sprites]
        assert ids == sorted(set(ids)), "sprite ids are unique and sorted"
        assert all(t in compiled.type_names for _, t, _, _ in sprites)
        if av is not None and not av["disabled"] and not ended:
            assert (av["id"], av["type"], av["x"], av["y"]) in [(i, t, x, y) for i, t, x, y in sprites]
        if ended:  # a finished game stays finished: its state no longer changes
            assert int(r1.tick[0]) == last_tick and sprites == before
        else:
            assert int(r1.tick[0]) == k + 1
        ended = ended or bool(r1.terminated[0]) or bool(r1.truncated[0])
        last_tick, before = int(r1.tick[0]), sprites
