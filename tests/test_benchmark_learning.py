"""benchmarks/learning.py (time to win): a tiny run trains, evaluates held-out levels as the agent sees them
(the bundled PPO shows the avatar's facing), and returns the curve's rows."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("stable_baselines3")

REPO = Path(__file__).resolve().parents[1]


def _benchmark():
    spec = importlib.util.spec_from_file_location("ppcg_learning_benchmark", REPO / "benchmarks" / "learning.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_short_run_evaluates_with_the_observations_it_trained_on(tmp_path):
    from ppcg.agents.train import TrainSettings, resolve

    settings = TrainSettings(game="zelda", algo="ppo", curriculum="ppcg", seed=0, threads=1)
    assert resolve(settings)[0].observation_kwargs().get("facing")  # the case that broke: extra planes
    rows = _benchmark().train_for(settings, minutes=0.01, out=tmp_path, eval_every=2048, eval_levels=1)
    assert rows, "no evaluation row"
    last = rows[-1]
    assert last["timesteps"] >= 32  # one step of the 32 environments at least (compiling is not training time)
    for column in ("human/win_rate", "d=0.5/win_rate"):
        assert 0.0 <= last[column] <= 1.0
    assert (tmp_path / "eval_progress.csv").exists()


def test_the_generated_run_takes_curriculum_options_from_a_file_and_a_bad_file_is_named(tmp_path):
    import argparse

    from ppcg.cli import CLIError

    good = tmp_path / "band.yml"
    good.write_text("name: ppcg-winrate\nstep: 0.05\nwindow: 20\nband: [0.2, 0.4]\n")
    args = argparse.Namespace(algo="ppo", curriculum="ppcg-winrate", curriculum_config=str(good), difficulty=0.5,
                              seed=0, threads=1, hyperparams=None, config=None)
    bench = _benchmark()
    generated = bench.settings_for(args, "solarfox", "generated")
    assert (generated.curriculum, generated.curriculum_options) == (
        "ppcg-winrate", {"step": 0.05, "window": 20, "band": [0.2, 0.4]})
    fixed = bench.settings_for(args, "solarfox", "fixed")
    assert (fixed.curriculum, fixed.level, fixed.curriculum_options) == ("fixed", 0, None)
    bad = tmp_path / "bad.yml"
    bad.write_text("name: ppcg-winrate\nband: [0.6, 0.4]\n")
    args.curriculum_config = str(bad)
    with pytest.raises(CLIError, match="bad.yml"):
        bench.settings_for(args, "solarfox", "generated")
