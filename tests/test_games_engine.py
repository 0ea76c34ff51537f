"""Our four games in the engine: generated levels load and run, and on GVGAI's human levels our game files
play exactly as GVGAI's own files do.

* Lockstep: the same seeds and the same random actions give the same trajectory, tick by tick (score, winner,
  tick, the symbolic observation, and every sprite's type and position after renaming ours to GVGAI's).
* Scripted scenarios (closed loop, one script per game): the hero walks to the key, slays monsters in its way
  and walks to the door (Zelda); the miner digs to the nearest gems, then to the exit (Boulderdash); the frog
  hops forward whenever the cell ahead is safe (Frogs); the ship only steers off walls and lanes (Solarfox).
  Each ends the same way with both files, and the events they are about happen.
* Random policy with independent seeds: win rate and mean score agree within sampling error. The default is
  ``PPCG_EQUIVALENCE_EPISODES=32`` episodes per level and file, cut at 150 ticks, to keep the suite fast (the
  lockstep test already shows the trajectories are identical); set it to 1000 for the issue's full check.
"""

from __future__ import annotations

import os
import warnings
from collections import deque
from pathlib import Path

import numpy as np
import pytest

from ppcg.generators import GENERATORS, get_generator
from ppcg.vgdl import Level, load_game

engine = pytest.importorskip("ppcg.engine")

from test_games import GAMES, RENAME  # noqa: E402

BLOCK = 10
EPISODES = int(os.environ.get("PPCG_EQUIVALENCE_EPISODES", "32"))
SCRIPT_TICKS = {"zelda": 100, "boulderdash": 100, "frogs": 60, "solarfox": 100}


@pytest.fixture(scope="module")
def compiled():
    """game -> (our spec, our compiled game)."""
    out = {}
    for game in GAMES:
        spec = load_game(game)
        out[game] = (spec, engine.compile_game(spec))
    return out


@pytest.fixture(scope="module")
def gvgai(corpus_dir):
    """game -> (GVGAI's spec, compiled, the texts of its five levels)."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # frogs' goal: a Door under Immovable (GVGAI uses Immovable)
        for game in GAMES:
            spec = load_game(corpus_dir / f"{game}.txt")
            texts = [(corpus_dir / f"{game}_lvl{i}.txt").read_text() for i in range(5)]
            out[game] = (spec, engine.compile_game(spec), texts)
    return out


# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("game", sorted(GENERATORS))
def test_generated_levels_load_and_step_in_the_engine(game, compiled):
    spec, comp = compiled[game]
    gen = get_generator(game)
    levels = [gen.generate((s % 11) / 10, np.random.default_rng(s)) for s in range(200)]
    eng = engine.BatchEngine(comp, len(levels), obs_type="symbolic", obs_size=(gen.width, gen.height))
    obs = eng.reset(levels, list(range(len(levels))))
    assert obs.shape == (len(levels), len(comp.leaf_names), gen.height, gen.width)
    rng = np.random.default_rng(0)
    for _ in range(20):
        res = eng.step(rng.integers(comp.n_actions, size=len(levels)))
    assert ((res.tick == 20) | res.terminated).all()
    # Every level starts with exactly one avatar in the engine.
    assert all(eng.avatar(i) is not None for i in range(0, len(levels), 20))


# ----------------------------------------------------------------------------------------------------------
def _renamed(sprites, names):
    return [(i, names.get(t, t), x, y) for i, t, x, y in sprites]


@pytest.mark.parametrize("game", GAMES)
def test_lockstep_same_trajectories_as_gvgai_files(game, compiled, gvgai):
    ours_spec, ours = compiled[game]
    theirs_spec, theirs, texts = gvgai[game]
    names = RENAME[game]
    n, ticks = 4, 100
    assert ours.action_names == theirs.action_names
    for lvl, text in enumerate(texts):
        a = engine.BatchEngine(ours, n, obs_type="symbolic", max_steps=ticks)
        b = engine.BatchEngine(theirs, n, obs_type="symbolic", max_steps=ticks)
        seeds = [100 * lvl + k for k in range(n)]
        oa = a.reset([Level.for_game(text, ours_spec)] * n, seeds)
        ob = b.reset([Level.for_game(text, theirs_spec)] * n, seeds)
        assert np.array_equal(oa, ob)
        rng = np.random.default_rng(lvl)
        for t in range(ticks):
            act = rng.integers(ours.n_actions, size=n)
            ra, rb = a.step(act), b.step(act)
            where = (game, lvl, t)
            assert np.array_equal(ra.score, rb.score), where
            assert np.array_equal(ra.winner, rb.winner), where
            assert np.array_equal(ra.tick, rb.tick), where
            assert np.array_equal(ra.obs, rb.obs), where
            if t % 20 == 0 or t == ticks - 1:
                for i in range(n):
                    assert _renamed(a.sprites(i), names) == b.sprites(i), (*where, i)
            if (ra.terminated | ra.truncated).all():
                break


# ----------------------------------------------------------------------------------------------------------
# Closed-loop scripts. Each reads the engine's sprites, builds a grid, and picks the next action; run on our
# file and on GVGAI's, they must produce the same actions, events and ending.

_DIRS = {"LEFT": (-1, 0), "RIGHT": (1, 0), "UP": (0, -1), "DOWN": (0, 1)}


def _cells(sprites):
    grid: dict[tuple[int, int], set[str]] = {}
    for _, t, x, y in sprites:
        for cx in {x // BLOCK, (x + BLOCK - 1) // BLOCK}:
            for cy in {y // BLOCK, (y + BLOCK - 1) // BLOCK}:
                grid.setdefault((cx, cy), set()).add(t)
    return grid


def _first_step(start, goals, ok):
    """The first move (dx, dy) of a shortest 4-neighbour path from ``start`` to any of ``goals``, or None."""
    if start in goals:
        return None
    prev = {start: None}
    queue = deque([start])
    while queue:
        c = queue.popleft()
        for dx, dy in _DIRS.values():
            nxt = (c[0] + dx, c[1] + dy)
            if nxt in prev or not (nxt in goals or ok(nxt)):
                continue
            prev[nxt] = c
            if nxt in goals:
                while prev[nxt] != start:
                    nxt = prev[nxt]
                return nxt[0] - start[0], nxt[1] - start[1]
            queue.append(nxt)
    return None


def _zelda_script(eng, names, actions):
    """To the key, then the door; USE when a monster stands in the cell ahead."""
    sprites = _renamed(eng.sprites(0), names)
    av = eng.avatar(0)
    if av is None:
        return actions.index("NIL")
    grid = _cells(sprites)
    here = (av["x"] // BLOCK, av["y"] // BLOCK)
    ahead = (here[0] + av["orientation"][0], here[1] + av["orientation"][1])
    monsters = {"monsterQuick", "monsterNormal", "monsterSlow"}
    if grid.get(ahead, set()) & monsters:
        return actions.index("USE")
    holding = names.get(av["type"], av["type"]) == "withkey"
    targets = {c for c, ts in grid.items() if ("goal" if holding else "key") in ts}
    blocked = {"wall"} | (set() if holding else {"goal"})
    step = _first_step(here, targets, lambda c: c in grid and not grid[c] & blocked)
    if step is None:
        return actions.index("NIL")
    return actions.index(next(k for k, v in _DIRS.items() if v == step))


def _boulderdash_script(eng, names, actions):
    """To the nearest diamond until nine are held, then to the exit; never under a boulder."""
    sprites = _renamed(eng.sprites(0), names)
    av = eng.avatar(0)
    if av is None:
        return actions.index("NIL")
    grid = _cells(sprites)
    here = (av["x"] // BLOCK, av["y"] // BLOCK)
    held = sum(av["resources"].values())
    want = "exitdoor" if held >= 9 else "diamond"
    targets = {c for c, ts in grid.items() if want in ts}
    under_rock = {(x, y + 1) for (x, y), ts in grid.items() if "boulder" in ts}

    def ok(c):
        ts = grid.get(c)
        return ts is not None and not ts & {"wall", "boulder", "crab", "butterfly"} and c not in under_rock

    step = _first_step(here, targets, ok)
    if step is None:
        return actions.index("NIL")
    return actions.index(next(k for k, v in _DIRS.items() if v == step))


def _frogs_script(eng, names, actions):
    """Hop up when the cell ahead holds no car and is not open water, else wait; sidestep hedges."""
    av = eng.avatar(0)
    if av is None:
        return actions.index("NIL")
    grid = _cells(_renamed(eng.sprites(0), names))
    x, y = (av["x"] + BLOCK // 2) // BLOCK, av["y"] // BLOCK
    ahead = grid.get((x, y - 1), set())
    cars = {"fastRtruck", "slowRtruck", "fastLtruck", "slowLtruck"}
    if "wall" in ahead:  # a hedge: walk towards the goal's column
        goal_x = next((c[0] for c, ts in grid.items() if "goal" in ts), x)
        side = grid.get((x + (1 if goal_x > x else -1), y), set())
        if goal_x == x or "wall" in side or side & cars:
            return actions.index("NIL")
        return actions.index("RIGHT" if goal_x > x else "LEFT")
    if ahead & cars or ("water" in ahead and "log" not in ahead):
        return actions.index("NIL")
    return actions.index("UP")


def _solarfox_script(eng, names, actions):
    """Keep flying; turn (clockwise) when the next cell is a wall or a lane."""
    av = eng.avatar(0)
    if av is None:
        return actions.index("NIL")
    grid = _cells(_renamed(eng.sprites(0), names))
    ox, oy = av["orientation"]
    x, y = (av["x"] + BLOCK // 2) // BLOCK, (av["y"] + BLOCK // 2) // BLOCK
    if not grid.get((x + ox, y + oy), set()) & {"wall", "enemyground"}:
        return actions.index("NIL")
    turn = {(1, 0): "DOWN", (0, 1): "LEFT", (-1, 0): "UP", (0, -1): "RIGHT"}[(ox, oy)]
    return actions.index(turn)


SCRIPTS = {
    "zelda": _zelda_script,
    "boulderdash": _boulderdash_script,
    "frogs": _frogs_script,
    "solarfox": _solarfox_script,
}


def _play(comp, spec, text, script, names, seed, ticks):
    eng = engine.BatchEngine(comp, 1, obs_type=None, max_steps=ticks)
    eng.reset([Level.for_game(text, spec)], [seed])
    trace = []
    for _ in range(ticks):
        act = script(eng, names, comp.action_names)
        res = eng.step([act])
        trace.append((act, float(res.score[0]), int(res.winner[0])))
        if res.terminated[0] or res.truncated[0]:
            break
    return trace, _renamed(eng.sprites(0), names)


@pytest.mark.parametrize("game", GAMES)
def test_scripted_scenarios_end_the_same_way(game, compiled, gvgai):
    ours_spec, ours = compiled[game]
    theirs_spec, theirs, texts = gvgai[game]
    script = SCRIPTS[game]
    outcomes, traces = [], []
    for lvl, text in enumerate(texts):
        ticks = SCRIPT_TICKS[game]
        ta, sa = _play(ours, ours_spec, text, script, RENAME[game], seed=lvl, ticks=ticks)
        tb, sb = _play(theirs, theirs_spec, text, script, {}, seed=lvl, ticks=ticks)
        assert ta == tb, (game, lvl)
        assert sa == sb, (game, lvl)
        outcomes.append(ta[-1])
        traces.append(ta)
    scores = [score for _, score, _ in outcomes]
    # The scenarios do what they are about on at least one of GVGAI's levels.
    if game == "zelda":
        assert all(winner == 1 for _, _, winner in outcomes)  # key, then door, on every level
        assert max(scores) >= 4  # and monsters slain with the sword
    elif game == "boulderdash":
        assert max(scores) >= 4 and any(winner == 1 for _, _, winner in outcomes)  # gems, then the exit
    elif game == "frogs":
        assert any(winner == -1 for _, _, winner in outcomes)  # run over or drowned
        # Level 4 starts the frog on a log over water: it survives only while the log carries it.
        assert len(traces[4]) == SCRIPT_TICKS[game] and traces[4][-1][2] == 0
    elif game == "solarfox":
        assert max(scores) >= 1  # blibs eaten


# ----------------------------------------------------------------------------------------------------------
def _random_stats(comp, spec, text, n, ticks, seed):
    eng = engine.BatchEngine(comp, n, obs_type=None, max_steps=ticks)
    rng = np.random.default_rng(seed)
    # Spread-out seeds: java.util.Random's first draws are correlated for consecutive seeds.
    eng.reset([Level.for_game(text, spec)] * n, rng.integers(0, 2**31, size=n).tolist())
    for _ in range(ticks):
        res = eng.step(rng.integers(comp.n_actions, size=n))
        if (res.terminated | res.truncated).all():
            break
    return (res.winner == 1).astype(float), res.score.astype(float)


@pytest.mark.parametrize("game", GAMES)
def test_random_policy_win_rate_and_score_agree(game, compiled, gvgai):
    ours_spec, ours = compiled[game]
    theirs_spec, theirs, texts = gvgai[game]
    n, ticks = EPISODES, 150
    for lvl, text in enumerate(texts):
        wa, sa = _random_stats(ours, ours_spec, text, n, ticks, seed=10_000 * lvl)
        wb, sb = _random_stats(theirs, theirs_spec, text, n, ticks, seed=10_000 * lvl + 5_000)  # independent
        p = (wa.sum() + wb.sum()) / (2 * n)
        assert abs(wa.mean() - wb.mean()) <= 4 * np.sqrt(p * (1 - p) * 2 / n) + 1e-9, (game, lvl)
        se = np.sqrt((sa.var(ddof=1) + sb.var(ddof=1)) / n)
        assert abs(sa.mean() - sb.mean()) <= 4 * se + 1e-9, (game, lvl, sa.mean(), sb.mean())


# Our human levels that the simple scripts above win (for some seed out of three); the others are checked
# winnable on the grid only (tests/test_games.py): the scripts are not solvers.
SCRIPT_WINS = {"zelda": (0, 1, 2, 3, 4), "boulderdash": (0, 1, 2, 3), "frogs": (0, 1, 2, 3)}


@pytest.mark.parametrize("game", sorted(SCRIPT_WINS))
def test_our_human_levels_are_won_in_the_engine(game, compiled):
    spec, comp = compiled[game]
    names = RENAME[game]
    for lvl in SCRIPT_WINS[game]:
        text = (Path(__file__).resolve().parents[1] / "levels" / game / f"lvl{lvl}.txt").read_text()
        won = False
        for seed in range(3):
            trace, _ = _play(comp, spec, text, SCRIPTS[game], names, seed=seed, ticks=300)
            if trace[-1][2] == 1:
                won = True
                break
        assert won, (game, lvl)
