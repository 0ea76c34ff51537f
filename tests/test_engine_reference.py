"""The engine's fast paths against the plain computation: ``BatchEngine(reference=True)`` turns every one
off (skipped and sparse pair passes, the grid index and its packed entries, incremental observations, the path
cache; ``ppcg.engine.layout.FAST_*``). Random levels of GVGAI's corpus games, of the project's own games and
of random games are stepped with random actions in both modes, and every tick must give the same state,
observation, reward and ending (as envpool's align tests compare a fast environment with its reference).

Derandomized and short for CI; ``PPCG_REFERENCE_EXAMPLES=200`` explores more.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

from ppcg.engine import BatchEngine, compile_game
from ppcg.engine import layout as L
from ppcg.engine.batch import EngineCapacityError
from ppcg.vgdl import Level, parse_game
from tests.conftest import CORPUS

EXAMPLES = int(os.environ.get("PPCG_REFERENCE_EXAMPLES", "5"))
STEPS = 40
MEMORY_LIMIT = 8 << 20  # random games that breed without end stop early, with the engine's clear error
CHECK = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _comparable(engine: BatchEngine, i: int) -> dict[str, np.ndarray]:
    """Environment ``i``'s state without what only the fast paths keep (skip stamps, sparse-pass marks, the
    canvas flag, the path cache) or use as scratch (collision candidates and their keys, rgb signatures)."""
    a = {f: np.array(v) for f, v in engine.get_state(i).arrays.items()}
    n_types = a["tc"].shape[0]
    a["pv"] = a["pv"][:n_types]  # the per-type change counters (then the stamps and drawn counters)
    a["si"][:, L.SI_MARK] = 0
    a["ev"][[L.EV_PASS, L.EV_CANVAS]] = 0
    a["pf"] = a["pf"][:1]  # the obstacle grid (then search scratch and the cache)
    a["lst"][L.L_CAND] = 0
    del a["ckey"], a["sig"]
    return a


def lockstep(compiled, levels: list, seeds: list[int], actions: np.ndarray, obs_type: str | None, *,
             fast_paths: int = L.FAST_ALL) -> int:
    """Step an engine with ``fast_paths`` (default all) and the reference engine side by side; assert they
    agree at every tick. Returns the ticks compared."""
    n = len(levels)
    fast = BatchEngine(compiled, n, obs_type=obs_type, memory_limit=MEMORY_LIMIT, fast_paths=fast_paths)
    ref = BatchEngine(compiled, n, obs_type=obs_type, memory_limit=MEMORY_LIMIT, reference=True)
    assert ref.tables.misc[L.M_FAST] == 0 and fast.tables.misc[L.M_FAST] == fast_paths
    np.testing.assert_array_equal(fast.reset(levels, seeds), ref.reset(levels, seeds))
    for k, a in enumerate(actions):
        try:
            rf = fast.step(a)
        except EngineCapacityError:
            with pytest.raises(EngineCapacityError):
                ref.step(a)
            return k
        rr = ref.step(a)
        for name in ("obs", "reward", "terminated", "truncated", "score", "winner", "tick"):
            x, y = getattr(rf, name), getattr(rr, name)
            assert (x is None and y is None) or np.array_equal(x, y), f"tick {k}: {name} differs"
        for i in range(n):
            sf, sr = _comparable(fast, i), _comparable(ref, i)
            for f in sf:
                if not np.array_equal(sf[f], sr[f]):
                    where = np.argwhere(sf[f] != sr[f])[0].tolist() if sf[f].shape == sr[f].shape else "shape"
                    raise AssertionError(f"tick {k}, environment {i}: state {f!r} differs at {where}")
        done = np.flatnonzero(rf.terminated | rf.truncated)
        if done.size:  # finished environments start again, on the same level
            again = [levels[j] for j in done]
            seeds2 = [1000 + k + int(j) for j in done]
            np.testing.assert_array_equal(fast.reset(again, seeds2, indices=done), ref.reset(again, seeds2,
                                                                                              indices=done))
    return len(actions)


def _corpus_games() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(p.stem for p in CORPUS.glob("*.txt") if "_lvl" not in p.stem)


def _edited(text: str, chars: list[str], rng: np.random.Generator, n_edits: int) -> str:
    """``text`` with ``n_edits`` random cells inside the border set to random characters of ``chars``."""
    rows = [list(r) for r in text.splitlines() if r]
    h, w = len(rows), min(len(r) for r in rows)
    if h < 3 or w < 3:
        return text
    for _ in range(n_edits):
        rows[int(rng.integers(1, h - 1))][int(rng.integers(1, w - 1))] = chars[int(rng.integers(len(chars)))]
    return "\n".join("".join(r) for r in rows) + "\n"


@pytest.mark.corpus
@CHECK
@given(game=hst.sampled_from(_corpus_games() or ["none"]), level=hst.integers(0, 4),
       seed=hst.integers(0, 2**31 - 1), edits=hst.integers(0, 12), rgb=hst.booleans())
def test_corpus_games_on_random_levels_fast_equals_reference(corpus_dir, game, level, seed, edits, rgb):
    from ppcg.engine.coverage import _load_and_compile
    from ppcg.vgdl.errors import VGDLError

    path = corpus_dir / f"{game}.txt"
    lvl_path = corpus_dir / f"{game}_lvl{level}.txt"
    try:
        spec, compiled = _load_and_compile(path)
    except VGDLError:  # the one corpus game the engine refuses (a feature it does not implement)
        return
    if not lvl_path.is_file():
        return
    rng = np.random.default_rng(seed)
    # random edits with the level's own characters, the avatar's excepted (a level keeps its one avatar)
    is_avatar = compiled.tables.ti[:, L.TI_AVATAR]
    avatar_chars = {c for c, names in spec.mapping for nm in names
                    if nm in compiled.type_index and is_avatar[compiled.type_index[nm]]}
    chars = [c for c, _ in spec.mapping if c not in avatar_chars] or ["."]
    texts = [lvl_path.read_text(), _edited(lvl_path.read_text(), chars, rng, edits)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            levels = [Level.for_game(t, spec) for t in texts]
            for lv in levels:
                lv.validate(spec)
        except VGDLError:
            levels = levels[:1]
    actions = rng.integers(0, compiled.n_actions, size=(STEPS, len(levels)))
    lockstep(compiled, levels, [seed, seed + 1][: len(levels)], actions, "rgb" if rgb else "symbolic")


@CHECK
@given(game=hst.sampled_from(["zelda", "solarfox", "frogs", "boulderdash"]), d=hst.floats(0, 1),
       seed=hst.integers(0, 2**31 - 1), rgb=hst.booleans())
def test_own_games_on_generated_levels_fast_equals_reference(game, d, seed, rgb):
    from ppcg.generators import get_generator
    from ppcg.generators.base import level_for_seed
    from ppcg.vgdl import load_game

    gen = get_generator(game)
    compiled = compile_game(load_game(game))
    levels = [level_for_seed(gen, d, seed), level_for_seed(gen, 1.0 - d, seed + 1)]
    actions = np.random.default_rng(seed).integers(0, compiled.n_actions, size=(STEPS, 2))
    lockstep(compiled, levels, [seed, seed + 7], actions, "rgb" if rgb else "symbolic")


@CHECK
@given(game_seed=hst.integers(0, 10_000), seed=hst.integers(0, 2**31 - 1))
def test_random_games_fast_equals_reference(game_seed, seed):
    from tests.randgame import random_game

    g = random_game(game_seed)
    spec = parse_game(g.text, path=f"random_{game_seed}.txt")
    compiled = compile_game(spec)
    levels = [Level.for_game(t, spec) for t in g.levels]
    actions = np.random.default_rng(seed).integers(0, compiled.n_actions, size=(STEPS, 2))
    lockstep(compiled, levels, [seed, seed + 1], actions, "symbolic")


def test_reference_mode_is_a_flag_of_the_engine_not_of_the_game():
    from ppcg.vgdl import load_game

    compiled = compile_game(load_game("zelda"))
    ref = BatchEngine(compiled, 1, reference=True)
    fast = BatchEngine(compiled, 1)
    assert ref.reference and not fast.reference
    assert compiled.tables.misc[L.M_FAST] == L.FAST_ALL  # the shared tables keep every fast path
    assert BatchEngine(compiled, 1, fast_paths=L.FAST_ALL & ~L.FAST_OBS).tables.misc[L.M_FAST] == 191
    with pytest.raises(ValueError, match="fast_paths"):
        BatchEngine(compiled, 1, fast_paths=256)


@pytest.mark.parametrize("bit", [L.FAST_STAMP, L.FAST_REPEAT, L.FAST_SPARSE, L.FAST_GRID, L.FAST_SKIP,
                                 L.FAST_PACKED, L.FAST_OBS, L.FAST_PATH])
def test_each_fast_path_alone_equals_reference(bit):
    """One fast path on at a time: Zelda (pair passes, the grid, sparse passes) and a pathfinding chaser."""
    from ppcg.generators import get_generator
    from ppcg.generators.base import level_for_seed
    from ppcg.vgdl import load_game
    from tests.test_engine_mechanics import GAMES

    compiled = compile_game(load_game("zelda"))
    levels = [level_for_seed(get_generator("zelda"), 0.8, 3)]
    actions = np.random.default_rng(bit).integers(0, compiled.n_actions, size=(30, 1))
    lockstep(compiled, levels, [bit], actions, "rgb" if bit == L.FAST_OBS else "symbolic", fast_paths=bit)
    path = GAMES / "npc_path.txt"
    spec = parse_game(path.read_text(), path=str(path))
    compiled = compile_game(spec)
    levels = [Level.for_game("wwwwwwww\nwA.....w\nwww.w.ww\nwh...h.w\nwwwwwwww\n", spec)]
    actions = np.random.default_rng(bit).integers(0, compiled.n_actions, size=(20, 1))
    lockstep(compiled, levels, [bit], actions, "symbolic", fast_paths=bit)
