"""The four bundled games and their human levels.

Our game files are written anew, with our own sprite names; the rules must still be GVGAI's. The test compares
the parsed specs after renaming our sprites to GVGAI's: the sprite tree in definition order (which fixes
GVGAI's update order), every class and behaviour parameter, the level mapping, the interactions grouped by
pair in order of first appearance (the order GVGAI runs them in), and the terminations. Only drawing
parameters may differ.
"""

from __future__ import annotations

import pytest

from ppcg.generators.playability import check_level_text
from ppcg.resources import game_path, human_level_paths
from ppcg.vgdl import load_game, load_level, parse_game, registry
from ppcg.vgdl.level import Level

GAMES = ("zelda", "solarfox", "frogs", "boulderdash")
SIZES = {"zelda": (13, 9), "solarfox": (10, 11), "frogs": (28, 11), "boulderdash": (26, 13)}

# Our sprite names -> GVGAI's, per game. One entry a line where it helps reading.
RENAME: dict[str, dict[str, str]] = {
    "zelda": {
        "ground": "floor",
        "door": "goal",
        "blocker": "movable",
        "hero": "nokey",
        "herokey": "withkey",
        "monster": "enemy",
        "bat": "monsterQuick",
        "spider": "monsterNormal",
        "scorpion": "monsterSlow",
    },
    "solarfox": {
        "space": "floor",
        "lane": "enemyground",
        "bigpill": "powerblib",
        "spark": "powerblibturning",
        "pill": "blib",
        "guard": "enemy",
        "guardtop": "top",
        "guardbottom": "btm",
        "fireball": "shot",
        "fireup": "upshot",
        "firedown": "downshot",
        "charge": "res",
    },
    "frogs": {
        "road": "highway",
        "busysource": "forestDense",
        "quietsource": "forestSparse",
        "terrain": "structure",
        "car": "truck",
        "carright": "rightTruck",
        "fastcarright": "fastRtruck",
        "slowcarright": "slowRtruck",
        "carleft": "leftTruck",
        "fastcarleft": "fastLtruck",
        "slowcarleft": "slowLtruck",
    },
    "boulderdash": {
        "cave": "background",
        "pickaxe": "sword",
        "earth": "dirt",
        "exit": "exitdoor",
        "gem": "diamond",
        "rock": "boulder",
        "creature": "moving",
        "critter": "enemy",
    },
}


def _value(v, names: dict[str, str]):
    if isinstance(v, str):
        return names.get(v, v)
    if isinstance(v, tuple):
        return tuple(_value(x, names) for x in v)
    return v


def _behaviour(kind: str, cls: str | None, params, names: dict[str, str]) -> dict:
    out = {}
    for p in params:
        entry = registry.lookup_param(kind, cls, p.name) if cls else None
        if entry is not None and entry.role != "behaviour":
            continue  # colours, images, shrinking: drawing only
        out[p.name] = _value(p.value, names)
    return out


def canonical(spec, names: dict[str, str]) -> dict:
    """What a game's rules are, with sprite names passed through ``names`` and drawing parameters left out."""
    r = lambda n: names.get(n, n)  # noqa: E731
    sprites = [
        (r(s.name), r(s.parent) if s.parent else None, s.cls, _behaviour("sprite", s.cls, s.params, names))
        for s in spec.sprites
    ]
    pairs: dict[tuple[str, str], list] = {}
    for i in spec.interactions:
        key = (r(i.sprite1), r(i.sprite2))
        pairs.setdefault(key, []).append((i.effect, _behaviour("effect", i.effect, i.params, names)))
    return {
        "game": (spec.game_class, {p.name: p.value for p in spec.params if p.name != "square_size"}),
        "sprites": sprites,
        "mapping": {c: tuple(r(n) for n in stack) for c, stack in spec.mapping},
        "pairs": list(pairs.items()),
        "terminations": [
            (t.cls, _behaviour("termination", t.cls, t.params, names)) for t in spec.terminations
        ],
    }


@pytest.mark.parametrize("game", GAMES)
def test_game_file_parses_strictly_with_a_header(game):
    text = game_path(game).read_text()
    assert text.startswith(f"# {game.capitalize()}")
    assert "win" in text.split("BasicGame")[0].lower()
    spec = parse_game(text, strict=True)
    assert {"wall", "avatar"} <= {s.name for s in spec.sprites}  # GVGAI's pre-seeded types keep their names


@pytest.mark.filterwarnings("ignore:.*declares class 'Door'")  # GVGAI's frogs file; ours says Immovable
@pytest.mark.parametrize("game", GAMES)
def test_same_rules_as_gvgai(game, corpus_dir):
    ours = canonical(load_game(game, strict=True), RENAME[game])
    theirs = canonical(load_game(corpus_dir / f"{game}.txt"), {})
    assert ours["sprites"] == theirs["sprites"]
    assert ours["mapping"] == theirs["mapping"]
    assert ours["pairs"] == theirs["pairs"]
    assert ours["terminations"] == theirs["terminations"]
    assert ours == theirs


def test_the_comparison_can_fail(corpus_dir):
    """Swapping two interaction lines of different pairs, or two monsters' order, is caught."""
    text = game_path("zelda").read_text()
    swapped = text.replace(
        "    monster sword > killSprite scoreChange=2\n    monster monster > stepBack\n",
        "    monster monster > stepBack\n    monster sword > killSprite scoreChange=2\n",
    )
    bat = "        bat      > RandomNPC cooldown=2 cons=6 color=PINK\n"
    spider = "        spider   > RandomNPC cooldown=4 cons=8 color=RED\n"
    reordered = text.replace(bat + spider, spider + bat)
    theirs = canonical(load_game(corpus_dir / "zelda.txt"), {})
    assert canonical(parse_game(text), RENAME["zelda"]) == theirs
    for variant in (swapped, reordered):
        assert variant != text
        assert canonical(parse_game(variant), RENAME["zelda"]) != theirs


@pytest.mark.parametrize("game", GAMES)
def test_gvgai_levels_load_in_our_games(game, corpus_dir):
    spec = load_game(game)
    for i in range(5):
        text = (corpus_dir / f"{game}_lvl{i}.txt").read_text()
        Level.for_game(text, spec).validate(spec, strict=True)


@pytest.mark.parametrize("game", GAMES)
def test_human_levels_are_valid_playable_and_at_the_papers_size(game, corpus_dir):
    spec = load_game(game)
    paths = human_level_paths(game)
    assert [p.name for p in paths] == [f"lvl{i}.txt" for i in range(5)]
    for path in paths:
        level = load_level(path, spec).validate(spec, strict=True)
        assert (level.width, level.height) == SIZES[game], path
        assert check_level_text(game, level.rows) is None, path
        assert level.to_str() == path.read_text()
        # Designed by the project: not a copy of a GVGAI level.
        for i in range(5):
            assert level.rows != tuple((corpus_dir / f"{game}_lvl{i}.txt").read_text().splitlines())
