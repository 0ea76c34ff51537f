"""``ppcg.engine.coverage``: finding games in both layouts, statuses, the table, the command, and a real
run."""

from __future__ import annotations

from pathlib import Path

import pytest

from ppcg.engine import coverage
from ppcg.engine.coverage import (
    GameCoverage,
    cover_folder,
    cover_game,
    describe_error,
    discover_games,
    find_game,
    format_markdown,
    slowest_against,
)
from ppcg.vgdl.errors import VGDLNameError, VGDLSyntaxError, VGDLUnsupportedError


def _touch(path: Path, text: str = "x\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_discover_gvgai_layout(tmp_path):
    for n in (0, 1, 10):
        _touch(tmp_path / f"zelda_lvl{n}.txt")
    _touch(tmp_path / "zelda.txt")
    _touch(tmp_path / "lone.txt")
    _touch(tmp_path / "ghost_lvl0.txt")  # a level whose game is absent is listed as a game file of its own
    found = discover_games(tmp_path)
    assert list(found) == ["ghost_lvl0", "lone", "zelda"]
    game, levels = found["zelda"]
    assert game == tmp_path / "zelda.txt" and list(levels) == [0, 1, 10]
    assert levels[10] == tmp_path / "zelda_lvl10.txt"
    assert found["lone"][1] == {}
    assert find_game(tmp_path, "zelda") == found["zelda"]


def test_discover_project_layout(tmp_path):
    _touch(tmp_path / "games" / "frogs.txt")
    _touch(tmp_path / "levels" / "frogs" / "lvl0.txt")
    _touch(tmp_path / "levels" / "frogs" / "lvl2.txt")
    _touch(tmp_path / "levels" / "frogs" / "notes.txt")
    found = discover_games(tmp_path)
    assert found == {
        "frogs": (
            tmp_path / "games" / "frogs.txt",
            {0: tmp_path / "levels" / "frogs" / "lvl0.txt", 2: tmp_path / "levels" / "frogs" / "lvl2.txt"},
        )
    }
    assert find_game(tmp_path, "frogs") == found["frogs"]
    with pytest.raises(FileNotFoundError, match="no game 'toads'"):
        find_game(tmp_path, "toads")


def test_discover_the_corpus_and_the_bundled_games(corpus_dir):
    found = discover_games(corpus_dir)
    assert len(found) == 90 and all(list(levels) == [0, 1, 2, 3, 4] for _, levels in found.values())
    repo = Path(__file__).resolve().parents[1]
    bundled = discover_games(repo)
    assert {"zelda", "solarfox", "frogs", "boulderdash"} <= set(bundled)
    assert all(game.parent == repo / "games" for game, _ in bundled.values())


def test_describe_error():
    exc = VGDLUnsupportedError(
        "x", missing=[("effect", "undoAll", 30), ("class", "Chaser", 5), ("effect", "undoAll", 31)]
    )
    assert describe_error(exc) == ("missing", "effect undoAll, class Chaser")
    status, detail = describe_error(
        VGDLNameError("unknown effect 'killIfScoreNegative'", file="invest.txt", line=36)
    )
    assert status == "gvgai" and detail.startswith("invest.txt:36: unknown effect")
    exc = VGDLNameError("unknown effect 'x'", file="/some/folder/invest.txt", line=36, col=2)
    assert describe_error(exc) == ("gvgai", "invest.txt:36:2: unknown effect 'x'")
    assert describe_error(VGDLSyntaxError("bad indentation", line=2))[0] == "error"
    assert describe_error(ZeroDivisionError("boom")) == ("error", "ZeroDivisionError: boom")
    assert len(describe_error(RuntimeError("y" * 1000))[1]) == 300


def _fake_compile(game_path):
    name = Path(game_path).stem
    if name == "needs":
        raise VGDLUnsupportedError("x", missing=[("effect", "undoAll", 3)])
    if name == "broken":
        raise RuntimeError("compiler crashed")
    return name, "compiled"


def _fake_runner(compiled, level, *, steps, batch, seed, obs_type):
    if level == "crash":
        raise IndexError("sprite table full")
    return steps * batch, 0.5


def test_cover_game_statuses(tmp_path, monkeypatch):
    monkeypatch.setattr(coverage, "_load_and_compile", _fake_compile)
    monkeypatch.setattr(coverage, "_load_level", lambda path, spec: path.read_text().strip())
    levels = {
        0: _touch(tmp_path / "a0.txt", "fine"),
        1: _touch(tmp_path / "a1.txt", "crash"),
        2: _touch(tmp_path / "a2.txt", "fine"),
    }
    row = cover_game("g", tmp_path / "g.txt", levels, steps=100, batch=4, runner=_fake_runner)
    assert (row.status, row.levels, row.levels_ok, row.env_steps) == ("error", 3, 2, 800)
    assert row.detail == "level 1: IndexError: sprite table full" and row.steps_per_second == 800.0
    ok = cover_game("g", tmp_path / "g.txt", {0: levels[0]}, steps=10, batch=2, runner=_fake_runner)
    assert (ok.status, ok.status_text, ok.steps_per_second) == ("ok", "ok", 40.0)
    needs = cover_game("needs", tmp_path / "needs.txt", levels, runner=_fake_runner)
    assert needs.status_text == "missing features: effect undoAll" and needs.steps_per_second is None
    broken = cover_game("broken", tmp_path / "broken.txt", levels, runner=_fake_runner)
    assert broken.status_text == "error: RuntimeError: compiler crashed"
    empty = cover_game("g", tmp_path / "g.txt", {}, runner=_fake_runner)
    assert empty.status_text == "error: no levels found"


def test_markdown_table():
    rows = [
        GameCoverage("zelda", "ok", levels=5, levels_ok=5, env_steps=2_000_000, seconds=2.0),
        GameCoverage("sokoban", "missing", "effect undoAll", levels=5),
        GameCoverage("pipes", "error", "a | b", levels=5, levels_ok=3, env_steps=10, seconds=1.0),
    ]
    text = format_markdown(rows, title="Engine coverage", note="how it was run")
    lines = text.splitlines()
    assert lines[:4] == ["# Engine coverage", "", "how it was run", ""]
    assert lines[4].split("|")[1:5] == [
        " game    ",
        " status                           ",
        " levels ",
        "   steps/s ",
    ]
    assert lines[5].endswith(":|")
    assert "| zelda   | ok " in lines[6] and lines[6].rstrip().endswith("1,000,000 |       - |")
    assert "missing features: effect undoAll" in lines[7] and lines[7].rstrip().endswith("- |")
    assert "error: a \\| b" in lines[8] and "3/5" in lines[8]
    assert lines[-1] == "1/3 games ok; missing features: 1; error: 1"


def test_sprites_column_and_the_slowest_against_the_reference(tmp_path, monkeypatch):
    monkeypatch.setattr(coverage, "_load_and_compile", _fake_compile)
    monkeypatch.setattr(coverage, "_load_level", lambda path, spec: path.read_text().strip())
    level = {0: _touch(tmp_path / "a0.txt", "fine")}

    def counting(compiled, level, *, steps, batch, seed, obs_type):
        return steps * batch, 0.5, steps * batch * 30  # 30 live sprites a step

    row = cover_game("g", tmp_path / "g.txt", level, steps=10, batch=2, runner=counting)
    assert (row.sprite_steps, row.mean_sprites, row.sprite_steps_per_second) == (600, 30.0, 1200.0)
    rows = [
        GameCoverage("zelda", "ok", levels=5, levels_ok=5, env_steps=400, seconds=1.0, sprite_steps=400 * 100),
        GameCoverage("big", "ok", levels=5, levels_ok=5, env_steps=100, seconds=1.0, sprite_steps=100 * 800),
        GameCoverage("mid", "ok", levels=5, levels_ok=5, env_steps=200, seconds=1.0, sprite_steps=200 * 100),
        GameCoverage("broken", "error", "x", levels=5),
    ]
    section = slowest_against(rows, "zelda", n=2)
    assert section[0] == "## The slowest 2, against zelda"
    table = [line for line in section if line.startswith("| ")]
    # big: 4x slower per step, but 8x the sprites: half zelda's cost per sprite
    assert [c.strip() for c in table[1].split("|")[1:-1]] == ["big", "100", "4.00", "800", "0.50"]
    assert [c.strip() for c in table[2].split("|")[1:-1]] == ["mid", "200", "2.00", "100", "2.00"]
    assert slowest_against(rows[1:], "zelda") == []  # no reference, no section
    text = format_markdown(rows)
    assert "## The slowest 3, against zelda" in text and text.rstrip().endswith("3/4 games ok; error: 1")


def test_cli_writes_markdown_and_survives_crashes(tmp_path, monkeypatch, capsys):
    from ppcg.cli import main

    for name in ("alpha", "broken", "needs"):
        _touch(tmp_path / "corpus" / f"{name}.txt")
        _touch(tmp_path / "corpus" / f"{name}_lvl0.txt", "fine")
    monkeypatch.setattr(coverage, "_load_and_compile", _fake_compile)
    monkeypatch.setattr(coverage, "_load_level", lambda path, spec: path.read_text().strip())
    monkeypatch.setattr(coverage, "run_level", _fake_runner)
    out = tmp_path / "docs" / "coverage.md"
    assert (
        main(["coverage", str(tmp_path / "corpus"), "--steps", "5", "--batch", "2", "--out", str(out)]) == 0
    )
    text = out.read_text()
    assert "| alpha " in text and "error: RuntimeError: compiler crashed" in text
    assert text.rstrip().endswith("1/3 games ok; missing features: 1; error: 1")
    assert "wrote" in capsys.readouterr().out
    assert main(["coverage", str(tmp_path / "corpus"), "--game", "nope"]) == 2
    assert main(["coverage", str(tmp_path / "missing")]) == 2
    assert main(["coverage", str(tmp_path / "corpus"), "--steps", "0"]) == 2
    assert main(["coverage", str(tmp_path / "corpus"), "--threads", "-1"]) == 2


def test_numba_threads_is_scoped():
    import numba

    before = numba.get_num_threads()
    with coverage.numba_threads(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with coverage.numba_threads(0):
        assert numba.get_num_threads() == before


# --- the real engine ----------------------------------------------------------------------------------------


def test_paper_games_run(corpus_dir):
    rows = cover_folder(corpus_dir, games=["zelda", "solarfox", "frogs", "boulderdash"], steps=20, batch=3)
    assert [r.game for r in rows] == ["boulderdash", "frogs", "solarfox", "zelda"]
    assert [r.status_text for r in rows] == ["ok"] * 4
    assert all(r.levels_ok == 5 and r.env_steps == 5 * 20 * 3 and r.steps_per_second > 0 for r in rows)
    assert all(10 < r.mean_sprites < 2000 for r in rows)  # live sprites were counted, per environment


def test_unsupported_and_unknown_games_are_rows_not_crashes(corpus_dir):
    rows = {r.game: r for r in cover_folder(corpus_dir, games=["invest", "sokoban"], steps=2, batch=1)}
    assert rows["invest"].status == "gvgai" and "killIfScoreNegative" in rows["invest"].detail
    assert rows["sokoban"].status in ("ok", "missing")
