"""Scripted play on GVGAI's four paper games (game files from the corpus), on their human levels and on small levels.

Every expected value below follows GVGAI's rules (SEMANTICS.md); the engine reproduces GVGAI's own traces of these
games tick by tick (tests/test_conformance.py), so a fixed seed fixes the monsters' moves.
"""

from __future__ import annotations

from ppcg.engine import BatchEngine, compile_game
from ppcg.vgdl import load_game
from ppcg.vgdl.level import Level, load_level

_CACHE: dict = {}


def _game(corpus_dir, name):
    if name not in _CACHE:
        spec = load_game(corpus_dir / f"{name}.txt")
        _CACHE[name] = (spec, compile_game(spec))
    return _CACHE[name]


class Play:
    def __init__(self, corpus_dir, game: str, level, seed: int = 0) -> None:
        self.spec, self.game = _game(corpus_dir, game)
        if isinstance(level, int):
            lvl = load_level(corpus_dir / f"{game}_lvl{level}.txt", self.spec)
        else:
            lvl = Level.for_game(level, self.spec)
        self.engine = BatchEngine(self.game, 1, obs_type=None)
        self.engine.reset([lvl], [seed])
        self.result = None
        self.log: list[tuple] = []

    def step(self, *names: str):
        for name in names:
            self.result = self.engine.step([self.game.action_names.index(name)])
            av = self.engine.avatar(0)
            self.log.append((int(self.result.tick[0]), av["x"], av["y"], av["type"], float(self.result.score[0]),
                             int(self.result.winner[0])))
            if self.result.terminated[0]:
                break
        return self.result

    def find(self, name, x, y):
        return [s for s in self.engine.sprites(0) if s[1:] == (name, x, y)]


def moves(*path: tuple[str, int]) -> list[str]:
    """An oriented avatar's key presses for ``(direction, cells)`` legs: a new direction first turns in place."""
    out: list[str] = []
    for d, n in path:
        out += [d] * (n + 1)
    return out


ZELDA_ROUTE = ["RIGHT"] * 7 + moves(("DOWN", 1), ("RIGHT", 2), ("DOWN", 1), ("UP", 1), ("LEFT", 5), ("DOWN", 4),
                                    ("RIGHT", 5), ("UP", 1))


def test_zelda_lvl0_key_then_door_wins(corpus_dir):
    p = Play(corpus_dir, "zelda", 0, seed=1)
    p.step(*ZELDA_ROUTE[:14])
    assert p.log[-1] == (14, 100, 30, "withkey", 1.0, 0)  # the key: nokey becomes withkey, +1
    assert p.engine.avatar(0)["orientation"] == (1, 0)  # the new avatar starts with its class's default facing
    assert not p.find("key", 100, 30)
    p.step(*ZELDA_ROUTE[14:])
    assert p.log[-1] == (35, 100, 50, "withkey", 2.0, 1)  # the door opens (+1): no goal left, win
    assert bool(p.result.terminated[0])


def test_zelda_lvl0_the_same_route_meets_a_monster_with_seed_0(corpus_dir):
    p = Play(corpus_dir, "zelda", 0, seed=0)
    p.step(*ZELDA_ROUTE)
    assert p.log[-1] == (25, 50, 40, "withkey", 0.0, -1)  # +1 for the key, -1 for the monster, lose
    assert p.engine.avatar(0)["disabled"]


def test_zelda_without_the_key_the_door_is_solid(corpus_dir):
    p = Play(corpus_dir, "zelda", "wwwww\nwAgww\nwwwww\n")
    p.step("RIGHT", "RIGHT")
    assert (p.engine.avatar(0)["x"], float(p.result.score[0]), int(p.result.winner[0])) == (10, 0.0, 0)


def test_zelda_sword_kills_a_monster_for_two_points(corpus_dir):
    p = Play(corpus_dir, "zelda", "wwwwww\nwA3..w\nwwwwww\n")
    p.step("USE")  # the slow monster does not move during its first cons=12 ticks
    assert float(p.result.score[0]) == 2.0
    assert [s[1] for s in p.engine.sprites(0) if s[1] not in ("wall", "floor")] == ["nokey", "sword"]


def test_boulderdash_lvl0_boulder_falls_in_five_two_pixel_steps(corpus_dir):
    p = Play(corpus_dir, "boulderdash", 0)
    (bid, *_), = p.find("boulder", 120, 70)
    ys = []
    for a in moves(("DOWN", 1), ("RIGHT", 0)) + ["USE"] + ["NIL"] * 7:
        p.step(a)
        ys.append([s[3] for s in p.engine.sprites(0) if s[0] == bid][0])
    # dig below it with the pickaxe at tick 4 (it still rests that tick: the dirt leaves only at the end of it)
    assert ys == [70, 70, 70, 70, 72, 74, 76, 78, 80, 80, 80]


def test_boulderdash_cannot_walk_under_a_resting_boulder(corpus_dir):
    # a boulder always slides 2 px down before stepping back, so the avatar steps back from it
    p = Play(corpus_dir, "boulderdash", 0)
    p.step(*moves(("DOWN", 1), ("RIGHT", 1)))
    av = p.engine.avatar(0)
    assert (av["x"], av["y"]) == (110, 80) and not p.find("dirt", 120, 80)


def test_boulderdash_falling_boulder_kills_the_avatar_below(corpus_dir):
    p = Play(corpus_dir, "boulderdash", "wwwww\nw.o.w\nw...w\nwA.ew\nwwwww\n")
    p.step("RIGHT", "UP", "USE")
    for _ in range(6):
        p.step("NIL")
    assert p.log[-1] == (9, 20, 30, "avatar", -1.0, -1)  # five steps through the dug cell, the sixth lands on it
    assert p.engine.avatar(0)["disabled"]


def test_boulderdash_exit_opens_at_nine_diamonds(corpus_dir):
    p = Play(corpus_dir, "boulderdash", "wwwwwwwwwwwww\nwAxxxxxxxxxew\nwwwwwwwwwwwww\n")
    p.step(*["RIGHT"] * 9)
    assert p.engine.avatar(0)["resources"] == {"diamond": 9} and float(p.result.score[0]) == 18.0
    p.step("RIGHT")
    assert p.log[-1] == (10, 110, 10, "avatar", 18.0, 1)
    p8 = Play(corpus_dir, "boulderdash", "wwwwwwwwwwww\nwAxxxxxxxxew\nwwwwwwwwwwww\n")
    p8.step(*["RIGHT"] * 10)
    assert int(p8.result.winner[0]) == 0 and p8.find("exitdoor", 100, 10)  # 8 are not enough


def test_frogs_a_truck_kills(corpus_dir):
    p = Play(corpus_dir, "frogs", "wgwww\n.-...\n..A..\n")
    p.step("UP")  # next to the truck, not overlapping yet
    assert p.log[-1][:3] == (1, 20, 10) and p.log[-1][5] == 0
    p.step("NIL")  # the slow truck moves 1 px right and overlaps the frog
    assert p.log[-1][5] == -1 and p.engine.avatar(0)["disabled"]


def test_frogs_log_carries_and_shields(corpus_dir):
    p = Play(corpus_dir, "frogs", "wwgww\n00=00\n++A++\n")
    p.step("UP", "NIL", "NIL", "NIL")
    av = p.engine.avatar(0)
    assert (av["x"], av["y"], av["disabled"]) == (17, 10, False)  # on water, carried 1 px per tick by the log
    q = Play(corpus_dir, "frogs", "wwwwwgw\n000000=\n+A+++++\n")
    q.step("UP")
    assert q.engine.avatar(0)["disabled"] and int(q.result.winner[0]) == -1


def test_solarfox_power_blib_chain(corpus_dir):
    p = Play(corpus_dir, "solarfox", "wwwwwww\nw+Ap++w\nwwwwwww\n")
    kinds = []
    for _ in range(6):
        p.step("NIL")
        kinds.append(sorted(s[1] for s in p.engine.sprites(0) if s[1] not in ("wall", "floor")))
    assert [x for _, x, *_ in p.log] == [20, 21, 22, 23, 24, 25]  # OngoingAvatar: first tick still, then 1 px
    assert kinds[1] == ["avatar", "powerblib", "powerblibturning"]  # a flicker each tick of overlap
    assert kinds[3] == ["avatar", "powerblib", "powerblibturning"]
    assert kinds[4] == ["avatar", "blib"]  # res reached 2: a blib spawns and removes the powerblib (+1)
    assert p.log[4][4:] == (1.0, 0)
    assert kinds[5] == ["avatar"] and p.log[5][4:] == (2.0, 1)  # the blib is eaten (+1): nothing left, win


def test_solarfox_touching_a_wall_kills(corpus_dir):
    p = Play(corpus_dir, "solarfox", "wwwww\nwA++w\nw++bw\nwwwww\n")
    p.step(*["NIL"] * 30)
    assert p.log[-1] == (22, 31, 10, "avatar", -10.0, -1)
