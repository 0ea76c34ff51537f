"""A seeded generator of small random gridphysics VGDL games for property-based tests of the engine.

``random_game(seed)`` draws a game from the names the engine implements (:mod:`ppcg.engine.features`): an avatar,
2-6 more sprite types (sometimes two children under a parent), a random InteractionSet and TerminationSet, and two
levels. The same seed always gives the same game text and levels. GVGAI cannot be asked about these games, so the
tests check what holds for any game: it compiles, it runs without crashing, the same seed gives the same
trajectory whatever the batch size, and the engine's invariants hold (see ``tests/test_engine_random_games.py``).
Like GVGAI's ``../shared/vgdl-random`` set, it reaches combinations that no hand-written game uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Classes drawn for the avatar and the other sprites, with the parameters each may get. One entry a line.
AVATARS = ("MovingAvatar", "OrientedAvatar", "ShootAvatar", "FlakAvatar", "HorizontalAvatar", "VerticalAvatar",
           "OngoingAvatar", "OngoingShootAvatar", "MissileAvatar", "NullAvatar", "ShootOnlyAvatar",
           "OngoingTurningAvatar")
SHOOTERS = ("ShootAvatar", "FlakAvatar", "OngoingShootAvatar", "ShootOnlyAvatar")
OTHERS = ("Immovable", "Passive", "Resource", "Flicker", "OrientedFlicker", "Missile", "ErraticMissile",
          "RandomMissile", "RandomNPC", "Chaser", "Fleeing", "SpawnPoint", "Bomber", "RandomBomber", "Spreader",
          "SpriteProducer", "Conveyor", "PathChaser", "Door", "SpawnPointMultiSprite", "AlternateChaser",
          "RandomAltChaser")
NEEDS_TYPES = ("SpawnPointMultiSprite", "AlternateChaser", "RandomAltChaser")  # type lists of their own
NEEDS_STYPE = ("Chaser", "Fleeing", "SpawnPoint", "Bomber", "RandomBomber", "Spreader", "PathChaser")
SPEEDS = ("0.1", "0.2", "0.25", "0.5", "1")
ORIENTATIONS = ("UP", "DOWN", "LEFT", "RIGHT")

# Effects: (name, what it needs: "" / "stype" / "res" / "child"). One entry a line.
EFFECTS = (
    ("killSprite", ""), ("stepBack", ""), ("killBoth", ""), ("transformTo", "stype"), ("spawn", "stype"),
    ("reverseDirection", ""), ("turnAround", ""), ("flipDirection", ""), ("bounceForward", ""),
    ("wrapAround", ""), ("killIfAlive", ""), ("cloneSprite", ""), ("halfSpeed", ""),
    ("increaseSpeedToAll", "stype"), ("decreaseSpeedToAll", "stype"), ("setSpeedForAll", "stype"),
    ("removeScore", ""), ("addHealthPoints", ""), ("addHealthPointsToMax", ""), ("subtractHealthPoints", ""),
    ("killIfNotUpright", ""), ("attractGaze", ""), ("align", ""), ("undoAll", ""),
    ("spawnBehind", "stype"), ("spawnAbove", "stype"), ("transformToRandomChild", "child"),
    ("collectResource", "res"), ("changeResource", "res"), ("killIfHasLess", "res"), ("killIfHasMore", "res"),
    ("spawnIfHasLess", "res"), ("spawnIfHasMore", "res"),
    ("wallStop", ""), ("wallBounce", ""), ("wallReverse", ""), ("killIfSlow", ""), ("killIfFast", ""),
    ("updateSpawnType", "stype"), ("spawnIfCounterSubTypes", "stype"),
)


@dataclass(frozen=True)
class RandomGame:
    """A drawn game: its VGDL text and two level texts."""

    seed: int
    text: str
    levels: tuple[str, str]


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


def random_game(seed: int) -> RandomGame:
    """The random game of ``seed`` (deterministic)."""
    rng = np.random.default_rng(seed)
    n_other = int(rng.integers(2, 7))
    names = [f"s{k}" for k in range(n_other)]
    avatar_cls = _pick(rng, AVATARS)
    lines = ["BasicGame obs=wall", "    SpriteSet", "        wall > Immovable"]
    shot = None
    av = f"        avatar > {avatar_cls}"
    if avatar_cls in SHOOTERS:
        shot = names[0]
        av += f" stype={shot}" + (f",{shot}" if avatar_cls == "ShootOnlyAvatar" and rng.random() < 0.5 else "")
    if avatar_cls == "OngoingTurningAvatar" and rng.random() < 0.5:
        av += f" spawnBehind={names[-1]}"
    if rng.random() < 0.3:
        av += f" healthPoints={int(rng.integers(1, 4))} limitHealthPoints={int(rng.integers(3, 6))}"
    lines.append(av)
    resource = None
    group = None  # (parent, children) for transformToRandomChild
    k = 0
    while k < n_other:
        name = names[k]
        if shot == name:
            cls = _pick(rng, ("Missile", "Flicker", "OrientedFlicker"))
        else:
            cls = _pick(rng, OTHERS)
        params = []
        if cls in ("Missile", "ErraticMissile", "RandomNPC", "Chaser", "Fleeing", "PathChaser", "Bomber",
                   "RandomBomber", "Passive", "SpriteProducer") and rng.random() < 0.7:
            params.append(f"speed={_pick(rng, SPEEDS)}")
        if cls in ("Missile", "ErraticMissile", "Conveyor", "Passive", "Bomber"):
            params.append(f"orientation={_pick(rng, ORIENTATIONS)}")
        if cls in NEEDS_STYPE:
            params.append(f"stype={_pick(rng, [n for n in names if n != name] + ['avatar'])}")
        if cls in ("SpawnPoint", "Bomber", "RandomBomber"):
            params.append(f"prob={_pick(rng, ('0.2', '0.5', '1.0'))} cooldown={int(rng.integers(1, 6))}")
            params.append(f"total={int(rng.integers(1, 8))}")
        if cls in ("RandomNPC", "Chaser", "Fleeing", "PathChaser", "Missile") and rng.random() < 0.5:
            params.append(f"cooldown={int(rng.integers(0, 5))}")
        if cls == "Resource":
            params.append(f"limit={int(rng.integers(1, 5))} value={int(rng.integers(1, 3))}")
            resource = resource or name
        if cls == "Spreader":
            params.append(f"limit={int(rng.integers(1, 4))}")
        others = [n for n in names if n != name] + ["avatar"]
        if cls == "SpawnPointMultiSprite":
            params.append(f"stypes={_pick(rng, others)},{_pick(rng, others)} prob={_pick(rng, ('0.2', '0.5', '1.0'))}")
            params.append(f"cooldown={int(rng.integers(1, 6))} total={int(rng.integers(1, 8))}")
        if cls in ("AlternateChaser", "RandomAltChaser"):
            params.append(f"stype1={_pick(rng, others)} stype2={_pick(rng, others)}")
            if cls == "RandomAltChaser":
                params.append(f"epsilon={_pick(rng, ('0.1', '0.5', '0.9'))}")
        if k + 2 < n_other and group is None and cls not in NEEDS_STYPE + NEEDS_TYPES and shot not in names[k:k + 3] \
                and rng.random() < 0.3:
            parent = f"grp{k}"
            lines.append(f"        {parent} > {cls} {' '.join(params)}".rstrip())
            kids = names[k:k + 2]
            for kid in kids:
                lines.append(f"            {kid} > speed={_pick(rng, SPEEDS)}")
            group = (parent, kids)
            k += 2
            continue
        lines.append(f"        {name} > {cls} {' '.join(params)}".rstrip())
        k += 1
    chars = "abcdefgh"
    lines += ["    LevelMapping", "        w > wall", "        A > avatar"]
    lines += [f"        {chars[j]} > {n}" for j, n in enumerate(names)]
    lines.append("    InteractionSet")
    lines.append("        avatar wall > stepBack")
    everyone = ["avatar"] + names
    for _ in range(int(rng.integers(3, 11))):
        eff, need = _pick(rng, EFFECTS)
        if need == "res" and resource is None:
            continue
        if need == "child" and group is None:
            continue
        a = _pick(rng, everyone)
        b = _pick(rng, everyone + ["wall", "EOS"])
        growing = ("cloneSprite", "spawn", "spawnBehind", "spawnAbove", "spawnIfCounterSubTypes")
        if eff in growing and b in ("EOS", "wall"):
            continue  # unbounded growth every tick: the capacity tests cover it
        params = []
        if need == "stype":
            params.append(f"stype={_pick(rng, names)}")
        elif need == "child":
            params.append(f"stype={group[0]}")
        elif need == "res" and eff != "collectResource":  # collectResource gives sprite1's own resource
            params.append(f"resource={resource}")
            if eff in ("spawnIfHasLess", "spawnIfHasMore"):
                params.append(f"stype={_pick(rng, names)}")
            if eff not in ("collectResource", "changeResource"):
                params.append(f"limit={int(rng.integers(0, 3))}")
        if eff in ("increaseSpeedToAll", "decreaseSpeedToAll", "setSpeedForAll"):
            params.append(f"value={_pick(rng, ('0.1', '0.2', '0.5'))}")
        if eff in ("killIfSlow", "killIfFast"):
            params.append(f"limspeed={_pick(rng, ('0.3', '1.0', '1.5'))}")
        if eff == "updateSpawnType":
            params.append(f"spawnPoint={_pick(rng, names)}")
        if eff == "spawnIfCounterSubTypes":
            counted = group[0] if group is not None else _pick(rng, names)
            params.append(f"estype={_pick(rng, names)} stypeCount={counted} limit={int(rng.integers(0, 4))}")
            params.append(f"subTypesNum={int(rng.integers(0, 3))}")
        if rng.random() < 0.3:
            params.append(f"scoreChange={int(rng.integers(-2, 4))}")
        if eff == "collectResource" and a != resource:
            a = resource
        lines.append(f"        {a} {b} > {eff} {' '.join(params)}".rstrip())
    lines.append("    TerminationSet")
    lines.append("        SpriteCounter stype=avatar limit=0 win=False")
    roll = rng.random()
    if roll < 0.25:
        lines.append(f"        SpriteCounterMore stype={_pick(rng, names)} limit={int(rng.integers(3, 9))} win=False")
    elif roll < 0.5:
        lines.append(f"        StopCounter stype1={_pick(rng, names)} limit={int(rng.integers(0, 3))}")
        lines.append(f"        SpriteCounter stype={_pick(rng, names)} limit=0 win=True")
    lines.append(f"        Timeout limit={int(rng.integers(60, 150))} win=True")
    levels = tuple(_level(rng, len(names)) for _ in range(2))
    return RandomGame(seed, "\n".join(lines) + "\n", levels)


def _level(rng: np.random.Generator, n_types: int) -> str:
    w, h = int(rng.integers(6, 13)), int(rng.integers(5, 9))
    grid = [["w" if r in (0, h - 1) or c in (0, w - 1) else " " for c in range(w)] for r in range(h)]
    free = [(r, c) for r in range(1, h - 1) for c in range(1, w - 1)]
    order = rng.permutation(len(free))
    cells = [free[j] for j in order]
    r, c = cells.pop()
    grid[r][c] = "A"
    for j in range(n_types):
        for _ in range(int(rng.integers(0, 4))):
            if len(cells) > 2:
                r, c = cells.pop()
                grid[r][c] = "abcdefgh"[j]
    for _ in range(int(rng.integers(0, 4))):
        if len(cells) > 2:
            r, c = cells.pop()
            grid[r][c] = "w"
    return "\n".join("".join(row) for row in grid) + "\n"
