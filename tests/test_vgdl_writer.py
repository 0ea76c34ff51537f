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
