"""Levels: GVGAI's level-file rules, exact text round trips, padding and the validity check."""

from __future__ import annotations

import dataclasses
import json

import pytest

from ppcg.vgdl import Level, VGDLLevelError, VGDLWarning, load_level
from ppcg.vgdl.level import split_lines

MAP = (("w", ("wall",)), ("A", ("avatar",)), (".", ("floor",)), ("k", ("floor", "key")))


def test_split_lines_like_java_readline():
    assert split_lines("a\nb\n") == ["a", "b"]
    assert split_lines("a\nb") == ["a", "b"]
    assert split_lines("a\r\nb\r\n") == ["a", "b"]
    assert split_lines("a\rb") == ["a", "b"]
    assert split_lines("a\n\n") == ["a", ""]  # a trailing blank line is a row
    assert split_lines("") == []


def test_width_from_first_line_padding_and_cutting():
    lvl = Level.from_str("wwww\nwA\nwwwwwwww\n")
    assert lvl.rows == ("wwww", "wA  ", "wwww")
    assert (lvl.width, lvl.height, lvl.shape) == (4, 3, (3, 4))


def test_trailing_blank_line_is_a_row_of_blanks():
    lvl = Level.from_str("wAw\n\n")
    assert lvl.rows == ("wAw", "   ")
    assert lvl.to_str() == "wAw\n\n"


@pytest.mark.parametrize(
    "text", ["wAw\nwww", "wAw\nwww\n", "wAw\r\nwww\r\n", "wAw\r\nwww", "wAw\nw\n", "wAw\nwwwwww", "wAw\n\n\n"]
)
def test_round_trip_exact(text):
    assert Level.from_str(text).to_str() == text


def test_equality_ignores_formatting_and_name():
    a = Level.from_str("wAw\r\nwww\r\n", name="a")
    b = Level.from_str("wAw\nwww", name="b")
    assert a == b and hash(a) == hash(b)
    assert b.to_str() == "wAw\nwww"


def test_raw_rows_are_dropped_once_rows_change():
    lvl = Level.from_str("wAw\nw\n")
    changed = dataclasses.replace(lvl, rows=("www", "wAw"))
    assert changed.to_str() == "www\nwAw\n"


def test_rows_must_be_rectangular_and_single_lines():
    with pytest.raises(ValueError, match="same width"):
        Level(("ww", "w"))
    with pytest.raises(ValueError, match="line break"):
        Level(("w\nw",))


@pytest.mark.parametrize("text", ["", "\n", "\nwww\n"])
def test_empty_level_is_an_error(text):
    with pytest.raises(VGDLLevelError):
        Level.from_str(text)


def test_sprites_at_and_mapping():
    lvl = Level.from_str("wwww\nwAkw\nw.?w\nwwww", MAP)
    assert lvl.sprites_at(1, 2) == ("floor", "key")
    assert lvl.sprites_at(0, 0) == ("wall",)
    assert lvl.sprites_at(2, 2) == ()  # unmapped: an empty cell
    assert lvl.cells()[:2] == [(0, 0, "w"), (0, 1, "w")]


def test_pad_to_centered_and_topleft():
    lvl = Level.from_str("A.\n..", MAP)
    padded = lvl.pad_to(5, 4)
    assert padded.rows == ("wwwww", "wA.ww", "w..ww", "wwwww")
    assert padded.mapping == lvl.mapping
    assert lvl.pad_to(3, 3, anchor="topleft").rows == ("A.w", "..w", "www")
    assert lvl.pad_to(2, 2) == lvl
    assert lvl.pad_to(4, 2, fill="x").rows == ("xA.x", "x..x")
    with pytest.raises(ValueError):
        lvl.pad_to(1, 5)
    with pytest.raises(ValueError):
        lvl.pad_to(5, 5, fill="ww")


def test_problems_name_row_and_column():
    lvl = Level.from_str("wwww\nw.?w\nwwww", MAP)
    probs = lvl.problems()
    assert [(p.row, p.col, p.severity) for p in probs] == [(1, 2, "warning"), (None, None, "error")]
    with pytest.raises(VGDLLevelError, match="no avatar"), pytest.warns(VGDLWarning):
        lvl.validate()


def test_unknown_char_warns_and_is_an_error_when_strict():
    lvl = Level.from_str("wwww\nwA?w\nwwww", MAP, name="lvl")
    with pytest.warns(VGDLWarning, match="'\\?'"):
        lvl.validate()
    with pytest.raises(VGDLLevelError) as info:
        lvl.validate(strict=True)
    assert (info.value.line, info.value.col) == (2, 3)
    assert str(info.value).startswith("lvl:2:3:")


def test_too_many_avatars():
    lvl = Level.from_str("wAAw", MAP)
    probs = lvl.problems()
    assert [(p.row, p.col) for p in probs] == [(0, 2)]


def test_corpus_levels_round_trip(corpus_dir):
    paths = sorted(corpus_dir.glob("*_lvl*.txt"))
    assert len(paths) == 450
    for path in paths:
        text = path.read_bytes().decode("utf-8")
        lvl = Level.from_str(text)
        assert lvl.to_str() == text, path.name
        assert load_level(path) == lvl
        assert load_level(path).name == path.stem


def test_corpus_level_sizes_match_gvgai(corpus_dir, traces_dir):
    """The width and height GVGAI reported in the trace headers (ragged and CRLF files included)."""
    seen = set()
    for trace in sorted(traces_dir.glob("*/*_s0.jsonl")):
        with trace.open() as f:
            head = json.loads(f.readline())
        lvl = load_level(corpus_dir / head["level_file"])
        assert (lvl.width, lvl.height) == (head["width"], head["height"]), head["level_file"]
        seen.add(head["level_file"])
    assert {"frogs_lvl0.txt", "thecitadel_lvl1.txt", "deceptizelda_lvl1.txt", "shipwreck_lvl4.txt"} <= seen


def test_every_corpus_level_fits_its_game(corpus_dir):
    """445 levels have no problem at all against their game (invest's game does not load)."""
    import warnings

    from ppcg.vgdl import VGDLError, parse_game

    checked = 0
    for game_path in sorted(p for p in corpus_dir.glob("*.txt") if "_lvl" not in p.name):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VGDLWarning)
            try:
                game = parse_game(game_path.read_bytes().decode("utf-8"), path=game_path)
            except VGDLError:
                assert game_path.stem == "invest"
                continue
        for i in range(5):
            level = load_level(corpus_dir / f"{game_path.stem}_lvl{i}.txt", game)
            assert level.mapping == game.mapping
            assert level.problems(game) == [], (game_path.stem, i)
            assert level.validate(game, strict=True) is level
            checked += 1
    assert checked == 445


def test_a_mapped_but_undefined_sprite_is_an_error_where_a_level_uses_it():
    import warnings

    from ppcg.vgdl import parse_game

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VGDLWarning)
        game = parse_game("BasicGame\n SpriteSet\n  floor > Immovable\n LevelMapping\n  c > floor coin\n")
    good = Level.for_game("wwww\nwA w\nwwww", game)
    assert good.problems(game) == []
    bad = Level.for_game("wwww\nwAcw\nwwww", game)
    assert [(p.row, p.col, p.severity) for p in bad.problems(game)] == [(1, 2, "error")]
    with pytest.raises(VGDLLevelError, match="'coin', which the game does not define"):
        bad.validate(game)
