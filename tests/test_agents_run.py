"""Run folders: never overwrite a run, atomic files, complete checkpoints only, resume finds the newest."""

from __future__ import annotations

import json

import pytest
from ppcg.agents.run import RunDir, RunError, atomic_write, atomic_write_text, read_snapshot, write_snapshot


class FakeModel:
    def __init__(self, steps):
        self.num_timesteps = steps

    def save(self, path):
        with open(path, "w") as f:
            f.write(f"model at {self.num_timesteps}")


def test_default_names_never_reuse_a_folder(tmp_path):
    a = RunDir.create(None, "zelda-a2c-ppcg-s0", base=tmp_path)
    a.update_status(status="complete")
    b = RunDir.create(None, "zelda-a2c-ppcg-s0", base=tmp_path)
    c = RunDir.create(None, "zelda-a2c-ppcg-s0", base=tmp_path)
    assert [p.path.name for p in (a, b, c)] == [
        "zelda-a2c-ppcg-s0",
        "zelda-a2c-ppcg-s0-2",
        "zelda-a2c-ppcg-s0-3",
    ]
    c.update_status(status="running")
    assert RunDir.latest("zelda-a2c-ppcg-s0", base=tmp_path).path == c.path  # b has no run.json: not a run
    assert a.status()["status"] == "complete"


def test_explicit_out_refuses_a_non_empty_folder(tmp_path):
    out = tmp_path / "run"
    RunDir.create(out, "x").update_status(status="created")
    with pytest.raises(RunError, match="never overwrites"):
        RunDir.create(out, "x")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert RunDir.create(empty, "x").path == empty
    with pytest.raises(RunError, match="not a run folder"):
        RunDir.open(tmp_path / "nothing")
    with pytest.raises(RunError, match="no run 'y' to resume"):
        RunDir.latest("y", base=tmp_path)


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    p = atomic_write_text(tmp_path / "f.json", "old")

    def fail(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(p, fail)
    assert p.read_text() == "old"
    assert [q.name for q in tmp_path.iterdir()] == ["f.json"]  # no temporary file left behind
    import os
    import stat

    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~umask  # a new file's permissions, not mkstemp's 0600


def test_checkpoints_are_complete_pruned_and_ordered(tmp_path):
    run = RunDir.create(tmp_path / "r", "r")
    for steps in (100, 200, 300, 400):
        run.save_checkpoint(FakeModel(steps), {"curriculum": {"d": steps / 1000}}, keep=3)
    found = run.checkpoints()
    assert [c.timesteps for c in found] == [200, 300, 400]
    last = run.last_checkpoint()
    assert last.model.read_text() == "model at 400"
    assert last.load_state() == {"curriculum": {"d": 0.4}, "timesteps": 400, "exact": False}
    assert not last.is_exact
    assert run.status()["timesteps"] == 400
    # a state file whose model never got written (killed in between) is not a checkpoint
    (run.checkpoints_dir / "step_000000000500.state.json").write_text(json.dumps({"timesteps": 500}))
    assert run.last_checkpoint().timesteps == 400
    assert run.model_for_eval() == last.model
    run.save_model(FakeModel(401))
    assert run.model_for_eval() == run.model_path
    assert not run.is_complete
    run.update_status(status="complete")
    assert run.is_complete


def test_config_round_trip(tmp_path):
    run = RunDir.create(tmp_path / "r", "r")
    with pytest.raises(RunError):
        run.read_config()
    cfg = {"settings": {"game": "zelda", "difficulty": None, "seed": 3}, "hyperparams": {"n_envs": 16}}
    run.write_config(cfg)
    assert run.read_config() == cfg


class InterruptedModel(FakeModel):
    """A model whose save receives a signal halfway through writing (Ctrl-C, or a scheduler's SIGTERM)."""

    def __init__(self, steps, signum):
        super().__init__(steps)
        self.signum = signum

    def save(self, path):
        import os

        with open(path, "w") as f:
            f.write("first half, ")
            os.kill(os.getpid(), self.signum)
            f.write(f"second half at {self.num_timesteps}")


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_signal_during_a_checkpoint_waits_for_the_checkpoint(tmp_path, signame):
    import signal

    signum = getattr(signal, signame)

    def interrupt(s, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signum, interrupt)  # what the training loop installs
    try:
        run = RunDir.create(tmp_path / "r", "r")
        with pytest.raises(KeyboardInterrupt):
            run.save_checkpoint(InterruptedModel(300, signum), {}, keep=3)
        # the signal came during the save; the checkpoint was finished first, then the signal delivered
        assert run.last_checkpoint().model.read_text() == "first half, second half at 300"
        assert run.status()["last_checkpoint"] == "step_000000000300.zip"
        with pytest.raises(KeyboardInterrupt):
            run.save_model(InterruptedModel(301, signum))
        assert run.model_path.read_text() == "first half, second half at 301"
        assert signal.getsignal(signum) is interrupt  # the handler is back
        assert not [p for p in run.checkpoints_dir.iterdir() if p.name.startswith(".")]  # no temporary file
    finally:
        signal.signal(signum, previous)


def test_snapshot_files_round_trip_without_pickle(tmp_path):
    import numpy as np

    tree = {
        "env": {"engine": {"si": np.arange(12, dtype=np.int32).reshape(3, 4)}, "rngs": [{"state": 2**100}]},
        "flags": np.array([True, False]),
        "rng": ["MT19937", np.arange(3, dtype=np.uint32), 5, 0, 0.0],
        "n": np.int64(7),
        "none": None,
    }
    path = write_snapshot(tmp_path / "s.resume.npz", tree)
    back = read_snapshot(path)
    np.testing.assert_array_equal(back["env"]["engine"]["si"], tree["env"]["engine"]["si"])
    assert back["env"]["engine"]["si"].dtype == np.int32 and back["flags"].dtype == bool
    assert back["env"]["rngs"] == [{"state": 2**100}] and back["n"] == 7 and back["none"] is None
    assert back["rng"][0] == "MT19937" and back["rng"][1].dtype == np.uint32
    with np.load(path, allow_pickle=False) as data:  # plain arrays only
        assert all(data[k].dtype != object for k in data.files)
    with pytest.raises(TypeError, match="object arrays"):
        write_snapshot(tmp_path / "t.npz", {"x": np.array([None])})
    assert not (tmp_path / "t.npz").exists()
