"""Engine faults found by fuzzing and long runs (issue 14): each reproducer, and what the engine does instead.

A game the engine cannot run is refused at load time with file and line; a game it accepts never corrupts its
state, never loses a sprite for lack of room, and never slows down for good because one cell got crowded.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from ppcg.cli import main
from ppcg.engine import BatchEngine, EngineCapacityError, EngineFault, compile_game
from ppcg.engine import layout as L
from ppcg.engine.compiler import level_plan
from ppcg.engine.invariants import problems
from ppcg.vgdl import VGDLError
from ppcg.vgdl.errors import VGDLLevelError, VGDLUnsupportedError, VGDLValueError
from ppcg.vgdl.level import Level
from ppcg.vgdl.parser import parse_game

ABSTRACT_AVATAR = """BasicGame
  SpriteSet
    bullet > Missile orientation=UP
    avatar > ShootAvatar
      hero > stype=bullet
  LevelMapping
    h > hero
  InteractionSet
    bullet EOS > killSprite
  TerminationSet
    Timeout limit=100 win=True
"""


def _engine(text: str, level: str, n: int = 1, path: str = "game.txt", **kw):
    spec = parse_game(text, path=path)
    game = compile_game(spec)
    eng = BatchEngine(game, n, obs_type="symbolic", max_steps=0, **kw)
    eng.reset([Level.for_game(level, spec, file="level.txt")] * n, list(range(n)))
    return game, eng


def _sound(eng: BatchEngine) -> None:
    for i in range(eng.num_envs):
        assert problems(eng, i) == []


# --- 1. a grouping node whose class needs stype: never created; GVGAI's default A > avatar needs no level
def test_a_level_that_creates_an_abstract_avatar_is_refused_at_its_row_and_column():
    spec = parse_game(ABSTRACT_AVATAR, path="game.txt")
    game = compile_game(spec)
    with pytest.raises(VGDLLevelError) as err:
        level_plan(game, Level.for_game("wwwww\nw...w\nw.A.w\nwwwww", spec, file="level.txt"))
    e = err.value
    assert (e.file, e.line, e.col) == ("level.txt", 3, 3)
    assert "'avatar'" in e.message and "ShootAvatar.stype" in e.message and "line 4 of game.txt" in e.message
    eng = BatchEngine(game, 1)
    with pytest.raises(VGDLLevelError):
        eng.reset([Level.for_game("wwwww\nw.A.w\nwwwww", spec)], [0])


def test_the_abstract_avatars_children_shoot_and_the_state_stays_sound():
    game, eng = _engine(ABSTRACT_AVATAR, "wwwww\nw...w\nw.h.w\nwwwww")
    use = game.action_names.index("USE")
    for _ in range(6):
        eng.step([use])
        _sound(eng)
    assert sorted({n for _, n, _, _ in eng.sprites(0)}) == ["bullet", "hero", "wall"]


def test_an_abstract_avatar_without_a_class_runs_where_no_level_uses_A():
    text = """BasicGame
  SpriteSet
    avatar >
      hero > MovingAvatar
  LevelMapping
    h > hero
  TerminationSet
    Timeout limit=5 win=True
"""
    game, eng = _engine(text, "wwwww\nw.h.w\nwwwww")  # refused before: "sprite without a class 'avatar'"
    res = eng.step([game.action_names.index("LEFT")])
    assert eng.avatar(0)["x"] == 10 and not res.terminated[0]
    with pytest.raises(VGDLLevelError, match="a sprite class") as err:
        level_plan(game, Level.for_game("wwwww\nw.A.w\nwwwww", game.spec, file="l.txt"))
    assert (err.value.line, err.value.col) == (2, 3)


def test_an_effect_that_creates_an_abstract_node_is_refused_at_its_line():
    text = ABSTRACT_AVATAR.replace(
        "bullet EOS > killSprite", "bullet EOS > killSprite\n    hero bullet > spawn stype=avatar"
    )
    with pytest.raises(VGDLValueError) as err:
        compile_game(parse_game(text, path="game.txt"))
    assert err.value.line == 10 and "'avatar'" in err.value.message


def test_the_kernel_counts_a_sprite_of_no_type_as_a_fault():
    game, eng = _engine(ABSTRACT_AVATAR, "wwwww\nw...w\nw.h.w\nwwwww")
    game.tables.ti[game.type_index["hero"], L.TI_STYPE] = -1  # what the compiler used to let through
    with pytest.raises(EngineFault, match="tick"):
        eng.step([game.action_names.index("USE")])
    assert eng.sprite_counts()[0] == len(eng.sprites(0))  # nothing was added


# --- 5. numbers the engine cannot hold: refused with file and line; `ppcg check` compiles the game
MISSILE = """BasicGame
  SpriteSet
    dart > Missile orientation=RIGHT
  InteractionSet
    dart EOS > killSprite
  TerminationSet
    Timeout limit=100 win=True
"""


@pytest.mark.parametrize("old,new,line", [
    ("orientation=RIGHT", "orientation=RIGHT cooldown=2147483648", 3),
    ("orientation=RIGHT", "orientation=RIGHT speed=1e400", 3),
    ("orientation=RIGHT", "orientation=RIGHT speed=100000000", 3),
    ("limit=100", "limit=99999999999", 7),
    ("killSprite", "killSprite scoreChange=2147483648", 5),
    ("killSprite", "killSprite repeat=100000000", 5),
])
def test_numbers_out_of_range_are_refused_with_their_line(old, new, line, tmp_path):
    text = MISSILE.replace(old, new)
    with pytest.raises(VGDLValueError) as err:
        compile_game(parse_game(text, path="game.txt"))
    assert (err.value.file, err.value.line) == ("game.txt", line)
    path = tmp_path / "g.txt"
    path.write_text(text)
    err_out = io.StringIO()
    from ppcg.engine import check

    class Args:
        game = str(path)
        levels: list[str] = []
        strict = False

    assert check.run(Args(), io.StringIO(), err_out) == 1
    assert f"{path}:{line}:" in err_out.getvalue()


def test_ppcg_check_compiles_the_game(capsys):
    unsupported = str(Path(__file__).parent / "games" / "unsupported.txt")
    assert main(["check", unsupported]) == 1
    err = capsys.readouterr().err
    assert "the engine does not implement" in err and "unsupported.txt:" in err


# --- 6. errors of the compile stage and of level loading name file and line
def test_unsupported_features_name_file_and_first_line():
    path = Path(__file__).parent / "games" / "unsupported.txt"
    with pytest.raises(VGDLUnsupportedError) as err:
        compile_game(parse_game(path.read_text(), path=str(path)))
    assert err.value.line == min(ln for _, _, ln in err.value.missing if ln is not None)
    assert str(err.value).startswith(f"{path}:{err.value.line}:")


def test_a_level_character_mapped_to_an_unknown_sprite_names_row_and_column():
    spec = parse_game(MISSILE + "  LevelMapping\n    . > floor\n", path="game.txt")
    game = compile_game(spec)
    level_plan(game, Level.for_game("wwww\nw  w\nwwww", spec))  # unused: fine, as in GVGAI
    with pytest.raises(VGDLError) as err:
        level_plan(game, Level.for_game("wwww\nw .w\nwwww", spec, file="lvl.txt"))
    assert (err.value.file, err.value.line, err.value.col) == ("lvl.txt", 2, 3)
    assert "'floor'" in err.value.message


def test_levels_larger_than_the_engine_holds_are_refused():
    spec = parse_game(MISSILE, path="game.txt")
    with pytest.raises(VGDLLevelError, match="larger than the engine holds"):
        level_plan(compile_game(spec), Level(("w" * 10_001,)))


# --- 2. the pathfinder on levels over 32,767 cells
PATH_GAME = (Path(__file__).parent / "games" / "npc_path.txt").read_text()


@pytest.mark.parametrize("size", [(200, 170), (200, 200)])
def test_a_path_chaser_moves_on_large_levels(size):
    w, h = size
    rows = [["."] * w for _ in range(h)]
    rows[h - 2][w - 2] = "A"
    rows[h - 2][w - 7] = "h"  # five cells left of the avatar, at a cell index past 32,767
    game, eng = _engine(PATH_GAME, "\n".join("".join(r) for r in rows))
    start = [x for _, n, x, _ in eng.sprites(0) if n == "hunter"][0]
    for _ in range(3):
        eng.step([0])
    assert [x for _, n, x, _ in eng.sprites(0) if n == "hunter"][0] > start


# --- 3. sprites are never dropped for lack of slots
SPAWNER = """BasicGame
  SpriteSet
    hole > SpawnPoint stype=bug cooldown=1
    bug > RandomNPC cooldown=2
    avatar > MovingAvatar
  LevelMapping
    h > hole
  TerminationSet
    Timeout limit=1000 win=True
"""
SPAWN_LEVEL = "wwwwwwwwww\nw...h....w\nw....A...w\nwwwwwwwwww"


def _trajectory(eng: BatchEngine, steps: int, seed: int = 1) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(steps):
        eng.step(rng.integers(0, 5, eng.num_envs))
        out.append([eng.sprites(i) for i in range(eng.num_envs)])
    return out


def test_a_spawner_that_never_dies_is_never_capped():
    _, small = _engine(SPAWNER, SPAWN_LEVEL, max_sprites=8)
    _, big = _engine(SPAWNER, SPAWN_LEVEL, max_sprites=4096)
    a, b = _trajectory(small, 300), _trajectory(big, 300)
    assert a == b  # exactly as with room to spare: every tick that ran out of slots was redone
    assert len(a[-1][0]) > 300 and small.info()["refused"][0] == 0
    _sound(small)


def test_a_batch_grows_for_one_environment_and_stays_deterministic():
    _, pair = _engine(SPAWNER, SPAWN_LEVEL, n=2, max_sprites=8)
    _, one = _engine(SPAWNER, SPAWN_LEVEL, n=1, max_sprites=4096)
    rng = np.random.default_rng(3)
    for t in range(120):
        acts = rng.integers(0, 5, 2)
        pair.step(acts)
        one.step(acts[:1])
        if t == 40:  # env 1 starts over: its redo basis is its new reset
            pair.reset([Level.for_game(SPAWN_LEVEL, pair.compiled.spec)], [7], indices=[1])
    assert pair.sprites(0) == one.sprites(0)
    _sound(pair)


def test_a_redo_after_set_state_starts_from_that_state():
    _, src = _engine(SPAWNER, SPAWN_LEVEL)
    _trajectory(src, 20)
    _, dst = _engine(SPAWNER, SPAWN_LEVEL)
    _, ref = _engine(SPAWNER, SPAWN_LEVEL, max_sprites=4096)
    dst.set_state(0, src.get_state(0))
    ref.set_state(0, src.get_state(0))  # into more slots than it was taken with
    assert _trajectory(dst, 150, seed=5) == _trajectory(ref, 150, seed=5)
    assert dst._slots > src._slots  # dst grew, and redid its ticks from the state it was given


def test_beyond_the_memory_limit_the_error_names_game_level_and_tick():
    _, eng = _engine(SPAWNER, SPAWN_LEVEL, max_sprites=8, memory_limit=200_000)
    with pytest.raises(EngineCapacityError, match=r"game game\.txt, level level\.txt, tick \d+"):
        _trajectory(eng, 1000)


def test_themole_keeps_every_sprite(corpus_dir):
    """themole lvl0, seed 0, random actions: a transformToAll needed temporary slots from tick 459."""
    from ppcg.vgdl import load_game
    from ppcg.vgdl.level import load_level

    spec = load_game(corpus_dir / "themole.txt")
    game = compile_game(spec)
    level = load_level(corpus_dir / "themole_lvl0.txt", spec)
    runs = []
    for slots in (None, 20_000):
        eng = BatchEngine(game, 1, obs_type=None, max_steps=0, max_sprites=slots)
        eng.reset([level], [0])
        rng = np.random.default_rng(0)
        ticks = []
        for _ in range(800):
            r = eng.step(rng.integers(0, game.n_actions, 1))
            ticks.append((float(r.score[0]), len(eng.sprites(0))))
            if r.terminated[0]:
                break
        runs.append(ticks)
    assert runs[0] == runs[1]


# --- 4. a crowded cell costs in proportion to its crowd
CROWD = """BasicGame
  SpriteSet
    goat > RandomNPC cooldown=1
    avatar > MovingAvatar
  LevelMapping
    g > goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat goat
  InteractionSet
    goat wall > stepBack
  TerminationSet
    Timeout limit=1000 win=True
"""


def test_a_crowded_cell_widens_the_cells_instead_of_slowing_the_episode():
    level = "wwwwwww\nwg...Aw\nw.....w\nwwwwwww"
    _, eng = _engine(CROWD, level)
    _, ref = _engine(CROWD, level, max_sprites=4096)
    assert eng._room["cell_cap"] >= 20  # widened at reset: 20 goats in one cell
    assert not eng._state.ev[0, L.EV_OVERFLOW]
    assert _trajectory(eng, 50) == _trajectory(ref, 50)
    assert not eng._state.ev[0, L.EV_OVERFLOW]
    _sound(eng)


# --- growing is cheap: ahead of need, and a redo starts from the last growth, not from the reset
BREEDER = """BasicGame
  SpriteSet
    nest > SpawnPoint stype=bird prob=1 cooldown=1
    bird > RandomBomber stype=nest prob=1 cooldown=1
    avatar > MovingAvatar
  LevelMapping
    n > nest
  TerminationSet
    Timeout limit=1000 win=True
"""


def _count_redone_ticks(monkeypatch) -> list[int]:
    """Every redo's length (the ticks it replays) is appended to the list returned."""
    replayed: list[int] = []
    original = BatchEngine._redo

    def redo(self, i, reward):
        replayed.append(int(self._nstep - self._basis_step[i]))
        original(self, i, reward)

    monkeypatch.setattr(BatchEngine, "_redo", redo)
    return replayed


def test_a_growing_crowd_grows_ahead_of_need_without_redoing_ticks(monkeypatch):
    replayed = _count_redone_ticks(monkeypatch)
    _, eng = _engine(SPAWNER, SPAWN_LEVEL)
    slots = eng._slots
    _trajectory(eng, 400)
    assert eng._slots >= 4 * slots and len(eng.sprites(0)) > 300
    assert replayed == []  # grown before any tick ran out of slots
    _sound(eng)


def test_a_game_that_breeds_without_end_reaches_the_memory_limit_quickly(monkeypatch):
    """Sprites that breed each other (a nest spawns birds that lay nests) double every few ticks: the engine
    grows ahead of them and redoes few ticks (a redo starts from the last growth), then stops at the memory
    limit with the error that names game, level and tick."""
    replayed = _count_redone_ticks(monkeypatch)
    _, eng = _engine(BREEDER, "wwwwwwwwww\nw...n....w\nw....A...w\nwwwwwwwwww", memory_limit=4 << 20)
    where = r"game game\.txt, level level\.txt, tick \d+: more sprites"
    with pytest.raises(EngineCapacityError, match=where):
        _trajectory(eng, 1000)
    assert sum(replayed) <= 2 * max(len(replayed), 1) + 4


def test_sprite_slots_stop_at_what_the_grid_index_can_address():
    """A grid entry packs a slot in GI_TYPE bits: beyond 2**GI_TYPE slots an environment is refused with the
    engine's clear error, whatever the memory limit."""
    _, eng = _engine(SPAWNER, SPAWN_LEVEL, memory_limit=1 << 40)
    with pytest.raises(EngineCapacityError, match="indexes at most 1,048,576"):
        eng._grow(0, "sprites", slots=L.GI_SLOT + 2)
