"""NPC sprite classes: ``_update_sprite`` (a branch per class: random movers, chasers, missiles, spawn points,
bombers, spreaders, flickers) and their helpers. Avatars are in :mod:`.avatars`."""

from __future__ import annotations

from numba import njit

from ppcg.engine.features import (
    C_ALTERNATE_CHASER,
    C_BOMBER,
    C_BOMBER_RANDOM_MISSILE,
    C_CHASER,
    C_FLICKER,
    C_LOS_CHASER,
    C_MISSILE,
    C_ORIENTED_FLICKER,
    C_PASSIVE,
    C_PATH_ALT_CHASER,
    C_PATH_CHASER,
    C_RANDOM_ALT_CHASER,
    C_RANDOM_BOMBER,
    C_RANDOM_MISSILE,
    C_RANDOM_NPC,
    C_RANDOM_PATH_ALT_CHASER,
    C_RESOURCE,
    C_SPAWN_POINT,
    C_SPAWN_POINT_MULTI,
    C_SPREADER,
    NPC_BASE2,
)
from ppcg.engine.kernel.base import (
    BASE_DX,
    BASE_DY,
    BS,
    _add_sprite,
    _kill,
    _rnd_double,
    _rnd_float,
    _rnd_int,
)
from ppcg.engine.kernel.movement import _apx, _npc_active, _passive, _random_move, _update_pos
from ppcg.engine.kernel.pathfinding import _closest, _path_alt_chaser, _path_chaser
from ppcg.engine.layout import *  # noqa: F403 - field index constants


# ---------------------------------------------------------------------------------------------------------------
# sprite classes
@njit(cache=True, _nrt=False)
def _random_npc(tb, st, i, s, t):
    _passive(tb, st, i, s, t)
    if st.si[i, s, SI_COUNTER] < tb.ti[t, TI_CONS]:
        st.si[i, s, SI_COUNTER] += 1
        dx = st.si[i, s, SI_PAX]
        dy = st.si[i, s, SI_PAY]
    else:
        k = _rnd_int(st, i, 4)
        dx = BASE_DX[k]
        dy = BASE_DY[k]
        st.si[i, s, SI_PAX] = dx
        st.si[i, s, SI_PAY] = dy
        st.si[i, s, SI_COUNTER] = 0
    if dx != 0 or dy != 0:
        _update_pos(tb, st, i, s, dx, dy, _apx(tb, st, i, s, t))


@njit(cache=True, _nrt=False)
def _spawn_point(tb, st, i, s, t, gt, nt):
    """SpawnPoint (and the Bomber family, which move): spawn ``nt`` on a cooldown tick with probability prob."""
    if _spawn_due(tb, st, i, s, t, gt):
        _spawn_one(tb, st, i, s, t, nt)
    _passive(tb, st, i, s, t)
    if tb.ti[t, TI_TOTAL] > 0 and st.si[i, s, SI_COUNTER] >= tb.ti[t, TI_TOTAL]:
        _kill(tb, st, i, s, False)


@njit(cache=True, _nrt=False, inline="always")
def _spawn_due(tb, st, i, s, t, gt):
    """A SpawnPoint's roll (``nextFloat()``, drawn every update): it spawns at ``(start + tick) % cooldown == 0``
    with probability ``prob``, where start is the tick of its first update."""
    if st.si[i, s, SI_START] == -1:
        st.si[i, s, SI_START] = gt
    roll = _rnd_float(st, i)
    return (st.si[i, s, SI_START] + gt) % tb.ti[t, TI_COOLDOWN] == 0 and roll < tb.tf[t, TF_PROB]


@njit(cache=True, _nrt=False, inline="always")
def _spawn_one(tb, st, i, s, t, nt):
    """A SpawnPoint adds ``nt`` on itself (counted toward ``total``), facing ``spawnorientation``, else its own
    orientation when the new sprite has none."""
    ns = _add_sprite(tb, st, i, nt, st.si[i, s, SI_X], st.si[i, s, SI_Y])
    if ns >= 0:
        st.si[i, s, SI_COUNTER] += 1
        if tb.ti[t, TI_SOX] != 0 or tb.ti[t, TI_SOY] != 0:
            st.si[i, ns, SI_OX] = tb.ti[t, TI_SOX]
            st.si[i, ns, SI_OY] = tb.ti[t, TI_SOY]
        elif st.si[i, ns, SI_OX] == 0 and st.si[i, ns, SI_OY] == 0:
            st.si[i, ns, SI_OX] = st.si[i, s, SI_OX]
            st.si[i, ns, SI_OY] = st.si[i, s, SI_OY]


@njit(cache=True, _nrt=False)
def _update_sprite_ontology(tb, st, i, s, t, c, gt):
    """The non-avatar classes added for the whole ontology (ONTOLOGY, issue 13)."""
    if c == C_SPAWN_POINT_MULTI:  # every type of its stypes list on one roll
        if _spawn_due(tb, st, i, s, t, gt):
            for q in range(tb.ti[t, TI_MISS0], tb.ti[t, TI_MISS1]):
                _spawn_one(tb, st, i, s, t, tb.items[q])
        _passive(tb, st, i, s, t)
        if tb.ti[t, TI_TOTAL] > 0 and st.si[i, s, SI_COUNTER] >= tb.ti[t, TI_TOTAL]:
            _kill(tb, st, i, s, False)
    elif c == C_ALTERNATE_CHASER or c == C_RANDOM_ALT_CHASER:
        _alt_chaser(tb, st, i, s, t)


@njit(cache=True, _nrt=False)
def _alt_chaser(tb, st, i, s, t):
    """GVGAI's AlternateChaser (RandomAltChaser: a random step when ``nextDouble() < epsilon``, drawn first).

    While stype1's subtree holds sprites (killed and disabled ones included) it steps toward the nearest ones
    (Manhattan pixels), choosing with ``nextInt`` among the moves that get 1 px closer to each; it never flees.
    Its targets come from GVGAI's ``getSubSpritesGroup``, which lists the sprites of stype1's own type twice, so
    each of those adds its moves twice. Without targets or moves: ``nextInt(4)`` over UP, LEFT, DOWN, RIGHT."""
    if tb.ti[t, TI_CLS] == C_RANDOM_ALT_CHASER and _rnd_double(st, i) < tb.tf[t, TF_PROB]:
        _passive(tb, st, i, s, t)
        k = _rnd_int(st, i, 4)
        _npc_active(tb, st, i, s, t, BASE_DX[k], BASE_DY[k])
        return
    _passive(tb, st, i, s, t)
    tt = tb.ti[t, TI_STYPE]
    n = 0
    best = -1
    tg = _closest(tb, st, i, s, tt)  # -1: stype1's subtree is empty
    if tg >= 0:
        best = abs(st.si[i, s, SI_Y] - st.si[i, tg, SI_Y]) + abs(st.si[i, s, SI_X] - st.si[i, tg, SI_X])
        n = _alt_moves(tb, st, i, s, tt, best, -1)
    if n == 0:
        k = _rnd_int(st, i, 4)
    else:
        k = _alt_moves(tb, st, i, s, tt, best, _rnd_int(st, i, n))
    _npc_active(tb, st, i, s, t, BASE_DX[k], BASE_DY[k])


@njit(cache=True, _nrt=False)
def _alt_moves(tb, st, i, s, tt, best, pick):
    """AlternateChaser's action list: over ``getSubSpritesGroup(stype1)`` (the sprites of ``tt`` itself, then of
    every type of its subtree, ``tt`` again first), for each sprite at distance ``best`` the base directions whose
    1-px probe gets closer. Returns its length, or with ``pick >= 0`` that entry's index into BASE_DX/BASE_DY."""
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    n = 0
    for q in range(tb.ti[tt, TI_SUB0] - 1, tb.ti[tt, TI_SUB1]):
        u = tt if q < tb.ti[tt, TI_SUB0] else tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            o = st.tl[i, u, j]
            ox = st.si[i, o, SI_X]
            oy = st.si[i, o, SI_Y]
            d = abs(y - oy) + abs(x - ox)
            if d != best:
                continue
            for k in range(4):
                if abs(y + BASE_DY[k] - oy) + abs(x + BASE_DX[k] - ox) < d:
                    if n == pick:
                        return k
                    n += 1
    return n


@njit(cache=True, _nrt=False, inline="always")
def _spawn_type(tb, st, i, s, t):
    """The type a SpawnPoint or Bomber spawns: its type's ``stype``, or the one updateSpawnType gave it (ONTOLOGY)."""
    o = st.si[i, s, SI_SPAWN]
    return tb.ti[t, TI_STYPE] if o < 0 else o


@njit(cache=True, _nrt=False, inline="always")
def _sees(st, i, s, o):
    """LOSChaser: ``o`` lies on the ray of this sprite's last random move (none: it sees nothing)."""
    dx = st.si[i, s, SI_PAX]
    dy = st.si[i, s, SI_PAY]
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    ox = st.si[i, o, SI_X]
    oy = st.si[i, o, SI_Y]
    if dy == 1:
        return ox == x and oy >= y
    if dy == -1:
        return ox == x and oy <= y
    if dx == -1:
        return ox <= x and oy == y
    if dx == 1:
        return ox >= x and oy == y
    return False


@njit(cache=True, _nrt=False, inline="always")
def _chase_moves(tb, st, i, s, t, best, pick):
    """Walk Chaser's action list (per nearest target, the directions in UP, LEFT, DOWN, RIGHT order whose 1-px
    probe gets closer, or farther when fleeing). Returns its length, or with ``pick >= 0`` that entry's index
    into the base directions."""
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    flee = tb.ti[t, TI_FLEE]
    maxd = tb.ti[t, TI_MAXDIST]
    tt = tb.ti[t, TI_STYPE]
    los = tb.ti[t, TI_CLS] == C_LOS_CHASER
    n = 0
    for q in range(tb.ti[tt, TI_SUB0], tb.ti[tt, TI_SUB1]):
        u = tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            o = st.tl[i, u, j]
            ox = st.si[i, o, SI_X]
            oy = st.si[i, o, SI_Y]
            d = abs(y - oy) + abs(x - ox)
            if d != best or (maxd >= 0 and d > maxd) or (los and not _sees(st, i, s, o)):
                continue
            for k in range(4):
                nd = abs(y + BASE_DY[k] - oy) + abs(x + BASE_DX[k] - ox)
                if (flee and nd > d) or (not flee and nd < d):
                    if n == pick:
                        return k
                    n += 1
    return n


@njit(cache=True, _nrt=False)
def _chaser(tb, st, i, s, t):
    """GVGAI's Chaser / Fleeing: move toward (away from) the nearest ``stype`` sprites by Manhattan pixels."""
    _passive(tb, st, i, s, t)
    tt = tb.ti[t, TI_STYPE]
    x = st.si[i, s, SI_X]
    y = st.si[i, s, SI_Y]
    best = -1
    los = tb.ti[t, TI_CLS] == C_LOS_CHASER
    for q in range(tb.ti[tt, TI_SUB0], tb.ti[tt, TI_SUB1]):
        u = tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            o = st.tl[i, u, j]
            if los and not _sees(st, i, s, o):
                continue
            d = abs(y - st.si[i, o, SI_Y]) + abs(x - st.si[i, o, SI_X])
            if best < 0 or d < best:
                best = d
    n = 0
    if best >= 0:
        n = _chase_moves(tb, st, i, s, t, best, -1)
    if n == 0:
        dx, dy = _random_move(tb, st, i, s, t)
    else:
        k = _chase_moves(tb, st, i, s, t, best, _rnd_int(st, i, n))
        dx = BASE_DX[k]
        dy = BASE_DY[k]
    _npc_active(tb, st, i, s, t, dx, dy)


@njit(cache=True, _nrt=False, inline="always")
def _random_missile(tb, st, i, s, t):
    """GVGAI's RandomMissile: without an orientation (NIL, kept as (-1, -1)) it draws one, then moves passively."""
    if st.si[i, s, SI_OX] == -1 and st.si[i, s, SI_OY] == -1:
        k = _rnd_int(st, i, 4)
        st.si[i, s, SI_OX] = BASE_DX[k]
        st.si[i, s, SI_OY] = BASE_DY[k]
    _passive(tb, st, i, s, t)


@njit(cache=True, _nrt=False)
def _spreader(tb, st, i, s, t):
    """GVGAI's Spreader: a Flicker that, at age 2, adds ``stype`` (or its own type) on the four neighbours."""
    _passive(tb, st, i, s, t)
    if st.si[i, s, SI_AGE] > tb.ti[t, TI_FLIMIT]:
        _kill(tb, st, i, s, False)
    st.si[i, s, SI_AGE] += 1
    if st.si[i, s, SI_AGE] == 2:
        nt = tb.ti[t, TI_STYPE]
        if nt < 0:
            nt = t
        for k in range(4):
            if _rnd_double(st, i) < tb.tf[t, TF_PROB]:
                _add_sprite(tb, st, i, nt, st.si[i, s, SI_LX] + BASE_DX[k] * BS, st.si[i, s, SI_LY] + BASE_DY[k] * BS)


@njit(cache=True, _nrt=False, inline="always")
def _update_sprite(tb, st, i, s, t, gt):
    """One non-avatar sprite's ``update`` (after ``preMovement``), by class."""
    c = tb.ti[t, TI_CLS]
    if c == C_MISSILE or c == C_PASSIVE or c == C_RESOURCE:
        _passive(tb, st, i, s, t)
        if st.si[i, s, SI_TTL] > 0:  # NPC: VGDLSprite.update's timeToLive
            st.si[i, s, SI_TTL] -= 1
        elif st.si[i, s, SI_TTL] == 0:
            _kill(tb, st, i, s, False)
    elif c == C_FLICKER or c == C_ORIENTED_FLICKER:
        _passive(tb, st, i, s, t)
        if st.si[i, s, SI_AGE] > tb.ti[t, TI_FLIMIT]:
            _kill(tb, st, i, s, False)
        st.si[i, s, SI_AGE] += 1
    elif c == C_RANDOM_NPC:
        _random_npc(tb, st, i, s, t)
    elif c == C_SPAWN_POINT or c == C_BOMBER:
        _spawn_point(tb, st, i, s, t, gt, _spawn_type(tb, st, i, s, t))
    elif c == C_CHASER or c == C_LOS_CHASER:
        _chaser(tb, st, i, s, t)
    elif c == C_PATH_CHASER:
        _path_chaser(tb, st, i, s, t)
    elif c == C_PATH_ALT_CHASER or c == C_RANDOM_PATH_ALT_CHASER:
        _path_alt_chaser(tb, st, i, s, t)
    elif c == C_RANDOM_MISSILE:
        _random_missile(tb, st, i, s, t)
    elif c == C_SPREADER:
        _spreader(tb, st, i, s, t)
    elif c == C_RANDOM_BOMBER:
        k = _rnd_int(st, i, 4)
        _npc_active(tb, st, i, s, t, BASE_DX[k], BASE_DY[k])
        _spawn_point(tb, st, i, s, t, gt, _spawn_type(tb, st, i, s, t))
    elif c == C_BOMBER_RANDOM_MISSILE:
        m0 = tb.ti[t, TI_MISS0]
        k = _rnd_int(st, i, tb.ti[t, TI_MISS1] - m0)
        _spawn_point(tb, st, i, s, t, gt, tb.items[m0 + k])
    elif c >= NPC_BASE2:  # ONTOLOGY
        _update_sprite_ontology(tb, st, i, s, t, c, gt)
    # Immovable, Door, Portal: static, nothing to do
