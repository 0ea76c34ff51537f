"""Edge cases of the GVGAI names added for the whole ontology (issue 13) that their feature games'
traces (``../shared/vgdl-features``, replayed by tests/test_gvgai_random.py) do not reach: one tiny game each
(tests/games/ontology_<name>.txt) and the transition GVGAI's source gives. Positions are GVGAI pixels."""

from __future__ import annotations

import pytest

from ppcg.engine import compile_game
from ppcg.vgdl import parse_game
from ppcg.vgdl.errors import VGDLUnsupportedError
from tests.test_engine_mechanics import Run as MechanicRun


class Run(MechanicRun):
    """A one-environment engine on ``tests/games/ontology_<game>.txt``, stepped by action names."""

    prefix = "ontology_"


def test_shoot_only_avatar_ammo_is_spent_only_by_the_first_entry():
    r = Run("shootonly", "wwwwwww\nwA....w\nwwwwwww\n")
    assert r.game.action_names == ["NIL", "USE", "LEFT", "RIGHT", "DOWN", "UP"]  # ShootAvatar's, as GVGAI shows
    r.step("LEFT")  # the first entry (arrow) needs mana: none held
    assert r.at("arrow") == [] and r.at("bolt") == []
    r.step("UP")  # the second entry (bolt) needs none; it flies ahead of the avatar's fixed orientation (RIGHT)
    assert r.at("bolt") == [(20, 10)] and (r.avatar["x"], r.avatar["y"]) == (10, 10)
    r.step("RIGHT")  # a third entry does not exist: nothing fires
    assert len(r.at("bolt")) == 1 and r.at("arrow") == []


def test_update_spawn_type_reaches_a_bomber():
    r = Run("spawntype", "wwwwww\nwgAl.w\nwwwwww\n")
    r.step("RIGHT")  # the bomber spawns red, then the avatar on the lever changes what it spawns
    assert (len(r.at("red")), len(r.at("blue"))) == (1, 0)
    r.step("NIL")
    assert (len(r.at("red")), len(r.at("blue"))) == (1, 1)


def test_wall_bounce_takes_two_walls_side_by_side_at_once_and_scores_twice():
    r = Run("wallbounce", "wwwww\nw.A.w\nwwwww\n")
    r.step("LEFT")  # half a cell: between two floor walls below
    assert (r.avatar["x"], r.avatar["y"]) == (15, 10) and r.score == 0
    r.step("DOWN")  # overlaps both: one rectangle, scored twice (one by one, the second would no longer overlap)
    assert (r.avatar["x"], r.avatar["y"]) == (15, 10) and r.score == 2


@pytest.mark.parametrize(("level", "spawned"), [
    ("wwwwww\nwAa..w\nwgr..w\nwwwwww\n", "prize"),  # gem's own sprite and a ruby: two types hold sprites
    ("wwwwww\nwAa..w\nwgg..w\nwwwwww\n", "dud"),  # gem alone: one type
    ("wwwwww\nwAa..w\nwjj..w\nwwwwww\n", "dud"),  # two jades: gem's own group is empty, so it does not count
])
def test_spawn_if_counter_subtypes_counts_types_holding_sprites_of_their_own(level, spawned):
    r = Run("counter", level)
    r.step("RIGHT")
    assert [n for _, n, _, _ in r.engine.sprites(0) if n in ("prize", "dud")] == [spawned]
    assert r.score == (5 if spawned == "prize" else 0)


def test_alternate_chaser_with_several_stype1_is_refused_as_unreproducible():
    text = ("BasicGame\n    SpriteSet\n        a > Immovable\n        b > Immovable\n"
            "        dog > AlternateChaser stype1=a,b stype2=b\n    TerminationSet\n        Timeout limit=10\n")
    with pytest.raises(VGDLUnsupportedError, match="unseeded"):
        compile_game(parse_game(text))
