"""``ppcg check``: the summary, level sizes, warnings, and errors with their location (exit 1)."""

from __future__ import annotations

from ppcg.cli import main

GAME = """BasicGame
    SpriteSet
        floor > Immovable
        movable >
            avatar > MovingAvatar
            enemy > RandomNPC
                goal > Door
    LevelMapping
        . > floor
        e > floor enemy
    InteractionSet
        avatar wall > stepBack
    TerminationSet
        SpriteCounter stype=enemy win=True
"""


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_summary_and_level_sizes(tmp_path, capsys):
    game = _write(tmp_path, "g.txt", GAME)
    lvl = _write(tmp_path, "l.txt", "wwww\nwAew\nw..\n")
    assert main(["check", game, lvl]) == 0
    out, err = capsys.readouterr()
    assert "    goal: RandomNPC (declares Door; the ancestor's class wins)" in out
    assert "  wall: Immovable (GVGAI default)" in out
    assert "line 12: avatar wall > stepBack" in out
    assert "SpriteCounter stype=enemy win=True" in out
    assert f"{lvl}: 4x3" in out
    assert "warning:" in err and "g.txt:7:24:" in err


def test_strict_turns_the_warning_into_an_error(tmp_path, capsys):
    game = _write(tmp_path, "g.txt", GAME)
    assert main(["check", "--strict", game]) == 1
    out, err = capsys.readouterr()
    assert "g.txt:7:24: sprite 'goal' declares class 'Door'" in err and out == ""


def test_game_error_is_printed_with_location(tmp_path, capsys):
    game = _write(tmp_path, "g.txt", GAME.replace("stepBack", "stepback"))
    assert main(["check", game]) == 1
    _, err = capsys.readouterr()
    assert "g.txt:12:23: unknown effect 'stepback'" in err and "did you mean 'stepBack'?" in err


def test_level_without_avatar_fails(tmp_path, capsys):
    game = _write(tmp_path, "g.txt", GAME.replace("                goal > Door\n", ""))
    bad = _write(tmp_path, "bad.txt", "wwww\nw.ew\nwwww\n")
    good = _write(tmp_path, "good.txt", "wwww\nwA.w\nwwww\n")
    assert main(["check", game, bad, good]) == 1
    out, err = capsys.readouterr()
    assert "bad.txt: no avatar" in err and f"{good}: 4x3" in out


def test_unknown_level_character_warns_or_fails_strict(tmp_path, capsys):
    game = _write(tmp_path, "g.txt", GAME.replace("                goal > Door\n", ""))
    lvl = _write(tmp_path, "l.txt", "wwww\nwA?w\nwwww\n")
    assert main(["check", game, lvl]) == 0
    assert "l.txt:2:3: character '?'" in capsys.readouterr().err
    assert main(["check", "--strict", game, lvl]) == 1
    assert "l.txt:2:3:" in capsys.readouterr().err


def test_missing_files_are_usage_errors_before_any_output(capsys):
    assert main(["check", "no-such-game"]) == 2
    assert "ppcg check: error: no game 'no-such-game'" in capsys.readouterr().err
    assert main(["check", "zelda", "no-such-level.txt"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "ppcg check: error: no such level file: no-such-level.txt" in err


def test_corpus_game_with_its_levels(corpus_dir, capsys):
    levels = [str(corpus_dir / f"zelda_lvl{i}.txt") for i in range(5)]
    assert main(["check", str(corpus_dir / "zelda.txt"), *levels]) == 0
    out = capsys.readouterr().out
    assert out.count(": 13x9") == 5
    assert main(["check", str(corpus_dir / "invest.txt")]) == 1
    assert "invest.txt:37:24: unknown effect 'killIfScoreNegative'" in capsys.readouterr().err
