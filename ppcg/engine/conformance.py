"""``ppcg conformance``: replay GVGAI's own traces against the engine, tick by tick.

For every trace (``../shared/vgdl-traces``, format in its README) the game and level are loaded from the
corpus, a one-environment :class:`~ppcg.engine.BatchEngine` is reset with the trace's game seed, and the
trace's actions are stepped one by one. After every tick the engine's state is compared with GVGAI's:

* the sprite set: every live sprite's id, type and pixel position (``BatchEngine.sprites(0)``);
* score, winner and game over (the step result);
* the avatar: position, orientation, resources (entries at 0 are ignored: GVGAI keeps a used-up resource as a
  0 entry), id, type, health points and disabled flag (``BatchEngine.avatar(0)``).

A game is ``identical`` when every one of its traces is; otherwise the report names the first divergence: the
trace, the tick, the sprite (id and type) or field, and the expected and actual values.

    ppcg conformance ../shared/vgdl-traces --games ../shared/vgdl-corpus/gridphysics --game zelda

Library use: :func:`replay_trace` (one trace, compiles the game) and :func:`replay_on_engine` (one trace on an
engine object that the caller built, which is what the tests use with a stand-in engine).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ppcg.engine.traces import NOT_APPLIED, TickState, action_index_map, read_header, read_trace, trace_files

__all__ = [
    "Divergence",
    "GameReport",
    "add_arguments",
    "run",
    "replay_trace",
    "replay_on_engine",
    "compare_state",
    "check_games",
    "format_table",
]

# Status of a game in the report, and the word printed for it. One entry a line.
STATUS_WORDS: dict[str, str] = {
    "identical": "identical",
    "diverges": "diverges",
    "missing": "missing features",
    "gvgai": "GVGAI cannot run it either",
    "error": "error",
    "no-game": "game file not found",
}

_MAX_DETAILS = 8


@dataclass(frozen=True)
class Divergence:
    """The first tick at which the engine's state differs from GVGAI's.

    Attributes:
        trace: the trace file.
        tick: the tick (0 = right after reset).
        field: what differs: ``"sprite"`` (alive in one and not the other), ``"type"``, ``"x"``, ``"y"`` (of
            the sprite ``sprite_id``), ``"score"``, ``"winner"``, ``"game_over"``, ``"avatar.<field>"``, or
            ``"exception"`` (the engine raised).
        expected: GVGAI's value.
        got: the engine's value.
        sprite_id: the sprite's id for sprite fields, else None.
        sprite_type: the sprite's type (GVGAI's when it has the sprite, else the engine's).
        action: the action name stepped into this tick (GVGAI's name), None at tick 0.
        details: every difference found at that tick (at most 8, the first being this one), as text.
        n_differences: how many differences that tick has in all.
    """

    trace: Path
    tick: int
    field: str
    expected: Any
    got: Any
    sprite_id: int | None = None
    sprite_type: str | None = None
    action: str | None = None
    details: tuple[str, ...] = ()
    n_differences: int = 1

    def where(self) -> str:
        """``sprite 123 (sword) x`` or ``score``."""
        if self.sprite_id is not None:
            return f"sprite {self.sprite_id} ({self.sprite_type}) {self.field}"
        return self.field

    def __str__(self) -> str:
        act = f" after {self.action}" if self.action else ""
        more = f" (+{self.n_differences - 1} more)" if self.n_differences > 1 else ""
        return (
            f"{self.trace.name} tick {self.tick}{act}: {self.where()}: expected {self.expected!r}, "
            f"got {self.got!r}{more}"
        )


@dataclass
class GameReport:
    """One game's outcome: status (a key of :data:`STATUS_WORDS`), traces replayed, the first problem."""

    game: str
    status: str
    n_traces: int = 0
    n_identical: int = 0
    detail: str = ""
    first: Divergence | None = None
    divergences: list[Divergence] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


# --- comparison ---------------------------------------------------------------------------------------------


def _nonzero(resources: dict | None) -> dict[str, float]:
    return {str(k): v for k, v in (resources or {}).items() if v != 0}


def _orientation(value) -> tuple[float, ...] | None:
    if value is None:
        return None
    return tuple(float(v) for v in value)


def compare_state(
    expected: TickState,
    sprites: Sequence[tuple[int, str, int, int]],
    avatar: dict | None,
    score: float | None = None,
    winner: int | None = None,
    game_over: bool | None = None,
) -> list[tuple[str, Any, Any, int | None, str | None]]:
    """Every difference between GVGAI's state and the engine's, sprites first (by id), then the avatar, then
    score, winner and game over (those three are skipped when None).

    Returns:
        ``[(field, expected, got, sprite_id, sprite_type), ...]``; empty when the states agree.
    """
    diffs: list[tuple[str, Any, Any, int | None, str | None]] = []
    got_sprites = {int(sid): (str(typ), int(x), int(y)) for sid, typ, x, y in sprites}
    want = expected.sprites
    for sid in sorted(set(want) | set(got_sprites)):
        w, g = want.get(sid), got_sprites.get(sid)
        if w == g:
            continue
        if w is None:
            diffs.append(("sprite", "absent", f"alive {g[0]} at ({g[1]}, {g[2]})", sid, g[0]))
        elif g is None:
            diffs.append(("sprite", f"alive {w[0]} at ({w[1]}, {w[2]})", "absent", sid, w[0]))
        else:
            for name, a, b in (("type", w[0], g[0]), ("x", w[1], g[1]), ("y", w[2], g[2])):
                if a != b:
                    diffs.append((name, a, b, sid, w[0]))
    av = expected.avatar
    if avatar is None:
        diffs.append(("avatar", f"avatar {av.id}", None, None, None))
    else:
        pairs = (
            ("x", av.x, avatar.get("x")),
            ("y", av.y, avatar.get("y")),
            ("orientation", _orientation(av.orientation), _orientation(avatar.get("orientation"))),
            ("resources", _nonzero(av.resources), _nonzero(avatar.get("resources"))),
            ("id", av.id, avatar.get("id")),
            ("type", av.type, avatar.get("type")),
            ("hp", av.hp, avatar.get("hp")),
            ("disabled", av.disabled, avatar.get("disabled")),
        )
        for name, a, b in pairs:
            if name in ("x", "y", "id", "hp") and b is not None:
                b = int(b)
            if name == "disabled" and b is not None:
                b = bool(b)
            if a != b:
                diffs.append((f"avatar.{name}", a, b, None, None))
    if score is not None and float(score) != expected.score:
        diffs.append(("score", expected.score, float(score), None, None))
    if winner is not None and int(winner) != expected.winner:
        diffs.append(("winner", expected.winner, int(winner), None, None))
    if game_over is not None and bool(game_over) != expected.game_over:
        diffs.append(("game_over", expected.game_over, bool(game_over), None, None))
    return diffs


def _divergence(path: Path, state: TickState, diffs) -> Divergence:
    field_, exp, got, sid, styp = diffs[0]
    details = []
    for f, e, g, i, t in diffs[:_MAX_DETAILS]:
        where = f"sprite {i} ({t}) {f}" if i is not None else f
        details.append(f"{where}: expected {e!r}, got {g!r}")
    return Divergence(
        trace=path,
        tick=state.tick,
        field=field_,
        expected=exp,
        got=got,
        sprite_id=sid,
        sprite_type=styp,
        action=state.action_name,
        details=tuple(details),
        n_differences=len(diffs),
    )


# --- replay -------------------------------------------------------------------------------------------------


def _step_value(result, name: str):
    value = getattr(result, name, None)
    if value is None:
        return None
    try:
        return value[0]
    except (TypeError, IndexError):
        return value


def replay_on_engine(
    path: str | Path,
    engine,
    level,
    action_names: Sequence[str],
    *,
    max_ticks: int | None = None,
    applied_actions: bool = False,
) -> Divergence | None:
    """Replay one trace on a one-environment engine; the first divergence, or None when every tick agrees.

    Args:
        path: the trace.
        engine: an object with the :class:`~ppcg.engine.BatchEngine` methods ``reset(levels, seeds)``,
            ``step(actions)`` (a result with ``score``, ``winner``, ``terminated`` arrays), ``sprites(0)`` and
            ``avatar(0)``.
        level: the trace's level.
        action_names: the engine's Gym action names (``CompiledGame.action_names``).
        max_ticks: stop after this many ticks (None: the whole trace).
        applied_actions: step the action GVGAI applied (``applied_action``: NIL when the avatar lacked the
            drawn action or was disabled) instead of the drawn one. Off by default: the engine is expected to
            make that replacement itself, as GVGAI does.
    """
    import numpy as np

    path = Path(path)
    header, ticks = read_trace(path, copy=False)
    mapping = action_index_map(header.actions, action_names)
    nil = list(action_names).index("NIL")
    state = next(ticks)
    try:
        engine.reset([level], [header.game_seed])
        diffs = compare_state(state, engine.sprites(0), engine.avatar(0))
    except Exception as exc:  # noqa: BLE001 - an engine crash is a divergence, not a crash of the tool
        return Divergence(path, 0, "exception", None, f"{type(exc).__name__}: {exc}")
    if diffs:
        return _divergence(path, state, diffs)
    for state in ticks:
        if max_ticks is not None and state.tick > max_ticks:
            break
        action = mapping[state.action]
        if applied_actions and state.applied_action != NOT_APPLIED:
            action = (
                nil
                if state.applied_action in (None, "ACTION_NIL")
                else mapping[header.actions.index(state.applied_action)]
            )
        try:
            result = engine.step(np.array([action], dtype=np.int64))
            diffs = compare_state(
                state,
                engine.sprites(0),
                engine.avatar(0),
                score=_step_value(result, "score"),
                winner=_step_value(result, "winner"),
                game_over=_step_value(result, "terminated"),
            )
        except Exception as exc:  # noqa: BLE001
            return Divergence(
                path, state.tick, "exception", None, f"{type(exc).__name__}: {exc}", action=state.action_name
            )
        if diffs:
            return _divergence(path, state, diffs)
    return None


def replay_trace(
    path: str | Path,
    game_spec,
    level,
    *,
    compiled=None,
    max_ticks: int | None = None,
    applied_actions: bool = False,
) -> Divergence | None:
    """Replay one trace against a fresh one-environment engine for ``game_spec``.

    Args:
        path: the trace file.
        game_spec: the game (a :class:`~ppcg.vgdl.GameSpec`).
        level: the trace's level (a :class:`~ppcg.vgdl.Level`).
        compiled: ``compile_game(game_spec)`` when the caller already has it (compile once per game).
        max_ticks: stop after this many ticks.
        applied_actions: see :func:`replay_on_engine`.

    Returns:
        The first divergence, or None when the engine reproduces the trace.

    Raises:
        VGDLUnsupportedError: the engine does not implement a feature the game uses.
    """
    from ppcg.engine import BatchEngine, compile_game
    from ppcg.engine.coverage import numba_threads

    if compiled is None:
        compiled = compile_game(game_spec)
    engine = BatchEngine(compiled, 1, obs_type=None)
    with numba_threads(1):  # one environment: threads only add overhead (a lot of it on a busy machine)
        return replay_on_engine(
            path, engine, level, compiled.action_names, max_ticks=max_ticks, applied_actions=applied_actions
        )


# --- whole folders ------------------------------------------------------------------------------------------


def _load_status(exc: BaseException, build_log: Sequence[str]) -> tuple[str, str]:
    """A loading failure's status: GVGAI's own log decides whether GVGAI could not run the game either."""
    from ppcg.engine.coverage import describe_error
    from ppcg.vgdl.errors import VGDLError, VGDLUnsupportedError

    status, detail = describe_error(exc)
    if isinstance(exc, VGDLError) and not isinstance(exc, VGDLUnsupportedError) and build_log:
        # GVGAI logged a problem with this game too (invest: an effect GVGAI does not know).
        return "gvgai", f"{_short(exc.message, 80)} (GVGAI logged: {_short(build_log[0], 80)})"
    if status == "gvgai":  # GVGAI ran it without complaint, so the failure is ours
        status = "error"
    return status, detail


def _short(text: str, n: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def check_games(
    trace_dir: str | Path,
    game_dir: str | Path,
    games: Sequence[str] | None = None,
    *,
    max_ticks: int | None = None,
    applied_actions: bool = False,
    progress=None,
) -> list[GameReport]:
    """Replay every trace of every (selected) game; one :class:`GameReport` per game, in name order.

    Nothing raised by loading, compiling or stepping a game escapes: it becomes that game's status.
    """
    from ppcg.engine.coverage import find_game

    reports = []
    for game, paths in trace_files(trace_dir, games).items():
        start = time.perf_counter()
        rep = GameReport(game=game, status="identical", n_traces=len(paths))
        try:
            game_path, level_paths = find_game(game_dir, game)
        except FileNotFoundError as exc:
            rep.status, rep.detail = "no-game", str(exc)
            reports.append(rep)
            continue
        build_log = read_header(paths[0]).build_log
        try:
            spec, compiled = _load_and_compile(game_path)
        except Exception as exc:  # noqa: BLE001 - reported, never raised past the table
            rep.status, rep.detail = _load_status(exc, build_log)
            rep.seconds = time.perf_counter() - start
            reports.append(rep)
            if progress:
                progress(rep)
            continue
        for path in paths:
            try:
                level = _load_level(level_paths, read_header(path).level, spec, path)
                div = replay_trace(
                    path, spec, level, compiled=compiled, max_ticks=max_ticks, applied_actions=applied_actions
                )
            except Exception as exc:  # noqa: BLE001
                div = Divergence(Path(path), 0, "exception", None, f"{type(exc).__name__}: {exc}")
            if div is None:
                rep.n_identical += 1
            else:
                rep.divergences.append(div)
        note = _type_order_note(getattr(compiled, "type_names", None), read_header(paths[0]).sprite_types)
        if note:
            rep.notes.append(note)
        if rep.divergences:
            rep.first = rep.divergences[0]
            rep.status = "diverges"
            rep.detail = str(rep.first)
        rep.seconds = time.perf_counter() - start
        reports.append(rep)
        if progress:
            progress(rep)
    return reports


def _type_order_note(ours: Sequence[str] | None, gvgai: Sequence[str]) -> str:
    """A note when the engine's type order (which drives the update order) is not GVGAI's itype order."""
    if ours is None or list(ours) == list(gvgai):
        return ""
    for k, (a, b) in enumerate(zip(ours, gvgai, strict=False)):
        if a != b:
            return f"type order differs from GVGAI's at index {k}: {a!r} instead of {b!r}"
    return f"type order differs from GVGAI's: {len(ours)} types instead of {len(gvgai)}"


def _load_and_compile(game_path: Path):
    import warnings

    from ppcg.engine import compile_game
    from ppcg.vgdl.parser import load_game

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = load_game(str(game_path))
    return spec, compile_game(spec)


def _load_level(level_paths: dict[int, Path], number: int, spec, trace: Path):
    import warnings

    from ppcg.vgdl.level import load_level

    if number not in level_paths:
        raise FileNotFoundError(f"level {number} not found for {trace.name}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_level(level_paths[number], spec)


def _rows(reports: Sequence[GameReport]) -> list[tuple[str, str, str, str]]:
    rows = [("game", "identical", "status", "first divergence / reason")]
    for r in reports:
        ident = f"{r.n_identical}/{r.n_traces}" if r.status in ("identical", "diverges") else "-"
        rows.append((r.game, ident, STATUS_WORDS[r.status], r.detail))
    return rows


def summary_line(reports: Sequence[GameReport]) -> str:
    """``9/90 games identical; 78/760 traces identical; missing features: 80, ...``."""
    counts = {s: sum(r.status == s for r in reports) for s in STATUS_WORDS}
    n_tr = sum(r.n_traces for r in reports)
    n_id = sum(r.n_identical for r in reports)
    others = ", ".join(f"{STATUS_WORDS[s]}: {n}" for s, n in counts.items() if n and s != "identical")
    return f"{counts['identical']}/{len(reports)} games identical; {n_id}/{n_tr} traces identical" + (
        f"; {others}" if others else ""
    )


def format_markdown(reports: Sequence[GameReport], *, note: str | None = None) -> str:
    """The report as a Markdown table with a summary line (for ``--out``)."""
    rows = [tuple(c.replace("|", "\\|") for c in row) for row in _rows(reports)]
    out = ["# Conformance with GVGAI", ""] + ([note, ""] if note else [])
    out.append("| " + " | ".join(rows[0]) + " |")
    out.append("|---|---:|---|---|")
    out += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join([*out, "", summary_line(reports), ""])


def format_table(reports: Sequence[GameReport]) -> str:
    """A plain-text table (game, traces identical, status, first divergence or reason) and a summary line."""
    rows = _rows(reports)
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3])
        if k == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 26)
    return "\n".join(lines) + "\n\n" + summary_line(reports)


# --- CLI ----------------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``ppcg conformance``."""
    parser.add_argument("trace_dir", metavar="TRACE_DIR", help="folder of GVGAI traces (with index.jsonl)")
    parser.add_argument(
        "--games",
        required=True,
        metavar="GAME_DIR",
        help="folder with <game>.txt and <game>_lvl<N>.txt (GVGAI's gridphysics layout)",
    )
    parser.add_argument(
        "--game", action="append", default=None, metavar="NAME", help="replay only this game (repeatable)"
    )
    parser.add_argument(
        "--max-ticks", type=int, default=None, metavar="N", help="compare at most N ticks per trace"
    )
    parser.add_argument(
        "--applied-actions",
        action="store_true",
        help="step the action GVGAI applied (NIL where the avatar lacked it) instead of the drawn one",
    )
    parser.add_argument(
        "--out", type=Path, default=None, metavar="FILE", help="also write the table as Markdown"
    )
    parser.add_argument(
        "--all-divergences",
        action="store_true",
        help="list the first divergence of every diverging trace, not only of each game",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``ppcg conformance``; exit status 0 whatever the results (2 on bad arguments)."""
    from ppcg.cli import CLIError

    trace_dir, game_dir = Path(args.trace_dir), Path(args.games)
    if not trace_dir.is_dir():
        raise CLIError(f"trace folder not found: {trace_dir}")
    if not game_dir.is_dir():
        raise CLIError(f"game folder not found: {game_dir}")
    if args.max_ticks is not None and args.max_ticks < 0:
        raise CLIError(f"--max-ticks must be >= 0, got {args.max_ticks}")
    available = trace_files(trace_dir)
    if not available:
        raise CLIError(f"no traces in {trace_dir}")
    if args.game:
        unknown = [g for g in args.game if g not in available]
        if unknown:
            raise CLIError(f"no traces for {', '.join(unknown)} in {trace_dir}")

    def progress(rep: GameReport) -> None:
        tail = (
            f"{rep.n_identical}/{rep.n_traces} identical"
            if rep.status in ("identical", "diverges")
            else STATUS_WORDS[rep.status]
        )
        print(f"  {rep.game}: {tail} ({rep.seconds:.1f} s)", flush=True)

    reports = check_games(
        trace_dir,
        game_dir,
        args.game,
        max_ticks=args.max_ticks,
        applied_actions=args.applied_actions,
        progress=progress,
    )
    print()
    print(format_table(reports))
    notes = [f"{rep.game}: {note}" for rep in reports for note in rep.notes]
    if notes:
        print()
        print("\n".join(notes))
    if args.out:
        note = (
            f"`ppcg conformance {trace_dir.name} --games {game_dir.name}`"
            + (f" `--max-ticks {args.max_ticks}`" if args.max_ticks is not None else "")
            + ": GVGAI's own traces (block size 10, game seeds 0 and 1, seeded random actions) replayed "
            "on the engine; a game is identical when every sprite's type and pixel position, the score, the "
            "winner and the avatar's state agree at every tick of every trace."
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(format_markdown(reports, note=note), encoding="utf-8")
        print(f"wrote {args.out}")
    if args.all_divergences:
        print()
        for rep in reports:
            for div in rep.divergences:
                print(div)
                for d in div.details[1:]:
                    print(f"    also: {d}")
    return 0
