"""Run folders: where a training run keeps its configuration, checkpoints, logs, final model and evaluation.

Layout of a run folder::

    runs/zelda-a2c-ppcg-s0/
        run.json              # status (running | interrupted | complete), timesteps done, the command, times
        config.yaml           # the resolved configuration: settings and hyperparameters (one RL-Zoo entry)
        checkpoints/
            step_000000200000.zip          # SB3 model (written to a temporary file, then renamed)
            step_000000200000.state.json   # curriculum state and counters, written the same way, before the
                                           # model
            step_000000200000.resume.npz   # an exact checkpoint's snapshot: environments' episodes, random
                                           # generators, logs (arrays and JSON, no pickle)
        tb/                   # TensorBoard logs
        model.zip             # the final model
        eval_human+d0.5+d1_ep30_seed10000.json   # evaluations (ppcg train, ppcg evaluate), named by their
                                                 # settings: level sets, episodes, seed

A new run never writes into a folder that holds a run: with the default name it takes the next free one
(``...-s0-2``), with an explicit ``--out`` it refuses. ``--resume`` reopens an existing run and continues from
its last complete checkpoint. Every file is written atomically (a temporary file in the same folder, then
``os.replace``), so a run killed at any moment leaves either the previous file or the new one, never half of
one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

try:
    import fcntl
except ImportError:  # pragma: no cover (not on Windows: folders are not locked there)
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "RunDir",
    "RunError",
    "new_folder",
    "atomic_write",
    "atomic_write_text",
    "deferred_interrupts",
    "signals_to",
    "Checkpoint",
    "write_snapshot",
    "read_snapshot",
]

STATUS_FILE = "run.json"
LOCK_FILE = ".lock"  # held (flock) by the process that trains in the folder
CONFIG_FILE = "config.yaml"
MODEL_FILE = "model.zip"
CHECKPOINTS = "checkpoints"
_STEP_RE = re.compile(r"^step_(\d{12})\.zip$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]")


class RunError(ValueError):
    """A run folder cannot be created or resumed as asked (the message says why and what to do)."""


_UMASK = os.umask(0)  # read once, at import (reading it means setting it)
os.umask(_UMASK)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write ``path`` atomically: ``write(tmp)`` fills a temporary file next to it, then it is renamed into
    place.

    The temporary file keeps ``path``'s suffix (SB3's ``save`` appends ``.zip`` to names without it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp's file is private (0600); give it a new file's permissions
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def signals_to(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """Send Ctrl-C (SIGINT) and SIGTERM to ``handler`` inside the block; the handlers before come back after.

    Outside the main thread (where Python cannot set handlers) the block runs as it is; a signal whose
    handler was set from outside Python is left alone.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not None:
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextlib.contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) and SIGTERM until the block ends, then deliver them.

    A checkpoint interrupted halfway is lost, and torch's zip writer, interrupted, raises its own error
    instead of ``KeyboardInterrupt``; so saves run inside this block. A signal that arrives meanwhile is
    recorded, and raised again once the block is done, to whatever handler was there before (the training
    loop's, which checkpoints and exits; or the default).
    """
    caught: list[int] = []
    try:
        with signals_to(lambda signum, frame: caught.append(signum)):
            yield
    finally:
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write a text file atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


_ARRAY, _TREE = "__array__", "__tree__"  # a snapshot's placeholder for an array, and its JSON's own entry


def write_snapshot(path: str | Path, tree: dict[str, Any]) -> Path:
    """Write a nested dict of numpy arrays and JSON values to one ``.npz`` file, atomically.

    Arrays are stored as arrays, the rest as JSON text: reading it back (:func:`read_snapshot`) executes
    nothing (no pickle).
    """
    arrays: dict[str, np.ndarray] = {}

    def strip(x: Any) -> Any:
        if isinstance(x, np.ndarray):
            if x.dtype == object:
                raise TypeError("object arrays cannot be stored in a snapshot")
            key = f"a{len(arrays)}"
            arrays[key] = x
            return {_ARRAY: key}
        if isinstance(x, dict):
            return {str(k): strip(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [strip(v) for v in x]
        if isinstance(x, np.generic):
            return x.item()
        return x

    text = json.dumps(strip(tree))
    arrays[_TREE] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)  # engine states are mostly zeros

    return atomic_write(path, write)


def read_snapshot(path: str | Path) -> dict[str, Any]:
    """Read a file written by :func:`write_snapshot` (without pickle)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    tree = json.loads(arrays.pop(_TREE).tobytes().decode("utf-8"))

    def fill(x: Any) -> Any:
        if isinstance(x, dict):
            if set(x) == {_ARRAY}:
                return arrays[x[_ARRAY]]
            return {k: fill(v) for k, v in x.items()}
        if isinstance(x, list):
            return [fill(v) for v in x]
        return x

    return fill(tree)


def trim_log(path: str | Path, timesteps: int, clock: str = "seconds") -> float:
    """Drop the rows of a CSV log (``progress.csv``, ``eval_progress.csv``; first column the timesteps)
    logged after ``timesteps`` (by a run stopped after its last checkpoint, which a resumed run logs again);
    returns the last kept row's ``clock`` column (0 without one)."""
    import csv
    import io

    path = Path(path)
    if not path.is_file():
        return 0.0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    if not rows:
        return 0.0
    header, kept = rows[0], []
    for row in rows[1:]:
        try:
            if int(float(row[0])) <= timesteps:
                kept.append(row)
        except (ValueError, IndexError):  # a line cut short by the stop
            pass
    out = io.StringIO()
    csv.writer(out).writerows([header, *kept])
    atomic_write_text(path, out.getvalue())
    try:
        return float(kept[-1][header.index(clock)]) if kept else 0.0
    except (ValueError, IndexError):
        return 0.0


def purge_tensorboard(logger: Any, step: int) -> None:
    """Mark ``step`` as a restart in the TensorBoard event file of an SB3 ``logger``: TensorBoard then drops
    the events at ``step`` and later that earlier files hold (what a stopped run logged after its
    checkpoint), as ``SummaryWriter(purge_step=...)`` does."""
    from tensorboard.compat.proto.event_pb2 import Event, SessionLog

    for fmt in getattr(logger, "output_formats", []):
        writer = getattr(fmt, "writer", None)
        file_writer = getattr(writer, "file_writer", None)
        if file_writer is not None:
            file_writer.add_event(Event(step=int(step), session_log=SessionLog(status=SessionLog.START)))
            file_writer.flush()


@dataclass(frozen=True)
class Checkpoint:
    """A complete checkpoint: the model file and its state file (``timesteps`` from the name).

    An exact checkpoint (taken between two rollouts, with everything needed to continue them: the
    environments' episodes, the random generators) also has a ``step_*.resume.npz`` file, :attr:`snapshot`.
    """

    timesteps: int
    model: Path
    state: Path

    def load_state(self) -> dict[str, Any]:
        """The JSON state saved with the model.

        Raises:
            RunError: the file cannot be read (names it).
        """
        try:
            state = json.loads(self.state.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RunError(f"{self.state}: cannot read the checkpoint's state ({exc})") from None
        if not isinstance(state, dict):
            raise RunError(f"{self.state}: expected a JSON object, got {type(state).__name__}")
        return state

    def damage(self) -> str | None:
        """What makes this checkpoint unreadable (None when its model archive and state are whole)."""
        import zipfile

        try:
            self.load_state()
            with zipfile.ZipFile(self.model) as archive:
                bad = archive.testzip()
                if bad is not None or "policy.pth" not in archive.namelist():
                    return f"{self.model.name}: {bad or 'policy.pth'} is damaged or missing"
        except (RunError, OSError, zipfile.BadZipFile, EOFError) as exc:
            return str(exc)
        return None

    @property
    def snapshot(self) -> Path:
        """Where an exact checkpoint keeps what it needs beyond the model (see :func:`write_snapshot`)."""
        return self.model.with_name(self.model.name[: -len(".zip")] + ".resume.npz")

    @property
    def is_exact(self) -> bool:
        """Whether a run can continue from here exactly as if it had not stopped."""
        return self.snapshot.is_file() and bool(self.load_state().get("exact", False))


def new_folder(base: str | Path, name: str) -> Path:
    """Create and return ``base/name``, or ``base/name-2``, ``-3`` ... when taken (never an existing folder).

    Creating the folder is atomic: two processes started at once cannot take the same one."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    k = 1
    while True:
        path = base / (name if k == 1 else f"{name}-{k}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            k += 1


class RunDir:
    """One run's folder. Use :meth:`create` for a new run and :meth:`open` to resume or evaluate one.

    Attributes:
        path: the folder.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock: Any = None

    def lock(self) -> RunDir:
        """Hold the folder for this process until :meth:`unlock` or the process ends (even killed): a second
        process that asks for it (two runs with the same ``--out``, a ``--resume`` of a run still training)
        gets a :class:`RunError`.

        Raises:
            RunError: another process holds it.
        """
        if self._lock is not None or fcntl is None:
            return self
        f = open(self.path / LOCK_FILE, "a")  # noqa: SIM115 (held open: the lock lives as long as the file)
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            raise RunError(
                f"{self.path} is in use by another process (a run still training in it); wait for it to "
                "finish or stop it, or choose another --out"
            ) from None
        self._lock = f
        return self

    def unlock(self) -> None:
        """Let other processes have the folder again."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # ---- creating and finding runs
    # --------------------------------------------------------------------------------

    @classmethod
    def create(cls, out: str | Path | None, name: str, *, base: str | Path = "runs") -> RunDir:
        """A new, empty run folder.

        Args:
            out: the folder asked for (``--out``); it must not hold a run already. None: ``base/name``, or
                ``base/name-2``, ``-3`` ... when taken.
            name: the default folder name (``zelda-a2c-ppcg-s0``).
            base: where default folders go.

        Raises:
            RunError: ``out`` exists and is not empty.
        """
        if out is None:
            return cls(new_folder(base, name)).lock()
        path = Path(out)

        def refuse_unless_empty() -> None:
            if path.exists() and (not path.is_dir() or any(p.name != LOCK_FILE for p in path.iterdir())):
                raise RunError(
                    f"{path} already exists and is not empty; a new run never overwrites another: "
                    "pass --resume to continue it, or choose another --out"
                )

        refuse_unless_empty()
        path.mkdir(parents=True, exist_ok=True)
        run = cls(path).lock()  # a second process started at the same time stops here ...
        try:
            refuse_unless_empty()  # ... or here, once the first has begun writing
        except RunError:
            run.unlock()
            raise
        return run

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        """An existing run folder (with a ``run.json``).

        Raises:
            RunError: not a run folder.
        """
        run = cls(path)
        if not (run.path / STATUS_FILE).is_file():
            raise RunError(f"{run.path} is not a run folder (no {STATUS_FILE})")
        return run

    @classmethod
    def latest(cls, name: str, *, base: str | Path = "runs") -> RunDir:
        """The most recent run folder named ``name`` or ``name-<k>`` in ``base`` (for ``--resume`` without
        --out).

        Raises:
            RunError: none exists.
        """
        base = Path(base)
        found: list[tuple[int, Path]] = []
        pattern = re.compile(re.escape(name) + r"(?:-(\d+))?$")
        if base.is_dir():
            for p in base.iterdir():
                m = pattern.match(p.name)
                if m and (p / STATUS_FILE).is_file():
                    found.append((int(m.group(1) or 1), p))
        if not found:
            raise RunError(f"no run {name!r} to resume in {base}/ (pass the run folder with --out)")
        return cls(max(found)[1])

    # ---- files
    # ------------------------------------------------------------------------------------------------

    @property
    def checkpoints_dir(self) -> Path:
        return self.path / CHECKPOINTS

    @property
    def tensorboard_dir(self) -> Path:
        return self.path / "tb"

    @property
    def model_path(self) -> Path:
        return self.path / MODEL_FILE

    def eval_path_for(
        self, level_sets: list[str], episodes: int, seed: int, deterministic: bool = False
    ) -> Path:
        """Where an evaluation with these settings is kept: ``eval_human+d0.5+d1_ep30_seed12345.json``
        (``_deterministic`` added for the most likely actions). Evaluations with other settings never replace
        it."""
        parts = []
        for name in level_sets:
            if name.startswith("difficulty="):
                try:
                    name = f"d{float(name.split('=', 1)[1]):g}"
                except ValueError:
                    pass
            elif name not in ("human", "train"):
                name = Path(name).name or "levels"
            parts.append(_UNSAFE.sub("_", name))
        stem = f"eval_{'+'.join(parts)}_ep{episodes}_seed{seed}" + ("_deterministic" if deterministic else "")
        return self.path / f"{stem}.json"

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG_FILE

    def status(self) -> dict[str, Any]:
        """The contents of ``run.json`` (empty when there is none).

        Raises:
            RunError: ``run.json`` cannot be read (names the file).
        """
        p = self.path / STATUS_FILE
        if not p.is_file():
            return {}
        try:
            status = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RunError(f"{p}: cannot read the run's status ({exc}); the file is damaged") from None
        if not isinstance(status, dict):
            raise RunError(f"{p}: expected a JSON object, got {type(status).__name__}")
        return status

    def update_status(self, **fields: Any) -> dict[str, Any]:
        """Merge ``fields`` into ``run.json`` (atomically), stamping ``updated``."""
        status = self.status()
        status.update(fields)
        status["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        atomic_write_text(self.path / STATUS_FILE, json.dumps(status, indent=2, sort_keys=True) + "\n")
        return status

    @property
    def is_complete(self) -> bool:
        """Training finished and the final model is saved."""
        return self.status().get("status") == "complete" and self.model_path.is_file()

    def write_config(self, config: dict[str, Any]) -> None:
        """Save the resolved configuration (YAML, safe types only)."""
        atomic_write_text(self.config_path, yaml.safe_dump(config, sort_keys=False))

    def read_config(self) -> dict[str, Any]:
        """The saved configuration.

        Raises:
            RunError: no configuration saved.
        """
        p = self.config_path
        if not p.is_file():
            raise RunError(f"{self.path} has no {CONFIG_FILE}")
        try:
            config = yaml.safe_load(p.read_text(encoding="utf-8"))
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise RunError(f"{p}: cannot read the run's configuration ({exc})") from None
        if not isinstance(config, dict) or not isinstance(config.get("settings"), dict):
            raise RunError(f"{p}: expected the run's configuration (settings, env_id, hyperparams); damaged?")
        return config

    # ---- checkpoints
    # --------------------------------------------------------------------------------------------

    def checkpoints(self) -> list[Checkpoint]:
        """Complete checkpoints (model and state both present), oldest first."""
        out = []
        if self.checkpoints_dir.is_dir():
            for p in self.checkpoints_dir.iterdir():
                m = _STEP_RE.match(p.name)
                state = p.with_name(p.name[: -len(".zip")] + ".state.json")
                if m and state.is_file():
                    out.append(Checkpoint(int(m.group(1)), p, state))
        return sorted(out, key=lambda c: c.timesteps)

    def last_checkpoint(self) -> Checkpoint | None:
        """The newest complete checkpoint, or None."""
        found = self.checkpoints()
        return found[-1] if found else None

    def last_intact_checkpoint(self, warn: Callable[[str], None] | None = None) -> Checkpoint | None:
        """The newest checkpoint whose files can be read (a whole model archive, a JSON state), or None;
        ``warn`` hears about each newer one passed over (truncated or emptied by a crash or a full disk)."""
        for ckpt in reversed(self.checkpoints()):
            problem = ckpt.damage()
            if problem is None:
                return ckpt
            if warn is not None:
                warn(f"checkpoint {ckpt.model.name} is damaged ({problem}); trying the one before")
        return None

    def save_checkpoint(
        self, model: Any, state: dict[str, Any], *, keep: int = 3, snapshot: dict[str, Any] | None = None
    ) -> Checkpoint:
        """Save ``model`` (SB3) and ``state`` (JSON-able) as the checkpoint at ``model.num_timesteps``.

        ``snapshot`` (arrays and JSON values, see :func:`write_snapshot`) makes it an exact checkpoint; the
        state then records ``"exact": true``. The state file is written first, then the snapshot, the model
        last, each atomically; a checkpoint counts only when model and state both exist. Older checkpoints
        beyond the newest ``keep`` are deleted. Ctrl-C and SIGTERM wait until the checkpoint is written.
        """
        steps = int(model.num_timesteps)
        stem = f"step_{steps:012d}"
        model_path = self.checkpoints_dir / f"{stem}.zip"
        state_path = self.checkpoints_dir / f"{stem}.state.json"
        state = {**state, "timesteps": steps, "exact": snapshot is not None}
        ckpt = Checkpoint(steps, model_path, state_path)
        with deferred_interrupts():
            atomic_write_text(state_path, json.dumps(state, indent=1, sort_keys=True) + "\n")
            if snapshot is not None:
                write_snapshot(ckpt.snapshot, snapshot)
            else:
                ckpt.snapshot.unlink(missing_ok=True)  # an exact checkpoint of the same step, now replaced
            atomic_write(model_path, lambda tmp: model.save(str(tmp)))
            for old in self.checkpoints()[:-keep] if keep > 0 else []:
                old.model.unlink(missing_ok=True)
                old.state.unlink(missing_ok=True)
                old.snapshot.unlink(missing_ok=True)
            self.update_status(timesteps=steps, last_checkpoint=str(model_path.name))
        return ckpt

    def save_model(self, model: Any) -> Path:
        """Save the final model (atomically, with Ctrl-C and SIGTERM held until it is written)."""
        with deferred_interrupts():
            return atomic_write(self.model_path, lambda tmp: model.save(str(tmp)))

    def model_for_eval(self) -> Path:
        """The final model, else the newest checkpoint.

        Raises:
            RunError: the run has neither.
        """
        if self.model_path.is_file():
            return self.model_path
        last = self.last_checkpoint()
        if last is None:
            raise RunError(f"{self.path} has no model.zip and no checkpoint to evaluate")
        return last.model

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"
