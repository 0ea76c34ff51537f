"""``ppcg.engine.conformance``: the replay logic (with a stand-in engine that plays a trace back), the
command's plumbing, and the real thing: the engine against GVGAI's traces of the four paper games."""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pytest

from ppcg.engine import conformance
from ppcg.engine.conformance import Divergence, check_games, format_table, replay_on_engine
from ppcg.engine.traces import action_index_map, gym_action_name, iter_ticks, read_header, trace_files

PAPER_GAMES = ["zelda", "solarfox", "frogs", "boulderdash"]
GYM_ACTIONS = ["NIL", "USE", "LEFT", "RIGHT", "DOWN", "UP"]


class PlaybackEngine:
    """Plays a trace back: what an exact engine reports. ``corrupt(tick, sprites, avatar, result)`` may change
    the reported state in place; ``fail_at`` makes ``step`` raise at that tick. Records the actions it was
    given."""

    def __init__(self, path: Path, action_names=GYM_ACTIONS, corrupt=None, fail_at=None):
        self.path, self.action_names, self.corrupt, self.fail_at = path, action_names, corrupt, fail_at
        self.actions: list[str] = []

    def reset(self, levels, seeds):
        assert len(levels) == len(seeds) == 1
        self.seed = seeds[0]
        self._ticks = iter_ticks(self.path)
        self._publish(next(self._ticks), None)

    def step(self, actions):
        state = next(self._ticks)
        if self.fail_at == state.tick:
            raise RuntimeError("kernel exploded")
        self.actions.append(self.action_names[int(actions[0])])
        result = types.SimpleNamespace(
            score=np.array([state.score]),
            winner=np.array([state.winner], np.int8),
            terminated=np.array([state.game_over]),
            truncated=np.array([False]),
        )
        self._publish(state, result)
        return result

    def _publish(self, state, result):
        av = state.avatar
        self._sprites = [(i, t, x, y) for i, (t, x, y) in sorted(state.sprites.items())]
        self._avatar = {
            "x": av.x,
            "y": av.y,
            "orientation": tuple(float(v) for v in av.orientation),
            "resources": dict(av.resources),
            "id": av.id,
            "type": av.type,
            "hp": av.hp,
            "disabled": av.disabled,
        }
        if self.corrupt:
            self.corrupt(state.tick, self._sprites, self._avatar, result)

    def sprites(self, i):
        return list(self._sprites)

    def avatar(self, i):
        return dict(self._avatar)


def _zelda(traces_dir):
    return traces_dir / "zelda" / "zelda_lvl0_s0.jsonl"


def test_exact_playback_is_identical_and_gets_the_trace_actions(traces_dir):
    path = _zelda(traces_dir)
    engine = PlaybackEngine(path)
    assert replay_on_engine(path, engine, level=None, action_names=GYM_ACTIONS) is None
    assert engine.seed == 0
    expected = [gym_action_name(s.action_name) for s in iter_ticks(path) if s.tick > 0]
    assert engine.actions == expected and len(expected) == 241  # zelda lvl0 s0 ends (a loss) at tick 241


def test_sprite_position_divergence(traces_dir):
    path = _zelda(traces_dir)

    def corrupt(tick, sprites, avatar, result):
        if tick == 7:
            i = next(k for k, s in enumerate(sprites) if s[1] == "monsterNormal")
            sid, typ, x, y = sprites[i]
            sprites[i] = (sid, typ, x + 3, y)

    div = replay_on_engine(path, PlaybackEngine(path, corrupt=corrupt), None, GYM_ACTIONS)
    assert isinstance(div, Divergence)
    assert (div.tick, div.field, div.sprite_type) == (7, "x", "monsterNormal")
    assert div.got == div.expected + 3
    assert div.action is not None and str(div).startswith("zelda_lvl0_s0.jsonl tick 7 after ACTION_")
    assert f"sprite {div.sprite_id} (monsterNormal) x" in str(div)


def test_extra_and_missing_sprites(traces_dir):
    path = _zelda(traces_dir)

    def extra(tick, sprites, avatar, result):
        if tick == 3:
            sprites.append((99999, "key", 0, 0))

    div = replay_on_engine(path, PlaybackEngine(path, corrupt=extra), None, GYM_ACTIONS)
    assert (div.tick, div.field, div.sprite_id, div.expected) == (3, "sprite", 99999, "absent")

    def missing(tick, sprites, avatar, result):
        if tick == 0:
            del sprites[0]

    div = replay_on_engine(path, PlaybackEngine(path, corrupt=missing), None, GYM_ACTIONS)
    assert (div.tick, div.field, div.sprite_id, div.got) == (0, "sprite", 0, "absent")
    assert div.expected == "alive wall at (0, 0)"


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("score", lambda s, a, r: r.score.__setitem__(0, r.score[0] + 1)),
        ("winner", lambda s, a, r: r.winner.__setitem__(0, 1)),
        ("game_over", lambda s, a, r: r.terminated.__setitem__(0, True)),
        ("avatar.orientation", lambda s, a, r: a.__setitem__("orientation", (0.0, 0.0))),
        ("avatar.resources", lambda s, a, r: a.__setitem__("resources", {"diamond": 1})),
        ("avatar.hp", lambda s, a, r: a.__setitem__("hp", 5)),
        ("avatar.disabled", lambda s, a, r: a.__setitem__("disabled", True)),
    ],
)
def test_state_field_divergences(traces_dir, field, change):
    path = _zelda(traces_dir)

    def corrupt(tick, sprites, avatar, result):
        if tick == 5:
            change(sprites, avatar, result)

    div = replay_on_engine(path, PlaybackEngine(path, corrupt=corrupt), None, GYM_ACTIONS)
    assert (div.tick, div.field, div.sprite_id) == (5, field, None)
    assert div.n_differences == 1 and len(div.details) == 1


def test_zero_resources_are_ignored(traces_dir):
    path = _zelda(traces_dir)

    def corrupt(tick, sprites, avatar, result):
        avatar["resources"] = {**avatar["resources"], "gold": 0}

    assert replay_on_engine(path, PlaybackEngine(path, corrupt=corrupt), None, GYM_ACTIONS) is None


def test_several_differences_are_listed_first_by_sprite_id(traces_dir):
    path = _zelda(traces_dir)

    def corrupt(tick, sprites, avatar, result):
        if tick == 2:
            for k in (5, 2):
                sid, typ, x, y = sprites[k]
                sprites[k] = (sid, typ, x, y + 1)
            avatar["hp"] = 9

    div = replay_on_engine(path, PlaybackEngine(path, corrupt=corrupt), None, GYM_ACTIONS)
    assert div.n_differences == 3 and (div.sprite_id, div.field) == (2, "y")
    assert div.details[1].startswith("sprite 5 (wall) y") and div.details[2].startswith("avatar.hp")


def test_engine_exception_is_a_divergence_and_max_ticks_stops(traces_dir):
    path = _zelda(traces_dir)
    div = replay_on_engine(path, PlaybackEngine(path, fail_at=4), None, GYM_ACTIONS)
    assert (div.tick, div.field) == (4, "exception") and "kernel exploded" in div.got
    assert replay_on_engine(path, PlaybackEngine(path, fail_at=4), None, GYM_ACTIONS, max_ticks=3) is None


def test_applied_action_rule(traces_dir):
    """killBillVol1: the avatar sometimes lacks the drawn USE and GVGAI applies NIL (``applied_action``)."""
    path = traces_dir / "killBillVol1" / "killBillVol1_lvl0_s0.jsonl"
    replaced = {s.tick for s in iter_ticks(path) if s.applied_action == "ACTION_NIL"}
    assert 260 in replaced
    drawn = PlaybackEngine(path)
    assert replay_on_engine(path, drawn, None, GYM_ACTIONS) is None
    assert drawn.actions[259] == "USE"  # default: the drawn action; the engine must apply GVGAI's rule itself
    applied = PlaybackEngine(path)
    assert replay_on_engine(path, applied, None, GYM_ACTIONS, applied_actions=True) is None
    assert applied.actions[259] == "NIL"
    assert [
        k + 1 for k, (a, b) in enumerate(zip(drawn.actions, applied.actions, strict=True)) if a != b
    ] == sorted(t for t in replaced if drawn.actions[t - 1] != "NIL")


def test_check_games_statuses(traces_dir, tmp_path, monkeypatch):
    """Loading failures become statuses; invest (GVGAI logged a parse error): 'GVGAI cannot run it either'."""
    from ppcg.vgdl.errors import VGDLNameError, VGDLUnsupportedError

    for name in ("frogs", "invest", "zelda"):
        (tmp_path / f"{name}.txt").write_text("BasicGame\n")
        (tmp_path / f"{name}_lvl0.txt").write_text("wA\n")

    def fake_load(game_path):
        name = Path(game_path).stem
        if name == "frogs":
            raise VGDLUnsupportedError(
                "unsupported",
                missing=[
                    ("effect", "pullWithIt", 30),
                    ("effect", "pullWithIt", 31),
                    ("termination", "Timeout", 40),
                ],
            )
        if name == "invest":
            raise VGDLNameError("unknown effect 'killIfScoreNegative'", line=36)
        raise VGDLNameError("unknown effect 'stepBak'", line=3)

    monkeypatch.setattr(conformance, "_load_and_compile", fake_load)
    reports = {r.game: r for r in check_games(traces_dir, tmp_path, ["frogs", "invest", "zelda", "aliens"])}
    assert reports["frogs"].status == "missing"
    assert reports["frogs"].detail == "effect pullWithIt, termination Timeout"
    assert reports["invest"].status == "gvgai" and "killIfScoreNegative" in reports["invest"].detail
    assert reports["zelda"].status == "error"  # GVGAI ran zelda: an unknown name is our problem
    assert reports["aliens"].status == "no-game"
    table = format_table(list(reports.values()))
    assert "GVGAI cannot run it either" in table and "0/4 games identical" in table


def test_check_games_replays_and_counts(traces_dir, tmp_path, monkeypatch):
    (tmp_path / "frogs.txt").write_text("BasicGame\n")
    for n in range(5):
        (tmp_path / f"frogs_lvl{n}.txt").write_text("wA\n")
    monkeypatch.setattr(conformance, "_load_and_compile", lambda p: ("spec", "compiled"))
    monkeypatch.setattr(conformance, "_load_level", lambda paths, n, spec, trace: n)

    def fake_replay(path, spec, level, *, compiled, max_ticks, applied_actions):
        assert (spec, compiled) == ("spec", "compiled") and level == read_header(path).level
        return None if level != 3 else Divergence(Path(path), 2, "score", 0.0, 1.0)

    monkeypatch.setattr(conformance, "replay_trace", fake_replay)
    (rep,) = check_games(traces_dir, tmp_path, ["frogs"])
    assert (rep.status, rep.n_traces, rep.n_identical) == ("diverges", 10, 8)
    assert rep.first.trace.name == "frogs_lvl3_s0.jsonl" and "tick 2: score" in rep.detail


def test_cli_usage_errors(tmp_path, capsys):
    from ppcg.cli import main

    assert main(["conformance", str(tmp_path / "nope"), "--games", str(tmp_path)]) == 2
    assert "trace folder not found" in capsys.readouterr().err


def test_cli_unknown_game(traces_dir, corpus_dir, capsys):
    from ppcg.cli import main

    assert main(["conformance", str(traces_dir), "--games", str(corpus_dir), "--game", "zeldaa"]) == 2
    assert "no traces for zeldaa" in capsys.readouterr().err


# --- the engine against GVGAI: the four paper games ---------------------------------------------------------


@pytest.mark.filterwarnings("ignore::ppcg.vgdl.errors.VGDLWarning")  # frogs: Door under Immovable
@pytest.mark.parametrize("game", PAPER_GAMES)
def test_paper_game_traces_identical(traces_dir, corpus_dir, game):
    from ppcg.engine import compile_game
    from ppcg.vgdl.level import load_level
    from ppcg.vgdl.parser import load_game

    spec = load_game(str(corpus_dir / f"{game}.txt"))
    compiled = compile_game(spec)
    paths = trace_files(traces_dir, [game])[game]
    assert len(paths) == 10
    action_index_map(read_header(paths[0]).actions, compiled.action_names)  # every trace action exists
    divergences = []
    for path in paths:
        level = load_level(corpus_dir / read_header(path).level_file, spec)
        div = conformance.replay_trace(path, spec, level, compiled=compiled)
        if div is not None:
            divergences.append(str(div))
    assert not divergences, "\n".join(divergences)


def test_type_order_note():
    gvgai = ("wall", "avatar", "floor", "key")
    assert conformance._type_order_note(None, gvgai) == ""
    assert conformance._type_order_note(list(gvgai), gvgai) == ""
    note = conformance._type_order_note(["wall", "avatar", "key"], gvgai)
    assert "index 2: 'key' instead of 'floor'" in note
    assert "3 types instead of 4" in conformance._type_order_note(["wall", "avatar", "floor"], gvgai)


class _Reseeded:
    """A real engine whose reset uses another seed than the trace's: monsters move differently."""

    def __init__(self, engine, offset):
        self.engine, self.offset = engine, offset

    def reset(self, levels, seeds):
        self.engine.reset(levels, [s + self.offset for s in seeds])

    def __getattr__(self, name):
        return getattr(self.engine, name)


def test_real_engine_with_the_wrong_seed_diverges(traces_dir, corpus_dir):
    from ppcg.engine import BatchEngine, compile_game
    from ppcg.vgdl.level import load_level
    from ppcg.vgdl.parser import load_game

    spec = load_game(str(corpus_dir / "zelda.txt"))
    compiled = compile_game(spec)
    level = load_level(corpus_dir / "zelda_lvl0.txt", spec)
    path = _zelda(traces_dir)
    engine = _Reseeded(BatchEngine(compiled, 1, obs_type=None), 5)
    div = replay_on_engine(path, engine, level, compiled.action_names)
    assert div is not None and div.tick > 0
    assert div.field in ("x", "y") and div.sprite_type.startswith("monster")
    assert conformance.replay_trace(path, spec, level, compiled=compiled) is None


def test_markdown_report_and_cli_out(traces_dir, corpus_dir, tmp_path, monkeypatch):
    from ppcg.cli import main

    div = Divergence(Path("zelda_lvl0_s0.jsonl"), 12, "x", 10, 11, sprite_id=80, sprite_type="monsterNormal")
    reports = [
        conformance.GameReport("frogs", "identical", n_traces=10, n_identical=10),
        conformance.GameReport("zelda", "diverges", 10, 9, str(div), div, [div]),
        conformance.GameReport("sokoban", "missing", detail="effect undoAll | effect bounceForward"),
    ]
    text = conformance.format_markdown(reports, note="how")
    lines = text.splitlines()
    assert lines[:4] == ["# Conformance with GVGAI", "", "how", ""]
    assert lines[6] == "| frogs | 10/10 | identical |  |"
    assert lines[7].startswith(
        "| zelda | 9/10 | diverges | zelda_lvl0_s0.jsonl tick 12: sprite 80 (monsterNormal) x"
    )
    assert "effect undoAll \\| effect bounceForward" in lines[8]
    assert lines[-1] == "1/3 games identical; 19/20 traces identical; diverges: 1, missing features: 1"
    monkeypatch.setattr(conformance, "check_games", lambda *a, **k: reports)
    out = tmp_path / "conf.md"
    assert main(["conformance", str(traces_dir), "--games", str(corpus_dir), "--out", str(out)]) == 0
    assert out.read_text().splitlines()[-1] == lines[-1]
