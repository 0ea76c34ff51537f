"""``ppcg experiment --backend ray``: the grid on a real local Ray cluster (2 CPUs) gives the local backend's
runs and results, survives a killed worker, never trains a finished run again, never writes into a folder that
another invocation holds, and resumes.

The tests that need Ray skip (saying so) where it cannot be imported; the rest (the grid's display, a node
that does not see the run folders, the options) run everywhere. They train 4 tiny runs locally and 4 + 1 on Ray:
76 s in all on a 2-core machine with one core busy elsewhere.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import signal
import threading
import time
import zipfile
from pathlib import Path

import pytest
import torch
from ppcg.agents.ray_backend import GridDisplay, TaskContext, bring_back, pack_run, run_task
from ppcg.agents.run import RunDir

from ppcg.cli import main

STEPS = 2048  # four rollouts of 8 environments x 64 steps, a checkpoint after each
GRID = ["zelda", "--conditions", "lvl0,random", "--seeds", "2", "--timesteps", str(STEPS), "--n-envs", "8"]
GRID += ["--checkpoint-every", "512", "--episodes", "1", "--device", "cpu"]
RUNS = ("lvl0-s0", "lvl0-s1", "random-s0", "random-s1")


def experiment(tmp: Path, name: str, *extra: str) -> int:
    argv = ["experiment", *GRID, "--runs", str(tmp / name), "--results", str(tmp / f"{name}-results")]
    return main([*argv, "--replace", *extra])


@pytest.fixture(scope="module")
def grids(tmp_path_factory):
    """The tiny grid trained by the local backend (the reference), in a module-wide folder."""
    tmp = tmp_path_factory.mktemp("grids")
    assert experiment(tmp, "local", "--no-progress") == 0
    return tmp


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'ppcg[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


def policy(run: Path) -> dict[str, torch.Tensor]:
    with zipfile.ZipFile(run / "model.zip") as z:
        return torch.load(io.BytesIO(z.read("policy.pth")), weights_only=True)


def progress_rows(run: Path) -> list[list[str]]:
    """progress.csv without its clock (the ``seconds`` column)."""
    with open(run / "progress.csv", newline="") as f:
        return [row[:1] + row[2:] for row in csv.reader(f)]


def evaluation(run: Path) -> dict:
    (path,) = run.glob("eval_*.json")
    report = json.loads(path.read_text())
    return {k: v for k, v in report.items() if k not in ("seconds", "run")}


def files(run: Path) -> list[str]:
    """The run folder's files, not hidden ones (its lock; the temporary file of a write a kill cut short);
    TensorBoard's by folder (their names hold the host, the time and the process)."""
    out = sorted(
        str(p.relative_to(run))
        for p in run.rglob("*")
        if p.is_file() and "tb" not in p.parts and not p.name.startswith(".")  # the lock, a killed write's
    )
    return out + sorted({str(p.parent.relative_to(run)) for p in (run / "tb").rglob("events.out.tfevents.*")})


def assert_same_runs(a: Path, b: Path) -> None:
    for name in RUNS:
        ra, rb = a / "zelda" / name, b / "zelda" / name
        assert files(ra) == files(rb), name
        assert (ra / "config.yaml").read_text() == (rb / "config.yaml").read_text()
        assert (ra / "hyperparams.yml").read_text() == (rb / "hyperparams.yml").read_text()
        assert progress_rows(ra) == progress_rows(rb), name
        pa, pb = policy(ra), policy(rb)
        assert pa.keys() == pb.keys() and all(torch.equal(pa[k], pb[k]) for k in pa), name
        assert evaluation(ra) == evaluation(rb), name
        sa, sb = RunDir(ra).status(), RunDir(rb).status()
        assert sa["status"] == sb["status"] == "complete" and sa["timesteps"] == sb["timesteps"] == STEPS


def assert_same_results(a: Path, b: Path) -> None:
    sa, sb = (json.loads((p / "zelda" / "summary.json").read_text()) for p in (a, b))
    assert sa["summary"] == sb["summary"]
    assert [r["sets"] for r in sa["runs"]] == [r["sets"] for r in sb["runs"]]
    ta, tb = (
        (p / "zelda" / "README.md").read_text().split("### ", 1)[1].split("## Plots")[0] for p in (a, b)
    )
    assert ta == tb  # the tables
    assert {p.name for p in (a / "zelda").iterdir()} == {p.name for p in (b / "zelda").iterdir()}


def holder_of(lock: Path) -> int | None:
    """The process that has ``lock`` open (the worker training in its folder), from /proc."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(lock) for fd in os.listdir(f"/proc/{pid}/fd")):
                return int(pid)
        except OSError:
            continue
    return None


@pytest.fixture(scope="module")
def ray_grid(grids, ray_cluster, tmp_path_factory):
    """The same grid on Ray, one of whose workers is killed (SIGKILL) between two checkpoints of its run.

    Returns the folder, the exit status, what the command printed (stdout + stderr), and the killed run
    (name, pid, the steps of its last checkpoint then)."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("finds the worker to kill through /proc")
    tmp = tmp_path_factory.mktemp("ray")
    runs = tmp / "ray" / "zelda"
    killed: list[tuple[str, int, int]] = []

    def kill_a_worker_between_two_checkpoints() -> None:
        deadline = time.time() + 600
        while time.time() < deadline and not killed:
            for name in RUNS:
                run = RunDir(runs / name)
                ckpts = run.checkpoints() if run.path.is_dir() else []
                if ckpts and ckpts[-1].timesteps < STEPS and (pid := holder_of(run.path / ".lock")):
                    os.kill(pid, signal.SIGKILL)
                    killed.append((name, pid, ckpts[-1].timesteps))
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_worker_between_two_checkpoints)
    out = io.StringIO()
    killer.start()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = experiment(tmp, "ray", "--backend", "ray")
    killer.join()
    return tmp, code, out.getvalue(), killed


def test_a_ray_grid_with_a_killed_worker_gives_the_local_backends_runs_and_results(grids, ray_grid):
    tmp, code, out, killed = ray_grid
    assert code == 0, out
    assert killed, "no worker was caught between two checkpoints"
    name, pid, steps = killed[0]
    label = name.replace("-s", " s")
    # Ray started the killed run's task again; it continued from its last checkpoint ...
    assert f"[{label}] resuming " in out and f"[{label}] done: " in out
    assert RunDir(tmp / "ray" / "zelda" / name).status()["status"] == "complete"
    # ... and every run, the killed one too, is the local backend's, seed for seed, as are the results
    assert_same_runs(grids / "local", tmp / "ray")
    assert_same_results(grids / "local-results", tmp / "ray-results")
    assert not list((tmp / "ray" / "zelda").glob(".ppcg-ray-grid-*"))  # the marker is gone
    # the grid's progress (not a terminal: a line when it changes), and one TensorBoard folder for every run
    assert re.search(r"^grid: 4/4 done, 0 running, 0 queued; [\d,]+ steps/s; \d+:\d\d$", out, re.M), out
    assert "1 node, 2 CPUs" in out and f"tensorboard --logdir {tmp / 'ray' / 'zelda'}" in out
    logdir = tmp / "ray" / "zelda"
    assert {p.relative_to(logdir).parts[0] for p in logdir.rglob("events.out.tfevents.*")} == set(RUNS)


def test_a_finished_grid_is_never_run_again(grids, ray_grid, tmp_path, capsys):
    shutil.copytree(ray_grid[0] / "ray", tmp_path / "ray")
    before = {name: (tmp_path / "ray" / "zelda" / name / "model.zip").stat().st_mtime_ns for name in RUNS}
    assert experiment(tmp_path, "ray", "--backend", "ray") == 0
    out = capsys.readouterr()
    assert all(f"[{name.replace('-s', ' s')}] complete: " in out.out for name in RUNS)
    assert " on Ray (" not in out.err  # every run was complete and evaluated: no task, no Ray
    after = {name: (tmp_path / "ray" / "zelda" / name / "model.zip").stat().st_mtime_ns for name in RUNS}
    assert before == after
    assert_same_results(grids / "local-results", tmp_path / "ray-results")


def test_two_invocations_never_write_the_same_run_folder(grids, ray_grid, tmp_path, capsys):
    import ray

    shutil.copytree(ray_grid[0] / "ray", tmp_path / "ray")
    runs = tmp_path / "ray" / "zelda"
    shutil.rmtree(runs / "random-s1")
    held = RunDir(runs / "random-s1")  # another invocation's run, which it holds: the grid must not write into it
    held.path.mkdir()
    held.lock()
    assert experiment(tmp_path, "ray", "--backend", "ray") == 2
    err = capsys.readouterr().err
    assert "1 of the grid's 4 runs failed" in err and "random-s1 is in use by another process" in err
    assert [p.name for p in held.path.iterdir()] == [".lock"]  # nothing written into it
    assert not (tmp_path / "ray-results").exists()
    # the other invocation lets go; run again without a Ray of this process's: the command starts its own
    # cluster on this machine (and shuts it down), trains only what is missing, then writes the results
    held.unlock()
    shutil.rmtree(held.path)
    ray.shutdown()
    assert experiment(tmp_path, "ray", "--backend", "ray") == 0
    assert not ray.is_initialized()
    err = capsys.readouterr().err
    assert "1 run on Ray (1 node, " in err
    assert "[random s1] training -> " in err and "[lvl0 s0] training" not in err
    assert_same_runs(grids / "local", tmp_path / "ray")
    assert_same_results(grids / "local-results", tmp_path / "ray-results")


def test_a_node_without_the_run_folders_sends_the_finished_run_back(grids, tmp_path, monkeypatch, capsys):
    """A task on a node that does not see the driver's runs works in a folder of its own, starting from what
    the driver sent, and returns the finished folder, which the driver puts in place (no Ray needed)."""
    import dataclasses

    from ppcg.agents.experiment import parse_conditions, plan_grid

    from ppcg.cli import build_parser

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "node"))
    (tmp_path / "node").mkdir()
    src = grids / "local" / "zelda" / "lvl0-s0"
    args = build_parser("experiment").parse_args(["experiment", *GRID, "--runs", str(tmp_path / "driver")])
    job = plan_grid(args, parse_conditions("lvl0"))[0]
    ctx = TaskContext(episodes=1, device="cpu", command="c", marker=".no-such-marker", grid="g")
    capsys.readouterr()
    archive = run_task(dataclasses.replace(job, path=job.path.resolve()), ctx, None, pack_run(src))
    # the driver's copy (sent with the task) was complete and evaluated: nothing was trained
    assert capsys.readouterr().out == f"[lvl0 s0] complete: {job.path.resolve()}\n"
    assert (tmp_path / "node" / "ppcg-ray" / "g" / "zelda" / "lvl0-s0" / "model.zip").is_file()
    assert not job.path.exists()
    assert bring_back(archive, job)
    assert files(job.path) == files(src) and evaluation(job.path) == evaluation(src)
    pa, pb = policy(job.path), policy(src)
    assert all(torch.equal(pa[k], pb[k]) for k in pa)
    assert json.loads(next(job.path.glob("eval_*.json")).read_text())["run"] == str(job.path)
    assert not bring_back(archive, job)  # a complete run folder is never replaced
    assert [p.name for p in job.path.parent.iterdir()] == ["lvl0-s0"]


def test_the_grids_progress(tmp_path):
    out = io.StringIO()
    display = GridDisplay(["a s0", "a s1", "b s0"], stream=out, live=False)
    display.update({"a s0": {"steps": 1000, "total": 4000, "host": "n1", "pid": 7}}, now=100.0)
    display.update({"a s0": {"steps": 3000, "total": 4000, "host": "n1", "pid": 7}}, now=102.0)
    assert display.counts() == {"done": 0, "failed": 0, "running": 1, "queued": 2}
    assert display.steps_per_second == pytest.approx(1000.0)
    assert display.running_lines() == ["  a s0: 3,000/4,000 steps (75%) on n1 pid 7"]
    display.show()
    assert out.getvalue().startswith("grid: 0/3 done, 1 running, 2 queued; 1,000 steps/s; ")
    # a retried run starts again from its checkpoint: its steps go back, and are not counted twice
    display.update({"a s0": {"steps": 2000}, "a s1": {"steps": 500}}, now=104.0)
    display.finished("b s0", ok=False)
    assert display.counts() == {"done": 0, "failed": 1, "running": 2, "queued": 0}
    assert display.steps_per_second == pytest.approx((3000 + 500 - 1000) / 4)
    display.finished("a s0", ok=True)
    display.show()
    assert out.getvalue().splitlines()[-1].startswith("grid: 1/3 done, 1 failed, 1 running, 0 queued")


def test_the_grids_progress_on_a_terminal_is_redrawn_in_place():
    out = io.StringIO()
    display = GridDisplay(["a s0", "b s0"], stream=out, live=True)
    display.update({"a s0": {"steps": 10, "total": 100, "host": "n1", "pid": 7}}, now=1.0)
    display.show()
    assert out.getvalue().startswith("grid: 0/2 done, 1 running, 1 queued; ")
    assert out.getvalue().endswith("\n  a s0: 10/100 steps (10%) on n1 pid 7\n")
    display.say("[a s0] resuming")  # a run's line: the display's two lines are taken off, the line printed
    assert out.getvalue().endswith("pid 7\n\x1b[2F\x1b[J[a s0] resuming\n")
    display.finished("a s0", ok=True)
    display.show()  # drawn again below the line
    display.show()  # redrawn over itself: up one line, cleared, drawn
    assert out.getvalue().endswith("\x1b[1F\x1b[Jgrid: 1/2 done, 0 running, 1 queued; 0 steps/s; 0:00\n")
    display.close()
    assert display.drawn == 0  # the last state stays on the terminal


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--address", "auto"], "--address is an option of --backend ray"),
        (["--cpus-per-run", "2", "--gpus-per-run", "1"], "--cpus-per-run, --gpus-per-run are options of"),
        (["--backend", "ray", "--cpus-per-run", "0"], "--cpus-per-run must be >= 1, not 0"),
        (["--backend", "ray", "--gpus-per-run", "-1"], "--gpus-per-run must be >= 0, not -1"),
        (["--backend", "ray", "--device", "cuda"], "--device cuda with --backend ray needs --gpus-per-run"),
    ],
)
def test_the_ray_options_are_checked_before_anything_starts(tmp_path, capsys, extra, message):
    argv = ["experiment", "zelda", "--runs", str(tmp_path / "runs"), "--results", str(tmp_path / "res")]
    assert main([*argv, *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists() and not (tmp_path / "res").exists()
