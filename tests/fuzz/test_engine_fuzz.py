"""A short run of the engine's fuzzers (``scripts/fuzz.py`` runs thousands of mutants): every mutated game and
level ends in a parse error, a compile or level error with file and line, or a run whose state stays sound."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from engine_fuzz import campaign, run_mutant

CORPUS = Path(os.environ.get("PPCG_SHARED", Path(__file__).resolve().parents[2].parent / "shared")) / "vgdl-corpus" \
    / "gridphysics"  # mutants of GVGAI's games too, where ../shared is present

ABSTRACT_AVATAR = """BasicGame
  SpriteSet
    bullet > Missile orientation=UP
    avatar > ShootAvatar
      hero > stype=bullet
  InteractionSet
    bullet EOS > killSprite
  TerminationSet
    Timeout limit=100 win=True
"""


def test_the_fuzzers_first_finds_end_cleanly():
    """The reproducers the campaign found: each ends in a clean outcome now."""
    level = "wwwww\nw...w\nw.A.w\nwwwww\n"
    assert run_mutant(ABSTRACT_AVATAR, level, 50, 0) == ("level", None)
    missile = "BasicGame\n  SpriteSet\n    m > Missile orientation=RIGHT speed=100000000\n"
    assert run_mutant(missile, "wmw\n", 5, 0) == ("compile", None)
    spawner = ("BasicGame\n  SpriteSet\n    hole > SpawnPoint stype=bug cooldown=1\n    bug > RandomNPC\n"
               "  LevelMapping\n    h > hole\n")
    assert run_mutant(spawner, "wwwww\nwhA.w\nwwwww\n", 300, 0) == ("ran", None)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_short_campaign_ends_every_mutant_cleanly(seed):
    tally = campaign(40, 20, 300, seed=seed, corpus=CORPUS)
    assert tally.failures == []
    assert sum(tally.counts.values()) == 60
    assert tally.counts["ran"] > 0 and tally.counts["compile"] + tally.counts["parse"] > 0


def test_a_mutant_whose_ticks_grow_costlier_ends_as_slow_within_its_budget():
    # found by the long campaign (mutant 580, of wrapsokoban): boxes clone themselves on every touch of the avatar
    # and 'bbox wall bbox > undoAll' makes each tick cubic in the stacked clones; the run doubles its sprites per
    # tick long before the memory limit. The campaign must name it and go on, not hang.
    game = """BasicGame
    SpriteSet
        ground > Immovable
        avatar > MovingAvatar
        bbox > Passive
            box >
        wall > Immovable
    LevelMapping
        A > avatar ground
        * > box ground
        . > ground
        w > ground wall
    InteractionSet
        bbox avatar > cloneSprite
        avatar wall > stepBack
        bbox wall bbox > undoAll
    TerminationSet
        SpriteCounter stype=box limit=0 win=True
"""
    level = "wwwwww\nw.*A.w\nw....w\nwwwwww\n"
    t0 = time.perf_counter()
    assert run_mutant(game, level, 300, 0, memory_limit=1 << 30, seconds=1.0) == ("slow", None)
    assert time.perf_counter() - t0 < 60


def test_the_campaign_budget_is_per_mutant():
    # every mutant gets the whole budget (a first version shrank it to the first mutant's time)
    tally = campaign(30, 10, 300, seed=1, corpus=CORPUS, budget=30.0)
    assert tally.counts["slow"] == 0 and not tally.failures
