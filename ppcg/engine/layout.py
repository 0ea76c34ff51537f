"""The flat data the compiled kernel works on: a game's tables and a batch's struct-of-arrays state.

Both are named tuples of a few numpy arrays, with fields packed along one axis and named by the integer
constants below (numba compiles a function in time roughly proportional to the fields it is passed, so a few packed
arrays compile far faster than a hundred separate ones). One compiled kernel serves every game: only array
contents and sizes differ between games, never types.

Every packed axis is declared once, as a table of its fields (:func:`_declare`): a line ``NAME  what it holds``
defines the constant ``<PREFIX>_NAME`` (its index) in order, ``NAME[k]`` reserves ``k`` entries, and the axis's
length is the table's (``NSI``, ``NTI``, ...). A new field is a new line; nothing else counts. :data:`FIELDS` keeps the
names by prefix (for debugging dumps: ``FIELDS["SI"][k]``).

Indices: ``N`` environments, ``S`` sprite slots per environment, ``T`` sprite types (GVGAI's itypes, parents
included), ``R`` resource kinds, ``G`` grid cells (the largest level's width x height), ``K`` sprites indexed per
cell, ``Q`` pullWithIt effects, ``E`` effects, ``P`` interaction pairs.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

BLOCK = 10  # pixels per cell (GVGAI's learning mode)
CELL_CAP = 16  # sprites indexed per grid cell at first; a crowded cell widens them all (BatchEngine, regrid_env)
GI_TYPE = 20  # a grid entry packs a slot (low bits) and its sprite's type (bits GI_TYPE and up)
GI_SLOT = (1 << GI_TYPE) - 1
MAX_TYPES = 1 << (31 - GI_TYPE)  # sprite types a game may have (the grid entry is an int32)
MAX_SHIELDS = 16  # shieldFrom entries alive at once at first (cleared every tick; grown on demand)

FIELDS: dict[str, tuple[str, ...]] = {}


def _declare(prefix: str, table: str) -> int:
    """Define ``<prefix>_<NAME>`` for each line ``NAME[k]  description`` of ``table``, numbered in order (``[k]``:
    ``k`` entries, default 1); returns the number of entries. Lines starting with ``#`` are comments."""
    names: list[str] = []
    for raw in table.strip().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        token = line.split()[0]
        name, _, width = token.partition("[")
        width = int(width.rstrip("]")) if width else 1
        full = f"{prefix}_{name}"
        if not name.isidentifier() or name.upper() != name or full in globals():
            raise ValueError(f"layout: bad or repeated field {full!r} in {prefix}'s declaration")
        globals()[full] = len(names)
        names += [name] + [f"{name}+{k}" for k in range(1, width)]
    FIELDS[prefix] = tuple(names)
    return len(names)


# ---------------------------------------------------------------------------------------------------------------
# State: per-slot int fields si[N, S, NSI]
NSI = _declare("SI", """
    TYPE      sprite type (-1: the slot is free)
    ID        GVGAI's sprite id (creation order; ties in every ordering)
    X         position, pixels
    Y
    LX        position at the start of the tick (GVGAI's lastrect)
    LY
    OX        orientation (a unit direction)
    OY
    LASTMOVE  ticks since it last moved (cooldown)
    FIRST     not yet updated since it was created (Flicker, Spreader, ...)
    DISABLED  disabled by an effect for the rest of the tick
    KILLED    killed this tick (removed at the end of the tick)
    AGE       ticks alive (Flicker's limit, Spreader)
    COUNTER   a class's counter (RandomNPC's cons, SpawnPoint's spawned total, ...)
    PAX       the last random move (RandomNPC) or pending direction
    PAY
    START     the tick a SpawnPoint starts from (-1: the type's)
    HP        health points
    CELL      the grid cell it is indexed under (-1: in the list of sprites outside the level; -2: not indexed)
    # NPC (issue 3)
    TGT       PathAltChaser's last target: its slot, id and last seen position
    TGTID     (SpawnPoint: the type it spawns once updateSpawnType changed it, -1: its stype)
    TX
    TY
    LKX       the target's last known position (NO_POS: none)
    LKY
    TTL       timeToLive left (-1: none)
    # EFFECTS
    ORI       the sprite's own is_oriented (transformToSingleton's takeOrientation)
    PPXO      the sprite's own passive speed in pixels (setSpeedForAll; -1: the type's)
    MARK      the sparse pair pass that last found it overlapping a second sprite (EV_PASS)
    # ONTOLOGY (issue 13): the sprite's own speed (GVGAI's double VGDLSprite.speed) where an effect changed it,
    # bit-exact in two fields (valid while PPXO >= 0; kernel.movement._set_speed / _speed_of)
    SPDH      sign, exponent and top mantissa bits
    SPDL      low 31 mantissa bits
""")
SI_SPAWN = SI_TGTID  # noqa: F821 - a SpawnPoint never chases, so the chaser's target id field holds its spawn type
NO_POS = -(1 << 30)  # NPC: SI_LKX when there is no last known target position
# per-type counters tc[N, T, 2]
TC_N, TC_DIS = 0, 1
# per-environment slot lists lst[N, 4, S]
L_FREE, L_KILL, L_OUT, L_CAND = 0, 1, 2, 3
# per-environment scalars ev[N, NEV]
NEV = _declare("EV", """
    WIDTH     level width, cells
    HEIGHT
    NEXT_ID   the next sprite id
    TICK      GVGAI's game tick
    AVATAR    the avatar's slot (-1: none)
    WINNER    1 won, 0 lost, -1 undecided
    ENDED     the episode is over (no step until a reset)
    TRUNC     ended by the step limit
    ACTIVE    the environment holds a level
    REFUSED   sprites or timers this tick found no room for (BatchEngine grows the state and redoes the tick)
    NFREE     free slots (L_FREE's length)
    NKILL     sprites killed this tick (L_KILL's length)
    OUTN      sprites outside the level or not indexed by cell (L_OUT's length)
    OVERFLOW  a grid cell overflowed (collisions scan type lists until a regrid)
    SHN       shieldFrom entries this tick
    CANVAS    the rgb observation holds this environment's picture (incremental drawing may start from it)
    TQN       EFFECTS: queued time effects
    TQSEQ     EFFECTS: time effects' insertion counter (ties: the latest first)
    PASS      sparse pair passes run since the reset (marks in SI_MARK)
    FAULT     engine faults (a sprite of a type that does not exist was asked for): BatchEngine raises
    NOEND     ONTOLOGY: a StopCounter holds GVGAI's shared Termination.canEnd false (counters cannot end)
""")
# EFFECTS: time-effect queue tq[N, MAX_TIMERS, 4]: effect, next execution tick, insertion number, subject type
TQ_EFF, TQ_NEXT, TQ_SEQ, TQ_SUBJ = 0, 1, 2, 3
MAX_TIMERS = 256  # queued timers at first; beyond, EV_REFUSED counts: BatchEngine grows the queue, redoes the tick

STATE_FIELDS = ("si", "res", "pull", "tl", "tc", "lst", "ckey", "gn", "gi", "ev", "shd", "score", "rng", "sig",
                "tq")  # tq: EFFECTS
# NPC: pf holds the pathfinder's obstacle grid (row 0, built at reset), search scratch (rows 1-3), and a cache of
# the first steps from the last PATH_CACHE source cells (row 4: their cells and the next slot; rows 5...)
STATE_FIELDS += ("pf",)
# pv[N, T + E + T]: a change counter per sprite type (bumped when one of its sprites is added, killed, moved or
# disabled), then per effect one plus the sum of its pair's counters when a pass of it last hit nothing (0: never):
# a pass whose stamp is unchanged would hit nothing again (it reads only positions and type lists), so it is
# skipped. Last, per type, its counter when its symbolic observation plane was last drawn.
STATE_FIELDS += ("pv",)
# gu[N, G]: sprites indexed under each cell that are not aligned to the grid. A grid-aligned sprite overlaps only
# sprites of its own cell and unaligned ones of the three cells above and to its left.
STATE_FIELDS += ("gu",)
PATH_CACHE = 6
State = namedtuple("State", STATE_FIELDS)

# ---------------------------------------------------------------------------------------------------------------
# Tables: per-type ints ti[T, NTI]
NTI = _declare("TI", """
    CLS        sprite class (features.C_*)
    STATIC     never moves passively
    ORIENTED   is_oriented
    AVATAR     an avatar class
    PPX        passive speed, pixels per tick
    APX        active speed, pixels per move
    COOLDOWN   ticks between moves
    OX0        initial orientation
    OY0
    ROTATE     rotateInPlace
    FLIMIT     Flicker's limit (ticks alive)
    CONS       RandomNPC's cons (moves repeated)
    STYPE      the type it spawns, shoots or chases (-1: none)
    TOTAL      SpawnPoint's total (0: no limit)
    SOX        SpawnPoint's spawnorientation (0, 0: none)
    SOY
    HP0        healthPoints at creation
    RES_OF     the resource kind this Resource type counts (-1: not a resource)
    RES_VALUE  a Resource's value
    AMMO       the resource kind a shooter spends (-1: none)
    INVISIBLE  not drawn
    PLANE      its symbolic observation plane
    DRAW_RANK  drawing order
    SUB0       its subtree's types: seq[SUB0:SUB1], GVGAI's iSubTypes order
    SUB1
    SING0      singleton types to remove when one of this type is created: seq[SING0:SING1]
    SING1
    EOS0       EOS effects of this type: seq[EOS0:EOS1]
    EOS1
    HP_LIMIT   EFFECTS: limitHealthPoints
    # NPC (issue 3)
    FLEE       fleeing (chasers)
    MAXDIST    maxDistance, pixels (-1: none)
    MINAMMO    FlakAvatar's minAmmo
    AMMOCOST   FlakAvatar's ammoCost
    MISS0      BomberRandomMissile's missile types: items[MISS0:MISS1]
    MISS1
    OBST       an obstacle of the pathfinder (the game's ``obs``)
    RANDTGT    randomTarget
    TTL        timeToLive (-1: none)
""")
# per-type floats tf[T, 2]
TF_SPEED, TF_PROB = 0, 1
# type x type tt[2, T, T]: membership in a subtree, rank within it (GVGAI's iSubTypes order)
TT_IN, TT_RANK = 0, 1
# per-game scalars misc[NMISC]; sequences in the seq blob are [start, end) pairs
NMISC = _declare("M", """
    N_PLANES    symbolic observation planes
    WALL_PLANE  the plane of the type named wall (-1: none)
    WALL_TYPE   the type named wall, drawn around a level smaller than the observation (-1: none)
    N_PULL      pullWithIt effects
    UPD0        the update order of types (reverse sprite order): seq[UPD0:UPD1]
    UPD1
    DRAW0       the drawing order of types: seq[DRAW0:DRAW1]
    DRAW1
    AV0         the avatar types, scanned for the avatar: seq[AV0:AV1]
    AV1
    EOSL0       types with EOS effects: seq[EOSL0:EOSL1]
    EOSL1
    GYM0        the Gym actions' engine actions: seq[GYM0:GYM1]
    GYM1
    RESL0       each resource kind's limit: seq[RESL0 + r]
    RESL1
    TIME0       EFFECTS: the native TIME effects (effect indices in seq)
    TIME1
    PATHF       NPC: the game has a pathfinder (``obs`` given)
    FAST        the fast paths this engine takes (FAST_* bits; 0: the reference mode of BatchEngine)
""")
# Fast paths: work the kernel skips, never changing what happens. Each bit turns one on; with all off (the
# reference mode) every pass runs, every collision is found by scanning type lists, every observation is drawn
# whole and every path is searched anew, so a test can compare each fast path with the plain computation.
FAST_STAMP = 1  # a pair pass that hit nothing is skipped while its two sides' change counters hold (pv)
FAST_REPEAT = 2  # identical ``repeat=k`` passes after a pass that hit nothing are dropped (EI_SAME_PREV)
FAST_SPARSE = 4  # few second sprites, none moved (PI_FAST): first sprites found around the second ones
FAST_GRID = 8  # collisions found through the grid index (else by scanning the second type's sprites)
FAST_SKIP = 16  # grid searches skip cells left of or above the sprite that hold no unaligned sprite (gu)
FAST_PACKED = 32  # grid entries' packed type read instead of the sprite's own
FAST_OBS = 64  # incremental observations: only changed symbolic planes / rgb cells are redrawn
FAST_PATH = 128  # the pathfinder's first steps cached for the last PATH_CACHE source cells
FAST_ALL = 255
# pairs pi[P, NPI]
NPI = _declare("PI", """
    T1    the first type (a subtree)
    T2    the second type
    E0    the pair's effects: E0..E1-1, in file order
    E1
    FAST  the two subtrees are disjoint and no effect of the pair moves its second sprite (FAST_SPARSE)
""")
# effects ei[E, NEI] (ints), ef[E, NEF] (floats)
NEI = _declare("EI", """
    CODE       the effect (features.E_*)
    SCORE      scoreChange
    STYPE      the sprite type it creates, transforms into or acts on (-1: none)
    RES        the resource kind it reads (-1: none)
    LIMIT      an integer parameter; each effect's own name for it below
    VALUE      a second integer parameter
    FLAG1      a boolean parameter
    FLAG2      a second boolean parameter
    PULL       pullWithIt's index among the game's pullWithIt effects
    # EFFECTS (issue 3)
    STYPE2     a second sprite type (stypeTo, stypeCount, spawnPoint, stype_other)
    STYPE3     a third (estype)
    GEQ        transformIfCount's bounds
    LEQ
    TIMER      time effects: timer, repeating, first execution, subject type
    REPEATING
    NEXT0
    SUBJ
    SUB        addTimer's delegate effect
    SCORE2     scoreChangeIfKilled
    L0         a type list (undoAll's notStype): items[L0:L1]
    L1
    SAME_PREV  the effect repeats the one before it in its pair (``repeat=k``): skipped after a pass that hit nothing
""")
NEF = _declare("EF", """
    PROB    prob
    OFFSET  a float parameter; each effect's own name for it below
""")


def _alias(prefix: str, table: str) -> None:
    """Name a shared column per meaning: each line ``COLUMN  NAME ...`` defines ``<prefix>_NAME = <prefix>_COLUMN``.
    An effect reads and the compiler writes its parameters by these names; one effect never uses two names of one
    column (the compiler checks)."""
    for raw in table.strip().splitlines():
        column, *names = raw.split()
        for name in names:
            full = f"{prefix}_{name}"
            if full in globals():
                raise ValueError(f"layout: alias {full!r} repeats a name")
            globals()[full] = globals()[f"{prefix}_{column}"]
        ALIASES.update({f"{prefix}_{name}": f"{prefix}_{column}" for name in names})


ALIASES: dict[str, str] = {}
# Each effect's parameters, by the name its VGDL parameter has (the compiler's keys are these, lower case)
_alias("EI", """
    LIMIT   SPAWN_DX
    VALUE   SPEND FTYPE SUBTYPES_NUM SPAWN_DY
    FLAG1   KILL_SECOND KILL_RESOURCE SUBTRACT PIXEL_PERFECT ALIGN ORIENT STEP_BACK DECREASE FAST TAKE_ORIENTATION
    FLAG2   FORCE_ORIENTATION
""")
_alias("EF", """
    OFFSET  SPEED LIMSPEED
""")
# terminations qi[Q, NQI]
NQI = _declare("QI", """
    CODE   the termination (features.T_*)
    T0[3]  up to three sprite types (-1: none)
    LIMIT  limit
    WIN    win
    MIN    MultiSpriteCounter's ``min`` (counts at most ``limit``, not exactly)
""")

TABLE_FIELDS = ("ti", "tf", "tt", "act", "items", "seq", "misc", "pi", "ei", "ef", "qi", "col", "mask")
Tables = namedtuple("Tables", TABLE_FIELDS)


def alloc_state(n: int, slots: int, n_types: int, n_res: int, cells: int, n_pull: int, n_effects: int = 0, *,
                cell_cap: int = CELL_CAP, timers: int = MAX_TIMERS, shields: int = MAX_SHIELDS) -> State:
    """A zeroed state for ``n`` environments (none active until reset); ``cell_cap``, ``timers`` and
    ``shields`` size the grid cells, the time-effect queue and the shields (grown on demand by BatchEngine)."""
    si = np.zeros((n, slots, NSI), np.int32)
    si[:, :, SI_TYPE] = -1
    si[:, :, SI_CELL] = -2
    ev = np.zeros((n, NEV), np.int32)
    ev[:, EV_AVATAR] = -1
    ev[:, EV_ENDED] = 1
    return State(
        si=si,
        res=np.full((n, slots, n_res), -1, np.int32),
        pull=np.full((n, slots, max(n_pull, 1)), -1, np.int32),
        tl=np.zeros((n, n_types, slots), np.int32),
        tc=np.zeros((n, n_types, 2), np.int32),
        lst=np.zeros((n, 4, slots), np.int32),
        ckey=np.zeros((n, slots), np.int64),
        gn=np.zeros((n, max(cells, 1)), np.int32),
        gi=np.zeros((n, max(cells, 1), cell_cap), np.int32),
        ev=ev,
        shd=np.zeros((n, 3, shields), np.int32),
        score=np.zeros(n, np.float64),
        rng=np.zeros((n, 1), np.int64),
        pf=np.zeros((n, 5 + PATH_CACHE, max(cells, PATH_CACHE + 1)), np.int32),  # NPC: cells, costs, heap
        sig=np.zeros((n, 2, max(cells, 1)), np.int64),  # rgb: what each cell shows, and scratch
        tq=np.zeros((n, timers, 4), np.int32),  # EFFECTS
        pv=np.zeros((n, 2 * n_types + n_effects), np.int64),
        gu=np.zeros((n, max(cells, 1)), np.int32),
    )
