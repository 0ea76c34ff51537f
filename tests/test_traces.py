"""``ppcg.engine.traces``: the delta decoding, checked against the redundant fields of GVGAI's own traces."""

from __future__ import annotations

import json

import pytest

from ppcg.engine.traces import (
    NOT_APPLIED,
    TraceError,
    action_index_map,
    count_types,
    gym_action_name,
    iter_ticks,
    read_header,
    read_index,
    read_trace,
    trace_files,
)

HEADER = {
    "game": "tiny",
    "level_file": "tiny_lvl2.txt",
    "block_size": 10,
    "width": 3,
    "height": 1,
    "game_seed": 1,
    "action_seed": 1001,
    "max_ticks": 500,
    "encoding": "delta",
    "actions": ["ACTION_LEFT", "ACTION_RIGHT", "ACTION_NIL"],
    "sprite_types": ["wall", "avatar", "box"],
    "build_log": [],
}
TICK0 = {
    "tick": 0,
    "score": 0,
    "winner": "NO_WINNER",
    "game_over": False,
    "avatar_x": 10,
    "avatar_y": 0,
    "avatar_orientation": [0, 0],
    "avatar_resources": {},
    "avatar_id": 1,
    "avatar_type": "avatar",
    "avatar_hp": 0,
    "avatar_disabled": False,
    "logged": 0,
    "counts": {"box": 1, "avatar": 1},
    "sprites": [[0, "box", 0, 0], [1, "avatar", 10, 0]],
}


def _write(tmp_path, lines, name="tiny_lvl2_s1.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(obj, separators=(",", ":")) + "\n" for obj in lines))
    return path


def test_delta_decoding_of_a_tiny_trace(tmp_path):
    path = _write(
        tmp_path,
        [
            HEADER,
            TICK0,
            # the box (id 0) is removed and a new one (id 2) appears; the avatar moves left; the score changes
            {
                "tick": 1,
                "action": 0,
                "action_name": "ACTION_LEFT",
                "score": 1,
                "avatar_x": 0,
                "avatar_orientation": [-1, 0],
                "counts": {"box": 1, "avatar": 1},
                "moved_or_new": [[1, "avatar", 0, 0], [2, "box", 20, 0]],
                "removed": [0],
            },
            # nothing changes but the game ends in a loss; the avatar is disabled and leaves the sprite set
            {
                "tick": 2,
                "action": 1,
                "action_name": "ACTION_RIGHT",
                "applied_action": None,
                "winner": "PLAYER_LOSES",
                "game_over": True,
                "avatar_disabled": True,
                "counts": {"box": 1},
                "moved_or_new": [],
                "removed": [1],
            },
        ],
    )
    header, ticks = read_trace(path)
    assert header.game == "tiny" and header.level == 2 and header.actions[-1] == "ACTION_NIL"
    states = list(ticks)
    assert [s.tick for s in states] == [0, 1, 2]
    s0, s1, s2 = states
    assert s0.sprites == {0: ("box", 0, 0), 1: ("avatar", 10, 0)} and s0.action is None
    assert s1.sprites == {1: ("avatar", 0, 0), 2: ("box", 20, 0)}
    assert (s1.score, s1.winner, s1.game_over, s1.action_name) == (1.0, 0, False, "ACTION_LEFT")
    assert s1.avatar.x == 0 and s1.avatar.orientation == (-1, 0) and s1.applied_action == NOT_APPLIED
    assert s2.sprites == {2: ("box", 20, 0)}
    assert (s2.score, s2.winner, s2.game_over) == (1.0, -1, True)  # score carried over from tick 1
    assert s2.avatar.disabled and s2.avatar.x == 0 and s2.applied_action is None
    assert s0.sprites == {0: ("box", 0, 0), 1: ("avatar", 10, 0)}  # copies: later ticks did not change it
    for s in states:
        assert count_types(s.sprites) == s.counts


def test_shared_dict_mode(tmp_path):
    path = _write(
        tmp_path,
        [
            HEADER,
            TICK0,
            {"tick": 1, "action": 2, "action_name": "ACTION_NIL", "moved_or_new": [], "removed": [0]},
        ],
    )
    states = list(iter_ticks(path, copy=False))
    assert states[0].sprites is states[1].sprites == {1: ("avatar", 10, 0)}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([HEADER, TICK0, {"tick": 2, "action": 0, "moved_or_new": [], "removed": []}], ":3: expected tick 1"),
        ([HEADER, TICK0, {"tick": 1, "action": 0, "moved_or_new": [], "removed": [7]}], "sprite 7"),
        ([HEADER, {k: v for k, v in TICK0.items() if k != "score"}], "lacks the fields score"),
        ([HEADER, {k: v for k, v in TICK0.items() if k != "sprites"}], "full tick-0 state"),
        ([{k: v for k, v in HEADER.items() if k != "actions"}, TICK0], "header lacks the field 'actions'"),
        ([{**HEADER, "encoding": "full"}, TICK0], "unsupported encoding"),
    ],
)
def test_malformed_traces_name_file_and_line(tmp_path, lines, message):
    path = _write(tmp_path, lines)
    with pytest.raises(TraceError, match=message):
        list(iter_ticks(path))


def test_not_json(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(HEADER) + "\n{not json\n")
    with pytest.raises(TraceError, match=r"bad.jsonl:2: not valid JSON"):
        list(iter_ticks(path))


def test_action_index_map():
    zelda = ["ACTION_USE", "ACTION_LEFT", "ACTION_RIGHT", "ACTION_DOWN", "ACTION_UP", "ACTION_NIL"]
    gym = ["NIL", "USE", "LEFT", "RIGHT", "DOWN", "UP"]
    assert action_index_map(zelda, gym) == [1, 2, 3, 4, 5, 0]
    assert [gym[i] for i in action_index_map(zelda, gym)] == [gym_action_name(a) for a in zelda]
    with pytest.raises(ValueError, match="ACTION_USE"):
        action_index_map(zelda, ["NIL", "LEFT", "RIGHT", "DOWN", "UP"])


def test_zelda_trace_known_facts(traces_dir):
    header, ticks = read_trace(traces_dir / "zelda" / "zelda_lvl0_s0.jsonl")
    assert (header.width, header.height, header.game_seed, header.action_seed) == (13, 9, 0, 1000)
    assert header.sprite_types[:2] == ("wall", "avatar") and header.level == 0
    states = [s for _, s in zip(range(4), ticks, strict=False)]
    s0 = states[0]
    assert s0.sprites[15] == ("nokey", 10, 10) and s0.avatar.id == 15 and s0.avatar.orientation == (1, 0)
    # tick 1: LEFT only turns the avatar (rotateInPlace); tick 3: USE spawns the sword one cell ahead (left)
    assert states[1].action_name == "ACTION_LEFT" and states[1].avatar.orientation == (-1, 0)
    assert states[1].avatar.x == 10
    assert states[3].action_name == "ACTION_USE" and states[3].sprites[123] == ("sword", 0, 10)


def test_every_trace_is_self_consistent(traces_dir):
    """All 760 traces: at every tick the sprite set matches ``counts`` and the live avatar's fields; the last
    tick matches ``index.jsonl`` (tick count, end, score, winner)."""
    index = {e.file: e for e in read_index(traces_dir)}
    files = trace_files(traces_dir)
    assert sum(map(len, files.values())) == len(index) == 760
    assert len(files) == 90
    winners = {"NO_WINNER": 0, "PLAYER_WINS": 1, "PLAYER_LOSES": -1}
    for game, paths in files.items():
        for path in paths:
            header, ticks = read_trace(path, copy=False)
            assert header.game == game
            last = None
            for state in ticks:
                assert count_types(state.sprites) == state.counts, (path.name, state.tick)
                av = state.avatar
                if not av.disabled:
                    assert state.sprites[av.id] == (av.type, av.x, av.y), (path.name, state.tick)
                else:
                    assert av.id not in state.sprites
                last = state
            entry = index[path.relative_to(traces_dir).as_posix()]
            assert (last.tick, last.game_over) == (entry.ticks, entry.end == "game_over"), path.name
            assert (last.score, last.winner) == (entry.final_score, winners[entry.final_winner]), path.name


def test_trace_files_filter_and_header(traces_dir):
    files = trace_files(traces_dir, games=["frogs", "nosuchgame"])
    assert list(files) == ["frogs"] and len(files["frogs"]) == 10
    assert read_header(files["frogs"][0]).actions[-1] == "ACTION_NIL"


def test_trace_files_without_index(tmp_path):
    (tmp_path / "tiny").mkdir()
    _write(tmp_path / "tiny", [HEADER, TICK0])
    assert trace_files(tmp_path) == {"tiny": [tmp_path / "tiny" / "tiny_lvl2_s1.jsonl"]}
