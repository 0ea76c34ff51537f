"""Work the engine skips, which must never change what happens.

* Pair passes (tests/games/skip_passes.txt): a pass that hit nothing is not run again until a sprite of either side
  is added, killed or moved, and identical repeats after a miss are dropped. These scenarios make a skipped pass
  matter right after a long still stretch.
* Symbolic observations: only the planes of types that changed are redrawn; every step must equal a full redraw.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_engine_mechanics import Run

from ppcg.engine import BatchEngine
from ppcg.engine import layout as L


def _effect_index(run: Run, first: str, second: str) -> int:
    tb = run.engine.tables
    t1, t2 = run.game.type_index[first], run.game.type_index[second]
    for p in range(tb.pi.shape[0]):
        if tb.pi[p, L.PI_T1] == t1 and tb.pi[p, L.PI_T2] == t2:
            return int(tb.pi[p, L.PI_E0])
    raise AssertionError(f"no pair {first} {second}")


def test_repeats_of_one_effect_are_marked_and_push_a_whole_chain_either_way():
    r = Run("skip_passes", "wwwwwwwwwww\nw.bbbbA...w\nw.........w\nwwwwwwwwwww\n")
    e = _effect_index(r, "box", "box")
    same = r.engine.tables.ei[e:e + 3, L.EI_SAME_PREV]
    assert same.tolist() == [0, 1, 1]  # repeat=3: the second and third passes repeat the first
    r.step("LEFT")  # the leftmost box is pushed last: it needs the third pass
    assert r.at("box") == [(10, 10), (20, 10), (30, 10), (40, 10)]
    assert r.avatar["x"] == 50
    r.step("LEFT")  # the chain hits the wall: undoAll puts everything back
    assert r.at("box") == [(10, 10), (20, 10), (30, 10), (40, 10)]
    assert r.avatar["x"] == 50
    r = Run("skip_passes", "wwwwwwwwwww\nwAbbbb....w\nw.........w\nwwwwwwwwwww\n")
    r.step("RIGHT")
    assert r.at("box") == [(30, 10), (40, 10), (50, 10), (60, 10)]


def test_a_pass_skipped_while_still_runs_again_when_a_sprite_moves_onto_it():
    r = Run("skip_passes", "wwwwwwwwwww\nw..t..bA..w\nw.........w\nwwwwwwwwwww\n")
    r.step(*["NIL"] * 20)
    e = _effect_index(r, "box", "trap")
    T = r.engine._state.tc.shape[1]
    assert r.engine._state.pv[0, T + e] != 0  # the miss is remembered: the pass is being skipped
    r.step("LEFT", "LEFT")
    assert r.at("box") == [(40, 10)] and r.score == 0
    r.step("LEFT")
    assert r.at("box") == [] and r.score == 1


def test_a_pass_skipped_while_still_runs_again_when_a_sprite_is_added():
    r = Run("skip_passes", "wwwwwwwwwww\nw.s.....Aw\nwwwwwwwwwww\n")
    scores = [float(r.step("NIL").score[0]) for _ in range(12)]
    # the source spawns a drop on itself at its first update and six ticks later; each is killed at once
    assert scores == [10.0] * 6 + [20.0] * 6
    assert r.at("drop") == [] and r.at("source") == []


def test_skipping_is_per_environment_and_batch_size_does_not_matter():
    from ppcg.engine import BatchEngine
    from ppcg.vgdl.level import Level

    r = Run("skip_passes", "wwwwwwwwwww\nw..t..bA..w\nw.........w\nwwwwwwwwwww\n")
    level = Level.for_game("wwwwwwwwwww\nw..t..bA..w\nw.........w\nwwwwwwwwwww\n", r.spec)
    eng = BatchEngine(r.game, 3, obs_type=None, max_steps=0)
    eng.reset([level] * 3, [0, 1, 2])
    left = r.game.action_names.index("LEFT")
    nil = r.game.action_names.index("NIL")
    for k in range(25):  # environment 1 pushes the box at tick 20; the others stand still
        eng.step(np.array([nil, left if k >= 20 else nil, nil]))
    assert [len([s for s in eng.sprites(i) if s[1] == "box"]) for i in range(3)] == [1, 0, 1]
    assert eng.step(np.full(3, nil)).score.tolist() == [0.0, 1.0, 0.0]


def _full_redraw(engine: BatchEngine) -> np.ndarray:
    engine._state.ev[:, L.EV_CANVAS] = 0  # as after a reset: draw every plane from nothing
    return engine.observe()


@pytest.mark.parametrize("game", ["zelda", "boulderdash", "pacman", "deflection", "blacksmoke", "aliens"])
def test_incremental_symbolic_observation_equals_a_full_redraw(corpus_dir, game):
    from ppcg.engine.coverage import _load_and_compile, _load_level, find_game

    path, levels = find_game(corpus_dir, game)
    spec, compiled = _load_and_compile(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lvls = [_load_level(levels[k], spec) for k in (0, 1)]
    # two level sizes in one batch: the smaller level's margin is set in the wall plane and must stay so
    engine = BatchEngine(compiled, 4, obs_type="symbolic")
    obs = engine.reset([lvls[0], lvls[1], lvls[0], lvls[1]], [0, 1, 2, 3])
    rng = np.random.default_rng(0)
    seeds = iter(range(10, 10_000))
    changed = 0
    for _ in range(150):
        before = obs
        result = engine.step(rng.integers(0, compiled.n_actions, size=4))
        obs = result.obs
        np.testing.assert_array_equal(obs, _full_redraw(engine))
        changed += int((obs != before).any())
        done = np.flatnonzero(result.terminated | result.truncated)
        if done.size:
            obs = engine.reset([lvls[k % 2] for k in done], [next(seeds) for _ in done], indices=done)
            np.testing.assert_array_equal(obs, _full_redraw(engine))
    assert changed > 10  # the observations did change along the way


def test_grid_entries_pack_slot_and_type_and_games_with_too_many_types_are_refused():
    from ppcg.engine import compile_game
    from ppcg.vgdl.errors import VGDLError
    from ppcg.vgdl.parser import parse_game

    r = Run("skip_passes", "wwwwwwwwwww\nw..t..bA..w\nw.........w\nwwwwwwwwwww\n")
    st = r.engine._state
    for c in range(int(st.ev[0, L.EV_WIDTH] * st.ev[0, L.EV_HEIGHT])):
        for k in range(int(st.gn[0, c])):
            g = int(st.gi[0, c, k])
            assert g >> L.GI_TYPE == st.si[0, g & L.GI_SLOT, L.SI_TYPE]  # the type a cell search reads, unread
    lines = ["BasicGame", "    SpriteSet", *(f"        t{k} > Immovable" for k in range(L.MAX_TYPES)),
             "    LevelMapping", "        . > t0", "    TerminationSet", "        Timeout limit=10 win=False"]
    with pytest.raises(VGDLError, match="sprite types: the engine holds at most 2048"):
        compile_game(parse_game("\n".join(lines) + "\n"))
