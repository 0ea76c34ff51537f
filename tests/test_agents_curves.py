"""Learning curves on held-out levels during training (ppcg.agents.curves) and the time-to-win helpers."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("stable_baselines3")

from ppcg.cli import main  # noqa: E402

COMMON = ["--n-envs", "2", "--no-progress", "--threads", "1", "--eval-episodes", "0", "--seed", "1"]


def _params(run_dir):
    from ppcg.agents.config import algorithm_class

    model = algorithm_class("a2c").load(run_dir / "model.zip", device="cpu")
    return {k: v.clone() for k, v in model.policy.state_dict().items()}


def test_curves_are_written_and_leave_training_unchanged(tmp_path):
    from ppcg.agents.curves import read_eval_log

    argv = ["train", "zelda", "--algo", "a2c", "--curriculum", "fixed", "--level", "0", "--timesteps", "400"]
    assert (
        main([*argv, *COMMON, "--out", str(tmp_path / "a"), "--eval-every", "200", "--eval-levels", "2"]) == 0
    )
    assert main([*argv, *COMMON, "--out", str(tmp_path / "b"), "--eval-every", "0"]) == 0
    rows = read_eval_log(tmp_path / "a" / "eval_progress.csv")
    assert [r["timesteps"] for r in rows] == [200, 400]
    header = (tmp_path / "a" / "eval_progress.csv").read_text().splitlines()[0].split(",")
    assert header == [
        "timesteps",
        "train_seconds",
        "eval_seconds",
        "train/win_rate",
        "train/score",
        "human/win_rate",
        "human/score",
        "d=0.5/win_rate",
        "d=0.5/score",
        "gap",
    ]
    for r in rows:
        assert 0.0 <= r["train/win_rate"] <= 1.0 and 0.0 <= r["d=0.5/win_rate"] <= 1.0
        assert r["gap"] == pytest.approx(
            r["train/win_rate"] - (r["human/win_rate"] + r["d=0.5/win_rate"]) / 2
        )
    assert rows[1]["train_seconds"] >= rows[0]["train_seconds"] >= 0
    assert not (tmp_path / "b" / "eval_progress.csv").exists()
    # Evaluating restores the random states it used: the trained weights are identical to a run without it.
    a, b = _params(tmp_path / "a"), _params(tmp_path / "b")
    assert a.keys() == b.keys() and all(bool((a[k] == b[k]).all()) for k in a)


def test_generated_runs_have_no_train_set_and_no_gap(tmp_path):
    from ppcg.agents.curves import read_eval_log

    argv = ["train", "zelda", "--algo", "a2c", "--curriculum", "ppcg", "--timesteps", "160"]
    extra = ["--eval-every", "80", "--eval-levels", "1"]
    assert main([*argv, *COMMON, "--out", str(tmp_path / "r"), *extra]) == 0
    rows = read_eval_log(tmp_path / "r" / "eval_progress.csv")
    assert [r["timesteps"] for r in rows] == [80, 160]
    assert "train/win_rate" not in rows[0] and math.isnan(rows[0]["gap"])


def test_a_resumed_curve_continues_from_its_checkpoint(tmp_path):
    """Rows written after the checkpoint a run resumes from are dropped, then written again."""
    import ppcg.agents.train as train_mod
    from ppcg.agents.curves import read_eval_log
    from stable_baselines3.common.callbacks import BaseCallback

    class Stop(BaseCallback):
        def _on_step(self):
            if self.num_timesteps >= 300:
                raise KeyboardInterrupt
            return True

    original = train_mod._callbacks
    out = tmp_path / "run"
    argv = [
        "train",
        "zelda",
        "--algo",
        "a2c",
        "--curriculum",
        "ppcg",
        "--timesteps",
        "400",
        "--out",
        str(out),
    ]
    extra = ["--eval-every", "100", "--eval-levels", "1", "--checkpoint-every", "200"]
    try:
        train_mod._callbacks = lambda *a, **k: [*original(*a, **k), Stop()]
        assert main([*argv, *COMMON, *extra]) == 130
    finally:
        train_mod._callbacks = original
    # The Ctrl-C at 300 steps checkpointed there; a row at 300 exists. Forge a later one (a hard kill's).
    log = out / "eval_progress.csv"
    assert [r["timesteps"] for r in read_eval_log(log)] == [100, 200, 300]
    lines = log.read_text().splitlines()
    log.write_text("\n".join([*lines, lines[-1].replace("300", "999", 1)]) + "\n")
    assert main(["train", "zelda", "--resume", "--out", str(out), "--no-progress"]) == 0
    steps = [r["timesteps"] for r in read_eval_log(log)]
    assert steps[:4] == [100, 200, 300, 400] and steps == sorted(set(steps)) and 999 not in steps


def test_first_reaching():
    from ppcg.agents.curves import first_reaching

    rows = [{"t": 1.0, "w": math.nan}, {"t": 2.0, "w": 0.4}, {"t": 3.0, "w": 0.6}, {"t": 4.0, "w": 0.9}]
    assert first_reaching(rows, "w", 0.5)["t"] == 3.0
    assert first_reaching(rows, "w", 0.95) is None
    assert first_reaching(rows, "missing", 0.1) is None
