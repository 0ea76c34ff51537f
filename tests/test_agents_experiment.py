"""The experiment's bookkeeping: conditions, the across-seed table, and the results folder."""

from __future__ import annotations

import argparse
import math

import pytest
from ppcg.agents.experiment import Condition, markdown_tables, parse_conditions, summarise, write_results


def test_parse_conditions():
    conds = parse_conditions("lvl0, random,ppcg,difficulty=0.50,plr")
    assert conds == [
        Condition("lvl0", "fixed", level=0),
        Condition("random", "random"),
        Condition("ppcg", "ppcg"),
        Condition("difficulty=0.5", "difficulty", difficulty=0.5),
        Condition("plr", "plr"),
    ]
    conds = parse_conditions("random:200,difficulty=0.5:10,ppcg:50,random")
    assert conds == [
        Condition("random:200", "random", num_levels=200),
        Condition("difficulty=0.5:10", "difficulty", difficulty=0.5, num_levels=10),
        Condition("ppcg:50", "ppcg", num_levels=50),
        Condition("random", "random"),
    ]
    assert [c.has_training_set for c in conds] == [True, True, False, False]
    for bad, match in [
        ("random:0", "N >= 1"),
        ("random:x", "N >= 1"),
        ("lvl0:5", "not human ones"),
        ("lvlx", "unknown condition"),
        ("difficulty=2", r"D in \[0, 1\]"),
        ("ppcg,ppcg", "twice"),
        ("", "no conditions"),
    ]:
        with pytest.raises(ValueError, match=match):
            parse_conditions(bad)


def record(cond, seed, human, d05, lvl0=None):
    sets = {"human": {"win_rate": human, "score": 10 * human}, "d=0.5": {"win_rate": d05, "score": 1.0}}
    if lvl0 is not None:
        sets["human/lvl0"] = {"win_rate": lvl0, "score": 0.0}
    return {
        "condition": cond,
        "seed": seed,
        "run": f"r/{cond}-{seed}",
        "timesteps": 1000,
        "train_seconds": 60.0,
        "steps_per_second": 3000.0,
        "eval_seconds": 6.0,
        "sets": sets,
        "progress": [
            {"timesteps": 500.0, "win_rate": 0.1 * seed, "difficulty": 0.01 * seed},
            {"timesteps": 1000.0, "win_rate": math.nan, "difficulty": 0.02},
        ],
    }


def test_summary_is_mean_and_population_std_across_seeds():
    conds = parse_conditions("lvl0,ppcg")
    recs = [record("lvl0", 0, 0.2, 0.0, 1.0), record("lvl0", 1, 0.4, 0.0, 0.5), record("ppcg", 0, 0.5, 0.5)]
    s = summarise(recs, conds)
    assert s["lvl0"]["human"]["win_rate"] == pytest.approx((0.3, 0.1))
    assert s["lvl0"]["human/lvl0"]["win_rate"] == pytest.approx((0.75, 0.25))
    assert s["ppcg"]["d=0.5"]["win_rate"] == (0.5, 0.0) and s["ppcg"]["human"]["n"] == 1
    table = markdown_tables(s)
    assert "| lvl0 | 75 ± 25 | 30 ± 10 | 0 ± 0 |" in table
    assert "| ppcg | - | 50 ± 0 | 50 ± 0 |" in table


def test_write_results_writes_readme_summary_and_plots(tmp_path):
    conds = parse_conditions("lvl0,ppcg")
    recs = [record("lvl0", 0, 0.2, 0.0), record("ppcg", 0, 0.5, 0.5), record("ppcg", 1, 0.7, 0.1)]
    write_results(
        tmp_path,
        "zelda",
        conds,
        recs,
        command="ppcg experiment zelda --seeds 2",
        wall_seconds=120.0,
        args=argparse.Namespace(runs="runs/experiment"),
    )
    readme = (tmp_path / "README.md").read_text()
    assert "ppcg experiment zelda --seeds 2" in readme and "2.0 min wall clock" in readme
    assert "| ppcg | 60 ± 10 | 30 ± 20 |" in readme
    for png in ("training_win_rate.png", "ppcg_difficulty.png", "generalization.png"):
        assert (tmp_path / png).stat().st_size > 1000 and f"]({png})" in readme
    import json

    data = json.loads((tmp_path / "summary.json").read_text())
    assert data["summary"]["ppcg"]["human"]["win_rate"] == pytest.approx([0.6, 0.1])
    assert len(data["runs"]) == 3 and "progress" not in data["runs"][0]


def test_results_show_the_training_levels_of_n_level_conditions(tmp_path):
    conds = parse_conditions("random:10,random")
    few = record("random:10", 0, 0.1, 0.2)
    few["sets"]["train"] = {"win_rate": 0.9, "score": 3.0}
    recs = [few, record("random", 0, 0.3, 0.4)]
    write_results(tmp_path, "zelda", conds, recs, command="c", wall_seconds=1.0, args=None)
    readme = (tmp_path / "README.md").read_text()
    assert "| **d=0.5** | **train** |" in readme and "`train`: 30 of the run's own training levels" in readme
    assert (
        "| random:10 | 10 ± 0 | 20 ± 0 | 90 ± 0 |" in readme and "| random | 30 ± 0 | 40 ± 0 | - |" in readme
    )
    assert (tmp_path / "generalization.png").stat().st_size > 1000


def test_a_run_made_with_other_settings_is_not_reused(tmp_path):
    from ppcg.agents.experiment import _check_same
    from ppcg.agents.run import RunDir, RunError
    from ppcg.agents.train import TrainSettings

    run = RunDir.create(tmp_path / "r", "r")
    run.write_config({"settings": {**TrainSettings(timesteps=1000).__dict__}})
    _check_same(run, TrainSettings(timesteps=1000, threads=2))  # threads do not change what is trained
    with pytest.raises(RunError, match="timesteps=1000, not 2000"):
        _check_same(run, TrainSettings(timesteps=2000))
    with pytest.raises(RunError, match="num_levels=0, not 200"):
        _check_same(run, TrainSettings(timesteps=1000, num_levels=200))
    # a run saved before a setting existed reads as that setting's default
    old = {
        k: v
        for k, v in TrainSettings(timesteps=1000).__dict__.items()
        if k not in ("num_levels", "start_level")
    }
    run.write_config({"settings": old})
    _check_same(run, TrainSettings(timesteps=1000))
