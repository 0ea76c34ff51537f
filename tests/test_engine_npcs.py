"""NPC sprite classes and avatars added for the corpus (issue 3): one tiny game each (tests/games/npc_*.txt),
asserting the exact transition in GVGAI pixels (block size 10) and GVGAI's sprite ids."""

from __future__ import annotations

from ppcg.engine import compile_game
from ppcg.engine.compiler import level_plan
from ppcg.vgdl.level import Level
from ppcg.vgdl.parser import parse_game
from tests.test_engine_mechanics import Run


def test_chaser_closes_in_one_cell_per_tick_and_kills():
    r = Run("npc_chaser", "wwwwwww\nwA..h.w\nw.....w\nwc....w\nwwwwwww\n")
    r.step("NIL")
    assert (9, "hunter", 30, 10) in r.movers()  # LEFT is the only move that gets closer
    r.step("NIL")
    assert (9, "hunter", 20, 10) in r.movers() and r.winner == 0
    r.step("NIL")
    assert (9, "hunter", 10, 10) in r.movers()
    assert r.avatar["disabled"] and r.score == -1 and r.winner == -1


def test_fleeing_moves_away_and_respects_its_cooldown():
    r = Run("npc_chaser", "wwwwwww\nwA.c..w\nwwwwwww\n")
    xs = []
    for _ in range(6):
        r.step("NIL")
        xs.append([x for _, name, x, y in r.movers() if name == "coward"][0])
    # UP, DOWN and RIGHT all get farther; UP/DOWN hit the wall and step back; cooldown=2 allows a move every
    # second tick; the draws (seed 0) pick RIGHT on ticks 4 and 6
    assert xs == [30, 30, 30, 40, 40, 50]


def test_random_missile_draws_once_and_bomber_drops_bombs():
    r = Run("npc_missiles", "..........\n..s.......\np.........\n....A.....\n")
    r.step("NIL")
    assert (0, "spark", 20, 10) in r.movers()  # direction drawn, but no move on the first tick
    assert (3, "bomb", 0, 20) in r.movers()  # the Bomber spawns on its first update (cooldown 3)
    r.step("NIL", "NIL")
    assert (0, "spark", 30, 10) in r.movers()  # 0.5 cell = 5 px per tick, always RIGHT (seed 0)
    assert (1, "plane", 10, 20) in r.movers()  # the Bomber moves RIGHT (its default), one cell every 3 ticks
    assert (3, "bomb", 0, 30) in r.movers()
    r.step("NIL")
    ids = [sid for sid, name, _, _ in r.movers() if name == "bomb"]
    assert ids == [4]  # bomb 3 left the screen (EOS); bomb 4 spawned at the plane's cell
    assert (4, "bomb", 10, 20) in r.movers()


def test_spreader_fills_its_four_neighbours_at_age_two_then_dies():
    r = Run("npc_spreader", "wwwww\nw...w\nw.f.w\nw..Aw\nwwwww\n")
    r.step("NIL")
    assert not [s for s in r.movers() if s[1] == "ash"]
    r.step("NIL")
    ash = [s for s in r.movers() if s[1] == "ash"]
    assert ash == [(18, "ash", 20, 10), (19, "ash", 10, 20), (20, "ash", 20, 30), (21, "ash", 30, 20)]  # U L D R
    r.step("NIL", "NIL")
    assert [s for s in r.movers() if s[1] == "fire"]  # limit=3: still alive at age 3
    r.step("NIL")
    assert not [s for s in r.movers() if s[1] == "fire"]


def test_flak_avatar_shoots_on_its_own_cell_while_it_has_ammo():
    r = Run("npc_flak", "....\n....\nAmm.\n")
    assert r.game.action_names == ["NIL", "USE", "LEFT", "RIGHT"]
    r.step("USE")
    assert [s for s in r.movers() if s[1] == "sam"] == []  # no ammo held
    r.step("RIGHT", "RIGHT")
    assert r.avatar["resources"] == {"ammo": 2}
    r.step("USE")
    assert (3, "sam", 20, 20) in r.movers() and r.avatar["resources"] == {"ammo": 0}  # ammoCost=2
    r.step("USE")
    sams = [s for s in r.movers() if s[1] == "sam"]
    assert sams == [(3, "sam", 20, 10)]  # no second shot: 0 ammo is not above minAmmo
    r.step("LEFT")
    assert (r.avatar["x"], r.avatar["y"]) == (10, 20)


GAME = """BasicGame
    SpriteSet
        holes > SpawnPoint
            hole > stype=bug cooldown=2
        bug > Missile orientation=DOWN
    LevelMapping
        h > hole
    TerminationSet
        Timeout limit=5 win=True
"""


def test_parent_spawn_point_needs_no_stype():
    game = compile_game(parse_game(GAME))  # 'holes' has no stype: only its children are ever created
    types, *_ = level_plan(game, Level.for_game("h.\n..\n", game.spec))
    assert [game.type_names[t] for t in types] == ["hole"]


def test_path_chaser_walks_around_the_wall_along_the_pathfinder():
    r = Run("npc_path", "wwwwww\nwA..ww\nwww.ww\nwh..ww\nwwwwww\n")
    path = []
    for _ in range(6):
        r.step("NIL")
        path.append([(x, y) for _, name, x, y in r.movers() if name == "hunter"][0])
    assert path == [(20, 30), (30, 30), (30, 20), (30, 10), (20, 10), (10, 10)]
    assert r.avatar["disabled"] and r.winner == -1


TTL_GAME = """BasicGame
    SpriteSet
        dart > Missile orientation=RIGHT timeToLive=2
        avatar > MovingAvatar
    LevelMapping
        d > dart
    TerminationSet
        Timeout limit=20 win=True
"""


def test_missile_time_to_live_counts_down_then_kills():
    game = compile_game(parse_game(TTL_GAME))
    from ppcg.engine import BatchEngine

    eng = BatchEngine(game, 1, obs_type=None, max_steps=0)
    eng.reset([Level.for_game("d.....\nA.....\n", game.spec)], [0])
    seen = []
    for _ in range(3):
        eng.step([0])
        seen.append([(x, y) for _, name, x, y in eng.sprites(0) if name == "dart"])
    assert seen == [[(0, 0)], [(10, 0)], []]  # 2 -> 1 (first tick: no move), 1 -> 0, then killed on update 3


SUBTYPES_GAME = """BasicGame
    SpriteSet
        blocks > Immovable
            red >
            blue >
        avatar > MovingAvatar
    LevelMapping
        r > red
        b > blue
    InteractionSet
        red avatar > killSprite
        blue avatar > killSprite
    TerminationSet
        MultiSpriteCounterSubTypes stype1=blocks limit=2 subTypesNum=2 win=True
"""


def test_multi_sprite_counter_subtypes_needs_the_count_and_the_number_of_kinds():
    game = compile_game(parse_game(SUBTYPES_GAME))
    from ppcg.engine import BatchEngine

    eng = BatchEngine(game, 1, obs_type=None, max_steps=0)
    right = game.action_names.index("RIGHT")
    eng.reset([Level.for_game("Arrb\n", game.spec)], [0])
    res = eng.step([right])  # eats a red: red + blue left, two kinds -> win
    assert int(res.winner[0]) == 1
    eng.reset([Level.for_game("Arbb\n", game.spec)], [0])
    res = eng.step([right])  # eats the red: two blues, one kind -> not yet
    assert int(res.winner[0]) == 0


# One corpus game per NPC class or avatar added here, replayed against GVGAI's own traces (every trace of the game).
NPC_GAMES = {
    "chase": "Chaser, Fleeing",
    "pacman": "RandomPathAltChaser, Fleeing maxDistance",
    "eighthpassenger": "PathAltChaser randomTarget",
    "theshepherd": "PathChaser",
    "explore": "LOSChaser",
    "blacksmoke": "RandomMissile",
    "glow": "Spreader",
    "eggomania": "Bomber, FlakAvatar minAmmo/ammoCost",
    "crossfire": "RandomBomber rotateInPlace",
    "donkeykong": "BomberRandomMissile",
    "myAliens": "HorizontalAvatar",
    "slide": "MissileAvatar",
    "themole": "OngoingShootAvatar",
    "portals": "Portal",
    "ghostbuster": "Missile timeToLive",
    "mirrors": "MultiSpriteCounterSubTypes",
}


def test_npc_games_reproduce_gvgai_traces(traces_dir, corpus_dir):
    from ppcg.engine.conformance import check_games

    reports = check_games(traces_dir, corpus_dir, sorted(NPC_GAMES))
    assert {r.game for r in reports} == set(NPC_GAMES)
    bad = {r.game: r.detail for r in reports if r.status != "identical"}
    assert not bad


AVATAR_GAME = """BasicGame
    SpriteSet
        shot > Missile speed=1
        avatar > %s
    LevelMapping
        A > avatar
    InteractionSet
        shot EOS > killSprite
    TerminationSet
        Timeout limit=30 win=True
"""


def _avatar_run(cls: str, actions: list[str]):
    from ppcg.engine import BatchEngine

    game = compile_game(parse_game(AVATAR_GAME % cls))
    eng = BatchEngine(game, 1, obs_type=None, max_steps=0)
    eng.reset([Level.for_game("A.....\n......\n......\n......\n", game.spec)], [0])
    states = []
    for a in actions:
        eng.step([game.action_names.index(a)])
        states.append((eng.sprites(0), eng.avatar(0)["orientation"]))
    return game, states


def test_ongoing_shoot_avatar_keeps_going_turns_on_keys_and_shoots_ahead_on_use():
    game, states = _avatar_run("OngoingShootAvatar stype=shot", ["NIL", "USE", "DOWN", "NIL"])
    assert game.action_names == ["NIL", "USE", "LEFT", "RIGHT", "DOWN", "UP"]
    assert states[0][0] == [(0, "avatar", 0, 0)]  # first tick: no move
    assert states[1][0] == [(0, "avatar", 10, 0), (1, "shot", 20, 0)]  # moved RIGHT, then shot one cell ahead
    assert states[2] == ([(0, "avatar", 10, 10), (1, "shot", 30, 0)], (0, 1))  # DOWN turns it
    assert states[3][0][0] == (0, "avatar", 10, 20)


def test_missile_avatar_ignores_the_keys_and_flies_on():
    game, states = _avatar_run("MissileAvatar orientation=DOWN", ["LEFT", "LEFT", "UP"])
    assert [s[0] for s in states] == [[(0, "avatar", 0, 0)], [(0, "avatar", 0, 10)], [(0, "avatar", 0, 20)]]


def test_horizontal_avatar_has_only_left_and_right():
    game, states = _avatar_run("HorizontalAvatar", ["RIGHT", "LEFT"])
    assert game.action_names == ["NIL", "LEFT", "RIGHT"]
    assert [s[0] for s in states] == [[(0, "avatar", 10, 0)], [(0, "avatar", 0, 0)]]
