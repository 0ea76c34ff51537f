"""The single source of truth for VGDL names: every sprite class, effect and termination GVGAI defines.

Read from GVGAI's sources (``VGDLFactory``: the names a game file may use; ``src/ontology/**``: each class's
public fields, which are its parameters, with the defaults set in ``init``/``loadDefaults``). The parser
validates a game against these tables, the errors quote them, and the engine keeps its own table of what it
implements.

API:

* :data:`SPRITE_CLASSES`, :data:`EFFECTS`, :data:`TERMINATIONS`, :data:`GAME_CLASSES`: ``name -> ClassEntry``.
  Abstract bases (``VGDLSprite``, ``Effect``, ``TimeEffect``, ``Termination``, ``Game``) are entries too,
  marked ``abstract``; they are not valid names in a game file. ``TimeEffect``'s parameters (``timer``,
  ``repeating``, ``nextExecution``) apply to interactions with ``TIME`` and to ``addTimer``.
* :class:`ClassEntry`: ``name``, ``kind`` (``"sprite" | "effect" | "termination" | "game"``), ``parent``,
  ``own_params``; :meth:`ClassEntry.params` gives every parameter including the inherited ones (nearest class
  first); :meth:`ClassEntry.ancestors`.
* :class:`ParamEntry`: ``name``, ``type`` (one of :data:`PARAM_TYPES`), ``default`` (GVGAI's, typed; None
  where GVGAI leaves the field null), ``role`` (``"behaviour"``; ``"visual"``: no effect on the rules but read
  by observations and the renderer; ``"cosmetic"``: only changes GVGAI's drawing).
* :data:`DEFAULT_SPRITES`: ``wall`` and ``avatar`` as GVGAI defines them where a game does not.
* :func:`lookup_class(kind, name)`, :func:`lookup_param(kind, name, param)`, :func:`is_cosmetic(kind, name,
  param)`, :func:`names(kind)`, :func:`is_avatar_class(name)`, :data:`COLORS`, :data:`DIRECTIONS`,
  :data:`INT_CONSTANTS`.

Parameter types: ``int``, ``float``, ``bool``, ``str``, ``color`` (a GVGAI colour name), ``direction``
(``UP/DOWN/LEFT/RIGHT/NONE``), ``sprite`` (one sprite name, checked to exist), ``sprites`` (comma-separated
sprite names, parsed to a tuple), ``resource`` (a sprite name used as a resource), ``resources`` (comma list),
``effect`` (an effect name), ``score`` (an int, or a comma list of ints for multi-player games).

Tables are one entry a line: ``(name, parent, "param:type=default ...")``; a ``~`` before a parameter marks it
cosmetic, a ``^`` visual.
"""

from __future__ import annotations

from dataclasses import dataclass

from ppcg.vgdl.spec import Color, Direction

__all__ = [
    "COLORS",
    "DIRECTIONS",
    "INT_CONSTANTS",
    "PARAM_TYPES",
    "ClassEntry",
    "DEFAULT_SPRITES",
    "ParamEntry",
    "SPRITE_CLASSES",
    "EFFECTS",
    "TERMINATIONS",
    "GAME_CLASSES",
    "lookup_class",
    "lookup_param",
    "is_cosmetic",
    "is_avatar_class",
    "names",
]

# GVGAI's colour table (ontology/Types.java). One entry a line.
COLORS: dict[str, Color] = {
    "GREEN": Color("GREEN", (0, 200, 0)),
    "BLUE": Color("BLUE", (0, 0, 200)),
    "RED": Color("RED", (200, 0, 0)),
    "GRAY": Color("GRAY", (90, 90, 90)),
    "WHITE": Color("WHITE", (250, 250, 250)),
    "BROWN": Color("BROWN", (140, 120, 100)),
    "BLACK": Color("BLACK", (0, 0, 0)),
    "ORANGE": Color("ORANGE", (250, 160, 0)),
    "YELLOW": Color("YELLOW", (250, 250, 0)),
    "PINK": Color("PINK", (250, 200, 200)),
    "GOLD": Color("GOLD", (250, 212, 0)),
    "LIGHTRED": Color("LIGHTRED", (250, 50, 50)),
    "LIGHTORANGE": Color("LIGHTORANGE", (250, 200, 100)),
    "LIGHTBLUE": Color("LIGHTBLUE", (50, 100, 250)),
    "LIGHTGREEN": Color("LIGHTGREEN", (50, 250, 50)),
    "DARKGREEN": Color("DARKGREEN", (35, 117, 29)),
    "LIGHTYELLOW": Color("LIGHTYELLOW", (255, 250, 128)),
    "LIGHTGRAY": Color("LIGHTGRAY", (238, 238, 238)),
    "DARKGRAY": Color("DARKGRAY", (30, 30, 30)),
    "DARKBLUE": Color("DARKBLUE", (20, 20, 100)),
}

# Colours some classes default to that are not in GVGAI's named table (java.awt constants).
_OTHER_COLORS: dict[str, Color] = {
    "java.awt.Color.YELLOW": Color("java.awt.Color.YELLOW", (255, 255, 0)),
}

# GVGAI's integer constants a value may name instead of a number (ontology/Types.java: a value that names one of
# its static fields takes that field's value, so ``physicstype=CONT`` is 1). One entry a line.
INT_CONSTANTS: dict[str, int] = {
    "PHYSICS_NONE": -1,
    "GRID": 0,
    "CONT": 1,
}

# Orientations (ontology/Types.java: DUP, DDOWN ...); y grows down. One entry a line.
DIRECTIONS: dict[str, Direction] = {
    "UP": Direction("UP", 0, -1),
    "DOWN": Direction("DOWN", 0, 1),
    "LEFT": Direction("LEFT", -1, 0),
    "RIGHT": Direction("RIGHT", 1, 0),
    "NONE": Direction("NONE", 0, 0),
}

PARAM_TYPES = frozenset(
    {
        "int",
        "float",
        "bool",
        "str",
        "color",
        "direction",
        "sprite",
        "sprites",
        "resource",
        "resources",
        "effect",
        "score",
    }
)
ROLES = ("behaviour", "visual", "cosmetic")


@dataclass(frozen=True)
class ParamEntry:
    """One parameter of a class: its name, type, GVGAI default and role (behaviour, visual or cosmetic)."""

    name: str
    type: str
    default: object
    role: str = "behaviour"


@dataclass(frozen=True)
class ClassEntry:
    """A sprite class, effect, termination or game class, with its own parameters and its parent class."""

    name: str
    kind: str
    parent: str | None
    own_params: tuple[ParamEntry, ...]
    abstract: bool = False

    def ancestors(self) -> list[ClassEntry]:
        """This entry and its parent classes, nearest first."""
        table = _TABLES[self.kind]
        out: list[ClassEntry] = [self]
        cur = self.parent
        while cur is not None:
            out.append(table[cur])
            cur = table[cur].parent
        return out

    def params(self) -> dict[str, ParamEntry]:
        """Every parameter, inherited ones included; a subclass's entry overrides its parent's."""
        out: dict[str, ParamEntry] = {}
        for entry in reversed(self.ancestors()):
            for p in entry.own_params:
                out[p.name] = p
        return out

    def param(self, name: str) -> ParamEntry | None:
        return self.params().get(name)


def _parse_default(typ: str, text: str) -> object:
    if text in ("", "None"):
        return None
    if typ == "int":
        return int(text)
    if typ == "float":
        return float(text)
    if typ == "bool":
        return text == "True"
    if typ == "color":
        return COLORS.get(text) or _OTHER_COLORS[text]
    if typ == "direction":
        return DIRECTIONS[text]
    if typ == "score":
        return int(text)
    return text


def _params(spec: str) -> tuple[ParamEntry, ...]:
    out = []
    for tok in spec.split():
        role = "behaviour"
        if tok[0] == "~":
            role, tok = "cosmetic", tok[1:]
        elif tok[0] == "^":
            role, tok = "visual", tok[1:]
        name, rest = tok.split(":", 1)
        typ, _, default = rest.partition("=")
        assert typ in PARAM_TYPES, (name, typ)
        out.append(ParamEntry(name, typ, _parse_default(typ, default), role))
    return tuple(out)


def _table(kind: str, rows: list[tuple[str, str | None, str]], abstract: set[str]) -> dict[str, ClassEntry]:
    return {
        name: ClassEntry(name, kind, parent, _params(spec), name in abstract) for name, parent, spec in rows
    }


# ------------------------------------------------------------------------------------------------------------
# Sprite classes: (name, parent class, own parameters and the defaults its loadDefaults sets). VGDLSprite's
# parameters apply to every sprite. A colour default of None means GVGAI picks a random colour.
_SPRITES: list[tuple[str, str | None, str]] = [
    (
        "VGDLSprite",
        None,
        "speed:float=0 cooldown:int=0 orientation:direction=NONE singleton:bool=False "
        "portal:bool=False ^color:color= ^invisible:bool=False ^hidden:bool=False ~img:str= "
        "~orientedImg:str= "
        "~autotiling:bool=False ~randomtiling:float=-1 ~frameRate:float=-1 ~shrinkfactor:float=1.0 "
        "~draw_arrow:bool=False healthPoints:int=0 maxHealthPoints:int=0 limitHealthPoints:int=1000 "
        "timeToLive:int=-1 rotateInPlace:bool=False is_static:bool=False only_active:bool=False "
        "is_oriented:bool=False is_stochastic:bool=False is_npc:bool=False is_resource:bool=False "
        "stationary:bool=False mass:float=1 physicstype:int=0 gravity:float=0 friction:float=0 "
        "jump_strength:float=0 solid:bool=False on_ground:bool=False max_speed:float=-1 wMult:float=1.0 "
        "hMult:float=1.0 rotation:float=0",
    ),
    ("Immovable", "VGDLSprite", "^color:color=GRAY is_static:bool=True"),
    ("Passive", "VGDLSprite", "^color:color=RED"),
    ("Flicker", "VGDLSprite", "limit:int=1 age:int=0 ^color:color=RED"),
    ("OrientedFlicker", "Flicker", "speed:float=0 is_oriented:bool=True ~draw_arrow:bool=True"),
    ("Spreader", "Flicker", "spreadprob:float=1.0 stype:sprite="),
    (
        "Resource",
        "Passive",
        "value:int=1 limit:int=2 is_resource:bool=True ^color:color=java.awt.Color.YELLOW",
    ),
    ("ResourcePack", "Resource", "is_static:bool=True resource_name:resource="),
    (
        "Conveyor",
        "VGDLSprite",
        "is_static:bool=True is_oriented:bool=True jump_strength:float=1 ^color:color=BLUE "
        "~draw_arrow:bool=True",
    ),
    ("Door", "Immovable", "portal:bool=True"),
    ("Missile", "VGDLSprite", "speed:float=1 is_oriented:bool=True"),
    ("RandomMissile", "Missile", "orientation:direction="),  # None: GVGAI's NIL, a random direction on update
    ("ErraticMissile", "Missile", ""),
    (
        "Walker",
        "VGDLSprite",
        "airsteering:bool=False speed:float=5 max_speed:float=5 is_oriented:bool=True "
        "is_stochastic:bool=True",
    ),
    ("WalkerJumper", "Walker", "probability:float=0.1 jump_strength:float=1 max_speed:float=5"),
    ("RandomNPC", "VGDLSprite", "speed:float=1 cons:int=0 is_npc:bool=True is_stochastic:bool=True"),
    ("Chaser", "RandomNPC", "stype:sprite= fleeing:bool=False maxDistance:float=-1"),
    ("Fleeing", "Chaser", "fleeing:bool=True"),
    ("LOSChaser", "Chaser", ""),
    ("PathChaser", "RandomNPC", "stype:sprite= fleeing:bool=False maxDistance:float=-1"),
    ("AlternateChaser", "RandomNPC", "stype1:sprites= stype2:sprites= fleeing:bool=False"),
    ("RandomAltChaser", "AlternateChaser", "epsilon:float=0.0"),
    ("PathAltChaser", "AlternateChaser", "randomTarget:bool=False"),
    ("RandomPathAltChaser", "PathAltChaser", "epsilon:float=0.0"),
    ("RandomInertial", "RandomNPC", "physicstype:int=1 is_oriented:bool=True"),
    ("SpriteProducer", "VGDLSprite", ""),
    ("Portal", "SpriteProducer", "stype:sprite= is_static:bool=True portal:bool=True ^color:color=BLUE"),
    (
        "SpawnPoint",
        "SpriteProducer",
        "stype:sprite= prob:float=1.0 total:int=0 spawnorientation:direction=NONE "
        "cooldown:int=1 is_static:bool=True ^color:color=BLACK",
    ),
    (
        "SpawnPointMultiSprite",
        "SpriteProducer",
        "stypes:sprites= prob:float=1.0 total:int=0 "
        "spawnorientation:direction=NONE cooldown:int=1 is_static:bool=True is_oriented:bool=True "
        "orientation:direction=RIGHT is_npc:bool=True ^color:color=BLACK",
    ),
    (
        "Bomber",
        "SpawnPoint",
        "is_static:bool=False is_oriented:bool=True orientation:direction=RIGHT "
        "is_npc:bool=True ^color:color=ORANGE",
    ),
    (
        "RandomBomber",
        "SpawnPoint",
        "speed:float=1.0 is_static:bool=False is_oriented:bool=True "
        "orientation:direction=RIGHT is_npc:bool=True is_stochastic:bool=True ^color:color=ORANGE",
    ),
    (
        "BomberRandomMissile",
        "SpawnPoint",
        "stypeMissile:sprites= is_static:bool=False is_oriented:bool=True "
        "orientation:direction=RIGHT is_npc:bool=True ^color:color=ORANGE",
    ),
    ("MovingAvatar", "VGDLSprite", "speed:float=1 ^color:color=WHITE"),
    ("HorizontalAvatar", "MovingAvatar", ""),
    ("VerticalAvatar", "MovingAvatar", ""),
    ("NullAvatar", "HorizontalAvatar", "^color:color=GREEN"),
    (
        "FlakAvatar",
        "HorizontalAvatar",
        "stype:sprite= ammo:resource= minAmmo:int=-1 ammoCost:int=1 ^color:color=GREEN",
    ),
    (
        "OrientedAvatar",
        "MovingAvatar",
        "orientation:direction=RIGHT is_oriented:bool=True rotateInPlace:bool=True ~draw_arrow:bool=True",
    ),
    ("ShootAvatar", "OrientedAvatar", "stype:sprites= ammo:resources="),
    ("ShootOnlyAvatar", "ShootAvatar", ""),
    ("AimedAvatar", "ShootAvatar", "angle_diff:float=0.15 speed:float=0 stationary:bool=True"),
    ("SpaceshipAvatar", "ShootAvatar", "angle_diff:float=0.3 speed:float=5 orientation:direction=NONE"),
    ("OngoingShootAvatar", "ShootAvatar", "speed:float=1"),
    ("OngoingAvatar", "OrientedAvatar", "speed:float=1"),
    ("OngoingTurningAvatar", "OrientedAvatar", "speed:float=1 spawnBehind:sprite="),
    ("MissileAvatar", "OrientedAvatar", "speed:float=1"),
    ("BirdAvatar", "OrientedAvatar", "jump_strength:float=10"),
    ("CarAvatar", "OrientedAvatar", "angle_diff:float=0.15 facing:float=0 speed:float=0"),
    ("LanderAvatar", "OrientedAvatar", "angle_diff:float=0.3 speed:float=5 orientation:direction=NONE"),
    (
        "PlatformerAvatar",
        "MovingAvatar",
        "jump_strength:float=10 max_speed:float=30 ground_speedup_factor:float=1.0 "
        "air_slowdown_factor:float=2.0 ~draw_arrow:bool=False",
    ),
    (
        "WizardAvatar",
        "MovingAvatar",
        "stype:sprites= jump_strength:float=15 speed:float=0 "
        "ground_speedup_factor:float=2.0 air_slowdown_factor:float=2.0 ~draw_arrow:bool=False",
    ),
]

# Effects: (name as written in VGDL, parent, own parameters). Effect's parameters apply to every effect.
# TimeEffect's (timer ...) apply to ``TIME`` interactions and to addTimer.
_EFFECTS: list[tuple[str, str | None, str]] = [
    (
        "Effect",
        None,
        "scoreChange:score=0 prob:float=1 repeat:int=1 count:bool=True counter:score=0 "
        "countElse:bool=True counterElse:score=0 applyScore:bool=True sequential:bool=False "
        "enabled:bool=True "
        "inBatch:bool=False",
    ),
    ("TimeEffect", "Effect", "timer:int=-1 repeating:bool=False nextExecution:int=-1"),
    ("stepBack", "Effect", "pixelPerfect:bool=False"),
    ("turnAround", "Effect", ""),
    ("killSprite", "Effect", ""),
    ("killBoth", "Effect", ""),
    ("killAll", "Effect", "stype:sprite="),
    ("transformTo", "Effect", "stype:sprite= killSecond:bool=False forceOrientation:bool=False"),
    ("transformToAll", "transformTo", "stypeTo:sprite="),
    ("transformIfCount", "transformTo", "stypeCount:sprite= estype:sprite= geq:int=0 leq:int=10000"),
    ("transformToRandomChild", "transformTo", ""),
    ("transformToSingleton", "Effect", "stype:sprite= stype_other:sprite= takeOrientation:bool=False"),
    ("wrapAround", "Effect", "offset:float=0"),
    ("changeResource", "Effect", "resource:resource= value:int=1 killResource:bool=False"),
    ("killIfHasLess", "Effect", "resource:resource= limit:int=0"),
    ("killIfHasMore", "Effect", "resource:resource= limit:int=0"),
    ("killIfOtherHasMore", "Effect", "resource:resource= limit:int=0 subtract:bool=False"),
    ("killIfFromAbove", "Effect", ""),
    ("killIfAlive", "Effect", ""),
    ("killIfFrontal", "Effect", ""),
    ("killIfNotFrontal", "Effect", ""),
    ("killIfSlow", "Effect", "limspeed:float=1.0"),
    ("killIfFast", "Effect", "limspeed:float=1.0"),
    ("killIfNotUpright", "Effect", ""),
    ("cloneSprite", "Effect", ""),
    ("flipDirection", "Effect", ""),
    ("reverseDirection", "Effect", ""),
    ("shieldFrom", "Effect", "stype:sprite= ftype:effect="),
    ("undoAll", "Effect", "notStype:sprites="),
    ("spawn", "Effect", "stype:sprite="),
    ("spawnIfHasMore", "Effect", "resource:resource= limit:int=0 stype:sprite= spend:int=0"),
    ("spawnIfHasLess", "Effect", "resource:resource= limit:int=0 stype:sprite="),
    ("spawnBehind", "Effect", "stype:sprite="),
    ("spawnAbove", "Effect", "stype:sprite= stepBack:bool=False"),
    ("spawnBelow", "Effect", "stype:sprite= stepBack:bool=False"),
    ("spawnLeft", "Effect", "stype:sprite= stepBack:bool=False"),
    ("spawnRight", "Effect", "stype:sprite= stepBack:bool=False"),
    (
        "spawnIfCounterSubTypes",
        "Effect",
        "stype:sprite= estype:sprite= stypeCount:sprite= subTypesNum:int=-1 limit:int=0",
    ),
    ("updateSpawnType", "Effect", "stype:sprite= spawnPoint:sprite="),
    ("pullWithIt", "Effect", "pixelPerfect:bool=False"),
    ("wallStop", "Effect", ""),
    ("wallBounce", "Effect", "pixelPerfect:bool=False"),
    ("wallReverse", "Effect", ""),
    ("bounceDirection", "Effect", "pixelPerfect:bool=False maxBounceAngleDeg:float=60"),
    ("collectResource", "Effect", "killResource:bool=True"),
    ("collectResourceIfHeld", "Effect", "heldResource:resource= value:int=1 killResource:bool=True"),
    ("teleportToExit", "Effect", ""),
    ("bounceForward", "Effect", ""),
    ("attractGaze", "Effect", "align:bool=False"),
    ("align", "Effect", "orient:bool=True"),
    ("subtractHealthPoints", "Effect", "value:int=1 stype:sprite= limit:int=0 scoreChangeIfKilled:score=0"),
    ("addHealthPoints", "Effect", "value:int=1 killSecond:bool=False"),
    ("addHealthPointsToMax", "Effect", "value:int=1 killSecond:bool=False"),
    ("addTimer", "TimeEffect", "ftype:effect="),
    ("removeScore", "Effect", "stype:sprite= killSecond:bool=False"),
    ("increaseSpeedToAll", "Effect", "stype:sprite= value:float=0.1"),
    ("decreaseSpeedToAll", "Effect", "stype:sprite= value:float=0.1"),
    ("setSpeedForAll", "Effect", "stype:sprite= value:float=0"),
    ("halfSpeed", "Effect", ""),
    ("waterPhysics", "Effect", ""),
]

# Terminations: (name, parent, own parameters). Termination's parameters apply to every termination.
_TERMINATIONS: list[tuple[str, str | None, str]] = [
    ("Termination", None, "limit:int=0 win:bool=False count_score:bool=False"),
    ("SpriteCounter", "Termination", "stype:sprite="),
    ("SpriteCounterMore", "Termination", "stype:sprite="),
    ("MultiSpriteCounter", "Termination", "stype1:sprite= stype2:sprite= min:bool=False"),
    ("MultiSpriteCounterSubTypes", "Termination", "stype1:sprite= subTypesNum:int=-1"),
    ("Timeout", "Termination", ""),
    ("StopCounter", "Termination", "stype1:sprite= stype2:sprite= stype3:sprite= min:bool=False"),
]

# Game classes: the first line of a game file. BasicGame is the only one GVGAI's gridphysics games use.
_GAMES: list[tuple[str, str | None, str]] = [
    ("Game", None, "key_handler:str= no_players:int=1 no_counters:int=0"),
    ("BasicGame", "Game", "square_size:int=-1 obs:sprites="),
]

# The two sprite types every game has (GVGAI's Game.initSprites): used where a game does not define them.
# name -> (class, parameters as written).
DEFAULT_SPRITES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "wall": ("Immovable", (("color", "DARKGRAY"), ("solid", "True"))),
    "avatar": ("MovingAvatar", ()),
}

SPRITE_CLASSES: dict[str, ClassEntry] = _table("sprite", _SPRITES, {"VGDLSprite"})
EFFECTS: dict[str, ClassEntry] = _table("effect", _EFFECTS, {"Effect", "TimeEffect"})
TERMINATIONS: dict[str, ClassEntry] = _table("termination", _TERMINATIONS, {"Termination"})
GAME_CLASSES: dict[str, ClassEntry] = _table("game", _GAMES, {"Game"})
_TABLES: dict[str, dict[str, ClassEntry]] = {
    "sprite": SPRITE_CLASSES,
    "effect": EFFECTS,
    "termination": TERMINATIONS,
    "game": GAME_CLASSES,
}


def names(kind: str) -> list[str]:
    """The names a game file may use for ``kind`` (abstract bases excluded), in table order."""
    return [n for n, e in _TABLES[kind].items() if not e.abstract]


def lookup_class(kind: str, name: str) -> ClassEntry | None:
    """The entry for ``name`` of ``kind`` (``sprite``, ``effect``, ``termination``, ``game``), or None."""
    entry = _TABLES[kind].get(name)
    return None if entry is None or entry.abstract else entry


def lookup_param(kind: str, name: str, param: str) -> ParamEntry | None:
    """The entry for parameter ``param`` of class ``name``, inherited ones included, or None."""
    entry = _TABLES[kind].get(name)
    return entry.param(param) if entry is not None else None


def is_cosmetic(kind: str, name: str, param: str) -> bool:
    """Whether ``param`` of ``name`` only changes GVGAI's drawing (``img``, ``autotiling`` ...)."""
    p = lookup_param(kind, name, param)
    return p is not None and p.role == "cosmetic"


def is_avatar_class(name: str | None) -> bool:
    """Whether a sprite class is an avatar (a subclass of MovingAvatar)."""
    entry = SPRITE_CLASSES.get(name) if name else None
    return entry is not None and any(e.name == "MovingAvatar" for e in entry.ancestors())
