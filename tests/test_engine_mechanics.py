"""One tiny game per mechanic (tests/games/<mechanic>.txt): the exact state after a scripted sequence of actions.

Positions are GVGAI pixels (block size 10); ids follow GVGAI's creation order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ppcg.engine import BatchEngine, compile_game
from ppcg.vgdl.errors import VGDLUnsupportedError
from ppcg.vgdl.level import Level
from ppcg.vgdl.parser import parse_game

GAMES = Path(__file__).parent / "games"
STATIC = {"wall", "ground", "floor", "water", "bank"}


class Run:
    """A one-environment engine on ``tests/games/<prefix><game>.txt``, stepped by action names."""

    prefix = ""

    def __init__(self, game: str, level: str, seed: int = 0) -> None:
        path = GAMES / f"{self.prefix}{game}.txt"
        self.spec = parse_game(path.read_text(), path=str(path))
        self.game = compile_game(self.spec)
        self.engine = BatchEngine(self.game, 1, obs_type="symbolic", max_steps=0)
        self.engine.reset([Level.for_game(level, self.spec)], [seed])
        self.result = None

    def step(self, *names: str):
        for name in names:
            self.result = self.engine.step([self.game.action_names.index(name)])
        return self.result

    def at(self, name: str) -> list[tuple[int, int]]:
        """Positions of the live sprites of type ``name``, by id."""
        return [(x, y) for _, n, x, y in self.engine.sprites(0) if n == name]

    def movers(self) -> list[tuple[int, str, int, int]]:
        return [s for s in self.engine.sprites(0) if s[1] not in STATIC]

    @property
    def avatar(self) -> dict:
        return self.engine.avatar(0)

    @property
    def score(self) -> float:
        return float(self.result.score[0])

    @property
    def winner(self) -> int:
        return int(self.result.winner[0])


def test_step_back_from_a_wall():
    r = Run("walk", "wwwww\nwA..w\nwwwww\n")
    r.step("LEFT")
    assert (r.avatar["x"], r.avatar["y"]) == (10, 10)  # into the wall, then back
    r.step("RIGHT")
    assert (r.avatar["x"], r.avatar["y"]) == (20, 10)
    r.step("RIGHT", "RIGHT")
    assert (r.avatar["x"], r.avatar["y"]) == (30, 10)
    assert r.avatar["orientation"] == (0, 0)  # a MovingAvatar has no orientation
    assert r.game.action_names == ["NIL", "LEFT", "RIGHT", "DOWN", "UP"]


def test_missile_first_tick_two_pixel_fall_rest_and_kill_from_above():
    r = Run("falling", "r r\n  f\nA  \n")
    ys = []
    for _ in range(6):
        r.step("NIL")
        ys.append([y for _, name, x, y in r.movers() if name == "rock" and x == 0][0])
    assert ys == [0, 2, 4, 6, 8, 10]  # no move on the first tick, then speed 0.2 -> 2 px per tick
    assert (1, "rock", 20, 0) in r.movers()  # resting: falls 2 px and steps back every tick
    assert r.winner == 0
    r.step("NIL")  # rock at y=12 overlaps the avatar, moving down from above: killed, -1, lose
    assert (0, "rock", 0, 12) in r.movers()
    assert r.avatar["disabled"] and r.score == -1 and r.winner == -1
    assert bool(r.result.terminated[0]) and int(r.result.tick[0]) == 7
    assert all(name != "avatar" for _, name, _, _ in r.movers())  # a disabled avatar leaves the sprite set


def test_shoot_avatar_rotates_in_place_and_its_singleton_flicker_lives_limit_plus_one_updates():
    r = Run("sword", "wwwwww\nwA.t.w\nwwwwww\n")
    assert r.game.action_names == ["NIL", "USE", "LEFT", "RIGHT", "DOWN", "UP"]
    r.step("USE")
    assert r.movers() == [(7, "hero", 10, 10), (8, "target", 30, 10), (16, "blade", 20, 10)]
    r.step("USE")  # singleton: refused while the blade lives (no new id used)
    r.step("NIL")
    assert [s for s in r.movers() if s[1] == "blade"] == [(16, "blade", 20, 10)]
    r.step("NIL")  # limit=2: killed on its 4th update (age > limit is checked before age++)
    assert [s for s in r.movers() if s[1] == "blade"] == []
    r.step("RIGHT")
    assert (r.avatar["x"], r.avatar["orientation"]) == (20, (1, 0))
    r.step("UP")  # a new direction only turns
    assert (r.avatar["x"], r.avatar["y"], r.avatar["orientation"]) == (20, 10, (0, -1))
    r.step("RIGHT")
    assert (r.avatar["x"], r.avatar["orientation"]) == (20, (1, 0))
    r.step("USE")  # blade at (30, 10) on the target: +3, no target left -> win
    assert (17, "blade", 30, 10) in r.movers()
    assert r.score == 3 and r.winner == 1 and int(r.result.tick[0]) == 8


def test_resources_collect_up_to_the_limit_open_a_gate_and_cap_change_resource():
    r = Run("collect", "wwwwwwwww\nwAgggpd.w\nwwwwwwwww\n")
    r.step("RIGHT")
    assert r.avatar["resources"] == {"gem": 1} and r.score == 5
    r.step("RIGHT")
    assert r.avatar["resources"] == {"gem": 2} and r.score == 10
    r.step("RIGHT")  # at the limit: the gem stays, no score
    assert (13, "gem", 40, 10) in r.movers() and r.score == 10
    r.step("RIGHT")  # potion: mana 0 -> 2 (+1)
    assert r.avatar["resources"] == {"gem": 2, "mana": 2} and r.score == 11
    r.step("RIGHT")  # gate: killIfOtherHasMore (gem >= 2) removes it, the avatar steps back; mana 2+2 > 3: unchanged
    assert r.avatar["x"] == 50 and r.avatar["resources"] == {"gem": 2, "mana": 2}
    assert r.score == 11 and r.winner == 1
    assert all(name != "gate" for _, name, _, _ in r.movers())


def test_transform_to_makes_a_new_avatar_sprite_keeping_resources():
    r = Run("transform", "wwwwww\nwAcm.w\nwwwwww\n")
    r.step("RIGHT")
    assert r.avatar == {"x": 20, "y": 10, "orientation": (0, 0), "resources": {"coin": 1}, "id": 7,
                        "type": "small", "hp": 0, "disabled": False}
    r.step("RIGHT")  # small + mushroom -> big (new id 17), mushroom killed (killSecond), +10
    assert r.avatar["id"] == 17 and r.avatar["type"] == "big" and r.avatar["resources"] == {"coin": 1}
    assert r.movers() == [(17, "big", 30, 10)] and r.score == 10
    r.step("RIGHT", "RIGHT")  # the new avatar is controlled; the wall stops it
    assert (r.avatar["x"], r.avatar["y"]) == (40, 10)


def test_spawn_point_timing_total_orientation_and_eos():
    r = Run("spawner", "h    \n     \n    A\n")
    seen = []
    for _ in range(10):
        r.step("NIL")
        seen.append(sorted((i, x) for i, name, x, _ in r.movers() if name in ("hole", "bug")))
    assert seen[0] == [(0, 0), (2, 0)]  # spawned at tick 1 ((start + 0) % 3 == 0), not updated that tick
    assert seen[1] == [(0, 0), (2, 0)]  # the bug's first tick: no move
    assert seen[2] == [(0, 0), (2, 10)]  # RIGHT, taken from the spawner
    assert seen[3] == [(2, 20), (3, 0)]  # second spawn at tick 4; total=2 reached: the spawner dies
    assert seen[5] == [(2, 40), (3, 10)]
    assert seen[6] == [(3, 20)]  # bug 2 left the screen (EOS killSprite)
    assert seen[9] == []


def test_pull_with_it_and_shield_from_water():
    r = Run("river", "bbbbb\n~~=~~\nbbAbb\n")
    r.step("UP")  # onto the log; the log's first tick: no move, no pull; the water is shielded
    assert (r.avatar["x"], r.avatar["y"]) == (20, 10) and not r.avatar["disabled"]
    r.step("NIL", "NIL", "NIL")  # carried 1 px per tick (log speed 0.1)
    assert r.avatar["x"] == 17 and (7, "log", 17, 10) in r.movers()
    r.step("LEFT")  # a hop is 10 px; the frog just moved, so it is not pulled this tick; 1 px of log still shields
    assert r.avatar["x"] == 7 and not r.avatar["disabled"]
    r.step("NIL")
    assert r.avatar["x"] == 6 and not r.avatar["disabled"] and r.winner == 0


def test_water_kills_without_a_log():
    r = Run("river", "bbbbbbb\n~~~~~=~\nbAbbbbb\n")
    r.step("UP")
    assert r.avatar["disabled"] and r.winner == -1 and bool(r.result.terminated[0])


def test_unsupported_features_are_all_listed_with_their_lines():
    path = GAMES / "unsupported.txt"
    spec = parse_game(path.read_text(), path=str(path))
    with pytest.raises(VGDLUnsupportedError) as info:
        compile_game(spec)
    assert info.value.missing == [("sprite class", "Walker", 4), ("effect", "bounceDirection", 11),
                                  ("effect", "waterPhysics", 13)]
    assert "Walker" in str(info.value) and "unsupported.txt" in str(info.value)
    assert "'Walker' (line 4): continuous physics (GVGAI's physicstype=CONT" in str(info.value)


def test_continuous_physics_parameters_are_refused_as_such():
    text = (GAMES / "walk.txt").read_text().replace("avatar > MovingAvatar", "avatar > MovingAvatar physicstype=CONT")
    with pytest.raises(VGDLUnsupportedError, match="MovingAvatar.physicstype' .*continuous physics"):
        compile_game(parse_game(text))


def test_behaviour_parameter_the_engine_ignores_is_an_error():
    text = (GAMES / "walk.txt").read_text().replace("avatar > MovingAvatar", "avatar > MovingAvatar timeToLive=5")
    with pytest.raises(VGDLUnsupportedError) as info:
        compile_game(parse_game(text))
    assert info.value.missing[0][:2] == ("parameter", "MovingAvatar.timeToLive")


def test_symbolic_observation_marks_cell_centres():
    r = Run("falling", "r r\n  f\nA  \n")
    obs = r.engine.observe()
    names = r.game.leaf_names
    assert obs.shape == (1, len(names), 3, 3)
    assert obs[0, names.index("avatar")].tolist() == [[0, 0, 0], [0, 0, 0], [1, 0, 0]]
    for _ in range(4):
        r.step("NIL")  # rock at y=6: covers the centre (y=15) of row 1, no longer row 0's (y=5)
    assert obs.flags.owndata and obs[0, names.index("rock"), 0, 0] == 1  # the earlier copy is unchanged
    now = r.result.obs
    assert now[0, names.index("rock"), :, 0].tolist() == [0, 1, 0]


def test_rgb_observation_draws_colours():
    r = Run("walk", "wwwww\nwA..w\nwwwww\n")
    eng = BatchEngine(r.game, 1, obs_type="rgb")
    img = eng.reset([Level.for_game("wwwww\nwA..w\nwwwww\n", r.spec)], [0])
    assert img.shape == (1, 30, 50, 3) and img.dtype == np.uint8
    assert tuple(img[0, 5, 5]) == (30, 30, 30)  # DARKGRAY wall
    assert tuple(img[0, 15, 25]) == (90, 90, 90)  # GRAY ground
    assert tuple(img[0, 15, 15]) != (90, 90, 90)  # the avatar is drawn over its cell
    big = eng.render_rgb(0, tile_size=20)
    assert big.shape == (60, 100, 3) and tuple(big[10, 10]) == (30, 30, 30)
