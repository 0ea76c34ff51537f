"""End to end on Zelda, in a few thousand steps: train -> checkpoint -> Ctrl-C -> resume -> evaluate.

Uses the real engine, environments, curricula and SB3; budgets are tiny so that it runs in CI.
"""

from __future__ import annotations

import json
import re

import pytest

pytest.importorskip("stable_baselines3")

from ppcg.cli import main  # noqa: E402

# A2C with the paper's settings (5-step rollouts), which the step counts below are written for.
PAPER_A2C = ["train", "zelda", "--algo", "a2c", "--hyperparams", "paper"]
COMMON = ["--n-envs", "4", "--checkpoint-every", "400", "--no-progress", "--threads", "1"]


def test_train_interrupt_resume_evaluate(tmp_path, monkeypatch, capsys):
    import ppcg.agents.train as train_mod
    from ppcg.agents.run import RunDir
    from stable_baselines3.common.callbacks import BaseCallback

    out = tmp_path / "run"

    # 1. Train 1,600 steps, "pressing Ctrl-C" once 800 steps are done.
    class CtrlC(BaseCallback):
        def _on_step(self):
            if self.num_timesteps >= 800:
                raise KeyboardInterrupt
            return True

    original = train_mod._callbacks
    monkeypatch.setattr(train_mod, "_callbacks", lambda *a, **k: [*original(*a, **k), CtrlC()])
    argv = [*PAPER_A2C, "--curriculum", "ppcg", "--timesteps", "1600", "--seed", "3"]
    assert main([*argv, *COMMON, "--out", str(out), "--eval-episodes", "1"]) == 130
    run = RunDir.open(out)
    status = run.status()
    assert status["status"] == "interrupted" and status["timesteps"] == 800
    ckpt = run.last_checkpoint()
    assert ckpt.timesteps == 800 and ckpt.model.is_file()
    state = ckpt.load_state()
    assert state["curriculum"]["name"] == "ppcg" and 0.0 <= state["curriculum"]["d"] <= 1.0
    assert not run.model_path.exists()
    assert [p.name for p in run.checkpoints_dir.iterdir() if ".tmp" in p.name] == []

    # 2. A second run never overwrites the first.
    monkeypatch.setattr(train_mod, "_callbacks", original)
    assert main([*argv, *COMMON, "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err

    # 3. Resume: continues from 800 to 1,600 with the curriculum's state, then evaluates.
    capsys.readouterr()
    assert main(["train", "zelda", "--resume", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    status = run.status()
    assert status["status"] == "complete" and status["timesteps"] == 1600 and run.model_path.is_file()
    assert status["device"] == "cpu" and run.read_config()["settings"]["device"] == "auto"
    assert "| **human** | **all** |" in printed and "| **d=0.5** | **all** |" in printed
    steps = [int(line.split(",")[0]) for line in (out / "progress.csv").read_text().splitlines()[1:]]
    assert steps == sorted(steps) and steps[-1] == 1600 and min(steps) <= 800
    config = run.read_config()
    assert config["settings"]["seed"] == 3 and config["hyperparams"]["n_envs"] == 4

    # 4. Evaluation is deterministic given its seed, per level and overall.
    reports = []
    for k in range(2):
        dest = tmp_path / f"eval{k}.json"
        args = ["--levels", "human", "difficulty=1", "--episodes", "2", "--seed", "5", "--output", str(dest)]
        assert main(["evaluate", str(out), *args]) == 0
        reports.append(json.loads(dest.read_text()))
    assert reports[0]["sets"] == reports[1]["sets"]
    human = reports[0]["sets"]["human"]
    assert set(human["levels"]) == {f"lvl{k}" for k in range(5)} and human["overall"]["episodes"] == 10
    d1 = reports[0]["sets"]["d=1"]["levels"]
    assert len(d1) == 2 and all("/d=1.000/seed=" in lid for lid in d1)
    assert all(int(lid.rsplit("=", 1)[1]) >= 2**31 for lid in d1)  # test seeds never used in training
    assert reports[0]["timesteps"] == 1600 and reports[0]["device"] == "cpu"


def test_bad_arguments_are_clear_errors(capsys, tmp_path):
    assert main(["train", "zelda", "--curriculum", "difficulty", "--out", str(tmp_path / "a")]) == 2
    assert "needs --difficulty" in capsys.readouterr().err
    assert main(["train", "zelda", "--level", "1", "--out", str(tmp_path / "b")]) == 2
    assert "--level is for --curriculum fixed" in capsys.readouterr().err
    bad = tmp_path / "h.yml"
    bad.write_text("default:\n  n_timesteps: 10\n  policy: CnnPolicy\n  n_envs: 1\n  gama: 0.9\n")
    assert main(["train", "zelda", "--config", str(bad), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:5: [default] gama" in err and "did you mean 'gamma'" in err
    assert not (tmp_path / "c").exists()  # nothing created for a run that cannot start
    plr = tmp_path / "plr.yml"
    plr.write_text("robust: true\n")
    args = [
        "--algo",
        "dqn",
        "--curriculum",
        "plr",
        "--curriculum-config",
        str(plr),
        "--out",
        str(tmp_path / "d"),
    ]
    assert main(["train", "zelda", *args]) == 2
    assert "(a2c and ppo have them), not dqn" in capsys.readouterr().err and not (tmp_path / "d").exists()
    plr.write_text("name: ppcg\nalpha: 0.1\n")
    assert main(["train", "zelda", "--curriculum", "plr", "--curriculum-config", str(plr)]) == 2
    assert "the file is for curriculum 'ppcg'" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "nothing")]) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_sigterm_saves_a_checkpoint_like_ctrl_c(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from ppcg.agents.run import RunDir

    out = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "ppcg.cli",
        "train",
        "zelda",
        "--timesteps",
        "1000000",
        "--out",
        str(out),
        *COMMON,
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.time() + 300
        while (
            not list(out.glob("checkpoints/*.state.json")) and time.time() < deadline and proc.poll() is None
        ):
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted: checkpoint at" in err and "--resume" in err
    run = RunDir.open(out)
    assert run.status()["status"] == "interrupted" and run.last_checkpoint().timesteps >= 400


class _SendSignals:
    """A callback that sends this process SIGINT (Ctrl-C) ``times`` times once ``at`` steps are done."""

    def __new__(cls, at, times):
        import os
        import signal

        from stable_baselines3.common.callbacks import BaseCallback

        class Send(BaseCallback):
            sent = False

            def _on_step(self):
                if self.num_timesteps >= at and not self.sent:
                    self.sent = True
                    for _ in range(times):
                        os.kill(os.getpid(), signal.SIGINT)
                return True

        return Send()


def _policy_params(path, algo):
    from stable_baselines3 import A2C, PPO

    return {"a2c": A2C, "ppo": PPO}[algo].load(path, device="cpu").policy.state_dict()


def _rows(run_path):
    """progress.csv without its wall-clock column."""
    lines = (run_path / "progress.csv").read_text().splitlines()
    return [tuple(c for k, c in enumerate(line.split(",")) if k != 1) for line in lines]


@pytest.mark.parametrize("algo, curriculum", [("a2c", "ppcg"), ("ppo", "plr")])
def test_ctrl_c_then_resume_is_the_uninterrupted_run(tmp_path, monkeypatch, algo, curriculum):
    import ppcg.agents.train as train_mod
    import torch
    from ppcg.agents.run import RunDir

    argv = [
        "train",
        "zelda",
        "--algo",
        algo,
        "--curriculum",
        curriculum,
        "--timesteps",
        "1600",
        "--seed",
        "3",
    ]
    argv += [*COMMON, "--eval-episodes", "0"]
    assert main([*argv, "--out", str(tmp_path / "whole")]) == 0

    # Ctrl-C after 700 steps: the run stops at the next rollout's start with an exact checkpoint.
    original = train_mod._callbacks
    monkeypatch.setattr(train_mod, "_callbacks", lambda *a, **k: [*original(*a, **k), _SendSignals(700, 1)])
    assert main([*argv, "--out", str(tmp_path / "cut")]) == 130
    run = RunDir.open(tmp_path / "cut")
    ckpt = run.last_checkpoint()
    assert run.status()["status"] == "interrupted" and 700 <= ckpt.timesteps < 1600 and ckpt.is_exact
    monkeypatch.setattr(train_mod, "_callbacks", original)
    assert main(["train", "zelda", "--resume", "--out", str(tmp_path / "cut"), "--no-progress"]) == 0

    whole, cut = (_policy_params(tmp_path / name / "model.zip", algo) for name in ("whole", "cut"))
    assert whole.keys() == cut.keys() and all(torch.equal(whole[k], cut[k]) for k in whole)
    final = [RunDir.open(tmp_path / name).last_checkpoint().load_state() for name in ("whole", "cut")]
    assert final[0]["curriculum"] == final[1]["curriculum"] and final[0]["timesteps"] >= 1600
    rows_whole, rows_cut = _rows(tmp_path / "whole"), _rows(tmp_path / "cut")
    assert [r for r in rows_cut if r[0] != str(ckpt.timesteps)] == rows_whole  # plus the row at the stop


def test_a_second_ctrl_c_stops_at_once(tmp_path, monkeypatch):
    import ppcg.agents.train as train_mod
    from ppcg.agents.run import RunDir

    original = train_mod._callbacks
    monkeypatch.setattr(train_mod, "_callbacks", lambda *a, **k: [*original(*a, **k), _SendSignals(702, 2)])
    argv = [*PAPER_A2C, "--timesteps", "1600", *COMMON, "--eval-episodes", "0"]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 130
    ckpt = RunDir.open(tmp_path / "r").last_checkpoint()
    # stopped inside a rollout (A2C's are 4 envs x 5 steps): a checkpoint of where it stood, not exact
    assert ckpt.timesteps == 704 and not ckpt.is_exact and not ckpt.snapshot.exists()
    monkeypatch.setattr(train_mod, "_callbacks", original)
    assert main(["train", "zelda", "--resume", "--out", str(tmp_path / "r"), "--no-progress"]) == 0
    status = RunDir.open(tmp_path / "r").status()
    assert status["status"] == "complete" and status["timesteps"] == 1604  # 704 + 45 rollouts of 20 steps


def test_num_levels_trains_on_a_finite_set_and_evaluates_on_it(tmp_path, capsys):
    from ppcg.agents.evaluate import training_set
    from ppcg.agents.run import RunDir
    from ppcg.agents.train import TrainSettings

    out = tmp_path / "r"
    argv = ["train", "zelda", "--curriculum", "random", "--num-levels", "3", "--start-level", "7"]
    assert main([*argv, "--timesteps", "400", *COMMON, "--eval-episodes", "4", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"\| \*\*train\*\* \| \*\*all\*\* \| \d/4 \|", printed)
    run = RunDir.open(out)
    settings = run.read_config()["settings"]
    assert (settings["num_levels"], settings["start_level"]) == (3, 7)
    import json

    sets = ["human", "difficulty=0.5", "difficulty=1", "train"]
    report = json.loads(run.eval_path_for(sets, 4, 10_000).read_text())
    assert {lid.rsplit("=", 1)[1] for lid in report["sets"]["train"]["levels"]} == {"7", "8", "9"}
    # more episodes than levels: every level, the episodes shared out; fewer: spread over the set
    s = TrainSettings(curriculum="difficulty", difficulty=0.5, num_levels=10, start_level=100)
    assert [(r.level_seed, n) for r, n in training_set(s, 23)] == [
        (100 + j, 3 if j < 3 else 2) for j in range(10)
    ]
    assert [r.level_seed for r, _ in training_set(s, 4)] == [100, 102, 105, 107]
    with pytest.raises(ValueError, match="finite set of levels"):
        training_set(TrainSettings(curriculum="ppcg", num_levels=10), 4)
    for bad, match in [
        (["--curriculum", "fixed", "--num-levels", "3"], "--curriculum fixed plays human levels"),
        (["--start-level", "3"], "--start-level needs --num-levels"),
    ]:
        assert main(["train", "zelda", *bad, "--out", str(tmp_path / "x")]) == 2
        assert match in capsys.readouterr().err
    assert TrainSettings(curriculum="random", num_levels=200).run_name() == "zelda-ppo-random-n200-s0"
    assert TrainSettings(num_levels=5, start_level=9).run_name() == "zelda-ppo-ppcg-n5from9-s0"


def test_a_second_ctrl_c_during_the_stopping_checkpoint_keeps_it_exact(tmp_path, monkeypatch):
    import os
    import signal

    import ppcg.agents.run as run_mod
    import ppcg.agents.train as train_mod
    from ppcg.agents.run import RunDir

    original_cb, original_write = train_mod._callbacks, run_mod.write_snapshot
    cb = _SendSignals(700, 1)
    monkeypatch.setattr(train_mod, "_callbacks", lambda *a, **k: [*original_cb(*a, **k), cb])

    def write_and_press_ctrl_c_again(path, tree):
        if cb.sent:  # the stopping checkpoint: Ctrl-C again while it is being written
            os.kill(os.getpid(), signal.SIGINT)
        return original_write(path, tree)

    monkeypatch.setattr(run_mod, "write_snapshot", write_and_press_ctrl_c_again)
    argv = [*PAPER_A2C, "--timesteps", "1600", *COMMON, "--eval-episodes", "0"]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 130
    ckpt = RunDir.open(tmp_path / "r").last_checkpoint()
    assert ckpt.timesteps == 700 and ckpt.is_exact  # the stopping checkpoint, not overwritten


@pytest.mark.parametrize("damage", ["unreadable", "another engine"])
def test_a_snapshot_that_does_not_fit_resumes_inexactly_with_a_warning(tmp_path, monkeypatch, capsys, damage):
    import numpy as np
    import ppcg.agents.train as train_mod
    from ppcg.agents.run import RunDir, read_snapshot, write_snapshot

    original = train_mod._callbacks
    monkeypatch.setattr(train_mod, "_callbacks", lambda *a, **k: [*original(*a, **k), _SendSignals(700, 1)])
    argv = [*PAPER_A2C, "--timesteps", "1000", *COMMON, "--eval-episodes", "0"]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 130
    monkeypatch.setattr(train_mod, "_callbacks", original)
    ckpt = RunDir.open(tmp_path / "r").last_checkpoint()
    if damage == "unreadable":
        ckpt.snapshot.write_bytes(b"not an npz")
    else:  # a snapshot from an engine whose state had other arrays (another version)
        snap = read_snapshot(ckpt.snapshot)
        snap["env"]["engine"]["si"] = np.zeros((4, 3), np.int32)
        write_snapshot(ckpt.snapshot, snap)
    capsys.readouterr()
    assert main(["train", "zelda", "--resume", "--out", str(tmp_path / "r"), "--no-progress"]) == 0
    assert "not exactly as it would have" in capsys.readouterr().err
    assert RunDir.open(tmp_path / "r").status()["status"] == "complete"


def test_observation_options_of_the_hyperparameters_reach_every_environment_that_shows_the_model(tmp_path):
    """``env_kwargs: {facing: true}`` trains on four more planes; the learning curve, ``ppcg evaluate`` and
    ``ppcg record --policy`` make their environments with it (a model given the plain planes would fail on the
    shape), and with ``frame_skip`` (its actions last that many ticks everywhere), while ``max_episode_steps``
    stays training's alone."""
    from ppcg.agents.models import load_run_model, run_observation_kwargs
    from ppcg.agents.run import RunDir

    import ppcg
    from ppcg.envs.record import load_policy

    config = tmp_path / "ppo.yml"
    config.write_text(
        "ppcg/Zelda-v0:\n  n_timesteps: 512\n  policy: CnnPolicy\n  n_envs: 4\n  n_steps: 64\n"
        "  batch_size: 128\n"
        "  env_kwargs: {max_episode_steps: 100, facing: true, frame_skip: 2}\n"
    )
    out = tmp_path / "r"
    argv = ["train", "zelda", "--config", str(config), "--eval-every", "256", "--eval-levels", "2"]
    assert main([*argv, "--eval-episodes", "1", "--no-progress", "--out", str(out)]) == 0
    run = RunDir.open(out)
    assert run_observation_kwargs(run) == {"facing": True, "frame_skip": 2}
    model, _, env_id = load_run_model(run)
    plain = ppcg.make_vec(env_id, 1).single_observation_space.shape
    assert model.observation_space.shape == (plain[0] + 4, *plain[1:])
    assert len((out / "eval_progress.csv").read_text().splitlines()) == 3  # header, 256, 512
    assert main(["evaluate", str(out), "--episodes", "1", "--levels", "human"]) == 0
    act, observation = load_policy(out)
    assert observation == {"obs_type": "symbolic", "facing": True, "frame_skip": 2}
    assert main(["record", "zelda", "--policy", str(out), "--out", str(tmp_path / "v")]) == 0
