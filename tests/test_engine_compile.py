"""compile_game: GVGAI's orders become tables (type ids, subtrees, sprite order, pair groups, EOS lists)."""

from __future__ import annotations

import numpy as np

from ppcg.engine import compile_game
from ppcg.engine import features as F
from ppcg.engine import layout as L
from ppcg.vgdl import load_game


def _compile(corpus_dir, name):
    c = compile_game(load_game(corpus_dir / f"{name}.txt"))
    return c, c.tables


def _seq(tb, a, b):
    return [int(x) for x in tb.seq[tb.misc[a]: tb.misc[b]]]


def test_zelda_type_ids_subtrees_and_orders(corpus_dir):
    c, tb = _compile(corpus_dir, "zelda")
    names = c.type_names
    # GVGAI's registration order: wall, avatar, then the tree in pre-order (the trace headers list the same)
    assert names == ["wall", "avatar", "floor", "goal", "key", "sword", "movable", "nokey", "withkey", "enemy",
                     "monsterQuick", "monsterNormal", "monsterSlow"]
    movable = names.index("movable")
    sub = [names[t] for t in tb.items[tb.ti[movable, L.TI_SUB0]: tb.ti[movable, L.TI_SUB1]]]
    assert sub == ["movable", "avatar", "nokey", "withkey", "enemy", "monsterQuick", "monsterNormal", "monsterSlow",
                   "wall"]  # wall is declared inside movable
    # drawing order: leaves in definition order, wall moved to where it is (re)defined, avatar last
    assert [names[t] for t in _seq(tb, L.M_DRAW0, L.M_DRAW1)] == [
        "floor", "goal", "key", "sword", "nokey", "withkey", "monsterQuick", "monsterNormal", "monsterSlow", "wall",
        "avatar"]
    # updates run it backwards, skipping avatars (they move first, on their own)
    assert [names[t] for t in _seq(tb, L.M_UPD0, L.M_UPD1)] == [
        "wall", "monsterSlow", "monsterNormal", "monsterQuick", "sword", "key", "goal", "floor"]
    sword = names.index("sword")
    assert [names[t] for t in tb.items[tb.ti[sword, L.TI_SING0]: tb.ti[sword, L.TI_SING1]]] == ["sword"]
    assert tb.ti[names.index("nokey"), L.TI_CLS] == F.C_SHOOT_AVATAR
    assert (tb.ti[names.index("nokey"), L.TI_OX0], tb.ti[names.index("nokey"), L.TI_OY0]) == (1, 0)


def test_solarfox_pairs_grouped_by_first_appearance(corpus_dir):
    c, tb = _compile(corpus_dir, "solarfox")
    names = c.type_names
    pairs = [(names[a], names[b]) for a, b in tb.pi[:, [L.PI_T1, L.PI_T2]]]
    assert pairs[4:9] == [("blib", "avatar"), ("powerblib", "powerblibturning"), ("powerblibturning", "avatar"),
                          ("powerblib", "blib"), ("powerblib", "avatar")]
    p = pairs.index(("powerblib", "powerblibturning"))
    codes = [int(tb.ei[e, L.EI_CODE]) for e in range(tb.pi[p, L.PI_E0], tb.pi[p, L.PI_E1])]
    assert codes == [F.E_SPAWN_IF_HAS_MORE, F.E_CHANGE_RESOURCE]  # lines 41 and 46 run together
    assert c.action_names == ["NIL", "LEFT", "RIGHT", "DOWN", "UP"]  # OngoingAvatar: MovingAvatar's actions
    res = c.resource_names.index("res")
    assert tb.seq[tb.misc[L.M_RESL0] + res] == 4  # the Resource's limit caps changeResource


def test_frogs_eos_and_speeds(corpus_dir):
    c, tb = _compile(corpus_dir, "frogs")
    names = c.type_names
    assert [names[t] for t in _seq(tb, L.M_EOSL0, L.M_EOSL1)] == ["avatar", "log", "truck"]
    assert tb.ti[names.index("goal"), L.TI_CLS] == F.C_IMMOVABLE  # GVGAI: the ancestor's class wins
    px = {n: int(tb.ti[names.index(n), L.TI_PPX]) for n in ("log", "fastRtruck", "slowLtruck")}
    assert px == {"log": 1, "fastRtruck": 2, "slowLtruck": 1}  # int(speed * 10)


def test_boulderdash_speeds_and_resources(corpus_dir):
    c, tb = _compile(corpus_dir, "boulderdash")
    names = c.type_names
    assert int(tb.ti[names.index("boulder"), L.TI_PPX]) == 2
    assert c.resource_names == ["diamond"] and tb.seq[tb.misc[L.M_RESL0]] == 10
    assert c.action_names == ["NIL", "USE", "LEFT", "RIGHT", "DOWN", "UP"]
    crab, butterfly = names.index("crab"), names.index("butterfly")
    p = [(int(a), int(b)) for a, b in tb.pi[:, [L.PI_T1, L.PI_T2]]].index((crab, butterfly))
    assert np.array_equal(tb.pi[p + 1, [L.PI_T1, L.PI_T2]], [butterfly, crab])
