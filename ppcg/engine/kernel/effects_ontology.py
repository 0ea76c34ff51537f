"""The rest of GVGAI's gridphysics effects (issue 13), dispatched from :func:`.effects._exec_effect_corpus`."""

from __future__ import annotations

import math

from numba import njit

from ppcg.engine.features import (
    C_BOMBER,
    C_BOMBER_RANDOM_MISSILE,
    C_RANDOM_BOMBER,
    C_SPAWN_POINT,
    E_ADD_HEALTH_POINTS_TO_MAX,
    E_CHANGE_SPEED_TO_ALL,
    E_CLONE_SPRITE,
    E_HALF_SPEED,
    E_KILL_IF_ALIVE,
    E_KILL_IF_NOT_UPRIGHT,
    E_KILL_IF_SLOW,
    E_REMOVE_SCORE,
    E_SPAWN_BEHIND,
    E_SPAWN_IF_COUNTER_SUBTYPES,
    E_SPAWN_IF_HAS_LESS,
    E_TRANSFORM_TO_RANDOM_CHILD,
    E_UPDATE_SPAWN_TYPE,
    E_WALL_BOUNCE,
    E_WALL_STOP,
)
from ppcg.engine.kernel.base import (
    BS,
    _add_sprite,
    _count_active,
    _get_res,
    _kill,
    _modify_res,
    _oriented,
    _rnd_double,
    _rnd_int,
    _set_pos,
)
from ppcg.engine.kernel.movement import _set_speed, _speed_of
from ppcg.engine.kernel.effects_corpus import _step_back_pixel_perfect, _transform
from ppcg.engine.layout import *  # noqa: F403 - field index constants


# ---------------------------------------------------------------------------------------------------------------
# ONTOLOGY (issue 13): the rest of GVGAI's gridphysics effects
@njit(cache=True, _nrt=False)
def _exec_effect_ontology(tb, st, i, e, code, s1, s2):
    """The dispatcher of the effects added for the whole ontology (``s1 >= 0``); returns ``applyScore``."""
    if code == E_KILL_IF_ALIVE:  # unless sprite2 is already on the kill list
        if s2 < 0 or not st.si[i, s2, SI_KILLED]:
            _kill(tb, st, i, s1, False)
    elif code == E_REMOVE_SCORE:
        return _eff_remove_score(tb, st, i, e, s1, s2)
    elif code == E_ADD_HEALTH_POINTS_TO_MAX:  # up to limitHealthPoints, always applies
        lim = tb.ti[st.si[i, s1, SI_TYPE], TI_HP_LIMIT]
        st.si[i, s1, SI_HP] = min(st.si[i, s1, SI_HP] + tb.ei[e, EI_VALUE], lim)
        if tb.ei[e, EI_KILL_SECOND] and s2 >= 0:
            _kill(tb, st, i, s2, False)
    elif code == E_SPAWN_IF_HAS_LESS:  # nextDouble() against prob first, score only when it spawns
        if _rnd_double(st, i) >= tb.ef[e, EF_PROB]:
            return False
        if _get_res(st, i, s1, tb.ei[e, EI_RES]) > tb.ei[e, EI_LIMIT]:
            return False
        _add_sprite(tb, st, i, tb.ei[e, EI_STYPE], st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    elif code == E_HALF_SPEED:
        _set_speed(st, i, s1, _speed_of(tb, st, i, s1) * 0.5)
    elif code == E_CHANGE_SPEED_TO_ALL:
        _eff_change_speed_to_all(tb, st, i, e)
    elif code == E_CLONE_SPRITE:
        _add_sprite(tb, st, i, st.si[i, s1, SI_TYPE], st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    elif code == E_KILL_IF_NOT_UPRIGHT:  # rotation 0 (no implemented class rotates) is never upright
        _kill(tb, st, i, s1, False)
    elif code == E_TRANSFORM_TO_RANDOM_CHILD:
        _eff_transform_to_random_child(tb, st, i, e, s1, s2)
    elif code == E_UPDATE_SPAWN_TYPE:
        _eff_update_spawn_type(tb, st, i, e)
    elif code == E_SPAWN_IF_COUNTER_SUBTYPES:
        return _eff_spawn_if_counter_subtypes(tb, st, i, e, s1)
    elif code == E_WALL_STOP and s2 >= 0:
        _eff_wall_stop(tb, st, i, s1, s2)
    elif code == E_KILL_IF_SLOW and s2 >= 0:
        _eff_kill_if_slow(tb, st, i, e, s1, s2)
    # wallBounce / wallReverse run in batch (_run_pair_effect_batch); here only as EOS or timer effects, where
    # GVGAI's only warns (the score still counts)
    return True


@njit(cache=True, _nrt=False)
def _eff_kill_if_slow(tb, st, i, e, s1, s2):
    """``killIfSlow`` / ``killIfFast`` (EI_FAST): kill sprite1 when the relative speed is below (above) ``limspeed``:
    the other sprite's speed when one of them is static, else the length of the difference of their orientations
    (GVGAI compares directions, not velocities)."""
    if tb.ti[st.si[i, s1, SI_TYPE], TI_STATIC]:
        rel = _speed_of(tb, st, i, s2)
    elif tb.ti[st.si[i, s2, SI_TYPE], TI_STATIC]:
        rel = _speed_of(tb, st, i, s1)
    else:
        vx = float(st.si[i, s1, SI_OX] - st.si[i, s2, SI_OX])
        vy = float(st.si[i, s1, SI_OY] - st.si[i, s2, SI_OY])
        rel = math.sqrt(vx * vx + vy * vy)
    lim = tb.ef[e, EF_LIMSPEED]
    if (rel > lim) if tb.ei[e, EI_FAST] else (rel < lim):
        _kill(tb, st, i, s1, False)


@njit(cache=True, _nrt=False, inline="always")
def _axis_only(tb, st, i, s, keep_x):
    """The wall effects' new motion: only the orientation's x (``keep_x``) or y part, normalised; the sprite's
    speed is multiplied by that part's length (so it stops when the part is 0), and raised to its gravity (0)."""
    if keep_x:
        st.si[i, s, SI_OY] = 0
        moving = st.si[i, s, SI_OX] != 0
    else:
        st.si[i, s, SI_OX] = 0
        moving = st.si[i, s, SI_OY] != 0
    sp = _speed_of(tb, st, i, s)
    if (not moving and sp != 0.0) or sp < 0.0:
        _set_speed(st, i, s, 0.0)


@njit(cache=True, _nrt=False)
def _eff_wall_stop(tb, st, i, s1, s2):
    """``wallStop``: sprite1 stops flush against sprite2 (stepBack pixelPerfect's placement) and keeps only the
    motion along the wall: the orientation's part across the larger centre distance is dropped."""
    _step_back_pixel_perfect(st, i, s1, s2)
    dcx = abs(st.si[i, s1, SI_X] - st.si[i, s2, SI_X])
    dcy = abs(st.si[i, s1, SI_Y] - st.si[i, s2, SI_Y])
    _axis_only(tb, st, i, s1, not dcx > dcy)


@njit(cache=True, _nrt=False, inline="always")
def _java_ratio(a, b):
    """``Math.abs(a / b)`` in Java's doubles: a zero ``b`` gives infinity (NaN for 0 / 0) instead of failing."""
    if b == 0.0:
        return math.nan if a == 0.0 else math.inf
    return abs(a / b)


@njit(cache=True, _nrt=False)
def _wall_sides(tb, st, i, s1, cx, cy, cw, ch):
    """GVGAI's ``Effect.determineCollision`` of sprite1 against the rectangle (cx, cy, cw, ch): (horizontal,
    vertical) bounce. A side whose overlap spans the whole sprite decides; else the one its velocity reaches
    first from its last position."""
    x = st.si[i, s1, SI_X]
    y = st.si[i, s1, SI_Y]
    iw = min(x + BS, cx + cw) - max(x, cx)
    ih = min(y + BS, cy + ch) - max(y, cy)
    horizontal = ih == BS
    vertical = iw == BS
    if not horizontal and not vertical:
        sp = _speed_of(tb, st, i, s1)
        vx = st.si[i, s1, SI_OX] * sp
        vy = st.si[i, s1, SI_OY] * sp
        lx = st.si[i, s1, SI_LX]
        ly = st.si[i, s1, SI_LY]
        if vx == 0.0:
            dist_x = abs(lx - cx)
        elif vx > 0.0:
            dist_x = abs(lx + BS - cx)
        else:
            dist_x = abs(cx + cw - lx)
        if vy == 0.0:
            dist_y = abs(ly - cy)
        elif vy > 0.0:
            dist_y = abs(ly + BS - cy)
        else:
            dist_y = abs(ly - (cy + ch))
        tx = _java_ratio(float(dist_x), vx)
        ty = _java_ratio(float(dist_y), vy)
        horizontal = tx < ty
        vertical = ty < tx
    return horizontal, vertical


@njit(cache=True, _nrt=False)
def _eff_wall_batch(tb, st, i, e, s1, nc):
    """``wallBounce`` / ``wallReverse`` of sprite1 against its ``nc`` second sprites at once (``st.lst[i,
    L_CAND]``, GVGAI's order): one wall (the nearest by last positions, the first on ties), or two side by side
    taken as one rectangle. Sprite1 bounces (reverses) off it, then it and every second sprite go back to their
    last positions. Returns how many walls counted (1 or 2: the score is scoreChange times that)."""
    n = 1
    b = st.lst[i, L_CAND, 0]
    cx = st.si[i, b, SI_X]
    cy = st.si[i, b, SI_Y]
    cw = BS
    ch = BS
    if nc == 2:
        b2 = st.lst[i, L_CAND, 1]
        if st.si[i, b2, SI_X] == cx:
            cy = min(cy, st.si[i, b2, SI_Y])
            ch = 2 * BS
            n = 2
        elif st.si[i, b2, SI_Y] == cy:
            cx = min(cx, st.si[i, b2, SI_X])
            cw = 2 * BS
            n = 2
    if nc > 1 and n == 1:  # the nearest centre to sprite1's last one (a stable sort's first)
        lx = st.si[i, s1, SI_LX]
        ly = st.si[i, s1, SI_LY]
        best = -1
        for k in range(nc):
            o = st.lst[i, L_CAND, k]
            dx = st.si[i, o, SI_LX] - lx
            dy = st.si[i, o, SI_LY] - ly
            d = dx * dx + dy * dy
            if best < 0 or d < best:
                best = d
                b = o
        cx = st.si[i, b, SI_X]
        cy = st.si[i, b, SI_Y]
    horizontal, vertical = _wall_sides(tb, st, i, s1, cx, cy, cw, ch)
    ox = st.si[i, s1, SI_OX]
    oy = st.si[i, s1, SI_OY]
    if tb.ei[e, EI_CODE] == E_WALL_BOUNCE:
        if vertical:
            st.si[i, s1, SI_OY] = -oy
        elif horizontal:
            st.si[i, s1, SI_OX] = -ox
        else:
            st.si[i, s1, SI_OX] = -ox
            st.si[i, s1, SI_OY] = -oy
    else:  # wallReverse: only the horizontal part survives, reversed unless the hit was vertical
        if not vertical:
            st.si[i, s1, SI_OX] = -ox
        _axis_only(tb, st, i, s1, True)
    _set_pos(st, i, s1, st.si[i, s1, SI_LX], st.si[i, s1, SI_LY])
    for k in range(nc):
        o = st.lst[i, L_CAND, k]
        _set_pos(st, i, o, st.si[i, o, SI_LX], st.si[i, o, SI_LY])
    return n


@njit(cache=True, _nrt=False)
def _eff_update_spawn_type(tb, st, i, e):
    """``updateSpawnType``: every SpawnPoint (Bombers included) of the ``spawnPoint`` subtree now spawns ``stype``;
    sprites of other classes there are left alone (GVGAI's cast fails on them)."""
    t = tb.ei[e, EI_STYPE2]
    for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
        u = tb.items[q]
        c = tb.ti[u, TI_CLS]
        if c == C_SPAWN_POINT or c == C_BOMBER or c == C_RANDOM_BOMBER or c == C_BOMBER_RANDOM_MISSILE:
            for j in range(st.tc[i, u, TC_N]):
                st.si[i, st.tl[i, u, j], SI_SPAWN] = tb.ei[e, EI_STYPE]


@njit(cache=True, _nrt=False)
def _eff_spawn_if_counter_subtypes(tb, st, i, e, s1):
    """``spawnIfCounterSubTypes``: ``stype`` on sprite1 when ``stypeCount``'s subtree holds ``limit`` active sprites
    and half (rounded down) of the types of that subtree that hold sprites of their own (GVGAI skips a type whose
    group is empty) with active sprites in their subtrees equals ``subTypesNum``; ``estype`` otherwise. Scores
    only in the first case."""
    t = tb.ei[e, EI_STYPE2]
    ok = False
    if _count_active(tb, st, i, t) == tb.ei[e, EI_LIMIT]:
        kinds = 0
        for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
            u = tb.items[q]
            if st.tc[i, u, TC_N] > 0 and _count_active(tb, st, i, u) > 0:
                kinds += 1
        ok = kinds // 2 == tb.ei[e, EI_SUBTYPES_NUM]
    nt = tb.ei[e, EI_STYPE] if ok else tb.ei[e, EI_STYPE3]
    _add_sprite(tb, st, i, nt, st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    return ok


@njit(cache=True, _nrt=False)
def _eff_remove_score(tb, st, i, e, s1, s2):
    """``removeScore``: the score drops to 0 when sprite1 (no ``stype``) or a sprite of exactly ``stype`` is an
    avatar; ``killSecond`` then kills sprite2 (as transformed, as GVGAI does)."""
    t = tb.ei[e, EI_STYPE]
    hit = False
    if t < 0:
        hit = tb.ti[st.si[i, s1, SI_TYPE], TI_AVATAR] != 0
    elif tb.ti[t, TI_AVATAR]:
        hit = st.tc[i, t, TC_N] > 0
    if hit:
        st.score[i] = 0.0
        if tb.ei[e, EI_KILL_SECOND] and s2 >= 0:
            _kill(tb, st, i, s2, True)
    return True


@njit(cache=True, _nrt=False)
def _eff_change_speed_to_all(tb, st, i, e):
    """``increaseSpeedToAll`` / ``decreaseSpeedToAll`` (EI_DECREASE; never below 0): every sprite of ``stype``'s
    subtree."""
    t = tb.ei[e, EI_STYPE]
    v = tb.ef[e, EF_SPEED]
    for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
        u = tb.items[q]
        for j in range(st.tc[i, u, TC_N]):
            s = st.tl[i, u, j]
            sp = _speed_of(tb, st, i, s)
            if tb.ei[e, EI_DECREASE]:
                sp = 0.0 if sp - v < 0 else sp - v
            else:
                sp += v
            _set_speed(st, i, s, sp)


@njit(cache=True, _nrt=False)
def _eff_transform_to_random_child(tb, st, i, e, s1, s2):
    """``transformToRandomChild``: transformTo a subtype of ``stype`` (itself excluded) drawn with nextInt."""
    t = tb.ei[e, EI_STYPE]
    n = tb.ti[t, TI_SUB1] - tb.ti[t, TI_SUB0] - 1
    if n <= 0:
        return
    k = _rnd_int(st, i, n)
    for q in range(tb.ti[t, TI_SUB0], tb.ti[t, TI_SUB1]):
        u = tb.items[q]
        if u == t:
            continue
        if k == 0:
            _transform(tb, st, i, e, s1, s2, u, False)
            return
        k -= 1


@njit(cache=True, _nrt=False)
def _eff_spawn_near(tb, st, i, e, code, s1, s2):
    """``spawnBehind`` (on ``s2``'s last position, if it left its cell) and ``spawnLeft/Right/Above/Below`` (a
    cell beside ``s2``'s position, or its last one with ``stepBack``); ``nextDouble() < prob`` drawn first."""
    if s2 < 0:
        return True
    if _rnd_double(st, i) >= tb.ef[e, EF_PROB]:
        return True
    x = st.si[i, s2, SI_X]
    y = st.si[i, s2, SI_Y]
    if code == E_SPAWN_BEHIND or tb.ei[e, EI_STEP_BACK]:
        lx = st.si[i, s2, SI_LX]
        ly = st.si[i, s2, SI_LY]
        if lx < x + BS and x < lx + BS and ly < y + BS and y < ly + BS:
            return True  # GVGAI's getLastPosition: none while the last rect overlaps the current one
        x = lx
        y = ly
    _add_sprite(tb, st, i, tb.ei[e, EI_STYPE], x + tb.ei[e, EI_SPAWN_DX] * BS, y + tb.ei[e, EI_SPAWN_DY] * BS)
    return True


@njit(cache=True, _nrt=False)
def _singleton_fields(tb, st, i, ns, old):
    """``TransformToSingleton.setSpriteFields``: orientation, last position, resources; the old sprite dies."""
    t_new = st.si[i, ns, SI_TYPE]
    t_old = st.si[i, old, SI_TYPE]
    if _oriented(tb, st, i, ns) and _oriented(tb, st, i, old):
        st.si[i, ns, SI_OX] = st.si[i, old, SI_OX]
        st.si[i, ns, SI_OY] = st.si[i, old, SI_OY]
    st.si[i, ns, SI_LX] = st.si[i, old, SI_LX]
    st.si[i, ns, SI_LY] = st.si[i, old, SI_LY]
    for r in range(st.res.shape[2]):
        if st.res[i, old, r] >= 0:
            _modify_res(st, i, ns, r, st.res[i, old, r])
    transformed = True
    if tb.ti[t_old, TI_AVATAR]:
        if tb.ti[t_new, TI_AVATAR]:
            st.ev[i, EV_AVATAR] = ns
        else:
            transformed = False
    _kill(tb, st, i, old, transformed)


@njit(cache=True, _nrt=False)
def _eff_transform_to_singleton(tb, st, i, e, s1, s2):
    """``transformToSingleton``: sprites already of ``stype`` turn into ``stype_other``, then ``s1`` turns into
    ``stype`` (with ``takeOrientation``, facing opposite to ``s2``)."""
    if s2 < 0:
        return True
    t = tb.ei[e, EI_STYPE]
    for j in range(st.tc[i, t, TC_N]):
        old = st.tl[i, t, j]
        ns = _add_sprite(tb, st, i, tb.ei[e, EI_STYPE2], st.si[i, old, SI_X], st.si[i, old, SI_Y])
        if ns >= 0:
            _singleton_fields(tb, st, i, ns, old)
    ns = _add_sprite(tb, st, i, t, st.si[i, s1, SI_X], st.si[i, s1, SI_Y])
    if ns >= 0:
        _singleton_fields(tb, st, i, ns, s1)
        if tb.ei[e, EI_TAKE_ORIENTATION]:
            st.si[i, ns, SI_OX] = -st.si[i, s2, SI_OX]
            st.si[i, ns, SI_OY] = -st.si[i, s2, SI_OY]
            st.si[i, ns, SI_ORI] = 1
    return True
