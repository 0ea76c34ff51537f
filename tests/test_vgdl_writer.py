"""GameSpec -> VGDL text -> parse gives an equal spec, for hand-made specs and for every corpus game."""

from __future__ import annotations

import dataclasses
import warnings

import pytest

from ppcg.vgdl import VGDLError, VGDLWarning, parse_game, to_vgdl
from ppcg.vgdl.spec import Param


def _parse_quiet(text: str, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VGDLWarning)
        return parse_game(text, **kw)


def test_canonical_text():
    spec = parse_game(
        "BasicGame square_size=20\n\tSpriteSet\n\t\tm > Missile speed=0.5 # c\n\t\t\tn > orientation=UP\n"
        "\tInteractionSet\n\t\tm wall EOS > stepBack\n\tTerminationSet\n\t\tTimeout limit=9\n"
    )
    assert to_vgdl(spec) == (
        "BasicGame square_size=20\n"
        "    SpriteSet\n"
        "        m > Missile speed=0.5\n"
        "            n > orientation=UP\n"
        "    LevelMapping\n"
        "        w > wall\n"
        "        A > avatar\n"
        "    InteractionSet\n"
        "        m wall > stepBack\n"
        "        m EOS > stepBack\n"
        "    TerminationSet\n"
        "        Timeout limit=9\n"
    )


def test_round_trip_keeps_name_and_everything_compared():
    spec = parse_game("BasicGame\n SpriteSet\n  a > Resource limit=3\n", name="mine")
    again = parse_game(to_vgdl(spec), name="mine")
    assert again == spec
    assert parse_game(to_vgdl(spec)) != spec  # the name is part of the spec


def test_a_changed_spec_round_trips_too():
    spec = parse_game("BasicGame\n SpriteSet\n  a > Resource limit=3\n")
    a = spec.sprite("a")
    new_a = dataclasses.replace(a, own_params=(Param("limit", 7, "7"),), params=(Param("limit", 7, "7"),))
    changed = dataclasses.replace(spec, sprites=tuple(new_a if s.name == "a" else s for s in spec.sprites))
    assert parse_game(to_vgdl(changed)) == changed


@pytest.mark.parametrize("char", ["#", " ", ">"])
def test_unwritable_mapping_characters(char):
    spec = parse_game("BasicGame\n SpriteSet\n  a > Immovable\n")
    bad = dataclasses.replace(spec, mapping=spec.mapping + ((char, ("a",)),))
    with pytest.raises(ValueError):
        to_vgdl(bad)


def test_unwritable_parameter():
    spec = parse_game("BasicGame\n SpriteSet\n  a > Immovable\n")
    a = dataclasses.replace(spec.sprite("a"), own_params=(Param("img", "two words", "two words"),))
    with pytest.raises(ValueError):
        to_vgdl(dataclasses.replace(spec, sprites=(a,)))


def test_every_corpus_game_round_trips(corpus_dir):
    n = 0
    for path in sorted(corpus_dir.glob("*.txt")):
        if "_lvl" in path.name:
            continue
        try:
            spec = _parse_quiet(path.read_bytes().decode("utf-8"), path=path)
        except VGDLError:
            assert path.stem == "invest"
            continue
        text = to_vgdl(spec)
        again = _parse_quiet(text, name=spec.name)
        assert again == spec, path.name
        assert to_vgdl(again) == text  # a fixed point
        n += 1
    assert n == 89


def test_duplicate_group_with_its_own_class_is_written_or_refused():
    # 'g' is defined twice; the first definition declared the class its children got. The writer puts the
    # class on the re-parented child when nothing above it declares one ...
    text = "BasicGame\n SpriteSet\n  g > Missile\n   c >\n  g > Immovable\n"
    with pytest.warns(VGDLWarning, match="defined twice"):
        spec = parse_game(text)
    assert spec.sprite("c").cls == "Missile" and spec.sprite("c").parent is None
    assert _parse_quiet(to_vgdl(spec)) == spec
    # ... and refuses when an ancestor's class would override it in the written tree.
    text = "BasicGame\n SpriteSet\n  top > Door\n   g > Missile\n    c >\n   g > Immovable\n"
    spec = _parse_quiet(text)
    assert spec.sprite("c").cls == "Missile"  # GVGAI: g passes its declared class down, though g is a Door
    assert spec.sprite("c").parent == "top"
    with pytest.raises(ValueError, match="'c' of class Missile cannot be written"):
        to_vgdl(spec)
