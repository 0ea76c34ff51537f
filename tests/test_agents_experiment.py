"""The experiment's bookkeeping: conditions, the across-seed table, and the results folder."""

from __future__ import annotations

import argparse
import math

import numpy as np
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


def record(cond, seed, human, d05, lvl0=None, human_levels=None, d05_levels=None):
    sets = {"human": {"win_rate": human, "score": 10 * human}, "d=0.5": {"win_rate": d05, "score": 1.0}}
    if lvl0 is not None:
        sets["human/lvl0"] = {"win_rate": lvl0, "score": 0.0}
    for name, levels in (("human", human_levels), ("d=0.5", d05_levels)):
        if levels is not None:
            sets[name]["level_win_rate"] = levels
            sets[name]["level_score"] = {lid: 2 * w for lid, w in levels.items()}
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


def levels(*wins, prefix="lvl"):
    return {f"{prefix}{k}": w for k, w in enumerate(wins)}


def test_summary_is_mean_and_standard_error_across_seeds():
    conds = parse_conditions("lvl0,ppcg")
    recs = [record("lvl0", 0, 0.2, 0.0, 1.0), record("lvl0", 1, 0.4, 0.0, 0.5), record("ppcg", 0, 0.5, 0.5)]
    s = summarise(recs, conds)
    h = s["lvl0"]["human"]["win_rate"]
    assert (h.mean, h.se, h.seeds) == (pytest.approx(0.3), pytest.approx(0.1), 2)  # s.e. = 0.1414 / sqrt(2)
    lvl0 = s["lvl0"]["human/lvl0"]["win_rate"]
    assert (lvl0.mean, lvl0.se) == pytest.approx((0.75, 0.25))
    one = s["ppcg"]["d=0.5"]["win_rate"]
    assert one.mean == 0.5 and math.isnan(one.se) and s["ppcg"]["human"]["n"] == 1
    assert math.isnan(h.iqm)  # no per-level figures: no IQM
    table = markdown_tables(s, {"lvl0": "one human level (lvl0)"})
    assert "### Win rate (%): mean ± standard error across seeds" in table
    assert "| one human level (lvl0) | 75 ± 25 | 30 ± 10 | 0 ± 0 |" in table
    assert "| ppcg | - | 50 | 50 |" in table  # one seed: no standard error
    assert "IQM" not in table


def test_iqm_over_seeds_and_levels():
    conds = parse_conditions("ppcg")
    recs = [
        record("ppcg", 0, 0.5, 0.25, human_levels=levels(0.2, 0.4, 0.6, 0.8), d05_levels=levels(1, 0, 0, 0)),
        # the same levels in another order: matched by id
        record("ppcg", 1, 0.4, 0.0, human_levels={"lvl3": 1.0, "lvl0": 0.0, "lvl1": 0.2, "lvl2": 0.4}),
    ]
    recs[1]["sets"]["d=0.5"].update(level_win_rate=levels(0, 0, 0, 0), level_score=levels(0, 0, 0, 0))
    s = summarise(recs, conds)
    h = s["ppcg"]["human"]["win_rate"]
    # entries 0.2 0.4 0.6 0.8 and 0.0 0.2 0.4 1.0: the middle four of eight are 0.2 0.4 0.4 0.6
    assert h.iqm == pytest.approx(0.4) and h.levels == 4 and h.ci[0] <= 0.4 <= h.ci[1]
    assert s["ppcg"]["human"]["score"].iqm == pytest.approx(0.8)
    d = s["ppcg"]["d=0.5"]["win_rate"]
    assert d.iqm == 0.0 and d.mean == pytest.approx(0.125)
    table = markdown_tables(s, {"ppcg": "PPCG"})
    assert "### Win rate (%): IQM [95% CI] over seeds x levels" in table
    assert f"| PPCG | 40 [{100 * h.ci[0]:.0f}, {100 * h.ci[1]:.0f}] | 0 [0, " in table
    assert "### Score: IQM [95% CI] over seeds x levels" in table


def test_record_keeps_the_figures_of_every_level(tmp_path):
    from ppcg.agents.experiment import _record
    from ppcg.agents.run import RunDir

    run = RunDir.create(tmp_path / "r", "r")
    run.update_status(timesteps=1000, device="cpu")

    def lv(w, sc):
        return {"episodes": 1, "win_rate": w, "score_mean": sc}

    report = {
        "sets": {
            "human": {"overall": lv(0.5, 1.0), "levels": {"lvl0": lv(1.0, 2.0), "lvl1": lv(0.0, 0.0)}},
            "d=1": {"overall": lv(0.5, 0.5), "levels": {"a": lv(1.0, 1.0), "b": lv(0.0, 0.0)}},
        }
    }
    rec = _record(parse_conditions("ppcg")[0], 0, run, report)
    assert rec["sets"]["d=1"]["level_win_rate"] == {"a": 1.0, "b": 0.0}
    assert rec["sets"]["human"]["level_score"] == {"lvl0": 2.0, "lvl1": 0.0}
    assert rec["sets"]["human/lvl1"] == {"win_rate": 0.0, "score": 0.0} and rec["device"] == "cpu"


def test_write_results_writes_readme_summary_and_plots(tmp_path):
    conds = parse_conditions("lvl0,ppcg")
    recs = [
        record("lvl0", 0, 0.2, 0.0),
        record("ppcg", 0, 0.5, 0.5, d05_levels=levels(1, 0, prefix="s")),
        record("ppcg", 1, 0.7, 0.1, d05_levels=levels(0, 0, prefix="s")),
    ]
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
    assert "one human level (lvl0) (`lvl0`), PPCG (`ppcg`)" in readme and "torch on cpu" in readme
    assert "| PPCG | 60 ± 10 | 30 ± 20 |" in readme and "| PPCG | - | 0 [0, " in readme
    assert "2,000 stratified bootstrap resamples" in readme and "± " in readme and " std" not in readme
    for png in ("training_win_rate.png", "ppcg_difficulty.png", "generalization.png"):
        assert (tmp_path / png).stat().st_size > 1000 and f"]({png})" in readme
    import json

    data = json.loads((tmp_path / "summary.json").read_text())
    human = data["summary"]["ppcg"]["human"]["win_rate"]
    assert (human["mean"], human["se"], human["seeds"]) == (pytest.approx(0.6), pytest.approx(0.1), 2)
    assert data["summary"]["ppcg"]["d=0.5"]["win_rate"]["levels"] == 2
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
        "| random difficulty, 10 training levels | 10 | 20 | 90 |" in readme
        and "| random difficulty | 30 | 40 | - |" in readme
    )
    assert (tmp_path / "generalization.png").stat().st_size > 1000


def test_training_curves_are_averaged_over_the_seeds_common_range():
    from ppcg.agents.experiment import _mean_curve

    a = (np.array([0.0, 10.0, 20.0]), np.array([0.0, 0.2, 0.4]))
    b = (np.array([5.0, 15.0, 30.0]), np.array([0.0, 0.4, 0.6]))
    t, mean, se = _mean_curve([a, b])
    assert t.tolist() == [5.0, 10.0, 15.0, 20.0]  # where both seeds have figures
    # a at 5, 10, 15, 20: 0.1 0.2 0.3 0.4; b: 0.0 0.2 0.4 0.467
    assert mean == pytest.approx([0.05, 0.2, 0.35, (0.4 + 0.4 + 0.2 / 3) / 2])
    assert se[1] == pytest.approx(0.0) and se[0] == pytest.approx(0.05)


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


def _grid_args(tmp_path, *extra):
    from ppcg.agents.experiment import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(
        ["zelda", "--seeds", "1", "--timesteps", "1000", "--runs", str(tmp_path / "runs"), *extra]
    )


def test_a_curriculum_config_configures_every_condition_of_its_curriculum(tmp_path):
    from ppcg.agents.experiment import plan_grid

    cfg = tmp_path / "accel.yml"
    cfg.write_text("name: accel\ncapacity: 500\nmin_fill: 0.1\n")
    args = _grid_args(tmp_path, "--conditions", "ppcg,accel", "--curriculum-config", str(cfg))
    jobs = plan_grid(args, parse_conditions(args.conditions))
    assert [(j.condition.label, j.settings.curriculum_options) for j in jobs] == [
        ("ppcg", None),
        ("accel", {"capacity": 500, "min_fill": 0.1}),
    ]


def test_curriculum_configs_that_cannot_apply_are_refused_with_file_and_line(tmp_path):
    from ppcg.agents.experiment import plan_grid

    from ppcg.curricula import CurriculumConfigError

    def plan(text, conditions="ppcg,accel", n=1):
        paths = []
        for k in range(n):
            paths += ["--curriculum-config", str(tmp_path / f"c{k}.yml")]
            (tmp_path / f"c{k}.yml").write_text(text)
        args = _grid_args(tmp_path, "--conditions", conditions, *paths)
        return plan_grid(args, parse_conditions(args.conditions))

    with pytest.raises(CurriculumConfigError, match=r"c0\.yml:1: name: .*which curriculum"):
        plan("capacity: 500\n")
    with pytest.raises(CurriculumConfigError, match=r"c0\.yml:1: name: unknown curriculum 'acel'; did you mean"):
        plan("name: acel\n")
    with pytest.raises(CurriculumConfigError, match=r"c0\.yml:2: capacity"):
        plan("name: accel\ncapacity: -3\n")
    with pytest.raises(ValueError, match="configures 'plr', which no condition"):
        plan("name: plr\n")
    with pytest.raises(ValueError, match="a second --curriculum-config for 'accel'"):
        plan("name: accel\n", n=2)


def test_options_are_part_of_a_run_and_of_its_results(tmp_path):
    from ppcg.agents.experiment import _check_same
    from ppcg.agents.run import RunDir, RunError
    from ppcg.agents.train import TrainSettings

    run = RunDir.create(tmp_path / "r", "r")
    run.write_config({"settings": {**TrainSettings(curriculum="accel", timesteps=1000).__dict__}})
    with pytest.raises(RunError, match="curriculum_options=None, not {'capacity': 500}"):
        _check_same(run, TrainSettings(curriculum="accel", timesteps=1000, curriculum_options={"capacity": 500}))
    rec = record("accel", 0, 0.1, 0.2)
    rec.update(curriculum="accel", curriculum_options={"capacity": 500, "min_fill": 0.1})
    write_results(tmp_path / "res", "zelda", parse_conditions("accel"), [rec], command="c", wall_seconds=1.0)
    readme = (tmp_path / "res" / "README.md").read_text()
    assert "- Options of `accel` (`--curriculum-config`): capacity=500, min_fill=0.1" in readme
    assert "ACCEL (`accel`)" in readme
