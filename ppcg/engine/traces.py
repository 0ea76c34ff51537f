"""Read GVGAI's reference traces (``../shared/vgdl-traces``): delta-encoded JSON Lines, one state per tick.

A trace file has a header line, a full tick-0 line, then one line per game cycle carrying only what changed
(``removed`` sprite ids, ``moved_or_new`` sprites, and the state fields whose value differs from the previous
line). :func:`read_trace` undoes the delta encoding and yields every tick's full state, lazily:

>>> header, ticks = read_trace("zelda/zelda_lvl0_s0.jsonl")      # doctest: +SKIP
>>> for state in ticks:                                          # doctest: +SKIP
...     state.tick, state.score, state.sprites[15]               # (tick, score, (type, x, y))

Action names in a header are GVGAI's (``ACTION_USE`` ... ``ACTION_NIL`` last); :func:`action_index_map`
translates them to the engine's Gym indices (``"NIL"`` first). ``index.jsonl`` (one line per trace) is read by
:func:`read_index`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "WINNER_CODES",
    "NOT_APPLIED",
    "TraceError",
    "TraceHeader",
    "AvatarState",
    "TickState",
    "IndexEntry",
    "read_header",
    "read_trace",
    "iter_ticks",
    "read_index",
    "trace_files",
    "action_index_map",
    "gym_action_name",
    "count_types",
]

# GVGAI's Types.WINNER -> the engine's int8 winner code.
WINNER_CODES: dict[str, int] = {
    "NO_WINNER": 0,
    "PLAYER_WINS": 1,
    "PLAYER_LOSES": -1,
}

# Sentinel: the tick line has no ``applied_action`` (GVGAI applied the drawn action).
NOT_APPLIED = "<as drawn>"

_STATE_FIELDS = (
    "score",
    "winner",
    "game_over",
    "avatar_x",
    "avatar_y",
    "avatar_orientation",
    "avatar_resources",
    "avatar_id",
    "avatar_type",
    "avatar_hp",
    "avatar_disabled",
    "logged",
    "counts",
)


class TraceError(ValueError):
    """A trace file that does not follow the format (file and line in the message)."""


@dataclass(frozen=True)
class TraceHeader:
    """Line 1 of a trace.

    Attributes:
        path: the trace file.
        game: game name, e.g. ``"zelda"``.
        level_file: the level's file name, e.g. ``"zelda_lvl0.txt"``.
        block_size: pixels per cell (10).
        width, height: level size in cells.
        game_seed, action_seed: S and A = 1000 + S.
        max_ticks: 500.
        actions: GVGAI's action names in ``getAvailableActions(true)`` order, ``ACTION_NIL`` last.
        sprite_types: type names by GVGAI itype (``wall``, ``avatar``, then registration order, parents
            included).
        build_log: messages GVGAI logged while parsing and building.
    """

    path: Path
    game: str
    level_file: str
    block_size: int
    width: int
    height: int
    game_seed: int
    action_seed: int
    max_ticks: int
    actions: tuple[str, ...]
    sprite_types: tuple[str, ...]
    build_log: tuple[str, ...] = ()

    @property
    def level(self) -> int:
        """The level number, from ``level_file`` (``zelda_lvl3.txt`` -> 3)."""
        stem = Path(self.level_file).stem
        return int(stem.rsplit("_lvl", 1)[1])


@dataclass(frozen=True)
class AvatarState:
    """The avatar fields of a tick (the avatar keeps being described after it is disabled)."""

    x: int
    y: int
    orientation: tuple[float, float]
    resources: dict[str, int]
    id: int
    type: str
    hp: int
    disabled: bool


@dataclass(frozen=True)
class TickState:
    """The full state after ``tick`` game cycles.

    Attributes:
        tick: 0 for the state after the level is built, t after t cycles.
        action: the drawn index into the header's ``actions`` (None at tick 0).
        action_name: its name (None at tick 0).
        applied_action: :data:`NOT_APPLIED` when GVGAI applied the drawn action; otherwise the action it
            applied (``"ACTION_NIL"`` when the avatar lacked the drawn action, None when the avatar was
            disabled).
        sprites: ``{id: (type, x, y)}`` for every live, non-disabled sprite.
        score: the raw score (before GVGAI's end-of-game win adjustment).
        winner: 1 win, -1 loss, 0 none (:data:`WINNER_CODES`).
        game_over: whether the game has ended.
        avatar: the avatar fields.
        logged: GVGAI logger message count.
        counts: ``{leaf type: live sprites}``, redundant with ``sprites`` (a self-check: :func:`count_types`).
    """

    tick: int
    action: int | None
    action_name: str | None
    applied_action: str | None
    sprites: dict[int, tuple[str, int, int]]
    score: float
    winner: int
    game_over: bool
    avatar: AvatarState
    logged: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexEntry:
    """One line of ``index.jsonl``."""

    file: str
    game: str
    level: int
    game_seed: int
    action_seed: int
    ticks: int
    end: str
    final_score: float
    final_winner: str
    logged: int
    bytes: int


def _loads(line: str, path: Path, lineno: int) -> dict:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise TraceError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise TraceError(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}")
    return obj


def _header(obj: dict, path: Path) -> TraceHeader:
    try:
        if obj.get("encoding", "delta") != "delta":
            raise TraceError(f"{path}:1: unsupported encoding {obj['encoding']!r} (expected 'delta')")
        return TraceHeader(
            path=path,
            game=str(obj["game"]),
            level_file=str(obj["level_file"]),
            block_size=int(obj["block_size"]),
            width=int(obj["width"]),
            height=int(obj["height"]),
            game_seed=int(obj["game_seed"]),
            action_seed=int(obj["action_seed"]),
            max_ticks=int(obj["max_ticks"]),
            actions=tuple(obj["actions"]),
            sprite_types=tuple(obj["sprite_types"]),
            build_log=tuple(str(m) for m in obj.get("build_log", ())),
        )
    except KeyError as exc:
        raise TraceError(f"{path}:1: header lacks the field {exc.args[0]!r}") from None


def read_header(path: str | Path) -> TraceHeader:
    """Only the header of a trace file (reads one line)."""
    path = Path(path)
    with path.open("r", encoding="utf-8") as fh:
        return _header(_loads(fh.readline(), path, 1), path)


def read_trace(path: str | Path, *, copy: bool = True) -> tuple[TraceHeader, Iterator[TickState]]:
    """The header and a lazy iterator over every tick's full state (tick 0 first).

    Args:
        path: a ``.jsonl`` trace.
        copy: give every :class:`TickState` its own ``sprites`` dict. With False, all states share one dict
            that the next tick updates in place (faster; fine when each state is used before advancing).

    Raises:
        TraceError: the file does not follow the format.
    """
    path = Path(path)
    fh = path.open("r", encoding="utf-8")
    try:
        header = _header(_loads(fh.readline(), path, 1), path)
    except Exception:
        fh.close()
        raise
    return header, _iter_states(fh, path, copy)


def iter_ticks(path: str | Path, *, copy: bool = True) -> Iterator[TickState]:
    """Every tick's full state of a trace (the header skipped)."""
    return read_trace(path, copy=copy)[1]


def _iter_states(fh, path: Path, copy: bool) -> Iterator[TickState]:
    with fh:
        line = fh.readline()
        if not line:
            raise TraceError(f"{path}:2: missing the tick-0 line")
        first = _loads(line, path, 2)
        if first.get("tick") != 0 or "sprites" not in first:
            raise TraceError(f"{path}:2: expected the full tick-0 state with 'sprites'")
        missing = [f for f in _STATE_FIELDS if f not in first]
        if missing:
            raise TraceError(f"{path}:2: tick 0 lacks the fields {', '.join(missing)}")
        state = {f: first[f] for f in _STATE_FIELDS}
        sprites: dict[int, tuple[str, int, int]] = {}
        for entry in first["sprites"]:
            sid, typ, x, y = entry
            sprites[int(sid)] = (typ, int(x), int(y))
        yield _make(0, None, None, NOT_APPLIED, sprites, state, copy)
        prev_tick = 0
        for lineno, line in enumerate(fh, start=3):
            if not line.strip():
                continue
            obj = _loads(line, path, lineno)
            tick = obj.get("tick")
            if tick != prev_tick + 1:
                raise TraceError(f"{path}:{lineno}: expected tick {prev_tick + 1}, got {tick!r}")
            prev_tick = tick
            for sid in obj.get("removed", ()):
                if sprites.pop(int(sid), None) is None:
                    raise TraceError(f"{path}:{lineno}: tick {tick} removes sprite {sid}, which is not alive")
            for entry in obj.get("moved_or_new", ()):
                sid, typ, x, y = entry
                sprites[int(sid)] = (typ, int(x), int(y))
            for f in _STATE_FIELDS:
                if f in obj:
                    state[f] = obj[f]
            applied = obj["applied_action"] if "applied_action" in obj else NOT_APPLIED
            yield _make(tick, obj.get("action"), obj.get("action_name"), applied, sprites, state, copy)


def _make(tick, action, action_name, applied, sprites, state, copy) -> TickState:
    orientation = state["avatar_orientation"]
    avatar = AvatarState(
        x=state["avatar_x"],
        y=state["avatar_y"],
        orientation=tuple(orientation) if orientation is not None else None,
        resources=dict(state["avatar_resources"] or {}),
        id=state["avatar_id"],
        type=state["avatar_type"],
        hp=state["avatar_hp"],
        disabled=bool(state["avatar_disabled"]),
    )
    return TickState(
        tick=tick,
        action=action,
        action_name=action_name,
        applied_action=applied,
        sprites=dict(sprites) if copy else sprites,
        score=float(state["score"]),
        winner=WINNER_CODES[state["winner"]],
        game_over=bool(state["game_over"]),
        avatar=avatar,
        logged=int(state["logged"]),
        counts=dict(state["counts"]),
    )


def count_types(sprites: dict[int, tuple[str, int, int]]) -> dict[str, int]:
    """``{type: number of sprites}`` over a sprite set (what a tick's ``counts`` field must equal)."""
    return dict(Counter(typ for typ, _, _ in sprites.values()))


def read_index(trace_dir: str | Path) -> list[IndexEntry]:
    """The entries of ``TRACE_DIR/index.jsonl``, in file order."""
    path = Path(trace_dir) / "index.jsonl"
    out = []
    with path.open("r", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            obj = _loads(line, path, lineno)
            try:
                out.append(IndexEntry(**{f: obj[f] for f in IndexEntry.__dataclass_fields__}))
            except KeyError as exc:
                raise TraceError(f"{path}:{lineno}: index entry lacks the field {exc.args[0]!r}") from None
    return out


def trace_files(trace_dir: str | Path, games: Sequence[str] | None = None) -> dict[str, list[Path]]:
    """``{game: [trace paths]}`` for a trace folder, sorted by game then file name.

    Uses ``index.jsonl`` when present, otherwise every ``*/*.jsonl`` (and ``*.jsonl`` directly in the folder,
    for a folder of loose traces). ``games`` restricts the result (unknown names are simply absent).
    """
    root = Path(trace_dir)
    found: dict[str, list[Path]] = {}
    if (root / "index.jsonl").is_file():
        for entry in read_index(root):
            found.setdefault(entry.game, []).append(root / entry.file)
    else:
        for p in sorted(root.glob("*/*.jsonl")) + sorted(root.glob("*.jsonl")):
            if p.name == "index.jsonl":
                continue
            found.setdefault(read_header(p).game, []).append(p)
    wanted = set(games) if games else None
    return {g: sorted(ps) for g, ps in sorted(found.items()) if wanted is None or g in wanted}


def gym_action_name(gvgai_name: str) -> str:
    """``"ACTION_LEFT"`` -> ``"LEFT"``; ``"ACTION_NIL"`` -> ``"NIL"``."""
    return gvgai_name[len("ACTION_") :] if gvgai_name.startswith("ACTION_") else gvgai_name


def action_index_map(header_actions: Sequence[str], action_names: Sequence[str]) -> list[int]:
    """For each index of a trace header's action list, the engine's action index.

    Args:
        header_actions: GVGAI's names, e.g. ``["ACTION_USE", "ACTION_LEFT", ..., "ACTION_NIL"]``.
        action_names: the engine's Gym names, e.g. ``CompiledGame.action_names`` = ``["NIL", "USE", "LEFT",
            ...]``.

    Raises:
        ValueError: a trace action the engine does not offer.
    """
    index = {name: i for i, name in enumerate(action_names)}
    out = []
    for name in header_actions:
        gym = gym_action_name(name)
        if gym not in index:
            raise ValueError(f"trace action {name!r} is not among the engine's actions {list(action_names)}")
        out.append(index[gym])
    return out
