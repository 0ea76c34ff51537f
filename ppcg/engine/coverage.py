"""``ppcg coverage``: load every game in a folder, run each level with random actions, and tabulate what runs.

A folder is either GVGAI's layout (``<name>.txt`` with its levels ``<name>_lvl<N>.txt`` beside it, as in
``../shared/vgdl-corpus/gridphysics``) or the project's (``games/<name>.txt`` with
``levels/<name>/lvl<N>.txt``). For every game: parse, compile, then for each level a batch of environments
takes ``--steps`` random actions each
(finished environments are reset with a new seed). The table has one row per game:

* ``ok``: every level compiled and survived the steps (no exception, finite rewards and scores);
* ``missing features: ...``: the engine does not implement something the game uses (a
  ``VGDLUnsupportedError``);
* ``GVGAI cannot run it either: ...``: the game uses a name GVGAI does not define (``invest``'s
  ``killIfScoreNegative``);
* ``error: ...``: anything else (a parse error, a crash), which never stops the table.

    ppcg coverage ../shared/vgdl-corpus/gridphysics --steps 1000 --out docs/coverage.md
"""

from __future__ import annotations

import argparse
import contextlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "GameCoverage",
    "add_arguments",
    "run",
    "discover_games",
    "find_game",
    "describe_error",
    "cover_game",
    "numba_threads",
    "cover_folder",
    "format_markdown",
    "slowest_against",
]

# status -> the words the table prints before the detail. One entry a line.
STATUS_WORDS: dict[str, str] = {
    "ok": "ok",
    "missing": "missing features",
    "gvgai": "GVGAI cannot run it either",
    "error": "error",
}

_GVGAI_LEVEL = re.compile(r"^(?P<game>.+)_lvl(?P<n>\d+)\.txt$")
_OUR_LEVEL = re.compile(r"^lvl(?P<n>\d+)\.txt$")
_MAX_DETAIL = 300


@dataclass
class GameCoverage:
    """One row of the coverage table.

    Attributes:
        game: the game's name.
        status: a key of :data:`STATUS_WORDS`.
        detail: the missing features or the error, in words ("" when ok).
        levels: levels found; ``levels_ok``: levels that ran the full number of steps.
        env_steps: environment steps taken over all levels; ``seconds``: time spent stepping them.
        sprite_steps: live sprites summed over those steps (0 when the runner did not count them).
        compile_seconds: time to parse and compile the game.
        level_errors: ``{level number: error text}``.
    """

    game: str
    status: str
    detail: str = ""
    levels: int = 0
    levels_ok: int = 0
    env_steps: int = 0
    seconds: float = 0.0
    compile_seconds: float = 0.0
    sprite_steps: int = 0
    level_errors: dict[int, str] = field(default_factory=dict)

    @property
    def steps_per_second(self) -> float | None:
        """Environment steps per second while stepping (None when nothing ran)."""
        return self.env_steps / self.seconds if self.seconds > 0 and self.env_steps else None

    @property
    def mean_sprites(self) -> float | None:
        """Live sprites per environment, averaged over the steps (None when not counted)."""
        return self.sprite_steps / self.env_steps if self.sprite_steps and self.env_steps else None

    @property
    def sprite_steps_per_second(self) -> float | None:
        """Sprites stepped per second: steps per second times the mean live sprites (the work a step does)."""
        sps, n = self.steps_per_second, self.mean_sprites
        return sps * n if sps is not None and n is not None else None

    @property
    def status_text(self) -> str:
        """``ok`` or ``missing features: undoAll, Chaser``."""
        word = STATUS_WORDS[self.status]
        return f"{word}: {self.detail}" if self.detail and self.status != "ok" else word


# --- finding games ------------------------------------------------------------------------------------------


def discover_games(folder: str | Path) -> dict[str, tuple[Path, dict[int, Path]]]:
    """``{name: (game file, {level number: level file})}`` for every game in ``folder``, sorted by name.

    GVGAI's layout (``<name>.txt`` + ``<name>_lvl<N>.txt``) and the project's (``games/<name>.txt`` +
    ``levels/<name>/lvl<N>.txt``) are both recognised; a ``.txt`` that is neither a game with levels nor a
    level is still listed (with no levels), so a lone game file shows up in the table.
    """
    root = Path(folder)
    out: dict[str, tuple[Path, dict[int, Path]]] = {}
    if (root / "games").is_dir():
        for game in sorted((root / "games").glob("*.txt")):
            levels = {}
            level_dir = root / "levels" / game.stem
            if level_dir.is_dir():
                for lp in level_dir.glob("lvl*.txt"):
                    m = _OUR_LEVEL.match(lp.name)
                    if m:
                        levels[int(m["n"])] = lp
            out[game.stem] = (game, dict(sorted(levels.items())))
        if out:
            return out
    files = sorted(root.glob("*.txt"))
    names = {p.stem for p in files}
    levels_of: dict[str, dict[int, Path]] = {}
    for p in files:
        m = _GVGAI_LEVEL.match(p.name)
        if m and m["game"] in names:
            levels_of.setdefault(m["game"], {})[int(m["n"])] = p
    for p in files:
        m = _GVGAI_LEVEL.match(p.name)
        if m and m["game"] in names:
            continue
        out[p.stem] = (p, dict(sorted(levels_of.get(p.stem, {}).items())))
    return dict(sorted(out.items()))


def find_game(folder: str | Path, name: str) -> tuple[Path, dict[int, Path]]:
    """The game file and levels of ``name`` in ``folder`` (either layout).

    Raises:
        FileNotFoundError: no such game there.
    """
    root = Path(folder)
    for game in (root / f"{name}.txt", root / "games" / f"{name}.txt"):
        if game.is_file():
            break
    else:
        raise FileNotFoundError(f"no game {name!r} in {root} (looked for {name}.txt and games/{name}.txt)")
    if game.parent == root:
        levels = {}
        for lp in root.glob(f"{name}_lvl*.txt"):
            m = _GVGAI_LEVEL.match(lp.name)
            if m and m["game"] == name:
                levels[int(m["n"])] = lp
    else:
        levels = {
            int(m["n"]): lp
            for lp in (root / "levels" / name).glob("lvl*.txt")
            if (m := _OUR_LEVEL.match(lp.name))
        }
    return game, dict(sorted(levels.items()))


def describe_error(exc: BaseException) -> tuple[str, str]:
    """``(status, detail)`` for an exception raised while loading, compiling or running a game."""
    from ppcg.vgdl.errors import VGDLError, VGDLNameError, VGDLUnsupportedError

    if isinstance(exc, VGDLUnsupportedError):
        names = []
        for kind, name, _line in exc.missing:
            label = f"{name}" if not kind else f"{kind} {name}"
            if label not in names:
                names.append(label)
        return "missing", ", ".join(names) if names else _short(exc.message)
    if isinstance(exc, VGDLNameError):
        # The registry holds every name GVGAI defines: a name unknown to it is unknown to GVGAI too.
        return "gvgai", _short(_without_folder(exc))
    if isinstance(exc, VGDLError):
        return "error", _short(_without_folder(exc))
    return "error", _short(f"{type(exc).__name__}: {exc}")


def _without_folder(exc) -> str:
    """A VGDLError's text with its file named without the folder (``invest.txt:37:24: ...``)."""
    text = str(exc)
    if exc.file and text.startswith(exc.file):
        text = Path(exc.file).name + text[len(exc.file) :]
    return text


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."


# --- running ------------------------------------------------------------------------------------------------


def _load_and_compile(game_path: Path):
    """``(GameSpec, CompiledGame)`` for a game file (parser warnings silenced: the table shows errors)."""
    import warnings

    from ppcg.engine import compile_game
    from ppcg.vgdl.parser import load_game

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = load_game(str(game_path))
    return spec, compile_game(spec)


def _load_level(path: Path, spec):
    import warnings

    from ppcg.vgdl.level import load_level

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_level(path, spec)


@contextlib.contextmanager
def numba_threads(n: int | None):
    """Run the block with ``n`` numba threads (None or 0: numba's default, all cores).

    One thread is the honest setting for a batch of one environment and for figures on a shared machine:
    there, OpenMP's spinning worker threads can make a parallel call a hundred times slower than a serial one.
    """
    if not n:
        yield
        return
    import numba

    from ppcg.engine.batch import launch_threads

    launch_threads()
    previous = numba.get_num_threads()
    numba.set_num_threads(max(1, min(int(n), numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def run_level(
    compiled, level, *, steps: int, batch: int, seed: int, obs_type: str | None
) -> tuple[int, float, int]:
    """Step a batch of ``batch`` environments on ``level`` for ``steps`` random actions each.

    Finished environments are reset with fresh seeds. Returns ``(environment steps, seconds spent inside
    step(), live sprites summed over the steps)``: resets, counting sprites and drawing actions are not timed,
    so games whose episodes end quickly compare fairly.

    Raises:
        FloatingPointError: a reward or score that is not finite.
    """
    import numpy as np

    from ppcg.engine import BatchEngine

    rng = np.random.default_rng(seed)
    # One untimed step on a throwaway engine first, so that loading the compiled kernels is not timed.
    warm = BatchEngine(compiled, batch, obs_type=obs_type, obs_size=(level.width, level.height))
    warm.reset([level] * batch, list(range(batch)))
    warm.step(np.zeros(batch, np.int64))
    engine = BatchEngine(compiled, batch, obs_type=obs_type, obs_size=(level.width, level.height))
    next_seed = seed * 1_000_003
    engine.reset([level] * batch, list(range(next_seed, next_seed + batch)))
    next_seed += batch
    seconds = 0.0
    sprites = 0
    for _ in range(steps):
        actions = rng.integers(0, compiled.n_actions, size=batch)
        start = time.perf_counter()
        result = engine.step(actions)
        seconds += time.perf_counter() - start
        sprites += int(engine.sprite_counts().sum())
        if not (np.all(np.isfinite(result.reward)) and np.all(np.isfinite(result.score))):
            raise FloatingPointError("a reward or score is not finite")
        done = np.flatnonzero(np.asarray(result.terminated) | np.asarray(result.truncated))
        if done.size:
            engine.reset([level] * done.size, list(range(next_seed, next_seed + done.size)), indices=done)
            next_seed += done.size
    return steps * batch, seconds, sprites


def cover_game(
    name: str,
    game_path: Path,
    level_paths: dict[int, Path],
    *,
    steps: int = 1000,
    batch: int = 8,
    obs_type: str | None = "symbolic",
    runner: Callable[..., tuple[int, float]] | None = None,
) -> GameCoverage:
    """Load, compile and run one game; never raises (everything becomes the row's status).

    Args:
        runner: what steps a level (default :func:`run_level`; tests pass a stand-in): returns
            ``(environment steps, seconds)`` or ``(environment steps, seconds, sprite steps)``.
    """
    row = GameCoverage(game=name, status="ok", levels=len(level_paths))
    runner = runner or run_level
    start = time.perf_counter()
    try:
        spec, compiled = _load_and_compile(game_path)
    except Exception as exc:  # noqa: BLE001 - a game's failure is its row, not the end of the table
        row.status, row.detail = describe_error(exc)
        return row
    row.compile_seconds = time.perf_counter() - start
    if not level_paths:
        row.status, row.detail = "error", "no levels found"
        return row
    for number, path in level_paths.items():
        try:
            level = _load_level(path, spec)
            n, seconds, *counted = runner(compiled, level, steps=steps, batch=batch, seed=number, obs_type=obs_type)
        except Exception as exc:  # noqa: BLE001
            status, detail = describe_error(exc)
            row.level_errors[number] = detail
            if row.status == "ok" or (row.status == "error" and status != "error"):
                row.status, row.detail = status, f"level {number}: {detail}" if status == "error" else detail
            continue
        row.env_steps += n
        row.seconds += seconds
        row.sprite_steps += int(counted[0]) if counted else 0
        row.levels_ok += 1
    return row


def cover_folder(
    folder: str | Path, *, games: Sequence[str] | None = None, progress=None, **kwargs
) -> list[GameCoverage]:
    """:func:`cover_game` for every game in ``folder`` (or the named ones), in name order."""
    found = discover_games(folder)
    rows = []
    for name, (game_path, levels) in found.items():
        if games and name not in games:
            continue
        row = cover_game(name, game_path, levels, **kwargs)
        rows.append(row)
        if progress:
            progress(row)
    return rows


def _rate(row: GameCoverage) -> str:
    sps = row.steps_per_second
    return "-" if sps is None else f"{sps:,.0f}"


def _sprites(row: GameCoverage) -> str:
    n = row.mean_sprites
    return "-" if n is None else f"{n:,.0f}"


def summary_line(rows: Sequence[GameCoverage]) -> str:
    """``85/90 games ok; missing features: 3; error: 1; ...``."""
    parts = [f"{sum(r.status == 'ok' for r in rows)}/{len(rows)} games ok"]
    for status, word in STATUS_WORDS.items():
        n = sum(r.status == status for r in rows)
        if n and status != "ok":
            parts.append(f"{word}: {n}")
    return "; ".join(parts)


def _table(header: Sequence[str], body: Sequence[Sequence[str]], left: int) -> list[str]:
    """Markdown table lines; the first ``left`` columns are left-aligned, the others right-aligned."""
    widths = [max(len(x[i]) for x in [header, *body]) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ) + " |"

    rule = "|" + "|".join(("-" * (w + 2)) if i < left else ("-" * (w + 1) + ":") for i, w in enumerate(widths)) + "|"
    return [line(header), rule, *(line(b) for b in body)]


def slowest_against(rows: Sequence[GameCoverage], reference: str = "zelda", n: int = 10) -> list[str]:
    """A section comparing the ``n`` slowest games with ``reference``: how many times slower per step, and per
    sprite stepped (steps per second times live sprites, which takes the size of the level out). Empty when the
    reference did not run."""
    ref = next((r for r in rows if r.game == reference and r.steps_per_second), None)
    timed = sorted((r for r in rows if r.steps_per_second), key=lambda r: r.steps_per_second)[:n]
    if ref is None or not timed:
        return []
    ref_sprites = ref.sprite_steps_per_second
    body = []
    for r in timed:
        per_sprite = "-"
        if ref_sprites and r.sprite_steps_per_second:
            per_sprite = f"{ref_sprites / r.sprite_steps_per_second:.2f}"
        body.append((r.game, _rate(r), f"{ref.steps_per_second / r.steps_per_second:.2f}", _sprites(r), per_sprite))
    header = ("game", "steps/s", f"x slower than {reference} per step", "sprites", "x slower per sprite")
    return [
        f"## The slowest {len(timed)}, against {reference}",
        "",
        f"{reference}: {_rate(ref)} steps/s with {_sprites(ref)} live sprites on average. Per sprite: steps per "
        "second times the live sprites, which takes the size of the level out (below 1: faster than "
        f"{reference} per sprite).",
        "",
        *_table(header, body, left=1),
        "",
    ]


def format_markdown(
    rows: Sequence[GameCoverage], *, title: str | None = None, note: str | None = None, reference: str = "zelda"
) -> str:
    """The coverage table as Markdown (game, status, levels run, steps per second, live sprites), then the
    slowest games against ``reference`` (see :func:`slowest_against`) and the summary line."""
    header = ("game", "status", "levels", "steps/s", "sprites")
    body = [(r.game, r.status_text.replace("|", "\\|"), f"{r.levels_ok}/{r.levels}", _rate(r), _sprites(r))
            for r in rows]

    out = []
    if title:
        out += [f"# {title}", ""]
    if note:
        out += [note, ""]
    out += _table(header, body, left=2)
    out += ["", *slowest_against(rows, reference), summary_line(rows), ""]
    return "\n".join(out)


# --- CLI ----------------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``ppcg coverage``."""
    parser.add_argument(
        "folder", metavar="DIR", help="a folder of games (GVGAI's layout or games/ + levels/)"
    )
    parser.add_argument(
        "--steps", type=int, default=1000, help="random steps per environment and level (1000)"
    )
    parser.add_argument("--batch", type=int, default=8, help="environments stepped together per level (8)")
    parser.add_argument(
        "--obs",
        choices=("symbolic", "rgb", "none"),
        default="symbolic",
        help="observation computed while stepping (symbolic)",
    )
    parser.add_argument(
        "--game", action="append", default=None, metavar="NAME", help="only this game (repeatable)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, metavar="FILE", help="also write the table as Markdown"
    )
    parser.add_argument(
        "--threads", type=int, default=1, metavar="N", help="numba threads while stepping (1; 0: all cores)"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``ppcg coverage``; exit status 0 whatever the games do (2 on bad arguments)."""
    import platform

    from ppcg.cli import CLIError

    folder = Path(args.folder)
    if not folder.is_dir():
        raise CLIError(f"folder not found: {folder}")
    if args.steps < 1 or args.batch < 1:
        raise CLIError("--steps and --batch must be at least 1")
    if args.threads < 0:
        raise CLIError(f"--threads must be >= 0, got {args.threads}")
    found = discover_games(folder)
    if not found:
        raise CLIError(f"no games (*.txt) in {folder}")
    if args.game:
        unknown = [g for g in args.game if g not in found]
        if unknown:
            raise CLIError(f"no game {', '.join(map(repr, unknown))} in {folder}")

    def progress(row: GameCoverage) -> None:
        print(f"  {row.game}: {row.status_text} ({_rate(row)} steps/s)", flush=True)

    obs_type = None if args.obs == "none" else args.obs
    with numba_threads(args.threads):
        rows = cover_folder(
            folder, games=args.game, progress=progress, steps=args.steps, batch=args.batch, obs_type=obs_type
        )
    threads = "all cores" if args.threads == 0 else f"{args.threads} numba thread(s)"
    note = (
        f"`ppcg coverage {folder.name} --steps {args.steps} --batch {args.batch} --obs {args.obs} "
        f"--threads {args.threads}`: each level of each game, {args.batch} environments x {args.steps} "
        "random actions (finished ones reset). Steps per second: environment steps over the time spent "
        f"inside `BatchEngine.step` (compiling, resets and drawing actions excluded); {threads}, on "
        f"{platform.machine()} with {_cpu_count()} CPU cores."
    )
    table = format_markdown(rows, title="Engine coverage", note=note)
    print()
    print(table)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(table, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
