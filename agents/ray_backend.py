"""``ppcg experiment --backend ray``: the grid's runs as Ray tasks, on this machine or on a cluster.

Each (condition, seed) run is one Ray task (Ray core: a plain remote function, ``num_cpus=--cpus-per-run``,
``num_gpus=--gpus-per-run``) that calls the very function the local backend calls,
:func:`~ppcg.agents.experiment.train_and_evaluate`: it trains the run (or continues it from its last
checkpoint, or leaves it when complete) and evaluates it, in the same run folder. The driver (this process)
then reads the run folders and writes the same tables and plots as the local backend. Nothing below
``ppcg.agents`` knows Ray, and Ray is imported only here, only when ``--backend ray`` asks for it.

**Where runs are written.** The driver puts a marker file in ``RUNS/GAME/`` for the time of the grid. A task
that sees it (this machine, or a cluster whose nodes share that folder) trains in the run folder itself. A
task on a node that does not see it trains in a folder of its own node
(``$TMPDIR/ppcg-ray/<grid>/GAME/<run>``, so that a task retried on the same node continues there), then sends
the finished run folder back to the driver, which puts it in place; an unfinished run folder the driver holds
is sent with the task as its starting point.

**Faults.** A run is never trained twice: complete and evaluated runs get no task, and a task continues what
its folder holds. A task whose worker dies (killed, out of memory, a node lost) is started again by Ray, up to
``--retries`` times, and continues from the run's last checkpoint (exact for A2C and PPO). Run folders are
locked while a task works in them (:meth:`~ppcg.agents.run.RunDir.lock`), so a second ``ppcg experiment`` on
the same runs fails those runs with a clear error rather than writing into them; a run folder brought back
never replaces a complete one. Errors in a run (bad settings, a locked folder) fail that run only: the others
go on, and the command then lists what failed and exits with status 2; run again, it picks up where the grid
stopped. Ctrl-C asks every running task to stop at its next rollout with a checkpoint.

**Threads.** Each run's torch and engine (numba) threads are ``--cpus-per-run`` (OpenMP and MKL too, through
the task's environment): Ray's workers would otherwise start thread pools as wide as the node.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import shutil
import socket
import sys
import tarfile
import tempfile
import threading
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any

__all__ = ["run_grid", "GridBoard", "GridDisplay", "TaskContext", "run_task", "pack_run", "unpack_run"]

MARKER_PREFIX = ".ppcg-ray-grid-"
SCRATCH = "ppcg-ray"
REPORT_SECONDS = 1.0  # how often a task reports its run's steps
DEFAULT_RETRIES = 3


@dataclasses.dataclass(frozen=True)
class TaskContext:
    """What every task of one grid shares: the evaluation episodes, the torch device, the command that made
    the grid (``run.json``'s ``command``), the marker that tells a task whether it sees the driver's run
    folders, and the name of the grid's scratch folder on nodes that do not."""

    episodes: int
    device: str
    command: str
    marker: str
    grid: str


class GridBoard:
    """What the running tasks report (a Ray actor, with no CPU of its own): per run, its state, steps, budget,
    node and process; and the lines they would have printed, in order."""

    def __init__(self) -> None:
        self.runs: dict[str, dict[str, Any]] = {}
        self.lines: list[str] = []

    def update(self, key: str, **fields: Any) -> None:
        self.runs.setdefault(key, {}).update(fields)

    def say(self, line: str) -> None:
        self.lines.append(line)

    def read(self, since: int = 0) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """The runs' reports, and the lines from the ``since``-th on."""
        return self.runs, self.lines[since:]


# ---- the task (in a Ray worker)
# ---------------------------------------------------------------------------------------------------


def run_task(job: Any, ctx: TaskContext, board: Any, seed_archive: bytes | None = None) -> bytes | None:
    """One run of the grid, in a Ray worker: train and evaluate it in its folder when this node sees the
    driver's run folders (returns None), else in a folder of this node (returns the finished folder packed,
    :func:`pack_run`). ``board`` (a :class:`GridBoard` actor, or None) hears its progress."""
    from ppcg.agents.experiment import train_and_evaluate

    key = job.name
    shared = (job.path.parent / ctx.marker).is_file()
    path = job.path if shared else _scratch(ctx, job)
    if not shared:
        _start_from(path, seed_archive)

    def report(**fields: Any) -> None:
        if board is not None:
            board.update.remote(key, **fields)

    report(state="running", host=socket.gethostname(), pid=os.getpid(), total=job.total, shared=shared)
    stop = threading.Event()
    reporter = threading.Thread(target=_report_steps, args=(path, report, stop), daemon=True)
    reporter.start()
    try:
        train_and_evaluate(
            job,
            episodes=ctx.episodes,
            progress=False,
            device=ctx.device,
            command=ctx.command,
            path=path,
            say=(lambda line: board.say.remote(line)) if board is not None else print,
        )
    finally:
        stop.set()
        reporter.join()
        _last_report(board, key, _last_steps(path / "progress.csv"))
    return None if shared else pack_run(path)


def _last_report(board: Any, key: str, steps: int | None) -> None:
    """The run's last steps, waited for: the board has every line and figure of the run before the driver
    hears that it ended (a caller's calls to an actor run in order). A lost board loses progress, not the run."""
    if board is None:
        return
    import ray

    try:
        ray.get(board.update.remote(key, **({} if steps is None else {"steps": steps})), timeout=30)
    except ray.exceptions.RayError:
        pass


def _report_steps(path: Path, report: Any, stop: threading.Event) -> None:
    """Every :data:`REPORT_SECONDS`, the run's steps as its ``progress.csv`` has them (a row every 0.5% of
    the budget), until ``stop``."""
    last = None
    while not stop.wait(REPORT_SECONDS):
        steps = _last_steps(path / "progress.csv")
        if steps is not None and steps != last:
            report(steps=steps, at=time.time())
            last = steps


def _last_steps(path: Path) -> int | None:
    """The timesteps of the last whole row of a ``progress.csv`` (None: none yet)."""
    from ppcg.agents.train import LOG_COLUMNS

    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            start = max(0, f.tell() - 4096)
            f.seek(start)
            lines = f.read().decode("utf-8", errors="replace").split("\n")
    except OSError:
        return None
    whole = lines[1 if start else 0 : -1]  # not the first line when cut, nor the one being written
    for line in reversed(whole):
        first = line.split(",", 1)[0]
        if first.isdigit() and line.count(",") == len(LOG_COLUMNS) - 1:
            return int(first)
    return None


def _scratch(ctx: TaskContext, job: Any) -> Path:
    """Where a node that does not see the driver's run folders trains a run (the same for every try)."""
    return Path(tempfile.gettempdir()) / SCRATCH / ctx.grid / job.path.parent.name / job.path.name


def _start_from(path: Path, seed_archive: bytes | None) -> None:
    """Put the driver's unfinished run folder in ``path`` unless ``path`` holds as much of the run already."""
    if seed_archive is None:
        return
    from ppcg.agents.run import RunDir

    here = RunDir(path).status().get("timesteps", -1) if (path / "run.json").is_file() else -1
    with tempfile.TemporaryDirectory(dir=_parent(path)) as tmp:
        unpack_run(seed_archive, Path(tmp) / "run")
        if RunDir(Path(tmp) / "run").status().get("timesteps", 0) > here:
            if path.exists():
                shutil.rmtree(path)
            os.replace(Path(tmp) / "run", path)


def _parent(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.parent


def pack_run(path: Path) -> bytes:
    """A run folder as a gzipped tar (its files, relative to it; not its lock)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for p in sorted(path.rglob("*")):
            if p.name != ".lock" and (p.is_file() or p.is_dir()) and not p.is_symlink():
                tar.add(p, arcname=str(p.relative_to(path)), recursive=False)
    return buf.getvalue()


def unpack_run(data: bytes, dest: Path) -> None:
    """Unpack :func:`pack_run`'s archive into the new folder ``dest``: plain files and folders inside it only.

    Raises:
        RunError: a member that is not a plain file or folder, or whose path leaves the folder.
    """
    from ppcg.agents.run import RunError

    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if not (member.isfile() or member.isdir()) or Path(member.name).is_absolute() or ".." in parts:
                raise RunError(f"a run folder sent back holds {member.name!r}, not a plain file inside it")
            target = dest.joinpath(*parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            os.utime(target, (member.mtime, member.mtime))


def bring_back(data: bytes, job: Any) -> bool:
    """Put a finished run folder sent back by a node in ``job.path`` (in place of an unfinished one; never of
    a complete one, which another invocation finished first). Returns whether it was put there.

    Raises:
        RunError: another process holds ``job.path``.
    """
    from ppcg.agents.run import RunDir

    token = uuid.uuid4().hex[:8]
    incoming = job.path.parent / f".{job.path.name}.incoming-{token}"
    old = job.path.parent / f".{job.path.name}.replaced-{token}"
    job.path.mkdir(parents=True, exist_ok=True)
    held = RunDir(job.path).lock()
    try:
        if held.is_complete:
            return False
        unpack_run(data, incoming)
        for report in incoming.glob("eval_*.json"):  # evaluated where it was trained: name this folder
            data_ = json.loads(report.read_text(encoding="utf-8"))
            data_["run"] = str(job.path)
            report.write_text(json.dumps(data_, indent=1, sort_keys=True, allow_nan=True) + "\n", "utf-8")
        os.replace(job.path, old)
        os.replace(incoming, job.path)
    finally:
        held.unlock()
        shutil.rmtree(incoming, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return True


# ---- the grid's progress (in the driver)
# ---------------------------------------------------------------------------------------------------


class GridDisplay:
    """The grid's progress in the terminal: runs done / running / queued (and failed), the steps per second
    of the whole grid over the last 30 seconds, and a line per running run. On a terminal it is redrawn in
    place (ANSI escapes); elsewhere (a log file) a line is printed when a run starts or ends, and every minute."""

    WINDOW = 30.0

    def __init__(
        self, names: list[str], *, stream: Any = None, live: bool | None = None, quiet: bool = False
    ):
        self.names = names
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.live = (not quiet and self.stream.isatty()) if live is None else live
        self.start = time.time()
        self.done: set[str] = set()
        self.failed: set[str] = set()
        self.runs: dict[str, dict[str, Any]] = {}
        self.seen: dict[str, int] = {}  # steps last seen per run
        self.samples: deque[tuple[float, int]] = deque()  # (time, steps summed over the grid's runs)
        self.counted = 0
        self.last_line = ""
        self.last_print = 0.0
        self.drawn = 0  # lines of the display on the terminal, redrawn in place

    def update(self, runs: dict[str, dict[str, Any]], now: float | None = None) -> None:
        """Take the tasks' reports (:meth:`GridBoard.read`)."""
        now = time.time() if now is None else now
        self.runs = runs
        for key, run in runs.items():
            steps = int(run.get("steps", 0) or 0)
            self.counted += max(0, steps - self.seen.get(key, 0))  # a retried run goes back: not counted
            self.seen[key] = steps
        self.samples.append((now, self.counted))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.WINDOW:
            self.samples.popleft()

    def finished(self, name: str, ok: bool) -> None:
        (self.done if ok else self.failed).add(name)

    @property
    def steps_per_second(self) -> float:
        if len(self.samples) < 2:
            return 0.0
        (t0, s0), (t1, s1) = self.samples[0], self.samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    def counts(self) -> dict[str, int]:
        """Runs done, failed, running (started, not ended) and queued."""
        ended = self.done | self.failed
        running = sum(1 for n in self.names if n in self.runs and n not in ended)
        return {
            "done": len(self.done),
            "failed": len(self.failed),
            "running": running,
            "queued": len(self.names) - len(ended) - running,
        }

    def summary(self) -> str:
        """``grid: 3/8 done, 2 running, 3 queued; 4,210 steps/s; 2:31``."""
        c = self.counts()
        failed = f", {c['failed']} failed" if c["failed"] else ""
        minutes, seconds = divmod(int(time.time() - self.start), 60)
        return (
            f"grid: {c['done']}/{len(self.names)} done{failed}, {c['running']} running, "
            f"{c['queued']} queued; {self.steps_per_second:,.0f} steps/s; {minutes}:{seconds:02d}"
        )

    def running_lines(self) -> list[str]:
        out = []
        ended = self.done | self.failed
        for name in self.names:
            run = self.runs.get(name)
            if run is None or name in ended:
                continue
            steps, total = int(run.get("steps", 0) or 0), int(run.get("total", 0) or 0)
            share = f" ({100 * steps / total:.0f}%)" if total else ""
            out.append(
                f"  {name}: {steps:,}/{total:,} steps{share} on {run.get('host')} pid {run.get('pid')}"
            )
        return out

    def say(self, line: str) -> None:
        """A line of the runs' own (``[lvl0 s1] resuming ...``), above the display."""
        self._erase()
        print(line, file=self.stream, flush=True)

    def show(self, *, force: bool = False) -> None:
        if self.quiet:
            return
        if self.live:
            lines = [self.summary(), *self.running_lines()]
            self._erase()
            self.stream.write("".join(f"{line}\n" for line in lines))
            self.stream.flush()
            self.drawn = len(lines)
            return
        line = self.summary()
        state = line.split(";")[0]
        if force or state != self.last_line or time.time() - self.last_print >= 60:
            print(line, file=self.stream, flush=True)
            self.last_line, self.last_print = state, time.time()

    def close(self) -> None:
        """The display's last state, left on the terminal."""
        self.show(force=True)
        self.drawn = 0

    def _erase(self) -> None:
        """Take the display off the terminal (the cursor back to its first line, the lines below cleared)."""
        if self.drawn:
            self.stream.write(f"\x1b[{self.drawn}F\x1b[J")
            self.drawn = 0


# ---- the driver
# ---------------------------------------------------------------------------------------------------


def run_grid(jobs: list[Any], args: Any, *, command: str) -> None:
    """Bring every run of ``jobs`` to its end on Ray (see the module's text); returns when all have.

    Uses Ray as this process already set it up (``ray.init`` in a notebook or a test), else joins
    ``args.address`` or starts a Ray cluster on this machine, and shuts down what it started.

    Raises:
        CLIError: Ray is not installed.
        RunError: runs failed (each named with its error); the others are complete.
    """
    from ppcg.agents.experiment import is_done

    from ppcg.cli import CLIError

    try:
        import ray
    except ImportError:
        raise CLIError(
            "--backend ray needs Ray: pip install 'ppcg[ray]' (or pip install ray) on this machine and on "
            "every node of the cluster"
        ) from None
    todo = []
    for job in jobs:
        if is_done(job, args.episodes):
            print(f"[{job.name}] complete: {job.path}")
        else:
            todo.append(job)
    if not todo:
        return
    started = not ray.is_initialized()
    if started:
        import logging

        ray.init(address=args.address, include_dashboard=False, logging_level=logging.WARNING)
    base = todo[0].path.parent
    base.mkdir(parents=True, exist_ok=True)
    marker = base / f"{MARKER_PREFIX}{uuid.uuid4().hex}"
    marker.touch()
    print(
        f"{len(todo)} run{'s' if len(todo) != 1 else ''} on Ray ({_resources(ray)}); "
        f"TensorBoard: tensorboard --logdir {base}",
        file=sys.stderr,
    )
    try:
        _drive(ray, todo, args, command, marker.name, len(jobs))
    finally:
        marker.unlink(missing_ok=True)
        if started:
            ray.shutdown()


def _resources(ray: Any) -> str:
    res = ray.cluster_resources()
    gpus = f", {res['GPU']:g} GPUs" if res.get("GPU") else ""
    nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
    return f"{nodes} node{'s' if nodes != 1 else ''}, {res.get('CPU', 0):g} CPUs{gpus}"


def _drive(ray: Any, todo: list[Any], args: Any, command: str, marker: str, size: int) -> None:
    """Run ``todo`` (what is left of a grid of ``size`` runs) as Ray tasks until each has ended."""
    from ppcg.agents.run import RunError

    cpus = args.cpus_per_run or 1
    gpus = args.gpus_per_run or 0.0
    device = "cpu" if args.device == "auto" and not gpus else args.device
    threads = str(cpus)
    grid = hashlib.sha1(f"{socket.gethostname()}:{todo[0].path.parent.resolve()}".encode()).hexdigest()[:12]
    ctx = TaskContext(args.episodes, device, command, marker, grid)
    board = ray.remote(num_cpus=0)(GridBoard).remote()
    task = ray.remote(run_task)
    options = dict(
        num_cpus=cpus,
        num_gpus=gpus,
        max_retries=DEFAULT_RETRIES if args.retries is None else args.retries,
        retry_exceptions=False,  # a run's own error (bad settings, a locked folder) is not retried
        runtime_env={
            "env_vars": {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "NUMBA_NUM_THREADS": threads}
        },
    )
    pending = {}
    here = ray.util.get_node_ip_address()
    # on a cluster of this machine alone every task sees the run folders: no folder needs sending
    one_node = all(n.get("NodeManagerAddress") == here for n in ray.nodes() if n.get("Alive"))
    for job in todo:
        absolute = dataclasses.replace(job, path=job.path.resolve())
        seed = pack_run(job.path) if not one_node and (job.path / "run.json").is_file() else None
        ref = task.options(**options, name=f"ppcg {job.name}").remote(absolute, ctx, board, seed)
        pending[ref] = job
    display = GridDisplay([job.name for job in todo], quiet=args.no_progress)
    failures: list[str] = []
    said = 0
    try:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=1.0)
            if board is not None:  # first the runs' own lines, then the ends of those that ended
                try:
                    runs, lines = ray.get(board.read.remote(said), timeout=30)
                except ray.exceptions.RayError as exc:  # progress is lost, not the runs
                    display.say(f"the grid's progress board is lost ({type(exc).__name__}); the runs go on")
                    board = None
                else:
                    said += len(lines)
                    for line in lines:
                        display.say(line)
                    display.update(runs)
            for ref in ready:
                job = pending.pop(ref)
                try:
                    archive = ray.get(ref)
                    if archive is not None and not bring_back(archive, job):
                        display.say(f"[{job.name}] finished elsewhere first; its folder is kept")
                except ray.exceptions.RayTaskError as exc:
                    cause = getattr(exc, "cause", None)
                    failures.append(f"[{job.name}] {cause if cause is not None else exc}")
                    display.finished(job.name, ok=False)
                    display.say(failures[-1])
                except (ray.exceptions.RayError, RunError) as exc:
                    failures.append(f"[{job.name}] {exc}")
                    display.finished(job.name, ok=False)
                    display.say(failures[-1])
                else:
                    display.finished(job.name, ok=True)
                    display.say(f"[{job.name}] done: {job.path}")
            display.show()
    except KeyboardInterrupt:
        display.say(
            "Ctrl-C: each running run stops at its next rollout with a checkpoint; run again to resume"
        )
        for ref in pending:
            ray.cancel(ref)
        ray.wait(list(pending), num_returns=len(pending), timeout=60)
        raise
    finally:
        display.close()
    if failures:
        raise RunError(
            f"{len(failures)} of the grid's {size} runs failed (the others are complete; the same command "
            "continues the grid):\n  " + "\n  ".join(failures)
        )
