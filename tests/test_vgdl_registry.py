"""The registry: GVGAI's names (VGDLFactory's lists), consistent tables, lookups with inheritance."""

from __future__ import annotations

import warnings

import pytest

from ppcg.vgdl import VGDLWarning, parse_game
from ppcg.vgdl import registry as R

# The names GVGAI's VGDLFactory registers (what a game file may use).
GVGAI_SPRITES = """
Conveyor Flicker Immovable OrientedFlicker Passive Resource Spreader ErraticMissile Missile
RandomMissile Walker WalkerJumper ResourcePack Chaser PathChaser Fleeing RandomInertial RandomNPC
AlternateChaser RandomAltChaser PathAltChaser RandomPathAltChaser Bomber RandomBomber Portal
SpawnPoint SpriteProducer Door FlakAvatar HorizontalAvatar VerticalAvatar MovingAvatar MissileAvatar
OrientedAvatar ShootAvatar OngoingAvatar OngoingTurningAvatar BomberRandomMissile OngoingShootAvatar
NullAvatar AimedAvatar PlatformerAvatar BirdAvatar SpaceshipAvatar CarAvatar WizardAvatar
LanderAvatar ShootOnlyAvatar SpawnPointMultiSprite LOSChaser
""".split()
GVGAI_EFFECTS = """
stepBack turnAround killSprite killBoth killAll transformTo transformToSingleton transformIfCount
wrapAround changeResource killIfHasLess killIfHasMore cloneSprite flipDirection reverseDirection
shieldFrom undoAll spawn spawnIfHasMore spawnIfHasLess pullWithIt wallStop collectResource
collectResourceIfHeld killIfOtherHasMore killIfFromAbove teleportToExit bounceForward attractGaze
align subtractHealthPoints addHealthPoints transformToAll addTimer killIfFrontal killIfNotFrontal
spawnBehind updateSpawnType removeScore increaseSpeedToAll decreaseSpeedToAll setSpeedForAll
transformToRandomChild addHealthPointsToMax spawnIfCounterSubTypes bounceDirection wallBounce
killIfSlow killIfAlive waterPhysics halfSpeed killIfNotUpright killIfFast wallReverse spawnAbove
spawnLeft spawnRight spawnBelow
""".split()
GVGAI_TERMINATIONS = (
    "MultiSpriteCounter SpriteCounter SpriteCounterMore MultiSpriteCounterSubTypes Timeout StopCounter"
)


def test_names_are_exactly_gvgais():
    assert sorted(R.names("sprite")) == sorted(GVGAI_SPRITES) and len(GVGAI_SPRITES) == 50
    assert sorted(R.names("effect")) == sorted(GVGAI_EFFECTS) and len(GVGAI_EFFECTS) == 58
    assert sorted(R.names("termination")) == sorted(GVGAI_TERMINATIONS.split())
    assert R.names("game") == ["BasicGame"]


@pytest.mark.parametrize("kind", ["sprite", "effect", "termination", "game"])
def test_tables_are_consistent(kind):
    table = {
        "sprite": R.SPRITE_CLASSES,
        "effect": R.EFFECTS,
        "termination": R.TERMINATIONS,
        "game": R.GAME_CLASSES,
    }[kind]
    roots = [e for e in table.values() if e.parent is None]
    assert len(roots) == 1 and roots[0].abstract
    for entry in table.values():
        assert entry.kind == kind
        assert entry.ancestors()[-1] is roots[0]
        names = [p.name for p in entry.own_params]
        assert len(names) == len(set(names)), entry.name
        for p in entry.own_params:
            assert p.type in R.PARAM_TYPES and p.role in R.ROLES
            if p.default is not None:
                expected = {
                    "int": int,
                    "float": float,
                    "bool": bool,
                    "score": int,
                    "color": R.Color,
                    "direction": R.Direction,
                }.get(p.type, str)
                assert type(p.default) is expected, (entry.name, p.name)


def test_lookups_follow_the_class_hierarchy():
    shoot = R.lookup_class("sprite", "ShootAvatar")
    assert [e.name for e in shoot.ancestors()] == [
        "ShootAvatar",
        "OrientedAvatar",
        "MovingAvatar",
        "VGDLSprite",
    ]
    assert (
        R.lookup_param("sprite", "ShootAvatar", "speed").default == 1.0
    )  # MovingAvatar overrides VGDLSprite's 0
    assert R.lookup_param("sprite", "ShootAvatar", "rotateInPlace").default is True
    assert R.lookup_param("sprite", "MovingAvatar", "rotateInPlace").default is False
    assert R.lookup_param("sprite", "Immovable", "cooldown").type == "int"
    assert R.lookup_param("sprite", "Resource", "limit").default == 2
    assert R.lookup_param("sprite", "Immovable", "nonsense") is None
    assert R.lookup_param("effect", "transformToAll", "killSecond").type == "bool"  # extends transformTo
    assert R.lookup_param("effect", "killSprite", "scoreChange").type == "score"
    assert R.lookup_param("termination", "SpriteCounter", "win").default is False
    assert R.lookup_class("sprite", "VGDLSprite") is None  # abstract: not a valid name in a game
    assert R.lookup_class("effect", "killsprite") is None


def test_cosmetic_and_visual_parameters():
    for p in ("img", "autotiling", "randomtiling", "frameRate", "shrinkfactor"):
        assert R.is_cosmetic("sprite", "Immovable", p), p
    for p in ("color", "hidden", "invisible", "speed", "singleton"):
        assert not R.is_cosmetic("sprite", "Immovable", p), p
    assert R.lookup_param("sprite", "Immovable", "color").role == "visual"
    assert not R.is_cosmetic("sprite", "Immovable", "nonsense")


def test_avatar_classes():
    avatars = {n for n in R.names("sprite") if R.is_avatar_class(n)}
    assert avatars == {n for n in GVGAI_SPRITES if n.endswith("Avatar")}
    assert not R.is_avatar_class(None) and not R.is_avatar_class("Missile")


def test_colors_and_directions():
    assert R.COLORS["DARKGRAY"].rgb == (30, 30, 30) and R.COLORS["GOLD"].rgb == (250, 212, 0)
    assert len(R.COLORS) == 20
    assert {d.name: (d.dx, d.dy) for d in R.DIRECTIONS.values()} == {
        "UP": (0, -1),
        "DOWN": (0, 1),
        "LEFT": (-1, 0),
        "RIGHT": (1, 0),
        "NONE": (0, 0),
    }


def test_every_name_in_the_corpus_is_registered(corpus_dir):
    used = {"sprite": set(), "effect": set(), "termination": set()}
    for path in corpus_dir.glob("*.txt"):
        if "_lvl" in path.name or path.stem == "invest":
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VGDLWarning)
            spec = parse_game(path.read_bytes().decode("utf-8"))
        used["sprite"] |= {s.declared_class for s in spec.sprites if s.declared_class}
        used["effect"] |= {i.effect for i in spec.interactions}
        used["termination"] |= {t.cls for t in spec.terminations}
    for kind, names in used.items():
        assert names and all(R.lookup_class(kind, n) is not None for n in names), kind
    assert len(used["sprite"]) >= 29 and len(used["effect"]) >= 39


def test_every_parameter_of_every_sprite_gvgai_built_is_known(corpus_dir, traces_dir):
    """GVGAI logs "Unknown field" for a parameter its class lacks; the traces' build logs are empty (bar
    invest and waferthinmints), so every parameter of every sprite built at tick 0 must be in the registry."""
    import json

    checked = 0
    for trace in sorted(traces_dir.glob("*/*_s0.jsonl")):
        game = trace.parent.name
        if game == "invest":
            continue
        with trace.open() as f:
            header = json.loads(f.readline())
            tick0 = json.loads(f.readline())
        if game != "waferthinmints":
            assert header["build_log"] == [], game
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VGDLWarning)
            spec = parse_game((corpus_dir / f"{game}.txt").read_bytes().decode("utf-8"))
        smap = spec.sprite_map
        for name in tick0["counts"]:
            if name not in smap:
                assert name in R.DEFAULT_SPRITES
                continue
            sprite = smap[name]
            for p in sprite.params:
                assert R.lookup_param("sprite", sprite.cls, p.name) is not None, (
                    game,
                    name,
                    sprite.cls,
                    p.name,
                )
                checked += 1
    assert checked > 1000
