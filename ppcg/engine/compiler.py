"""``compile_game``: a :class:`~ppcg.vgdl.spec.GameSpec` becomes flat numeric tables for the kernel.

GVGAI's orders are computed here once, so the kernel only follows arrays:

* type ids (itypes): ``wall``, ``avatar``, then the sprite tree in pre-order (those two skipped);
* each type's subtree in GVGAI's order (``iSubTypes``): how pair effects collect their sprites;
* the sprite order (leaf types in definition order, ``wall``/``avatar`` first unless redefined, the avatar type
  moved last): drawing follows it, the update loop runs it backwards;
* pair effects grouped by (type1, type2) in order of the pair's first appearance, each group's effects in file
  order (an effect with ``repeat=k`` appears k times); EOS effects per type, the type list keeping repeats;
* terminations in file order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ppcg.engine import features as F
from ppcg.engine import layout as L
from ppcg.engine.layout import BLOCK, Tables
from ppcg.vgdl import registry
from ppcg.vgdl.errors import VGDLError, VGDLLevelError, VGDLUnsupportedError, VGDLValueError
from ppcg.vgdl.spec import EOS, TIME, Color, Direction, GameSpec

__all__ = ["CompiledGame", "compile_game", "level_plan"]

# Colours of GVGAI's classes when the game gives none (Types.java values); VGDLSprite's is random in GVGAI.
_CLASS_COLORS = {
    "Immovable": (90, 90, 90),
    "Door": (90, 90, 90),
    "Passive": (200, 0, 0),
    "Resource": (250, 250, 0),
    "Flicker": (200, 0, 0),
    "OrientedFlicker": (200, 0, 0),
    "SpawnPoint": (0, 0, 0),
    "MovingAvatar": (250, 250, 250),
    "OrientedAvatar": (250, 250, 250),
    "ShootAvatar": (250, 250, 250),
    "OngoingAvatar": (250, 250, 250),
}


@dataclass
class CompiledGame:
    """A game compiled for the engine.

    Attributes:
        spec: the game it was compiled from.
        type_names: sprite type names by GVGAI itype (``wall``, ``avatar``, then pre-order).
        leaf_names: the types with one plane each in the symbolic observation, in itype order (leaf types that
            are not ``hidden``).
        action_names: Gym order: ``"NIL"`` then the avatar class's actions in GVGAI's order.
        n_actions: ``len(action_names)``.
        colors: ``uint8 [T, 3]`` RGB per type.
        block_size: pixels per cell (10).
        tables: the kernel's numeric tables (:class:`~ppcg.engine.layout.Tables`).
        resource_names: the resource kinds (type names) in resource-index order.
        mapping: level character -> type ids, in creation order.
    """

    spec: GameSpec
    type_names: list[str]
    leaf_names: list[str]
    action_names: list[str]
    colors: np.ndarray
    tables: Tables
    resource_names: list[str]
    mapping: dict[str, tuple[int, ...]]
    block_size: int = BLOCK
    type_index: dict[str, int] = field(default_factory=dict)
    undefined_mapping: dict[str, str] = field(default_factory=dict)  # level char -> undefined sprite it names
    # sprite -> (what it lacks, its line): types the engine cannot create (a grouping node without a class, or
    # without a parameter its class needs); a level mapping to one is an error only where a level uses it
    incomplete: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    @property
    def n_actions(self) -> int:
        return len(self.action_names)

    @property
    def n_types(self) -> int:
        return len(self.type_names)


# ---------------------------------------------------------------------------------------------------------------
# value coercion (the parser types values; these also accept the raw strings)
def _as_bool(v) -> bool:
    if isinstance(v, str):
        return v.split(",")[0].strip().lower() == "true"
    if isinstance(v, tuple):
        return _as_bool(v[0]) if v else False
    return bool(v)


def _as_int(v) -> int:
    if isinstance(v, (tuple, list)):
        return _as_int(v[0]) if v else 0
    if isinstance(v, str):
        return int(float(v.split(",")[0]))
    return int(v)


def _as_float(v) -> float:
    if isinstance(v, str):
        return float(v)
    return float(v)


def _as_dir(v) -> tuple[int, int]:
    if isinstance(v, Direction):
        return (int(v.dx), int(v.dy))
    if isinstance(v, str):
        d = registry.DIRECTIONS.get(v.upper())
        if d is None:
            raise ValueError(v)
        return (int(d.dx), int(d.dy))
    return (0, 0)


def _as_names(v) -> tuple[str, ...]:
    if isinstance(v, (tuple, list)):
        return tuple(str(x) for x in v)
    return tuple(s.strip() for s in str(v).split(",") if s.strip())


def _as_rgb(v) -> tuple[int, int, int] | None:
    if isinstance(v, Color):
        return tuple(int(c) for c in v.rgb)
    if isinstance(v, str) and v.upper() in registry.COLORS:
        return tuple(registry.COLORS[v.upper()].rgb)
    return None


# NPC (issue 3): classes that face RIGHT unless told otherwise, that spawn with ``prob``, that need an
# ``stype``, that move like a RandomNPC (``cons``), that use GVGAI's pathfinder
_FACING_RIGHT = (F.C_ORIENTED_AVATAR, F.C_SHOOT_AVATAR, F.C_ONGOING_AVATAR, F.C_BOMBER, F.C_RANDOM_BOMBER,
                 F.C_BOMBER_RANDOM_MISSILE, F.C_MISSILE_AVATAR, F.C_ONGOING_SHOOT_AVATAR,
                 F.C_SHOOT_ONLY_AVATAR, F.C_ONGOING_TURNING_AVATAR, F.C_SPAWN_POINT_MULTI)  # ONTOLOGY
_SPAWNERS = (F.C_SPAWN_POINT, F.C_BOMBER, F.C_RANDOM_BOMBER, F.C_BOMBER_RANDOM_MISSILE, F.C_SPAWN_POINT_MULTI)
_NEEDS_STYPE = (F.C_SPAWN_POINT, F.C_BOMBER, F.C_RANDOM_BOMBER, F.C_SHOOT_AVATAR, F.C_FLAK_AVATAR,
                F.C_ONGOING_SHOOT_AVATAR, F.C_CHASER, F.C_LOS_CHASER, F.C_PATH_CHASER)
_RANDOM_NPCS = (F.C_RANDOM_NPC, F.C_CHASER, F.C_LOS_CHASER, F.C_PATH_CHASER, F.C_PATH_ALT_CHASER,
                F.C_ALTERNATE_CHASER, F.C_RANDOM_ALT_CHASER,
                F.C_RANDOM_PATH_ALT_CHASER)
_PATH_CHASERS = (F.C_PATH_CHASER, F.C_PATH_ALT_CHASER, F.C_RANDOM_PATH_ALT_CHASER)
# classes that create sprites of their ``stype``, and the effects' record keys naming the types they create
_CREATES_STYPE = (*_SPAWNERS, F.C_SHOOT_AVATAR, F.C_FLAK_AVATAR, F.C_ONGOING_SHOOT_AVATAR, F.C_SPREADER,
                  F.C_ONGOING_TURNING_AVATAR)
_EFFECT_CREATES = {"transformTo": ("stype",), "spawn": ("stype",), "spawnIfHasMore": ("stype",),
                   "transformToAll": ("stype2",), "transformIfCount": ("stype",), "spawnBehind": ("stype",),
                   "spawnLeft": ("stype",), "spawnRight": ("stype",), "spawnAbove": ("stype",),
                   "spawnBelow": ("stype",), "transformToSingleton": ("stype", "stype2"),
                   "updateSpawnType": ("stype",), "spawnIfCounterSubTypes": ("stype", "stype3")}


class _Missing:
    """Collects every unsupported feature with its line."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, int | None]] = []

    def add(self, kind: str, name: str, line: int | None) -> None:
        if (kind, name, line) not in self.items:
            self.items.append((kind, name, line))


def _check_params(kind: str, cls: str, params, supported: frozenset[str], common: frozenset[str],
                  missing: _Missing, line: int | None) -> None:
    """Every behaviour parameter must be read by the engine, or be left at GVGAI's default."""
    for p in params:
        if p.name in supported or p.name in common:
            continue
        entry = registry.lookup_param(kind, cls, p.name)
        if entry is None or entry.role != "behaviour":
            continue  # unknown (GVGAI ignores it) or only drawing
        default = entry.default
        try:
            same = default is not None and _same_value(p.value, default)
        except (TypeError, ValueError):
            same = False
        if not same:
            missing.add("parameter", f"{cls}.{p.name}", p.line if p.line is not None else line)


def _sprite_list(cls: str, key: str, p: dict, tid: dict, out: list[int], most: int | None, missing: _Missing,
                 line: int | None) -> None:
    """ONTOLOGY: a class's comma-separated list of sprite types (``stype`` of ShootOnlyAvatar, ``stypes`` of
    SpawnPointMultiSprite) into ``out`` (required; only the first ``most`` are kept: the rest are never used)."""
    names = _as_names(p.get(key, ""))
    if not names:
        missing.add("parameter", f"{cls}.{key} (required)", line)
    for k, nm in enumerate(names):
        if nm not in tid:
            missing.add("unknown sprite", nm, line)
        elif most is None or k < most:
            out.append(tid[nm])


def _why(kind: str, name: str) -> str:
    """ONTOLOGY: the reason :data:`features.REFUSED` gives for a refused name (continuous physics ...), if any."""
    if kind == "parameter":
        param = name.split(".", 1)[-1]
        return f": {F._CONTINUOUS}" if param in F.CONTINUOUS_PARAMS else ""
    why = F.refusal(name)
    return f": {why}" if why else ""


def _same_value(v, default) -> bool:
    if isinstance(default, bool):
        return _as_bool(v) == default
    if isinstance(default, int):
        return _as_int(v) == default
    if isinstance(default, float):
        return _as_float(v) == default
    if isinstance(default, Direction):
        return _as_dir(v) == (default.dx, default.dy)
    return str(v) == str(default)


# ---------------------------------------------------------------------------------------------------------------
# ranges: every number the engine reads goes into an int32 table or moves a sprite, so each has a range, checked
# with its line before compiling (GVGAI's Java ints would wrap silently; the engine refuses instead)
_BIG = 10**9  # counts, ticks, limits: int32 with room for the kernel's sums
_AMOUNT = 10**8  # amounts added up every tick (score, resources, health points)
MAX_SPEED = 100.0  # cells per tick: a sprite stays inside the engine's positions for 10**6 ticks at least
NUMERIC_RANGES: dict[str, tuple[float, float]] = {  # parameter -> (lowest, highest) the engine accepts
    "speed": (-MAX_SPEED, MAX_SPEED),
    "repeat": (0, 1000),
    "cooldown": (-_BIG, _BIG),
    "limit": (-_BIG, _BIG),
    "cons": (-_BIG, _BIG),
    "timeToLive": (-_BIG, _BIG),
    "maxDistance": (-_BIG, _BIG),
    "minAmmo": (-_BIG, _BIG),
    "ammoCost": (-_BIG, _BIG),
    "total": (-_BIG, _BIG),
    "timer": (-_BIG, _BIG),
    "nextExecution": (-_BIG, _BIG),
    "geq": (-_BIG, _BIG),
    "leq": (-_BIG, 2**31 - 1),
    "subTypesNum": (-_BIG, _BIG),
    "value": (-_AMOUNT, _AMOUNT),
    "scoreChange": (-_AMOUNT, _AMOUNT),
    "scoreChangeIfKilled": (-_AMOUNT, _AMOUNT),
    "healthPoints": (-_AMOUNT, _AMOUNT),
    "maxHealthPoints": (-_AMOUNT, _AMOUNT),
    "limitHealthPoints": (-_AMOUNT, _AMOUNT),
    "prob": (-_BIG, _BIG),
    "epsilon": (-_BIG, _BIG),
    "spreadprob": (-_BIG, _BIG),
    "offset": (-_BIG, _BIG),
    "spend": (-_AMOUNT, _AMOUNT),
    "shrinkfactor": (-_BIG, _BIG),
}
_SPEED_EFFECTS = ("setSpeedForAll", "increaseSpeedToAll", "decreaseSpeedToAll")  # their ``value`` is a speed
MAX_LEVEL_SIDE = 10_000  # cells: positions (pixels) and cell indices stay far inside int32
MAX_LEVEL_CELLS = 1 << 24


def _number(v) -> float | None:
    """The number a parameter value stands for (the first of a list), or None when it is not one."""
    if isinstance(v, (tuple, list)):
        return _number(v[0]) if v else None
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.split(",")[0])
        except ValueError:
            return None
    return None


def check_ranges(spec: GameSpec) -> None:
    """Raise :class:`VGDLValueError` (file and line) for the first number outside :data:`NUMERIC_RANGES`."""
    owners = [(s.own_params, s.line, False) for s in spec.sprites]
    owners += [(x.params, x.line, x.effect in _SPEED_EFFECTS) for x in spec.interactions]
    owners += [(x.params, x.line, False) for x in spec.terminations]
    for params, line, speed_valued in owners:
        for p in params:
            bounds = NUMERIC_RANGES["speed" if speed_valued and p.name == "value" else p.name] \
                if p.name in NUMERIC_RANGES else None
            v = _number(p.value) if bounds is not None else None
            if v is None:
                continue
            lo, hi = bounds
            if not (math.isfinite(v) and lo <= v <= hi):
                raise VGDLValueError(
                    f"{p.name}={p.raw} is out of the engine's range", file=spec.path,
                    line=p.line if p.line is not None else line, text=p.raw,
                    expected=f"a number from {lo:g} to {hi:g}")


# ---------------------------------------------------------------------------------------------------------------
def compile_game(spec: GameSpec) -> CompiledGame:
    """Compile ``spec`` into the kernel's tables.

    Raises:
        VGDLUnsupportedError: the game uses sprite classes, effects, terminations or behaviour parameters the
            engine does not implement; ``.missing`` lists every one with its line.
    """
    check_ranges(spec)
    missing = _Missing()
    smap = spec.sprite_map
    names = ["wall", "avatar"] + [s.name for s in spec.sprites if s.name not in ("wall", "avatar")]
    tid = {n: i for i, n in enumerate(names)}
    T = len(names)
    file = spec.path
    if T > L.MAX_TYPES:
        raise VGDLError(f"{T} sprite types: the engine holds at most {L.MAX_TYPES}", file=file)

    def cls_of(n: str) -> str | None:
        if n in smap:
            return smap[n].cls
        return "Immovable" if n == "wall" else "MovingAvatar"

    def params_of(n: str) -> dict:
        return {p.name: p.value for p in smap[n].params} if n in smap else {}

    def children_of(n: str) -> tuple[str, ...]:
        return smap[n].children if n in smap else ()

    def line_of(n: str) -> int | None:
        return smap[n].line if n in smap else None

    # --- sprite classes and their parameters
    cls_code = np.full(T, -1, np.int32)
    for n in names:
        c = cls_of(n)
        if c is None:
            continue
        entry = F.SPRITE_CLASSES.get(c)
        if entry is None:
            missing.add("sprite class", c, line_of(n))
            continue
        cls_code[tid[n]] = entry[0]
        if n in smap:
            _check_params("sprite", c, smap[n].params, entry[1], F.COMMON_SPRITE_PARAMS, missing, line_of(n))

    def pdefault(c: str, p: str, fallback):
        e = registry.lookup_param("sprite", c, p) if c else None
        return e.default if e is not None and e.default is not None else fallback

    # resource kinds: Resource-class types plus names used as resources by effects and avatars
    res_types: list[int] = [tid[n] for n in names if cls_of(n) == "Resource"]

    def res_index(name: str, line: int | None) -> int:
        if name not in tid:
            missing.add("unknown sprite", name, line)
            return -1
        t = tid[name]
        if t not in res_types:
            res_types.append(t)
        return res_types.index(t)

    is_static = np.zeros(T, np.bool_)
    is_oriented = np.zeros(T, np.bool_)
    is_avatar = np.zeros(T, np.bool_)
    speed = np.zeros(T, np.float64)
    passive_px = np.zeros(T, np.int32)
    active_px = np.zeros(T, np.int32)
    cooldown = np.ones(T, np.int32)
    ox0 = np.zeros(T, np.int32)
    oy0 = np.zeros(T, np.int32)
    rotate = np.zeros(T, np.bool_)
    flimit = np.zeros(T, np.int32)
    cons = np.zeros(T, np.int32)
    prob = np.ones(T, np.float64)
    stype = np.full(T, -1, np.int32)
    total = np.zeros(T, np.int32)
    sox = np.zeros(T, np.int32)
    soy = np.zeros(T, np.int32)
    hp0 = np.zeros(T, np.int32)
    hp_limit = np.full(T, 1000, np.int32)  # EFFECTS: limitHealthPoints
    res_value = np.ones(T, np.int32)
    ammo = np.full(T, -1, np.int32)
    invisible = np.zeros(T, np.bool_)
    hidden = np.zeros(T, np.bool_)
    colors = np.zeros((T, 3), np.uint8)
    singleton_own = np.zeros(T, np.bool_)
    shrink = np.ones(T, np.float64)
    res_limit_of_type: dict[int, int] = {}
    pack_res: dict[int, int] = {}  # ONTOLOGY: ResourcePack type -> the resource it gives
    flee = np.zeros(T, np.bool_)  # NPC (issue 3)
    maxdist = np.full(T, -1, np.int32)
    min_ammo = np.full(T, -1, np.int32)
    ammo_cost = np.ones(T, np.int32)
    missile_lists: list[list[int]] = [[] for _ in range(T)]
    rand_tgt = np.zeros(T, np.bool_)
    ttl = np.full(T, -1, np.int32)
    # types the engine cannot create (what they lack): grouping nodes without a class, or without a parameter
    # their class needs and that only their children set; GVGAI fails on them only when one is created
    incomplete: dict[int, str] = {tid[n]: "a sprite class" for n in names if cls_of(n) is None}

    for n in names:
        t = tid[n]
        c = cls_of(n)
        p = params_of(n)
        own = {q.name: q.value for q in smap[n].own_params} if n in smap else {}
        singleton_own[t] = _as_bool(own.get("singleton", False))
        rgb = _as_rgb(p.get("color")) if "color" in p else None
        if rgb is None:
            rgb = (30, 30, 30) if (n == "wall" and n not in smap) else _CLASS_COLORS.get(c or "", None)
        if rgb is None:
            h = sum((i + 1) * ord(ch) for i, ch in enumerate(n))
            rgb = (20 + 60 * (h % 4), 20 + 60 * ((h // 4) % 4), 20 + 60 * ((h // 16) % 4))
        colors[t] = rgb
        invisible[t] = _as_bool(p.get("invisible", False))
        hidden[t] = _as_bool(p.get("hidden", False))
        try:
            shrink[t] = _as_float(p.get("shrinkfactor", 1.0))
        except (TypeError, ValueError):
            shrink[t] = 1.0
        if c is None or cls_code[t] < 0:
            continue
        code = int(cls_code[t])
        is_avatar[t] = F.is_avatar_code(code)
        is_static[t] = bool(pdefault(c, "is_static", False))
        sp = _as_float(p.get("speed", pdefault(c, "speed", 0.0)))
        speed[t] = sp
        ps = 1.0 if sp == -1 else sp
        passive_px[t] = 0 if ps == 0 else (int(ps * BLOCK) or int(sp))
        asp = 1.0 if sp == 0 else sp
        active_px[t] = int(asp * BLOCK) or int(sp)
        cooldown[t] = max(1, _as_int(p.get("cooldown", 0)))
        if "orientation" in p:
            ox0[t], oy0[t] = _as_dir(p["orientation"])
        elif code in _FACING_RIGHT:
            ox0[t], oy0[t] = 1, 0
        elif code == F.C_RANDOM_MISSILE:
            ox0[t], oy0[t] = -1, -1  # GVGAI's NIL: drawn on the first update
        is_oriented[t] = bool(pdefault(c, "is_oriented", False)) or (ox0[t], oy0[t]) != (0, 0)
        rotate[t] = _as_bool(p.get("rotateInPlace", pdefault(c, "rotateInPlace", False)))
        flimit[t] = _as_int(p.get("limit", 1)) if code in (F.C_FLICKER, F.C_ORIENTED_FLICKER) else 0
        cons[t] = _as_int(p.get("cons", 0)) if code in _RANDOM_NPCS else 0
        leaf = not children_of(n)
        if code == F.C_MISSILE:
            ttl[t] = _as_int(p.get("timeToLive", -1))
        if code in (F.C_PATH_ALT_CHASER, F.C_RANDOM_PATH_ALT_CHASER, F.C_ALTERNATE_CHASER, F.C_RANDOM_ALT_CHASER):
            rand_tgt[t] = _as_bool(p.get("randomTarget", False))
            prob[t] = _as_float(p.get("epsilon", 0.0))
            st1 = _as_names(p.get("stype1", ""))
            if len(st1) == 1 and st1[0] in tid:
                stype[t] = tid[st1[0]]
            elif leaf and len(st1) > 1 and code in (F.C_ALTERNATE_CHASER, F.C_RANDOM_ALT_CHASER):
                missing.add("parameter", f"{c}.stype1 with several sprites (GVGAI picks one with an unseeded "
                            "java.util.Random: not reproducible)", line_of(n))
            elif leaf:
                missing.add("parameter", f"{c}.stype1 (one sprite)", line_of(n))
            else:
                incomplete[t] = f"{c}.stype1"
        if code in (F.C_CHASER, F.C_LOS_CHASER):
            flee[t] = _as_bool(p.get("fleeing", c == "Fleeing"))
            maxdist[t] = int(_as_float(p.get("maxDistance", -1)))
        if code == F.C_SPREADER:
            flimit[t] = _as_int(p.get("limit", 1))
            prob[t] = _as_float(p.get("spreadprob", 1.0))
        if code == F.C_FLAK_AVATAR:
            min_ammo[t] = _as_int(p.get("minAmmo", -1))
            ammo_cost[t] = _as_int(p.get("ammoCost", 1))
        if code == F.C_BOMBER_RANDOM_MISSILE and leaf:
            for nm in _as_names(p.get("stypeMissile", "")):
                if nm not in tid:
                    missing.add("unknown sprite", nm, line_of(n))
                else:
                    missile_lists[t].append(tid[nm])
            if not missile_lists[t]:
                missing.add("parameter", f"{c}.stypeMissile (required)", line_of(n))
        elif code == F.C_BOMBER_RANDOM_MISSILE:
            incomplete[t] = f"{c}.stypeMissile"
        hp = _as_int(p.get("healthPoints", 0))
        mhp = _as_int(p.get("maxHealthPoints", 0)) or hp
        hp0[t] = min(hp, mhp)
        hp_limit[t] = _as_int(p.get("limitHealthPoints", 1000))
        if code in _SPAWNERS:
            prob[t] = _as_float(p.get("prob", 1.0))
            total[t] = _as_int(p.get("total", 0))
            if "spawnorientation" in p:
                sox[t], soy[t] = _as_dir(p["spawnorientation"])
        if code in _NEEDS_STYPE or (code in (F.C_SPREADER, F.C_PORTAL) and p.get("stype")):
            st = _as_names(p.get("stype", ""))
            if not st:
                if not children_of(n):
                    missing.add("parameter", f"{c}.stype (required)", line_of(n))
                else:  # a grouping node whose children set stype
                    incomplete[t] = f"{c}.stype"
            elif len(st) > 1:
                missing.add("parameter", f"{c}.stype with several sprites", line_of(n))
            elif st[0] not in tid:
                missing.add("unknown sprite", st[0], line_of(n))
            else:
                stype[t] = tid[st[0]]
        if code in (F.C_SHOOT_ONLY_AVATAR, F.C_SPAWN_POINT_MULTI):  # ONTOLOGY: their type lists in items
            key = "stype" if code == F.C_SHOOT_ONLY_AVATAR else "stypes"
            if leaf or p.get(key):  # ShootOnlyAvatar's: one entry per action
                _sprite_list(c, key, p, tid, missile_lists[t], 5 if key == "stype" else None, missing, line_of(n))
            else:
                incomplete[t] = f"{c}.{key}"
        if code == F.C_ONGOING_TURNING_AVATAR:  # ONTOLOGY: without spawnBehind GVGAI spawns type 0 (wall)
            sb = _as_names(p.get("spawnBehind", ""))
            if sb and sb[0] not in tid:
                missing.add("unknown sprite", sb[0], line_of(n))
            stype[t] = tid[sb[0]] if sb and sb[0] in tid else 0
        shooters = (F.C_SHOOT_AVATAR, F.C_FLAK_AVATAR, F.C_ONGOING_SHOOT_AVATAR, F.C_SHOOT_ONLY_AVATAR)
        if code in shooters and p.get("ammo"):
            am = _as_names(p["ammo"])
            if len(am) > 1:
                missing.add("parameter", f"{c}.ammo with several resources", line_of(n))
            else:
                ammo[t] = res_index(am[0], line_of(n))
        if code == F.C_RESOURCE:
            res_value[t] = _as_int(p.get("value", 1))
            if c == "ResourcePack":  # ONTOLOGY: gives resource_name; the limit is that Resource type's (else 0)
                rn = _as_names(p.get("resource_name", ""))
                if not rn:
                    missing.add("parameter", f"{c}.resource_name (required: GVGAI fails without it)", line_of(n))
                else:
                    pack_res[t] = res_index(rn[0], line_of(n))
            else:
                res_limit_of_type[t] = _as_int(p.get("limit", 2))

    uncreatable: list[tuple[str, int | None]] = []  # (what, line): a sprite or effect creates an incomplete type

    def creates(u: int, by: str, line: int | None) -> None:
        if u in incomplete:
            uncreatable.append((f"{by} creates {names[u]!r}, which lacks {incomplete[u]} (a grouping node)", line))

    for n in names:
        t = tid[n]
        if cls_code[t] in _CREATES_STYPE and stype[t] >= 0:
            creates(int(stype[t]), n, line_of(n))
        for u in missile_lists[t]:
            creates(u, n, line_of(n))

    # --- GVGAI's pathfinder (BasicGame ``obs``, NPC): obstacles are the listed leaf types the observation
    # grid shows (not hidden); path-finding NPCs need it
    obst = np.zeros(T, np.bool_)
    obs_names = _as_names(spec.get("obs", ""))
    for nm in obs_names:
        if nm in tid and not children_of(nm) and not hidden[tid[nm]]:
            obst[tid[nm]] = True
    if not obs_names:
        for n in names:
            if cls_code[tid[n]] in _PATH_CHASERS and not children_of(n):
                missing.add("parameter", f"{cls_of(n)} without the game's obs= (no pathfinder)", line_of(n))

    # --- tree orders
    def subtree(n: str) -> list[str]:
        out = [n]
        for ch in children_of(n):
            out.extend(subtree(ch))
        return out

    sub_lists = [[tid[m] for m in subtree(n)] for n in names]
    is_in = np.zeros((T, T), np.bool_)
    rank = np.full((T, T), 1 << 20, np.int32)
    for t, lst in enumerate(sub_lists):
        for r, u in enumerate(lst):
            is_in[t, u] = True
            rank[t, u] = r

    def ancestors(n: str) -> list[str]:
        return spec.ancestors(n) if n in smap else [n]

    sing_lists = [[tid[a] for a in ancestors(n) if singleton_own[tid[a]]] for n in names]

    order = [tid["wall"], tid["avatar"]]
    for s in spec.sprites:
        if s.is_leaf:
            t = tid[s.name]
            if t in order:
                order.remove(t)
            order.append(t)
    order = [t for t in order if t != tid["avatar"]] + [tid["avatar"]]
    draw_rank = np.zeros(T, np.int32)
    for r, t in enumerate(order):
        draw_rank[t] = r
    update_order = [t for t in reversed(order) if cls_code[t] >= 0 and not is_avatar[t]]
    avatar_scan = [order[k] for k in range(len(order) - 1, 0, -1)]

    # --- interactions
    effect_names_seen: dict[tuple[int, str], int] = {}  # (line, effect) -> pull index
    pairs: list[tuple[int, int]] = []
    pair_effs: dict[tuple[int, int], list[dict]] = {}
    eos_list: list[int] = []
    eos_effs: dict[int, list[dict]] = {}
    time_effs: list[dict] = []
    for it in spec.interactions:
        ename = it.effect
        entry = F.EFFECTS.get(ename)
        if entry is None:
            missing.add("effect", ename, it.line)
            continue
        if TIME in (it.sprite1, it.sprite2):  # EFFECTS: GVGAI's native TimeEffect around the effect
            _check_params("effect", ename, it.params, entry[1], F.COMMON_EFFECT_PARAMS, missing, it.line)
            eff = _effect_record(ename, entry[0], it, tid, res_index, missing, effect_names_seen)
            subj = it.sprite2 if it.sprite1 == TIME else it.sprite1
            if subj not in tid:
                missing.add("unknown sprite", subj, it.line)
            elif eff is not None:
                eff = dict(eff, subj=tid[subj])
                time_effs.append(eff)
            continue
        _check_params("effect", ename, it.params, entry[1], F.COMMON_EFFECT_PARAMS, missing, it.line)
        eff = _effect_record(ename, entry[0], it, tid, res_index, missing, effect_names_seen)
        if eff is None:
            continue
        for key in _EFFECT_CREATES.get(ename, ()):
            creates(eff.get(key, -1), ename, it.line)
        reps = max(0, _as_int(it.get("repeat", 1)))
        if EOS in (it.sprite1, it.sprite2):
            subj = it.sprite2 if it.sprite1 == EOS else it.sprite1
            if subj not in tid:
                missing.add("unknown sprite", subj, it.line)
                continue
            t = tid[subj]
            eos_list.append(t)
            eos_effs.setdefault(t, []).extend([eff] * reps)
            continue
        if it.sprite1 not in tid or it.sprite2 not in tid:
            missing.add("unknown sprite", it.sprite1 if it.sprite1 not in tid else it.sprite2, it.line)
            continue
        key = (tid[it.sprite1], tid[it.sprite2])
        if key not in pair_effs:
            pairs.append(key)
            pair_effs[key] = []
        pair_effs[key].extend([eff] * reps)

    effs: list[dict] = []
    pair_e0, pair_e1 = [], []
    for key in pairs:
        pair_e0.append(len(effs))
        effs.extend(pair_effs[key])
        pair_e1.append(len(effs))
    eos_lists = [[] for _ in range(T)]
    for t, lst in eos_effs.items():
        for e in lst:
            eos_lists[t].append(len(effs))
            effs.append(e)
    # EFFECTS: the native TIME effects, then the effects addTimer queues, after the pair and EOS effects
    time_list: list[int] = []
    for e in time_effs:
        time_list.append(len(effs))
        effs.append(e)
    for r in list(effs):
        if r.get("sub_rec") is not None and r.get("sub", -1) < 0:
            r["sub"] = len(effs)
            effs.append(r["sub_rec"])

    # --- terminations
    term_code, term_t, term_limit, term_win, term_min = [], [], [], [], []
    for tm in spec.terminations:
        entry = F.TERMINATIONS.get(tm.cls)
        if entry is None:
            missing.add("termination", tm.cls, tm.line)
            continue
        _check_params("termination", tm.cls, tm.params, entry[1], F.COMMON_TERMINATION_PARAMS, missing, tm.line)
        ts = [-1, -1, -1]
        one = entry[0] in (F.T_SPRITE_COUNTER, F.T_SPRITE_COUNTER_MORE)
        keys = ("stype",) if one else ("stype1", "stype2", "stype3")
        if entry[0] != F.T_TIMEOUT:
            for k, key in enumerate(keys):
                v = tm.get(key)
                if v is None:
                    continue
                nm = _as_names(v)[0] if _as_names(v) else ""
                if nm not in tid:
                    missing.add("unknown sprite", nm, tm.line)
                else:
                    ts[k] = tid[nm]
        if entry[0] == F.T_MULTI_SPRITE_COUNTER_SUBTYPES:  # NPC: stype1 and subTypesNum
            ts[1:] = [_as_int(tm.get("subTypesNum", -1)), -1]
        term_code.append(entry[0])
        term_t.append(ts)
        term_limit.append(_as_int(tm.get("limit", 0)))
        term_win.append(_as_bool(tm.get("win", False)))
        term_min.append(_as_bool(tm.get("min", False)))

    # --- level mapping
    mapping: dict[str, tuple[int, ...]] = {}
    undefined_mapping: dict[str, str] = {}  # an error only for a level that uses the character
    for ch, sprite_names in spec.mapping:
        ids = []
        for nm in sprite_names:
            if nm not in tid:
                undefined_mapping.setdefault(ch, nm)
            else:
                ids.append(tid[nm])
        mapping[ch] = tuple(ids)

    if missing.items:
        listing = "; ".join(f"{k} {n!r}" + (f" (line {ln})" if ln is not None else "") + _why(k, n)
                            for k, n, ln in missing.items)
        first = next((ln for _, _, ln in missing.items if ln is not None), None)
        raise VGDLUnsupportedError(f"the engine does not implement: {listing}", missing=missing.items, file=file,
                                   line=first)
    if uncreatable:
        what, line = uncreatable[0]
        raise VGDLValueError(what, file=file, line=line,
                             expected="a sprite type with a class and every parameter its class needs")

    # --- actions: the avatar class of the first avatar the level mapping creates
    avatar_code = F.C_MOVING_AVATAR
    cands = [t for ch, ids in mapping.items() for t in ids if is_avatar[t]]
    cands += [t for t in range(T) if is_avatar[t]]
    if cands:
        avatar_code = int(cls_code[cands[0]])
    action_names = ["NIL"] + list(F.AVATAR_ACTIONS[avatar_code])
    gym_actions = np.array([F.ACTION_NAMES.index(a) for a in action_names], np.int32)
    act_allowed = np.zeros((T, len(F.ACTION_NAMES)), np.bool_)
    for t in range(T):
        if is_avatar[t]:
            for a in F.AVATAR_ACTIONS[int(cls_code[t])]:
                act_allowed[t, F.ACTION_NAMES.index(a)] = True

    # --- observation planes and drawing
    used = {t for ids in mapping.values() for t in ids}
    leaf_types = [t for t, n in enumerate(names) if not children_of(n) and (n in smap or t in used)]
    leaf_names = [names[t] for t in leaf_types if not hidden[t]]
    plane = np.full(T, -1, np.int32)
    for k, nm in enumerate(leaf_names):
        plane[tid[nm]] = k
    wall_type = tid["wall"] if ("wall" in smap or tid["wall"] in used) else -1
    wall_plane = int(plane[wall_type]) if wall_type >= 0 else -1
    shade = (colors.astype(np.float64) * 0.55).astype(np.uint8)
    mask = np.zeros((T, BLOCK, BLOCK), np.uint8)
    for t in range(T):
        mask[t] = _shape(int(cls_code[t]), bool(is_static[t]), float(shrink[t]))

    res_limit = np.array([res_limit_of_type.get(t, 0) for t in res_types], np.int32)
    res_of_type = np.full(T, -1, np.int32)
    for r, t in enumerate(res_types):
        if cls_of(names[t]) == "Resource":
            res_of_type[t] = r
    for t, r in pack_res.items():
        res_of_type[t] = r

    tables = _pack_tables(
        T=T, cls_code=cls_code, is_static=is_static, is_oriented=is_oriented, is_avatar=is_avatar,
        passive_px=passive_px, active_px=active_px, cooldown=cooldown, ox0=ox0, oy0=oy0, rotate=rotate,
        flimit=flimit, cons=cons, stype=stype, total=total, sox=sox, soy=soy, hp0=hp0, res_of_type=res_of_type,
        hp_limit=hp_limit, time_list=time_list,
        res_value=res_value, ammo=ammo, invisible=invisible, plane=plane, draw_rank=draw_rank, speed=speed,
        prob=prob, is_in=is_in, rank=rank, act_allowed=act_allowed, sub_lists=sub_lists, sing_lists=sing_lists,
        eos_lists=eos_lists, update_order=update_order, order=order, avatar_scan=avatar_scan, eos_list=eos_list,
        gym_actions=gym_actions, res_limit=res_limit, pairs=pairs, pair_e0=pair_e0, pair_e1=pair_e1, effs=effs,
        terms=(term_code, term_t, term_limit, term_win, term_min), colors=colors, shade=shade, mask=mask,
        n_planes=len(leaf_names), wall_plane=wall_plane, wall_type=wall_type,
        n_pull=max(1, len(set(effect_names_seen.values()))),
        # NPC
        flee=flee, maxdist=maxdist, min_ammo=min_ammo, ammo_cost=ammo_cost, missile_lists=missile_lists,
        obst=obst, rand_tgt=rand_tgt, pathf=_pathfinder_mode(bool(obs_names), avatar_code), ttl=ttl,
    )
    return CompiledGame(
        spec=spec, type_names=names, leaf_names=leaf_names, action_names=action_names, colors=colors,
        tables=tables, resource_names=[names[t] for t in res_types], mapping=mapping, type_index=tid,
        undefined_mapping=undefined_mapping,
        incomplete={names[t]: (lacks, line_of(names[t])) for t, lacks in incomplete.items()},
    )


def _pathfinder_mode(has_obs: bool, avatar_code: int) -> int:
    """``M_PATHF``: 0 no pathfinder; 1 its four neighbours; 2 only LEFT and RIGHT. GVGAI's PathFinder picks its
    neighbours once per process from the avatar's available actions: exactly three (FlakAvatar: USE, LEFT,
    RIGHT) means a horizontal-only search, so path-finding NPCs then never step up or down."""
    if not has_obs:
        return 0
    return 2 if len(F.AVATAR_ACTIONS[avatar_code]) == 3 else 1


def _pack_tables(*, T, **k) -> Tables:
    """Pack the per-type, per-effect and per-pair values into the kernel's few arrays (:mod:`ppcg.engine.layout`)."""
    ti = np.zeros((T, L.NTI), np.int32)
    cols = {
        L.TI_CLS: "cls_code", L.TI_STATIC: "is_static", L.TI_ORIENTED: "is_oriented", L.TI_AVATAR: "is_avatar",
        L.TI_PPX: "passive_px", L.TI_APX: "active_px", L.TI_COOLDOWN: "cooldown", L.TI_OX0: "ox0", L.TI_OY0: "oy0",
        L.TI_ROTATE: "rotate", L.TI_FLIMIT: "flimit", L.TI_CONS: "cons", L.TI_STYPE: "stype", L.TI_TOTAL: "total",
        L.TI_SOX: "sox", L.TI_SOY: "soy", L.TI_HP0: "hp0", L.TI_RES_OF: "res_of_type", L.TI_RES_VALUE: "res_value",
        L.TI_AMMO: "ammo", L.TI_INVISIBLE: "invisible", L.TI_PLANE: "plane", L.TI_DRAW_RANK: "draw_rank",
        L.TI_HP_LIMIT: "hp_limit",
        # NPC
        L.TI_FLEE: "flee", L.TI_MAXDIST: "maxdist", L.TI_MINAMMO: "min_ammo", L.TI_AMMOCOST: "ammo_cost",
        L.TI_OBST: "obst", L.TI_RANDTGT: "rand_tgt", L.TI_TTL: "ttl",
    }
    for c, name in cols.items():
        ti[:, c] = np.asarray(k[name]).astype(np.int32)
    items: list[int] = []
    for lists, c0, c1 in ((k["sub_lists"], L.TI_SUB0, L.TI_SUB1), (k["sing_lists"], L.TI_SING0, L.TI_SING1),
                          (k["eos_lists"], L.TI_EOS0, L.TI_EOS1),
                          (k["missile_lists"], L.TI_MISS0, L.TI_MISS1)):
        for t, lst in enumerate(lists):
            ti[t, c0] = len(items)
            items.extend(lst)
            ti[t, c1] = len(items)
    tf = np.zeros((T, 2), np.float64)
    tf[:, L.TF_SPEED] = k["speed"]
    tf[:, L.TF_PROB] = k["prob"]
    tt = np.stack([k["is_in"].astype(np.int32), k["rank"]]).astype(np.int32)
    misc = np.zeros(L.NMISC, np.int32)
    misc[L.M_N_PLANES] = k["n_planes"]
    misc[L.M_WALL_PLANE] = k["wall_plane"]
    misc[L.M_WALL_TYPE] = k["wall_type"]
    misc[L.M_N_PULL] = k["n_pull"]
    misc[L.M_PATHF] = k["pathf"]  # NPC
    misc[L.M_FAST] = L.FAST_ALL  # BatchEngine(reference=True) clears them in its own copy
    seq: list[int] = []
    for name, c0, c1 in (("update_order", L.M_UPD0, L.M_UPD1), ("order", L.M_DRAW0, L.M_DRAW1),
                         ("avatar_scan", L.M_AV0, L.M_AV1), ("eos_list", L.M_EOSL0, L.M_EOSL1),
                         ("gym_actions", L.M_GYM0, L.M_GYM1), ("res_limit", L.M_RESL0, L.M_RESL1),
                         ("time_list", L.M_TIME0, L.M_TIME1)):
        misc[c0] = len(seq)
        seq.extend(int(x) for x in k[name])
        misc[c1] = len(seq)
    pairs = k["pairs"]
    pi = np.zeros((len(pairs), L.NPI), np.int32)
    effs_ = k["effs"]
    for p, (a, b) in enumerate(pairs):
        e0, e1 = k["pair_e0"][p], k["pair_e1"][p]
        disjoint = not (k["is_in"][a] & k["is_in"][b]).any()
        moves2 = any(effs_[e]["code"] in F.EFFECTS_MOVING_SECOND for e in range(e0, e1))
        pi[p, [L.PI_T1, L.PI_T2, L.PI_E0, L.PI_E1, L.PI_FAST]] = (a, b, e0, e1, int(disjoint and not moves2))
    effs = k["effs"]
    ei = np.zeros((len(effs), L.NEI), np.int32)
    ef = np.zeros((len(effs), L.NEF), np.float64)
    for e, r in enumerate(effs):
        ei[e, [L.EI_CODE, L.EI_SCORE, L.EI_STYPE, L.EI_RES, L.EI_PULL]] = (
            r["code"], r["score"], r["stype"], r["res"], r["pull"])
        _pack_params(r, ei[e], ef[e])
        # EFFECTS
        for key, default in (("stype2", -1), ("stype3", -1), ("geq", 0), ("leq", 1 << 30), ("timer", -1),
                             ("repeating", False), ("next0", -1), ("subj", -1), ("sub", -1), ("score2", 0)):
            ei[e, getattr(L, "EI_" + key.upper())] = r.get(key, default)
        ei[e, L.EI_L0] = len(items)
        items.extend(r.get("types", ()))
        ei[e, L.EI_L1] = len(items)
        ef[e, L.EF_PROB] = r["prob"]
    for e0, e1 in zip(k["pair_e0"], k["pair_e1"], strict=True):
        for e in range(e0 + 1, e1):
            ei[e, L.EI_SAME_PREV] = int(effs[e] == effs[e - 1])
    code, tts, limit, win, mn = k["terms"]
    qi = np.zeros((len(code), L.NQI), np.int32)
    for q in range(len(code)):
        qi[q, [L.QI_CODE, L.QI_LIMIT, L.QI_WIN, L.QI_MIN]] = (code[q], limit[q], win[q], mn[q])
        qi[q, L.QI_T0:L.QI_T0 + 3] = tts[q][:3]
    col = np.stack([k["colors"], k["shade"]], axis=1).astype(np.uint8)
    return Tables(
        ti=ti, tf=tf, tt=tt, act=k["act_allowed"].astype(np.int32), items=np.array(items, np.int32),
        seq=np.array(seq, np.int32), misc=misc, pi=pi, ei=ei, ef=ef, qi=qi, col=col, mask=k["mask"],
    )


def _param_columns(prefix: str, shared: tuple[str, ...]) -> dict[str, int]:
    """The effect parameters stored in ``prefix``'s shared columns, by key (``"kill_second"`` -> ``EI_FLAG1``)."""
    names = [f"{prefix}_{c}" for c in shared] + [a for a, c in L.ALIASES.items() if a.startswith(prefix + "_")]
    return {name[len(prefix) + 1:].lower(): getattr(L, name) for name in names}


_EI_PARAMS = _param_columns("EI", ("LIMIT", "VALUE", "FLAG1", "FLAG2"))
_EF_PARAMS = _param_columns("EF", ("OFFSET",))


def _pack_params(r: dict, ei_row: np.ndarray, ef_row: np.ndarray) -> None:
    """Write an effect's named parameters into their shared columns; two names of one column in one effect would
    overwrite each other, so they are a bug here (layout's aliases are per effect)."""
    for columns, row in ((_EI_PARAMS, ei_row), (_EF_PARAMS, ef_row)):
        used: dict[int, str] = {}
        for key, value in r.items():
            col = columns.get(key)
            if col is None:
                continue
            if col in used:
                raise AssertionError(f"effect {r['code']}: parameters {used[col]!r} and {key!r} share a column")
            used[col] = key
            row[col] = value


def _effect_record(ename: str, code: int, it, tid, res_index, missing: _Missing, pulls: dict) -> dict | None:
    """One effect's numeric parameters (codes from :mod:`ppcg.engine.features`)."""
    # the parameters that have a column of their own; the others are named by layout's aliases (_pack_params)
    e = {"code": code, "score": 0, "prob": 1.0, "stype": -1, "res": -1, "pull": -1}
    try:
        e["score"] = _as_int(it.get("scoreChange", 0))
        e["prob"] = _as_float(it.get("prob", 1.0))
        if ename in ("transformTo", "spawn", "spawnIfHasMore", "shieldFrom"):
            nm = _as_names(it.get("stype", ""))
            if not nm or nm[0] not in tid:
                missing.add("parameter", f"{ename}.stype", it.line)
                return None
            e["stype"] = tid[nm[0]]
        if ename in ("changeResource", "killIfOtherHasMore", "spawnIfHasMore"):
            nm = _as_names(it.get("resource", ""))
            if not nm:
                missing.add("parameter", f"{ename}.resource", it.line)
                return None
            e["res"] = res_index(nm[0], it.line)
        if ename == "transformTo":
            e["kill_second"] = _as_bool(it.get("killSecond", False))
            e["force_orientation"] = _as_bool(it.get("forceOrientation", False))
        elif ename == "collectResource":
            e["kill_resource"] = _as_bool(it.get("killResource", True))
        elif ename == "changeResource":
            e["value"] = _as_int(it.get("value", 1))
            e["kill_resource"] = _as_bool(it.get("killResource", False))
        elif ename == "killIfOtherHasMore":
            e["limit"] = _as_int(it.get("limit", 0))
            e["subtract"] = _as_bool(it.get("subtract", False))
        elif ename == "spawnIfHasMore":
            e["limit"] = _as_int(it.get("limit", 0))
            e["spend"] = _as_int(it.get("spend", 0))
        elif ename == "wrapAround":
            e["offset"] = _as_float(it.get("offset", 0.0))
        elif ename == "shieldFrom":
            e["ftype"] = F.effect_code(str(it.get("ftype", "")))
        elif ename == "pullWithIt":
            key = (it.line, ename)
            if key not in pulls:
                pulls[key] = len(pulls)
            e["pull"] = pulls[key]
            e["pixel_perfect"] = _as_bool(it.get("pixelPerfect", False))  # ONTOLOGY: then snapped onto sprite2
        elif not _effect_record_corpus(ename, e, it, tid, res_index, missing, pulls):
            return None
        # EFFECTS: TimeEffect's parameters (TIME interactions, addTimer); nextExecution: "plan at timer"
        e["timer"] = _as_int(it.get("timer", -1))
        e["repeating"] = _as_bool(it.get("repeating", False))
        e["next0"] = e["timer"] if _as_int(it.get("nextExecution", -1)) != -1 else -1
    except (TypeError, ValueError) as exc:
        missing.add("parameter value", f"{ename}: {exc}", it.line)
        return None
    return e


# ONTOLOGY (issue 13): effects whose parameters _effect_record_corpus reads in one branch
_ONTOLOGY_EFFECTS = frozenset({"killIfAlive", "removeScore", "addHealthPointsToMax", "spawnIfHasLess", "halfSpeed",
                               "increaseSpeedToAll", "decreaseSpeedToAll", "cloneSprite", "killIfNotUpright",
                               "transformToRandomChild"})


def _effect_record_corpus(ename: str, e: dict, it, tid, res_index, missing: _Missing, pulls: dict) -> bool:
    """The parameters of the effects added for GVGAI's corpus (issue 3, EFFECTS); False if one is missing."""

    def sprite(key: str, required: bool = True) -> int | None:
        nm = _as_names(it.get(key, ""))
        if not nm:
            if required:
                missing.add("parameter", f"{ename}.{key}", it.line)
                return None
            return -1
        if nm[0] not in tid:
            missing.add("unknown sprite", nm[0], it.line)
            return None
        return tid[nm[0]]

    def resource(key: str) -> int | None:
        nm = _as_names(it.get(key, ""))
        if not nm:
            missing.add("parameter", f"{ename}.{key}", it.line)
            return None
        return res_index(nm[0], it.line)

    keys: dict[str, int | None] = {}
    if ename == "stepBack":
        e["pixel_perfect"] = _as_bool(it.get("pixelPerfect", False))
    elif ename == "undoAll":
        names = _as_names(it.get("notStype", ""))
        unknown = [n for n in names if n not in tid]
        for n in unknown:
            missing.add("unknown sprite", n, it.line)
        e["types"] = [tid[n] for n in names if n in tid]
        return not unknown
    elif ename == "attractGaze":
        e["align"] = _as_bool(it.get("align", False))
    elif ename in ("transformToAll", "transformIfCount"):
        keys["stype"] = sprite("stype")
        keys["stype2"] = sprite("stypeTo" if ename == "transformToAll" else "stypeCount")
        if ename == "transformIfCount":
            keys["stype3"] = sprite("estype", required=False)
            e["geq"] = _as_int(it.get("geq", 0))
            e["leq"] = _as_int(it.get("leq", 1 << 30))
        e["kill_second"] = _as_bool(it.get("killSecond", False))
        e["force_orientation"] = _as_bool(it.get("forceOrientation", False))
    elif ename == "addHealthPoints":
        e["value"] = _as_int(it.get("value", 1))
        e["kill_second"] = _as_bool(it.get("killSecond", False))
    elif ename == "subtractHealthPoints":
        e["value"] = _as_int(it.get("value", 1))
        e["limit"] = _as_int(it.get("limit", 0))
        e["score2"] = _as_int(it.get("scoreChangeIfKilled", 0))
        keys["stype"] = sprite("stype", required=False)
    elif ename in ("killIfHasLess", "killIfHasMore"):
        keys["res"] = resource("resource")
        e["limit"] = _as_int(it.get("limit", 0))
    elif ename == "align":
        e["orient"] = _as_bool(it.get("orient", True))
    elif ename == "killAll":
        keys["stype"] = sprite("stype")
    elif ename == "collectResourceIfHeld":
        keys["res"] = resource("heldResource")
        e["value"] = _as_int(it.get("value", 1))
        e["kill_resource"] = _as_bool(it.get("killResource", True))
    elif ename in ("spawnBehind", "spawnLeft", "spawnRight", "spawnAbove", "spawnBelow"):
        keys["stype"] = sprite("stype")
        e["step_back"] = _as_bool(it.get("stepBack", False))
        e["spawn_dx"], e["spawn_dy"] = {"spawnBehind": (0, 0), "spawnLeft": (-1, 0), "spawnRight": (1, 0),
                                  "spawnAbove": (0, -1), "spawnBelow": (0, 1)}[ename]  # the direction
    elif ename == "setSpeedForAll":
        keys["stype"] = sprite("stype")
        e["speed"] = _as_float(it.get("value", 0.0))
    elif ename in _ONTOLOGY_EFFECTS:  # ONTOLOGY (issue 13)
        if ename in ("removeScore", "addHealthPointsToMax", "transformToRandomChild"):
            e["kill_second"] = _as_bool(it.get("killSecond", False))
        if ename in ("removeScore", "increaseSpeedToAll", "decreaseSpeedToAll", "spawnIfHasLess",
                     "transformToRandomChild"):
            keys["stype"] = sprite("stype", required=ename != "removeScore")
        if ename == "addHealthPointsToMax":
            e["value"] = _as_int(it.get("value", 1))
        elif ename == "spawnIfHasLess":
            keys["res"] = resource("resource")
            e["limit"] = _as_int(it.get("limit", 0))
        elif ename in ("increaseSpeedToAll", "decreaseSpeedToAll"):
            e["speed"] = _as_float(it.get("value", 0.1))
            e["decrease"] = ename == "decreaseSpeedToAll"
        elif ename == "transformToRandomChild":
            e["force_orientation"] = _as_bool(it.get("forceOrientation", False))
    elif ename in ("killIfSlow", "killIfFast"):  # ONTOLOGY
        e["limspeed"] = _as_float(it.get("limspeed", 1.0))
        e["fast"] = ename == "killIfFast"
    elif ename == "updateSpawnType":  # ONTOLOGY
        keys["stype"] = sprite("stype")
        keys["stype2"] = sprite("spawnPoint")
    elif ename == "spawnIfCounterSubTypes":  # ONTOLOGY: GVGAI fails to load without any of the three types
        keys["stype"] = sprite("stype")
        keys["stype2"] = sprite("stypeCount")
        keys["stype3"] = sprite("estype")
        e["limit"] = _as_int(it.get("limit", 0))
        e["subtypes_num"] = _as_int(it.get("subTypesNum", -1))
    elif ename == "transformToSingleton":
        keys["stype"] = sprite("stype")
        keys["stype2"] = sprite("stype_other")
        e["take_orientation"] = _as_bool(it.get("takeOrientation", False))
    elif ename == "addTimer":
        ftype = str(it.get("ftype", ""))
        entry = F.EFFECTS.get(ftype)
        if entry is None or entry[0] == F.E_ADD_TIMER:
            missing.add("effect", f"addTimer ftype={ftype}", it.line)
            return False
        _check_params("effect", ftype, it.params, entry[1] | F.EFFECTS["addTimer"][1], F.COMMON_EFFECT_PARAMS,
                      missing, it.line)
        sub = _effect_record(ftype, entry[0], it, tid, res_index, missing, pulls)
        if sub is None:
            return False
        e["sub_rec"] = sub
    for k, v in keys.items():
        if v is None:
            return False
        e[k] = v
    return True


def _shape(code: int, static: bool, shrink: float) -> np.ndarray:
    """A 10x10 drawing mask: 0 transparent, 1 the type's colour, 2 its shade."""
    m = np.zeros((BLOCK, BLOCK), np.uint8)
    if code < 0:
        return m
    if F.is_avatar_code(code):
        c = (BLOCK - 1) / 2.0
        for r in range(BLOCK):
            for q in range(BLOCK):
                d = math.hypot(r - c, q - c)
                if d <= 4.9:
                    m[r, q] = 2 if d > 3.6 else 1
        return m
    size = BLOCK if shrink >= 1 else max(2, int(round(BLOCK * shrink)))
    off = (BLOCK - size) // 2
    m[off:off + size, off:off + size] = 1
    if not static:
        m[off, off:off + size] = 2
        m[off + size - 1, off:off + size] = 2
        m[off:off + size, off] = 2
        m[off:off + size, off + size - 1] = 2
    return m


def level_plan(compiled: CompiledGame, level) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """The sprites a level creates, in GVGAI's creation order: ``(types, xs, ys, width, height)``.

    Row by row from the top, left to right, and within a cell in the order the mapping lists the sprites.
    Characters the mapping does not know are empty cells (GVGAI only warns).
    """
    mapping = compiled.mapping
    undefined = compiled.undefined_mapping
    if getattr(level, "mapping", None):
        mapping = {}
        undefined = {}
        for ch, nms in level.mapping:
            ids = []
            for nm in nms:
                if nm not in compiled.type_index:
                    undefined.setdefault(ch, nm)
                else:
                    ids.append(compiled.type_index[nm])
            mapping[ch] = tuple(ids)
    _check_level_chars(compiled, level, mapping, undefined)
    types, xs, ys = [], [], []
    for r, row in enumerate(level.rows):
        for c, ch in enumerate(row):
            for t in mapping.get(ch, ()):
                types.append(t)
                xs.append(c * BLOCK)
                ys.append(r * BLOCK)
    return (np.array(types, np.int32), np.array(xs, np.int32), np.array(ys, np.int32), level.width, level.height)


def _check_level_chars(compiled: CompiledGame, level, mapping, undefined: dict[str, str]) -> None:
    """A level's size, and the characters it uses: one mapped to an undefined sprite (GVGAI's corpus has such
    entries in flower and witnessprotection) or to a type the engine cannot create (GVGAI's default ``A > avatar``
    when ``avatar`` is an abstract parent) is an error only where a level uses it, at that row and column."""
    file = getattr(level, "file", None) or level.name
    if level.width > MAX_LEVEL_SIDE or level.height > MAX_LEVEL_SIDE or level.width * level.height > MAX_LEVEL_CELLS:
        raise VGDLLevelError(f"level of {level.width}x{level.height} cells is larger than the engine holds",
                             file=file, expected=f"at most {MAX_LEVEL_SIDE} cells a side and "
                             f"{MAX_LEVEL_CELLS:,} cells")
    bad: dict[str, str] = {ch: f"level maps {ch!r} to unknown sprite {nm!r}" for ch, nm in undefined.items()}
    for ch, ids in mapping.items():
        for t in ids:
            nm = compiled.type_names[t]
            if nm in compiled.incomplete and ch not in bad:
                lacks, line = compiled.incomplete[nm]
                where = f" (line {line} of {compiled.spec.path or 'the game'})" if line is not None else ""
                bad[ch] = (f"level maps {ch!r} to {nm!r}, which the engine cannot create: it lacks {lacks}"
                           f"{where}")
    if not bad:
        return
    for r, row in enumerate(level.rows):
        for c, ch in enumerate(row):
            if ch in bad:
                raise VGDLLevelError(bad[ch], file=file, line=r + 1, col=c + 1, text=row)
