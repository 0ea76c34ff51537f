"""Figures across seeds (IQM, stratified bootstrap CI, mean and standard error) and how conditions look."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ppcg.agents.display import condition_color, condition_name
from ppcg.agents.experiment import Condition, parse_conditions
from ppcg.agents.stats import aggregate, iqm, iqm_ci, mean_se


def test_iqm_is_the_mean_of_the_middle_half_of_all_entries():
    # 8 entries: the lowest 2 and the highest 2 are cut, the mean of 2, 3, 4, 5 is left
    assert iqm([[0, 1, 2, 3], [4, 5, 6, 7]]) == pytest.approx(3.5)
    assert iqm([[100, 2], [3, -50]]) == pytest.approx(2.5)  # outliers on both sides do not count
    assert iqm([[0.2, 0.4, 0.6, 0.8], [0.0, 0.2, 0.4, 1.0]]) == pytest.approx(0.4)
    assert iqm([[0.7]]) == pytest.approx(0.7)
    with pytest.raises(ValueError, match="runs x tasks"):
        iqm([1.0, 2.0])
    with pytest.raises(ValueError, match="NaN"):
        iqm([[1.0, math.nan]])


def test_ci_of_two_runs_on_one_task_by_hand():
    # One task, runs scoring 0 and 1: a resample draws both runs again, so its IQM (2 entries: none cut) is
    # 0 (p = 1/4), 0.5 (1/2) or 1 (1/4); the 2.5th and 97.5th percentiles are 0 and 1.
    assert iqm_ci([[0.0], [1.0]]) == (0.5, 0.0, 1.0)
    # Four runs, one of them 1: the resample's middle two entries are 1 when it draws 3 or 4 ones
    # (p = 0.051 > 2.5%), 0 when it draws at most one (p = 0.74); point estimate 0.
    assert iqm_ci([[0.0], [0.0], [0.0], [1.0]]) == (0.0, 0.0, 1.0)


def test_ci_contains_the_point_estimate_and_is_deterministic():
    rng = np.random.default_rng(7)
    scores = (rng.random((3, 30)) < 0.5).astype(float)
    np.random.seed(99)
    before = np.random.get_state()
    point, low, high = iqm_ci(scores)
    after = np.random.get_state()
    assert before[1].tolist() == after[1].tolist() and before[2] == after[2]  # NumPy's global state untouched
    assert point == pytest.approx(iqm(scores))
    assert 0.0 <= low < point < high <= 1.0
    for state in range(1, 4):  # whatever NumPy's global generator holds: the same scores, the same interval
        np.random.seed(state)  # (rliable draws from it: unseeded, state 2 gives another upper bound here)
        assert iqm_ci(scores) == (point, low, high)
    wider = iqm_ci(scores, confidence=0.99)
    assert wider[1] <= low and wider[2] >= high


def test_identical_seeds_give_a_zero_width_interval():
    # Resampling seeds within each level (stratified) can only give back the same matrix; resampling the
    # levels too (rliable's task_bootstrap) would not.
    row = [0.0, 1.0, 0.5, 0.25, 1.0]
    assert iqm_ci([row, row, row]) == (iqm([row]),) * 3


def test_mean_and_standard_error_across_seeds():
    mean, se, n = mean_se([0.2, 0.4, 0.6])
    assert (mean, n) == (pytest.approx(0.4), 3) and se == pytest.approx(0.2 / math.sqrt(3))
    mean, se, n = mean_se([0.5, math.nan])
    assert (mean, n) == (0.5, 1) and math.isnan(se)
    assert mean_se([])[2] == 0
    a = aggregate([0.2, 0.4], np.array([[0.2, 0.4, 0.6, 0.8], [0.0, 0.2, 0.4, 1.0]]))
    assert a.mean == pytest.approx(0.3) and a.se == pytest.approx(0.1) and a.seeds == 2
    assert a.iqm == pytest.approx(0.4) and a.levels == 4 and a.ci[0] <= a.iqm <= a.ci[1]
    assert math.isnan(aggregate([0.2, 0.4]).iqm)


def test_readable_condition_names():
    conds = parse_conditions("lvl0,random,ppcg,plr,difficulty=1,difficulty=0.5:10,random:1000,difficulty=.25")
    assert [condition_name(c) for c in conds] == [
        "one human level (lvl0)",
        "random difficulty",
        "PPCG",
        "PLR",
        "difficulty 1.0",
        "difficulty 0.5, 10 training levels",
        "random difficulty, 1,000 training levels",
        "difficulty 0.25",
    ]
    assert condition_name(Condition("ppcg-winrate", "ppcg-winrate")) == "ppcg-winrate"  # unknown: its label


def test_colours_are_stable_per_condition():
    paper = parse_conditions("lvl0,random,difficulty=1,ppcg,plr,lvl1,difficulty=0.5,accel")
    colors = [condition_color(c) for c in paper]
    assert len(set(colors)) == len(colors)  # all different
    # a condition's colour does not depend on which others are in the plot or on their order
    assert [condition_color(c) for c in parse_conditions("ppcg,lvl0")] == [colors[3], colors[0]]
    assert condition_color(parse_conditions("ppcg")[0]) == "#D55E00"
    assert [condition_name(c) for c in parse_conditions("plr,accel")] == ["PLR", "ACCEL"]
    # fewer training levels: the kind's colour, lighter; every N its own shade
    shades = [condition_color(c) for c in parse_conditions("random:10,random:100,random")]
    assert len(set(shades)) == 3 and shades[2] == colors[1]
    assert sum(int(shades[0][i : i + 2], 16) for i in (1, 3, 5)) > sum(
        int(shades[1][i : i + 2], 16) for i in (1, 3, 5)
    )
    unknown = Condition("ppcg-winrate", "ppcg-winrate")
    assert condition_color(unknown) == condition_color(Condition("ppcg-winrate", "ppcg-winrate"))
    assert all(len(c) == 7 and c.startswith("#") for c in [*colors, *shades, condition_color(unknown)])


def test_the_evaluation_table_shows_no_per_episode_spread_as_an_error_bar():
    from ppcg.agents.evaluate import format_table

    def fig(episodes, rate, score, sd):
        return {"episodes": episodes, "win_rate": rate, "win_std": 0.5, "score_mean": score, "score_std": sd}

    report = {
        "run": "r",
        "timesteps": 10,
        "seed": 1,
        "sets": {"human": {"overall": fig(30, 13 / 30, 1.25, 0.5), "levels": {"lvl0": fig(30, 0.4, 1, 0.5)}}},
    }
    table = format_table(report)
    assert "| wins | win rate | mean score | score s.d. over episodes |" in table
    assert "| human | lvl0 | 12/30 | 40% | 1.00 | 0.50 |" in table and "±" not in table
    assert "| **human** | **all** | 13/30 | 43% | 1.25 | 0.50 |" in table
