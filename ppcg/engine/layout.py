"""The flat data the compiled kernel works on: a game's tables and a batch's struct-of-arrays state.

Both are named tuples of a few numpy arrays, with fields packed along one axis and named by the integer
constants below (numba compiles a function in time roughly proportional to the fields it is passed, so a few packed
arrays compile far faster than a hundred separate ones). One compiled kernel serves every game: only array
contents and sizes differ between games, never types.

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

# ---------------------------------------------------------------------------------------------------------------
# State: per-slot int fields si[N, S, NSI]
(SI_TYPE, SI_ID, SI_X, SI_Y, SI_LX, SI_LY, SI_OX, SI_OY, SI_LASTMOVE, SI_FIRST, SI_DISABLED, SI_KILLED, SI_AGE,
 SI_COUNTER, SI_PAX, SI_PAY, SI_START, SI_HP, SI_CX0, SI_CY0, SI_CX1, SI_CY1) = range(22)
NSI = 22
# NPC (issue 3): PathAltChaser's last target (slot, id, last seen position), its last known target position, and
# VGDLSprite.timeToLive left (-1: none)
SI_TGT, SI_TGTID, SI_TX, SI_TY, SI_LKX, SI_LKY, SI_TTL = range(NSI, NSI + 7)
NSI += 7
NO_POS = -(1 << 30)  # NPC: SI_LKX when there is no last known target position
# ONTOLOGY (issue 13): the type a SpawnPoint (or Bomber) spawns once updateSpawnType changed it (-1: its type's
# stype). No SpawnPoint chases, so it shares PathAltChaser's target id field.
SI_SPAWN = SI_TGTID
SI_ORI = NSI  # EFFECTS: the sprite's own is_oriented (set by transformToSingleton's takeOrientation)
SI_PPXO = NSI + 1  # EFFECTS: the sprite's own passive speed in pixels (setSpeedForAll; -1: the type's)
NSI += 2
SI_MARK = NSI  # the sparse pair pass that last found this sprite overlapping a second sprite (EV_PASS)
NSI += 1
# ONTOLOGY (issue 13): the sprite's own speed (a double, GVGAI's VGDLSprite.speed) where an effect changed it,
# bit-exact in two fields (valid while SI_PPXO >= 0; kernel._set_speed / _speed_of)
SI_SPDH, SI_SPDL = NSI, NSI + 1
NSI += 2
# per-type counters tc[N, T, 2]
TC_N, TC_DIS = 0, 1
# per-environment slot lists lst[N, 4, S]
L_FREE, L_KILL, L_OUT, L_CAND = 0, 1, 2, 3
# per-environment scalars ev[N, NEV]
(EV_WIDTH, EV_HEIGHT, EV_NEXT_ID, EV_TICK, EV_AVATAR, EV_WINNER, EV_ENDED, EV_TRUNC, EV_ACTIVE, EV_REFUSED,
 EV_NFREE, EV_NKILL, EV_OUTN, EV_OVERFLOW, EV_SHN, EV_CANVAS) = range(16)
NEV = 16
EV_TQN, EV_TQSEQ = 16, 17  # EFFECTS: queued time effects, insertion counter (ties: the latest first)
NEV = 18
EV_PASS = NEV  # sparse pair passes run since the reset (marks in SI_MARK)
NEV += 1
EV_FAULT = NEV  # engine faults (a sprite of a type that does not exist was asked for): BatchEngine raises
NEV += 1
EV_NOEND = NEV  # ONTOLOGY: a StopCounter holds GVGAI's shared Termination.canEnd false (counters cannot end)
NEV += 1
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
(TI_CLS, TI_STATIC, TI_ORIENTED, TI_AVATAR, TI_PPX, TI_APX, TI_COOLDOWN, TI_OX0, TI_OY0, TI_ROTATE, TI_FLIMIT,
 TI_CONS, TI_STYPE, TI_TOTAL, TI_SOX, TI_SOY, TI_HP0, TI_RES_OF, TI_RES_VALUE, TI_AMMO, TI_INVISIBLE, TI_PLANE,
 TI_DRAW_RANK, TI_SUB0, TI_SUB1, TI_SING0, TI_SING1, TI_EOS0, TI_EOS1) = range(29)
NTI = 29
TI_HP_LIMIT = 29  # EFFECTS: limitHealthPoints
NTI = 30
# NPC (issue 3): fleeing flag, maxDistance (px, -1 none), FlakAvatar minAmmo/ammoCost, BomberRandomMissile's
# missile types (a range of ``items``), pathfinder obstacle (the game's ``obs``), randomTarget, timeToLive
(TI_FLEE, TI_MAXDIST, TI_MINAMMO, TI_AMMOCOST, TI_MISS0, TI_MISS1, TI_OBST, TI_RANDTGT, TI_TTL) = range(NTI, NTI + 9)
NTI += 9
# per-type floats tf[T, 2]
TF_SPEED, TF_PROB = 0, 1
# type x type tt[2, T, T]: membership in a subtree, rank within it (GVGAI's iSubTypes order)
TT_IN, TT_RANK = 0, 1
# sequences in the seq blob, [start, end) in misc
(M_N_PLANES, M_WALL_PLANE, M_WALL_TYPE, M_N_PULL, M_UPD0, M_UPD1, M_DRAW0, M_DRAW1, M_AV0, M_AV1, M_EOSL0,
 M_EOSL1, M_GYM0, M_GYM1, M_RESL0, M_RESL1) = range(16)
NMISC = 16
M_TIME0, M_TIME1 = 16, 17  # EFFECTS: the native TIME effects (effect indices in seq)
NMISC = 18
M_PATHF = NMISC  # NPC: the game has a pathfinder (``obs`` given)
NMISC += 1
M_FAST = NMISC  # the fast paths this engine takes (FAST_* bits; 0: the reference mode of BatchEngine)
NMISC += 1
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
# pairs pi[P, 5]; PI_FAST: the two subtrees are disjoint and no effect of the pair moves its second sprite
PI_T1, PI_T2, PI_E0, PI_E1, PI_FAST = 0, 1, 2, 3, 4
# effects ei[E, NEI], ef[E, 2]
(EI_CODE, EI_SCORE, EI_STYPE, EI_RES, EI_LIMIT, EI_VALUE, EI_FLAG1, EI_FLAG2, EI_PULL) = range(9)
NEI = 9
# EFFECTS: a second/third sprite type (stypeTo, stypeCount / estype), transformIfCount's bounds, time effects
# (timer, repeating, first execution, subject type; addTimer's delegate effect), scoreChangeIfKilled, a type list
# in items (undoAll's notStype)
(EI_STYPE2, EI_STYPE3, EI_GEQ, EI_LEQ, EI_TIMER, EI_REPEATING, EI_NEXT0, EI_SUBJ, EI_SUB, EI_SCORE2, EI_L0,
 EI_L1) = range(9, 21)
NEI = 21
EI_SAME_PREV = NEI  # the effect repeats the one before it in its pair (``repeat=k``): skipped after a pass that hit nothing
NEI += 1
EF_PROB, EF_OFFSET = 0, 1
# terminations qi[Q, 7]
QI_CODE, QI_T0, QI_LIMIT, QI_WIN, QI_MIN = 0, 1, 4, 5, 6  # QI_T0..QI_T0+2: up to three sprite types

TABLE_FIELDS = ("ti", "tf", "tt", "act", "items", "seq", "misc", "pi", "ei", "ef", "qi", "col", "mask")
Tables = namedtuple("Tables", TABLE_FIELDS)


def alloc_state(n: int, slots: int, n_types: int, n_res: int, cells: int, n_pull: int, n_effects: int = 0, *,
                cell_cap: int = CELL_CAP, timers: int = MAX_TIMERS, shields: int = MAX_SHIELDS) -> State:
    """A zeroed state for ``n`` environments (none active until reset); ``cell_cap``, ``timers`` and
    ``shields`` size the grid cells, the time-effect queue and the shields (grown on demand by BatchEngine)."""
    si = np.zeros((n, slots, NSI), np.int32)
    si[:, :, SI_TYPE] = -1
    si[:, :, SI_CX0] = -2
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
