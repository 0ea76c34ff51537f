"""``ppcg generate``: the files it writes, the statistics table, and bad arguments that write nothing."""

from __future__ import annotations

import numpy as np
import pytest

from ppcg.cli import main
from ppcg.generators import get_generator
from ppcg.vgdl import load_game, load_level


def test_writes_the_levels_of_consecutive_seeds(tmp_path, capsys):
    out = tmp_path / "new" / "zelda"
    assert (
        main(["generate", "zelda", "--difficulty", "0.4", "--count", "3", "--seed", "10", "--out", str(out)])
        == 0
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == ["zelda_d0.400_seed10.txt", "zelda_d0.400_seed11.txt", "zelda_d0.400_seed12.txt"]
    gen, spec = get_generator("zelda"), load_game("zelda")
    for i, name in enumerate(names):
        assert load_level(out / name, spec) == gen.generate(0.4, np.random.default_rng(10 + i))
    assert "wrote 3 zelda level(s)" in capsys.readouterr().out


def test_stats_table(capsys):
    assert main(["generate", "frogs", "--stats", "--count", "20"]) == 0
    text = capsys.readouterr().out
    assert "d=0" in text and "d=0.5" in text and "d=1" in text
    for key in ("width *", "river_rows *", "road_rows *", "path_length *"):
        assert key in text
    assert main(["generate", "frogs", "--stats", "--count", "5", "--difficulty", "0.3"]) == 0
    header = capsys.readouterr().out.splitlines()[1]
    assert "d=0.3" in header and "d=0.5" not in header  # the difficulty asked for, not ignored


@pytest.mark.parametrize(
    "argv, message",
    [
        (["generate", "zeld", "-d", "0.5"], "unknown game 'zeld'"),
        (["generate", "zelda", "-d", "1.5"], "--difficulty must be in [0, 1], got 1.5"),
        (["generate", "zelda", "-d", "-0.1"], "--difficulty must be in [0, 1]"),
        (["generate", "zelda", "-d", "nan"], "--difficulty must be in [0, 1]"),
        (["generate", "zelda", "-d", "0.5", "--count", "0"], "--count must be at least 1"),
        (["generate", "zelda"], "--difficulty"),
    ],
)
def test_bad_arguments_write_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_unwritable_folder_writes_nothing(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for target in (blocker, blocker / "sub"):
        assert main(["generate", "solarfox", "-d", "0.5", "-n", "2", "--out", str(target)]) == 2
        assert "error:" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert blocker.read_text() == "not a folder"


def test_out_or_stats_is_required(capsys):
    assert main(["generate", "zelda", "-d", "0.5"]) == 2
    assert "--out DIR" in capsys.readouterr().err
