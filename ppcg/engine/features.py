"""What the engine implements: one table each for sprite classes, effects and terminations.

Each entry maps a GVGAI name to the numeric code the compiled kernel dispatches on and to the behaviour parameters
the engine reads for it. A game that uses a name missing here, or a behaviour parameter the engine does not read (set
to something other than GVGAI's default), fails to compile with :class:`~ppcg.vgdl.errors.VGDLUnsupportedError`.

Adding a feature is local: a row here, its parameters in :mod:`ppcg.engine.compiler` (``_effect_params`` or
``_sprite_params``), and one small ``@njit`` function in :mod:`ppcg.engine.kernel` called from the dispatcher
(``_apply_effect`` or ``_update_sprite``).
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------------------------
# Sprite class codes (kernel constants). Avatars are AVATAR_BASE <= code < NPC_BASE2 (is_avatar_code).
C_IMMOVABLE = 0
C_DOOR = 1
C_PASSIVE = 2
C_RESOURCE = 3
C_FLICKER = 4
C_ORIENTED_FLICKER = 5
C_MISSILE = 6
C_RANDOM_NPC = 7
C_SPAWN_POINT = 8
# NPC (issue 3)
C_CHASER = 9  # Chaser and Fleeing (the fleeing flag is in the tables)
C_RANDOM_MISSILE = 10
C_SPREADER = 11
C_BOMBER = 12  # a moving SpawnPoint
C_RANDOM_BOMBER = 13
C_BOMBER_RANDOM_MISSILE = 14
C_PORTAL = 15  # static; teleportToExit reads its stype
C_PATH_CHASER = 16  # first step of GVGAI's pathfinder (needs the game's ``obs`` parameter)
C_PATH_ALT_CHASER = 17
C_RANDOM_PATH_ALT_CHASER = 18  # draws nextDouble() against epsilon first
C_LOS_CHASER = 19  # a Chaser that only sees targets along its last random move
C_ERRATIC_MISSILE = C_MISSILE  # ONTOLOGY (issue 13): GVGAI's ErraticMissile moves exactly like a Missile
AVATAR_BASE = 20
C_MOVING_AVATAR = 20
C_ORIENTED_AVATAR = 21
C_SHOOT_AVATAR = 22
C_ONGOING_AVATAR = 23
C_FLAK_AVATAR = 24  # NPC (issue 3)
C_HORIZONTAL_AVATAR = 25  # NPC
C_MISSILE_AVATAR = 26  # NPC
C_ONGOING_SHOOT_AVATAR = 27  # NPC
C_VERTICAL_AVATAR = 28  # ONTOLOGY (issue 13)
C_NULL_AVATAR = 29  # ONTOLOGY: no action but NIL
C_SHOOT_ONLY_AVATAR = 30  # ONTOLOGY: never moves; each action fires its own entry of ``stype``
C_ONGOING_TURNING_AVATAR = 31  # ONTOLOGY: an OngoingAvatar that only turns sideways and leaves ``spawnBehind``
NPC_BASE2 = 40  # ONTOLOGY: room for more non-avatar classes; avatars are AVATAR_BASE <= code < NPC_BASE2
C_SPAWN_POINT_MULTI = 40  # ONTOLOGY: a SpawnPoint that spawns every type of its ``stypes`` at once
C_ALTERNATE_CHASER = 41  # ONTOLOGY: chases stype1 (GVGAI never flees); a random nextInt(4) step without targets
C_RANDOM_ALT_CHASER = 42  # ONTOLOGY: draws nextDouble() against epsilon first (then a random step)

# name -> (code, behaviour parameters the engine reads). One entry a line.
SPRITE_CLASSES: dict[str, tuple[int, frozenset[str]]] = {
    "Immovable": (C_IMMOVABLE, frozenset({"speed", "cooldown"})),  # static: never moves on its own
    "Door": (C_DOOR, frozenset({"speed", "cooldown"})),
    "Passive": (C_PASSIVE, frozenset({"speed", "cooldown", "orientation"})),
    "Resource": (C_RESOURCE, frozenset({"speed", "cooldown", "orientation", "value", "limit"})),
    "Flicker": (C_FLICKER, frozenset({"limit", "speed", "cooldown"})),
    "OrientedFlicker": (C_ORIENTED_FLICKER, frozenset({"limit", "speed", "cooldown"})),
    "Missile": (C_MISSILE, frozenset({"speed", "cooldown", "orientation", "timeToLive"})),
    "RandomNPC": (C_RANDOM_NPC, frozenset({"speed", "cooldown", "cons"})),
    "SpawnPoint": (C_SPAWN_POINT, frozenset({"stype", "prob", "total", "cooldown", "spawnorientation", "orientation"})),
    "Chaser": (C_CHASER, frozenset({"speed", "cooldown", "stype", "cons", "maxDistance", "fleeing"})),
    "Fleeing": (C_CHASER, frozenset({"speed", "cooldown", "stype", "cons", "maxDistance", "fleeing"})),
    "LOSChaser": (C_LOS_CHASER, frozenset({"speed", "cooldown", "stype", "cons", "maxDistance", "fleeing"})),
    "PathChaser": (C_PATH_CHASER, frozenset({"speed", "cooldown", "stype", "cons"})),
    "PathAltChaser": (C_PATH_ALT_CHASER, frozenset({"speed", "cooldown", "stype1", "stype2",
                                                    "randomTarget"})),
    "RandomPathAltChaser": (C_RANDOM_PATH_ALT_CHASER, frozenset({"speed", "cooldown", "stype1", "stype2",
                                                                 "cons", "randomTarget", "epsilon"})),
    "RandomMissile": (C_RANDOM_MISSILE, frozenset({"speed", "cooldown"})),
    "Spreader": (C_SPREADER, frozenset({"limit", "stype", "spreadprob"})),
    "Bomber": (C_BOMBER, frozenset({"stype", "prob", "total", "cooldown", "spawnorientation", "speed"})),
    "RandomBomber": (C_RANDOM_BOMBER, frozenset({"stype", "prob", "total", "cooldown", "spawnorientation", "speed",
                                                 "rotateInPlace"})),
    "BomberRandomMissile": (C_BOMBER_RANDOM_MISSILE, frozenset({"stypeMissile", "prob", "total", "cooldown",
                                                                "spawnorientation", "speed"})),
    "Portal": (C_PORTAL, frozenset({"stype"})),
    "MovingAvatar": (C_MOVING_AVATAR, frozenset({"speed", "cooldown"})),
    "OrientedAvatar": (C_ORIENTED_AVATAR, frozenset({"speed", "cooldown", "orientation", "rotateInPlace"})),
    "ShootAvatar": (C_SHOOT_AVATAR, frozenset({"speed", "cooldown", "orientation", "rotateInPlace", "stype", "ammo"})),
    "OngoingAvatar": (C_ONGOING_AVATAR, frozenset({"speed", "cooldown", "orientation"})),
    "FlakAvatar": (C_FLAK_AVATAR, frozenset({"speed", "cooldown", "stype", "ammo", "minAmmo", "ammoCost"})),
    "HorizontalAvatar": (C_HORIZONTAL_AVATAR, frozenset({"speed", "cooldown"})),
    "MissileAvatar": (C_MISSILE_AVATAR, frozenset({"speed", "cooldown"})),
    "OngoingShootAvatar": (C_ONGOING_SHOOT_AVATAR, frozenset({"speed", "cooldown", "stype", "ammo"})),
    # ONTOLOGY (issue 13)
    "ErraticMissile": (C_ERRATIC_MISSILE, frozenset({"speed", "cooldown", "orientation", "timeToLive"})),
    "SpriteProducer": (C_PASSIVE, frozenset({"speed", "cooldown", "orientation"})),  # no behaviour of its own
    "Conveyor": (C_IMMOVABLE, frozenset({"speed", "cooldown", "orientation"})),  # static, oriented
    "ResourcePack": (C_RESOURCE, frozenset({"speed", "cooldown", "orientation", "value", "limit",
                                            "resource_name"})),
    "VerticalAvatar": (C_VERTICAL_AVATAR, frozenset({"speed", "cooldown"})),
    "NullAvatar": (C_NULL_AVATAR, frozenset({"speed", "cooldown"})),
    # rotateInPlace is read and has no effect: neither class takes an active move
    "ShootOnlyAvatar": (C_SHOOT_ONLY_AVATAR, frozenset({"speed", "cooldown", "orientation", "rotateInPlace", "stype",
                                                       "ammo"})),
    "OngoingTurningAvatar": (C_ONGOING_TURNING_AVATAR, frozenset({"speed", "cooldown", "orientation", "rotateInPlace",
                                                                 "spawnBehind"})),
    "SpawnPointMultiSprite": (C_SPAWN_POINT_MULTI, frozenset({"stypes", "prob", "total", "cooldown",
                                                              "spawnorientation", "orientation"})),
    # stype2, fleeing and cons are read and have no effect: GVGAI's AlternateChaser counts stype1 twice (never
    # stype2), resets fleeing to False whenever it has targets, and never draws RandomNPC's moves
    "AlternateChaser": (C_ALTERNATE_CHASER, frozenset({"speed", "cooldown", "stype1", "stype2", "fleeing", "cons"})),
    "RandomAltChaser": (C_RANDOM_ALT_CHASER, frozenset({"speed", "cooldown", "stype1", "stype2", "fleeing", "cons",
                                                        "epsilon"})),
}

# Behaviour parameters every class accepts (handled by the engine for all sprites).
COMMON_SPRITE_PARAMS = frozenset(
    {"singleton", "portal", "orientation", "healthPoints", "maxHealthPoints", "limitHealthPoints"}
)

# Engine actions (kernel constants) and each avatar class's actions in GVGAI's order.
A_NIL, A_USE, A_LEFT, A_RIGHT, A_DOWN, A_UP = 0, 1, 2, 3, 4, 5
ACTION_NAMES = ("NIL", "USE", "LEFT", "RIGHT", "DOWN", "UP")
_MOVES = ("LEFT", "RIGHT", "DOWN", "UP")
AVATAR_ACTIONS: dict[int, tuple[str, ...]] = {
    C_MOVING_AVATAR: _MOVES,
    C_ORIENTED_AVATAR: _MOVES,
    C_SHOOT_AVATAR: ("USE",) + _MOVES,
    C_ONGOING_AVATAR: _MOVES,
    C_FLAK_AVATAR: ("USE", "LEFT", "RIGHT"),  # NPC
    C_HORIZONTAL_AVATAR: ("LEFT", "RIGHT"),  # NPC
    C_MISSILE_AVATAR: _MOVES,  # NPC (the moves do nothing: it only flies on)
    C_ONGOING_SHOOT_AVATAR: ("USE",) + _MOVES,  # NPC
    C_VERTICAL_AVATAR: ("UP", "DOWN"),  # ONTOLOGY
    C_NULL_AVATAR: (),  # ONTOLOGY
    # ONTOLOGY: GVGAI's ShootOnlyAvatar replaces its action list (LEFT, UP, RIGHT, DOWN, USE: the order that picks
    # the ``stype`` entry each action fires) after ShootAvatar has already published its own, so the actions an
    # agent sees are ShootAvatar's
    C_SHOOT_ONLY_AVATAR: ("USE",) + _MOVES,
    C_ONGOING_TURNING_AVATAR: _MOVES,
}

# ---------------------------------------------------------------------------------------------------------------
# Effect codes (kernel constants).
E_STEP_BACK = 1
E_KILL_SPRITE = 2
E_TRANSFORM_TO = 3
E_COLLECT_RESOURCE = 4
E_CHANGE_RESOURCE = 5
E_KILL_IF_FROM_ABOVE = 6
E_KILL_IF_OTHER_HAS_MORE = 7
E_SPAWN = 8
E_SPAWN_IF_HAS_MORE = 9
E_REVERSE_DIRECTION = 10
E_WRAP_AROUND = 11
E_SHIELD_FROM = 12
E_PULL_WITH_IT = 13
# added for the corpus (issue 3, EFFECTS)
E_UNDO_ALL = 14
E_BOUNCE_FORWARD = 15
E_KILL_BOTH = 16
E_ATTRACT_GAZE = 17
E_TRANSFORM_TO_ALL = 18
E_ADD_HEALTH_POINTS = 19
E_SUBTRACT_HEALTH_POINTS = 20
E_KILL_IF_HAS_LESS = 21
E_KILL_IF_HAS_MORE = 22
E_TELEPORT_TO_EXIT = 23
E_ALIGN = 24
E_ADD_TIMER = 25
E_KILL_ALL = 26
E_TRANSFORM_IF_COUNT = 27
E_TURN_AROUND = 28
E_FLIP_DIRECTION = 29
E_KILL_IF_FRONTAL = 30
E_KILL_IF_NOT_FRONTAL = 31
E_COLLECT_RESOURCE_IF_HELD = 32
E_SPAWN_BEHIND = 33
E_SPAWN_SIDE = 34  # spawnLeft / spawnRight / spawnAbove / spawnBelow (the direction is a parameter)
E_TRANSFORM_TO_SINGLETON = 35
E_SET_SPEED_FOR_ALL = 36
# ONTOLOGY (issue 13)
E_KILL_IF_ALIVE = 37
E_REMOVE_SCORE = 38
E_ADD_HEALTH_POINTS_TO_MAX = 39
E_SPAWN_IF_HAS_LESS = 40
E_HALF_SPEED = 41
E_CHANGE_SPEED_TO_ALL = 42  # increaseSpeedToAll / decreaseSpeedToAll (EI_DECREASE; floored at 0)
E_CLONE_SPRITE = 43
E_KILL_IF_NOT_UPRIGHT = 44  # kills unless the sprite faces up; no implemented class rotates, so it always kills
E_TRANSFORM_TO_RANDOM_CHILD = 45
E_UPDATE_SPAWN_TYPE = 46
E_SPAWN_IF_COUNTER_SUBTYPES = 47
E_WALL_STOP = 48
E_WALL_BOUNCE = 49  # in batch: all the second sprites of a first one at once (GVGAI's Effect.inBatch)
E_WALL_REVERSE = 50  # in batch
E_KILL_IF_SLOW = 51  # killIfSlow / killIfFast (EI_FAST): the relative speed against limspeed

# name -> (code, behaviour parameters the engine reads besides scoreChange/prob/repeat). One entry a line.
EFFECTS: dict[str, tuple[int, frozenset[str]]] = {
    "stepBack": (E_STEP_BACK, frozenset({"pixelPerfect"})),
    "killSprite": (E_KILL_SPRITE, frozenset()),
    "transformTo": (E_TRANSFORM_TO, frozenset({"stype", "killSecond", "forceOrientation"})),
    "collectResource": (E_COLLECT_RESOURCE, frozenset({"killResource"})),
    "changeResource": (E_CHANGE_RESOURCE, frozenset({"resource", "value", "killResource"})),
    "killIfFromAbove": (E_KILL_IF_FROM_ABOVE, frozenset()),
    "killIfOtherHasMore": (E_KILL_IF_OTHER_HAS_MORE, frozenset({"resource", "limit", "subtract"})),
    "spawn": (E_SPAWN, frozenset({"stype"})),
    "spawnIfHasMore": (E_SPAWN_IF_HAS_MORE, frozenset({"resource", "limit", "stype", "spend"})),
    "reverseDirection": (E_REVERSE_DIRECTION, frozenset()),
    "wrapAround": (E_WRAP_AROUND, frozenset({"offset"})),
    "shieldFrom": (E_SHIELD_FROM, frozenset({"stype", "ftype"})),
    "pullWithIt": (E_PULL_WITH_IT, frozenset({"pixelPerfect"})),
    "undoAll": (E_UNDO_ALL, frozenset({"notStype"})),
    "bounceForward": (E_BOUNCE_FORWARD, frozenset()),
    "killBoth": (E_KILL_BOTH, frozenset()),
    "attractGaze": (E_ATTRACT_GAZE, frozenset({"align"})),
    "transformToAll": (E_TRANSFORM_TO_ALL, frozenset({"stype", "stypeTo", "killSecond", "forceOrientation"})),
    "addHealthPoints": (E_ADD_HEALTH_POINTS, frozenset({"value", "killSecond"})),
    "subtractHealthPoints": (E_SUBTRACT_HEALTH_POINTS, frozenset({"value", "stype", "limit",
                                                                  "scoreChangeIfKilled"})),
    "killIfHasLess": (E_KILL_IF_HAS_LESS, frozenset({"resource", "limit"})),
    "killIfHasMore": (E_KILL_IF_HAS_MORE, frozenset({"resource", "limit"})),
    "teleportToExit": (E_TELEPORT_TO_EXIT, frozenset()),
    "align": (E_ALIGN, frozenset({"orient"})),
    "addTimer": (E_ADD_TIMER, frozenset({"ftype", "timer", "repeating", "nextExecution"})),
    "killAll": (E_KILL_ALL, frozenset({"stype"})),
    "transformIfCount": (E_TRANSFORM_IF_COUNT, frozenset({"stype", "stypeCount", "estype", "geq", "leq",
                                                          "killSecond", "forceOrientation"})),
    "turnAround": (E_TURN_AROUND, frozenset()),
    "flipDirection": (E_FLIP_DIRECTION, frozenset()),
    "killIfFrontal": (E_KILL_IF_FRONTAL, frozenset()),
    "killIfNotFrontal": (E_KILL_IF_NOT_FRONTAL, frozenset()),
    "collectResourceIfHeld": (E_COLLECT_RESOURCE_IF_HELD, frozenset({"heldResource", "value",
                                                                      "killResource"})),
    "spawnBehind": (E_SPAWN_BEHIND, frozenset({"stype"})),
    "spawnLeft": (E_SPAWN_SIDE, frozenset({"stype", "stepBack"})),
    "spawnRight": (E_SPAWN_SIDE, frozenset({"stype", "stepBack"})),
    "spawnAbove": (E_SPAWN_SIDE, frozenset({"stype", "stepBack"})),
    "spawnBelow": (E_SPAWN_SIDE, frozenset({"stype", "stepBack"})),
    "transformToSingleton": (E_TRANSFORM_TO_SINGLETON, frozenset({"stype", "stype_other",
                                                                  "takeOrientation"})),
    "setSpeedForAll": (E_SET_SPEED_FOR_ALL, frozenset({"stype", "value"})),
    # ONTOLOGY (issue 13)
    "killIfAlive": (E_KILL_IF_ALIVE, frozenset()),
    "removeScore": (E_REMOVE_SCORE, frozenset({"stype", "killSecond"})),
    "addHealthPointsToMax": (E_ADD_HEALTH_POINTS_TO_MAX, frozenset({"value", "killSecond"})),
    "spawnIfHasLess": (E_SPAWN_IF_HAS_LESS, frozenset({"resource", "limit", "stype"})),
    "halfSpeed": (E_HALF_SPEED, frozenset()),
    "increaseSpeedToAll": (E_CHANGE_SPEED_TO_ALL, frozenset({"stype", "value"})),
    "decreaseSpeedToAll": (E_CHANGE_SPEED_TO_ALL, frozenset({"stype", "value"})),
    "cloneSprite": (E_CLONE_SPRITE, frozenset()),
    "killIfNotUpright": (E_KILL_IF_NOT_UPRIGHT, frozenset()),
    "transformToRandomChild": (E_TRANSFORM_TO_RANDOM_CHILD, frozenset({"stype", "killSecond", "forceOrientation"})),
    "updateSpawnType": (E_UPDATE_SPAWN_TYPE, frozenset({"stype", "spawnPoint"})),
    "spawnIfCounterSubTypes": (E_SPAWN_IF_COUNTER_SUBTYPES, frozenset({"stype", "estype", "stypeCount", "limit",
                                                                      "subTypesNum"})),
    "wallStop": (E_WALL_STOP, frozenset()),
    "wallBounce": (E_WALL_BOUNCE, frozenset()),
    "wallReverse": (E_WALL_REVERSE, frozenset()),
    "killIfSlow": (E_KILL_IF_SLOW, frozenset({"limspeed"})),
    "killIfFast": (E_KILL_IF_SLOW, frozenset({"limspeed"})),
}

# Effects that move their second sprite (the kernel then cannot look for first sprites around the second ones).
EFFECTS_MOVING_SECOND: frozenset[int] = frozenset({E_UNDO_ALL,  # undoAll moves every sprite (EFFECTS)
                                                   E_WALL_BOUNCE, E_WALL_REVERSE})  # ONTOLOGY: back to lastrect

# Parameters of GVGAI's Effect base class that the engine handles for every effect. ``prob`` is read by the
# effects that draw (spawn, spawnIfHasMore) and, as in GVGAI, ignored by the others.
COMMON_EFFECT_PARAMS = frozenset({"scoreChange", "prob", "repeat", "count", "counter", "countElse", "counterElse"})

# ---------------------------------------------------------------------------------------------------------------
# Termination codes (kernel constants).
T_SPRITE_COUNTER = 1
T_MULTI_SPRITE_COUNTER = 2
T_TIMEOUT = 3
T_MULTI_SPRITE_COUNTER_SUBTYPES = 4  # NPC (issue 3): the second type slot holds subTypesNum
T_SPRITE_COUNTER_MORE = 5  # ONTOLOGY (issue 13)
T_STOP_COUNTER = 6  # ONTOLOGY: never ends a game; sets the canEnd flag the counter terminations obey

TERMINATIONS: dict[str, tuple[int, frozenset[str]]] = {
    "SpriteCounter": (T_SPRITE_COUNTER, frozenset({"stype", "limit", "win"})),
    "MultiSpriteCounter": (T_MULTI_SPRITE_COUNTER, frozenset({"stype1", "stype2", "stype3", "limit", "win", "min"})),
    "Timeout": (T_TIMEOUT, frozenset({"limit", "win"})),
    "MultiSpriteCounterSubTypes": (T_MULTI_SPRITE_COUNTER_SUBTYPES, frozenset({"stype1", "limit", "subTypesNum",
                                                                              "win"})),
    "SpriteCounterMore": (T_SPRITE_COUNTER_MORE, frozenset({"stype", "limit", "win"})),
    "StopCounter": (T_STOP_COUNTER, frozenset({"stype1", "stype2", "stype3", "limit", "min"})),
}

COMMON_TERMINATION_PARAMS = frozenset({"canEnd", "count_score"})


def effect_code(name: str) -> int:
    """The engine's code for an effect name, or -1 when the engine does not implement it."""
    entry = EFFECTS.get(name)
    return entry[0] if entry else -1


# ---------------------------------------------------------------------------------------------------------------
# ONTOLOGY (issue 13): why the engine refuses a GVGAI name it does not implement (docs/ontology.md, and the error
# a game that uses it gets). One entry a line.
_CONTINUOUS = "continuous physics (GVGAI's physicstype=CONT: velocities, gravity, fractional pixels) is not supported"
_NOT_YET = "not implemented yet"
REFUSED: dict[str, str] = {
    "AimedAvatar": _CONTINUOUS + " (it aims and fires at any angle)",
    "BirdAvatar": _CONTINUOUS,
    "CarAvatar": _CONTINUOUS,
    "LanderAvatar": _CONTINUOUS,
    "PlatformerAvatar": _CONTINUOUS,
    "SpaceshipAvatar": _CONTINUOUS,
    "WizardAvatar": _CONTINUOUS,
    "Walker": _CONTINUOUS,
    "WalkerJumper": _CONTINUOUS,
    "RandomInertial": _CONTINUOUS,
    "bounceDirection": _CONTINUOUS,
    "waterPhysics": _CONTINUOUS + " (it only sets gravity)",
}

# Sprite parameters of GVGAI's continuous physics: any value but GVGAI's default is refused with _CONTINUOUS.
CONTINUOUS_PARAMS = frozenset({"physicstype", "gravity", "mass", "friction", "max_speed", "jump_strength",
                               "on_ground", "solid", "airsteering"})


def is_avatar_code(code: int) -> bool:
    """Whether a sprite class code is an avatar's."""
    return AVATAR_BASE <= code < NPC_BASE2


def refusal(name: str) -> str | None:
    """Why the engine refuses a GVGAI class, effect or termination name (None where it implements it)."""
    return REFUSED.get(name)

