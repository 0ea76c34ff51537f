"""Differential tests against GVGAI itself: random games (``../shared/vgdl-random``) and one tiny game per GVGAI
feature (``../shared/vgdl-features``), each replayed tick by tick against GVGAI's own traces, as
``ppcg conformance`` does.

CI replays a fixed subset of the 200 random games (every fourth, plus every game that once diverged); the whole
set is ``ppcg conformance ../shared/vgdl-random/traces --games ../shared/vgdl-random/games``. Every feature game
either replays identically or is refused with the reason :data:`ppcg.engine.features.REFUSED` gives.
"""

from __future__ import annotations

import re
import warnings

import pytest

from ppcg.engine import features as F
from ppcg.engine.conformance import check_games
from ppcg.engine.ontology import FEATURE_TESTED
from ppcg.engine.traces import trace_files
from ppcg.vgdl.errors import VGDLUnsupportedError

# Random games whose traces may diverge for a reason another issue owns: none today. (game_1, game_11, game_15,
# game_95 and game_161 diverged while the engine's slots could fill up; issue 14's growth fixed them.) Each entry:
# game -> its diverging levels.
KNOWN_ELSEWHERE: dict[str, tuple[int, ...]] = {}
# Games that once diverged (regressions): path-finding NPCs with a FlakAvatar (GVGAI searches paths along rows
# only), sprites sped up or slowed by setSpeedForAll (issue 13), sprites created once the slots were full (issue 14).
ONCE_DIVERGED = ("game_6", "game_28", "game_101", "game_103", "game_110", "game_181", "game_190", "game_198",
                 "game_218", "game_220", "game_248", "game_264", "game_1", "game_11", "game_15", "game_95", "game_161")


def _number(game: str) -> int:
    return int(game.split("_")[1])


def _ci_games(random_dir) -> list[str]:
    games = trace_files(random_dir / "traces")
    return sorted(g for g in games if _number(g) % 4 == 0 or g in ONCE_DIVERGED or g in KNOWN_ELSEWHERE)


def test_random_games_replay_as_gvgai(random_dir):
    games = _ci_games(random_dir)
    assert len(games) >= 50
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reports = check_games(random_dir / "traces", random_dir / "games", games)
    wrong = []
    for rep in reports:
        bad = {int(re.search(r"_lvl(\d+)_", d.trace.name).group(1)) for d in rep.divergences}
        if rep.status not in ("identical", "diverges") or not bad <= set(KNOWN_ELSEWHERE.get(rep.game, ())):
            wrong.append(f"{rep.game}: {rep.status} {rep.detail}")
    assert not wrong, "\n".join(wrong)


def _feature_games(features_dir) -> list[str]:
    return sorted(trace_files(features_dir / "traces"))


def test_every_feature_game_replays_or_is_refused_with_a_reason(features_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reports = check_games(features_dir / "traces", features_dir / "games", _feature_games(features_dir))
    identical, refused, wrong = [], [], []
    for rep in reports:
        if rep.status == "identical":
            identical.append(rep.game)
        elif rep.status == "missing":
            refused.append(rep.game)
        else:
            wrong.append(f"{rep.game}: {rep.status} {rep.detail}")
    assert not wrong, "\n".join(wrong)
    for name in FEATURE_TESTED:  # what docs/ontology.md calls checked against GVGAI
        assert name in identical, f"{name} does not replay GVGAI's traces"


def test_refused_feature_games_name_their_reason(features_dir):
    from ppcg.engine import compile_game
    from ppcg.vgdl import load_game

    for game in _feature_games(features_dir):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = load_game(features_dir / "games" / f"{game}.txt")
        try:
            compile_game(spec)
        except VGDLUnsupportedError as exc:
            for kind, name, _ in exc.missing:  # every refused name gives its reason (parameters: their own)
                if kind in ("sprite class", "effect", "termination"):
                    assert F.refusal(name), (game, kind, name)
                    assert f"{name!r} (line" in str(exc) and F.refusal(name) in str(exc)


@pytest.mark.parametrize("game", ["BirdAvatar", "Walker", "waterPhysics"])
def test_continuous_physics_is_refused_as_such(features_dir, game):
    from ppcg.engine import compile_game
    from ppcg.vgdl import load_game

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = load_game(features_dir / "games" / f"{game}.txt")
    with pytest.raises(VGDLUnsupportedError, match="continuous physics"):
        compile_game(spec)
