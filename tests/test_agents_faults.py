"""Training runs under faults, mistakes and hostile files: a killed run, damaged or crafted files, two
processes in one folder, evaluations and results that must not replace earlier ones."""

from __future__ import annotations

import base64
import json
import pickle
import shutil
import time
import zipfile

import pytest

pytest.importorskip("stable_baselines3")

from ppcg.agents.run import RunDir  # noqa: E402

from ppcg.cli import main  # noqa: E402

# A2C with the paper's settings (5-step rollouts), which the step counts below are written for.
PAPER_A2C = ["train", "zelda", "--algo", "a2c", "--hyperparams", "paper"]
COMMON = ["--n-envs", "4", "--no-progress", "--threads", "1"]


class Killed(BaseException):
    """What SIGKILL does to a run: it stops where it is, with nothing written after."""


def _kill_at(steps):
    from stable_baselines3.common.callbacks import BaseCallback

    class Kill(BaseCallback):
        def _on_step(self):
            if self.num_timesteps >= steps:
                raise Killed
            return True

    return Kill()


def _train_killed(tmp_path, monkeypatch, out, at):
    """A2C on Zelda, 1,600 steps with a checkpoint every 400, killed after ``at`` steps."""
    import ppcg.agents.train as train_mod
    from ppcg.agents.train import TrainSettings, train

    original = train_mod._callbacks
    monkeypatch.setattr(train_mod, "_callbacks", lambda *a, **k: [*original(*a, **k), _kill_at(at)])
    settings = TrainSettings(
        algo="a2c", hyperparams="paper", timesteps=1600, n_envs=4, checkpoint_every=400, eval_episodes=0,
        seed=3,
    )
    run = RunDir.create(out, "x")
    with pytest.raises(Killed):
        train(settings, run, progress=False)
    run.unlock()  # the kernel releases a killed process's lock
    monkeypatch.setattr(train_mod, "_callbacks", original)
    return run


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A complete tiny run (A2C, 400 steps, checkpoints every 200), evaluated on one episode per level."""
    out = tmp_path_factory.mktemp("runs") / "done"
    argv = [*PAPER_A2C, "--timesteps", "400", "--checkpoint-every", "200"]
    argv += ["--eval-episodes", "1"]
    assert main([*argv, *COMMON, "--out", str(out)]) == 0
    return out


def _copy(run, tmp_path, name="run"):
    dest = tmp_path / name
    shutil.copytree(run, dest, ignore=shutil.ignore_patterns(".lock"))
    return dest


# ---- 7: loading a model executes nothing from it
# -------------------------------------------------------------------------------------------


class _Payload:
    """Unpickling this runs code: it writes ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('code from a model file ran')",))


def _make_hostile(model_zip, marker):
    """Rewrite ``model_zip`` so that every ``:serialized:`` entry of its ``data`` (and a new one) runs code
    when unpickled, as a crafted checkpoint or model.zip would."""
    blob = base64.b64encode(pickle.dumps(_Payload(marker))).decode()
    with zipfile.ZipFile(model_zip) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(model_zip, "w") as zout:
        for info, data in items:
            if info.filename == "data":
                d = json.loads(data)
                for key, value in list(d.items()):
                    if isinstance(value, dict) and ":serialized:" in value:
                        d[key] = {**value, ":serialized:": blob}
                d["surprise"] = {":type:": "<class 'object'>", ":serialized:": blob}
                data = json.dumps(d).encode()
            zout.writestr(info, data)


def test_loading_a_model_runs_no_code_from_it(finished_run, tmp_path, capsys):
    from ppcg.envs.record import load_policy

    run_path = _copy(finished_run, tmp_path)
    run = RunDir.open(run_path)
    marker = tmp_path / "pwned"
    for path in [run.model_path, *(c.model for c in run.checkpoints())]:
        _make_hostile(path, marker)

    # ppcg evaluate: the network comes from the run's configuration, the weights from the file
    assert main(["evaluate", str(run_path), "--episodes", "1", "--seed", "7"]) == 0
    assert "| **human** | **all** |" in capsys.readouterr().out
    # ppcg record --policy: a run folder, or a model file in one
    for policy in (run_path, run.model_path, run.last_checkpoint().model):
        act, observation = load_policy(policy)
        assert observation == {"obs_type": "symbolic"}
    with pytest.raises(ValueError, match="trained with a2c"):
        load_policy(run_path, "ppo")
    # ppcg train --resume, from a checkpoint: the run was stopped at 200 steps
    run.model_path.unlink()
    for ckpt in run.checkpoints()[1:]:
        ckpt.model.unlink()
    run.update_status(status="interrupted", timesteps=200)
    assert main(["train", "zelda", "--resume", "--out", str(run_path), "--no-progress"]) == 0
    assert run.status()["status"] == "complete" and run.status()["timesteps"] == 400
    assert not marker.exists()


def test_a_model_outside_a_run_folder_or_not_fitting_it_is_refused(finished_run, tmp_path, capsys):
    from ppcg.agents.models import load_run_model

    loose = tmp_path / "model.zip"
    shutil.copy(finished_run / "model.zip", loose)
    assert main(["record", "zelda", "--policy", str(loose), "--out", str(tmp_path / "v")]) == 2
    assert "not a run folder" in capsys.readouterr().err
    run_path = _copy(finished_run, tmp_path)
    config = (run_path / "hyperparams.yml").read_text()
    (run_path / "hyperparams.yml").write_text(config.replace("features_dim: 128", "features_dim: 64"))
    if "features_dim: 64" in (run_path / "hyperparams.yml").read_text():
        with pytest.raises(ValueError, match="cannot load the model file"):
            load_run_model(RunDir.open(run_path))


# ---- 3: evaluations are kept side by side
# --------------------------------------------------------------------------------------------------


def test_evaluations_are_kept_side_by_side(finished_run, tmp_path, capsys):
    run_path = _copy(finished_run, tmp_path)
    run = RunDir.open(run_path)
    trained = run.eval_path_for(["human", "difficulty=0.5", "difficulty=1"], 1, 10_000)
    assert trained.is_file()  # ppcg train's own evaluation, named by its settings
    before = trained.read_text()
    for seed in ("1", "2"):
        assert main(["evaluate", str(run_path), "--episodes", "1", "--seed", seed]) == 0
    files = sorted(p.name for p in run_path.glob("eval*.json"))
    assert files == sorted(
        [trained.name, "eval_human_ep1_seed1.json", "eval_human_ep1_seed2.json"]
    ), files
    assert trained.read_text() == before
    # --resume on a finished run does not evaluate again: the same file, untouched
    mtime = trained.stat().st_mtime_ns
    capsys.readouterr()
    assert main(["train", "zelda", "--resume", "--out", str(run_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "is already complete" in out and f"evaluation written to {trained}" in out
    assert trained.stat().st_mtime_ns == mtime


# ---- 5: damaged files
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "empty"])
def test_resume_falls_back_to_the_previous_intact_checkpoint(finished_run, tmp_path, capsys, damage):
    run_path = _copy(finished_run, tmp_path)
    run = RunDir.open(run_path)
    run.model_path.unlink()
    run.update_status(status="interrupted")
    newest = run.last_checkpoint()
    assert newest.timesteps == 400 and len(run.checkpoints()) >= 2
    data = newest.model.read_bytes()
    newest.model.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"")
    capsys.readouterr()
    assert main(["train", "zelda", "--resume", "--out", str(run_path), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert f"checkpoint {newest.model.name} is damaged" in err
    assert run.status()["status"] == "complete" and run.status()["timesteps"] == 400


def test_a_damaged_snapshot_or_run_file_is_a_clear_message(finished_run, tmp_path, capsys):
    run_path = _copy(finished_run, tmp_path)
    run = RunDir.open(run_path)
    run.model_path.unlink()
    run.update_status(status="interrupted")
    ckpts = run.checkpoints()
    for ckpt in ckpts[1:]:
        ckpt.model.unlink()
    snap = ckpts[0].snapshot
    snap.write_bytes(snap.read_bytes()[:100])  # a truncated .resume.npz: resumes, not exactly, with a warning
    assert main(["train", "zelda", "--resume", "--out", str(run_path), "--no-progress"]) == 0
    assert f"cannot read {snap}" in capsys.readouterr().err
    for name in ("run.json", "config.yaml"):
        broken = _copy(finished_run, tmp_path, f"broken-{name}")
        text = (broken / name).read_text()
        (broken / name).write_text(text[: len(text) // 3])
        commands = [["train", "zelda", "--resume", "--out", str(broken)]]
        if name == "config.yaml":  # (evaluate reads no run.json)
            commands.append(["evaluate", str(broken), "--episodes", "1"])
        for argv in commands:
            assert main(argv) == 2, argv
            err = capsys.readouterr().err
            assert str(broken / name) in err and "Traceback" not in err, err
    broken = _copy(finished_run, tmp_path, "broken-state")
    RunDir.open(broken).model_path.unlink()
    state = RunDir.open(broken).last_checkpoint().state
    state.write_text(state.read_text()[:10])  # the newest state is cut: the one before is used
    assert main(["train", "zelda", "--resume", "--out", str(broken), "--no-progress"]) == 0
    assert "is damaged" in capsys.readouterr().err


# ---- 4: a killed run's logs continue from its checkpoint
# ----------------------------------------------------------------------------------------------


def _rows(path):
    lines = (path / "progress.csv").read_text().splitlines()
    return [line.split(",") for line in lines[1:]]


def test_a_killed_run_resumes_with_its_logs_continuing(tmp_path, monkeypatch):
    argv = [*PAPER_A2C, "--timesteps", "1600", "--seed", "3"]
    argv += ["--checkpoint-every", "400"]
    assert main([*argv, *COMMON, "--eval-episodes", "0", "--out", str(tmp_path / "whole")]) == 0
    run = _train_killed(tmp_path, monkeypatch, tmp_path / "cut", at=1100)
    assert run.last_checkpoint().timesteps == 800
    rows_before = _rows(run.path)
    assert [int(r[0]) for r in rows_before] == [500, 1000]  # 1000: logged after the checkpoint, then killed
    assert main(["train", "zelda", "--resume", "--out", str(run.path), "--no-progress"]) == 0
    rows = _rows(run.path)
    steps = [int(r[0]) for r in rows]
    assert steps == sorted(set(steps)), steps  # no row twice
    whole = _rows(tmp_path / "whole")
    assert [r[:1] + r[2:] for r in rows] == [r[:1] + r[2:] for r in whole]  # the uninterrupted run's rows
    seconds = [float(r[1]) for r in rows]
    assert seconds == sorted(seconds) and seconds[1] >= seconds[0]  # the clock goes on from the checkpoint
    status = run.status()
    assert status["train_seconds"] >= float(rows_before[0][1])


def test_tensorboard_drops_what_a_stopped_run_logged_after_its_checkpoint(tmp_path):
    from ppcg.agents.run import purge_tensorboard
    from stable_baselines3.common.logger import configure
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    folder = str(tmp_path / "tb")
    first = configure(folder, ["tensorboard"])
    for step in range(10):
        first.record("rollout/x", float(step))
        first.dump(step)
    first.close()
    time.sleep(1.1)  # event files are named by the second they were opened (and a counter of this process)
    second = configure(folder, ["tensorboard"])  # the resumed run: a new event file in the same folder
    purge_tensorboard(second, 6)
    for step in range(6, 12):
        second.record("rollout/x", 100.0 + step)
        second.dump(step)
    second.close()
    acc = EventAccumulator(folder)
    acc.Reload()
    events = acc.Scalars("rollout/x")
    assert [e.step for e in events] == list(range(12))
    assert [e.value for e in events][5:7] == [5.0, 106.0]


# ---- 2: one process at a time in a run folder
# -----------------------------------------------------------------------------------------------


def test_a_run_folder_is_locked_while_a_process_trains_in_it(tmp_path, capsys):
    from ppcg.agents.run import RunError

    out = tmp_path / "same"
    first = RunDir.create(out, "x")  # the first of two ``ppcg train ... --out same`` started together
    with pytest.raises(RunError, match="in use by another process"):
        RunDir.create(out, "x")
    argv = ["train", "zelda", "--timesteps", "200", *COMMON, "--eval-episodes", "0", "--out", str(out)]
    assert main(argv) == 2
    assert "in use by another process" in capsys.readouterr().err
    first.update_status(status="interrupted")
    first.write_config({"settings": {"timesteps": 200}, "env_id": "ppcg/Zelda-v0"})
    assert main(["train", "zelda", "--resume", "--out", str(out)]) == 2  # nor a --resume meanwhile
    assert "in use by another process" in capsys.readouterr().err
    first.unlock()
    with pytest.raises(RunError, match="not empty"):
        RunDir.create(out, "x")  # free again, but it holds a run


# ---- 10: pixels
# ------------------------------------------------------------------------------------------------------------


def test_rgb_runs_checkpoint_and_resume(tmp_path, monkeypatch):
    import ppcg.agents.train as train_mod
    import torch
    from test_agents_e2e import _policy_params, _SendSignals

    argv = ["train", "zelda", "--obs", "rgb", "--timesteps", "400", "--checkpoint-every", "200"]
    argv += ["--seed", "1", *COMMON, "--eval-episodes", "0"]
    assert main([*argv, "--out", str(tmp_path / "whole")]) == 0
    run = RunDir.open(tmp_path / "whole")
    assert run.status()["status"] == "complete" and run.last_checkpoint().is_exact
    original = train_mod._callbacks
    monkeypatch.setattr(train_mod, "_callbacks", lambda *a, **k: [*original(*a, **k), _SendSignals(150, 1)])
    assert main([*argv, "--out", str(tmp_path / "cut")]) == 130
    monkeypatch.setattr(train_mod, "_callbacks", original)
    assert main(["train", "zelda", "--resume", "--out", str(tmp_path / "cut"), "--no-progress"]) == 0
    whole, cut = (_policy_params(tmp_path / name / "model.zip", "a2c") for name in ("whole", "cut"))
    # the same episodes and updates; the Nature CNN's convolutions may round the last bit differently
    assert all(torch.allclose(whole[k], cut[k], rtol=1e-5, atol=1e-7) for k in whole)
    assert _rows(tmp_path / "whole")[-1][2:] == _rows(tmp_path / "cut")[-1][2:]


# ---- 1: an experiment never overwrites earlier results
# ----------------------------------------------------------------------------------------------


def test_an_experiment_writes_new_results_beside_earlier_ones(tmp_path, monkeypatch, capsys):
    import ppcg.agents.evaluate as evaluate_mod
    import ppcg.agents.train as train_mod

    def fake_train(settings, run_dir, *, resume=False, progress=True, device=None, command=None):
        run_dir.write_config({"settings": settings.__dict__, "env_id": "ppcg/Zelda-v0"})
        run_dir.update_status(status="complete", timesteps=10, train_seconds=1.0, steps_per_second=10.0)

    def fake_evaluate(run_dir, *, level_sets, episodes, seed, **kwargs):
        # as evaluate_run does, the report goes to the run folder, where the experiment reads it back
        overall = {"win_rate": 0.5, "score_mean": 1.0, "episodes": 1}
        sets = {name: {"overall": overall, "levels": {}} for name in ("human", "d=0.5", "d=1")}
        report = {"sets": sets, "seconds": 1.0, "episodes": episodes, "timesteps": 10}
        run_dir.eval_path_for(level_sets, episodes, seed).write_text(json.dumps(report))
        return report

    monkeypatch.setattr(train_mod, "train", fake_train)
    monkeypatch.setattr(evaluate_mod, "evaluate_run", fake_evaluate)
    results = tmp_path / "results"
    (results / "zelda").mkdir(parents=True)
    (results / "zelda" / "README.md").write_text("the committed results")
    argv = ["experiment", "zelda", "--conditions", "lvl0", "--seeds", "1", "--no-progress"]
    argv += ["--runs", str(tmp_path / "runs"), "--results", str(results)]
    assert main(argv) == 0
    assert (results / "zelda" / "README.md").read_text() == "the committed results"
    assert (results / "zelda-2" / "summary.json").is_file()
    assert "these go to" in capsys.readouterr().err
    assert main([*argv, "--replace"]) == 0
    assert (results / "zelda" / "summary.json").is_file() and not (results / "zelda-3").exists()
    capsys.readouterr()
    assert main([*argv[:2], "--conditions", "lvl0,lvl7", *argv[4:]]) == 2  # zelda has lvl0 ... lvl4
    assert "no human level 7" in capsys.readouterr().err
    assert not (tmp_path / "runs" / "zelda" / "lvl7-s0").exists()


def test_a_ppo_model_rebuilt_to_act_raises_no_training_warning(tmp_path):
    """``ppcg evaluate`` rebuilds the model on one environment: SB3's warning that PPO's minibatch (512) does
    not divide that environment's rollout (64 steps) is about training, and must not reach the user."""
    import warnings

    from ppcg.agents.models import load_run_model

    out = tmp_path / "ppo"
    argv = ["train", "zelda", "--timesteps", "256", "--eval-episodes", "0", "--eval-every", "0"]
    assert main([*argv, *COMMON, "--out", str(out)]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model, settings, _ = load_run_model(RunDir.open(out))
    assert settings.algo == "ppo" and model.batch_size == 512


# ---- 12: compiling the engine is not training time
# ------------------------------------------------------------------------------------------


def test_compiling_the_engine_is_announced_and_not_counted_as_training_time(tmp_path, monkeypatch):
    """A first run compiles the engine for minutes: it is warmed up before the clock (and the progress bar)
    start, so run.json's seconds and steps/s count training only. Here the warm-up takes 1,000 fake seconds."""
    from ppcg.agents.train import TrainSettings, train

    import ppcg.engine

    offset = [0.0]
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])
    calls = []

    def compiling(stream=None):
        calls.append(stream)
        offset[0] += 1000.0
        return 1000.0

    monkeypatch.setattr(ppcg.engine, "warm_up", compiling)
    settings = TrainSettings(algo="a2c", hyperparams="paper", timesteps=200, n_envs=4, eval_episodes=0,
                             eval_every=0, seed=0)
    run = RunDir.create(tmp_path / "run", "x")
    train(settings, run, progress=False)
    status = json.loads((run.path / "run.json").read_text())
    assert len(calls) == 1
    assert status["train_seconds"] < 1000 and status["steps_per_second"] > 0.2


def test_an_rgb_run_drops_the_facing_planes_of_the_hyperparameters_with_a_note(tmp_path, capsys):
    # ppo.yml shows the avatar's facing in symbolic grids; an rgb run of the same file trains, without them
    from ppcg.agents.train import TrainSettings, check_settings, resolve

    symbolic = resolve(TrainSettings(game="zelda", algo="ppo", obs="symbolic"))[0]
    assert symbolic.env_kwargs.get("facing") is True
    capsys.readouterr()
    rgb = resolve(TrainSettings(game="zelda", algo="ppo", obs="rgb"))[0]
    assert "facing" not in rgb.env_kwargs and rgb.observation_kwargs() == {}
    assert capsys.readouterr().err.count("rgb frames go without them") == 1
    check_settings(TrainSettings(game="zelda", algo="ppo", obs="rgb"))  # the check before a run says nothing
    assert "rgb frames" not in capsys.readouterr().err
