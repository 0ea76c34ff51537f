"""Zelda levels: a maze opened up by difficulty, with the key and the door placed farther away as it rises.

What difficulty ``d`` controls (as in Justesen et al. 2018, with the paper's constants):

* walls: a perfect maze of 6 x 4 cells fills the 13 x 9 level; then a fraction
  ``o = min(1, 1.05 - 0.5 d - 0.1 U)`` of its separator walls (walls with floor on two opposite sides) is
  knocked out: all of them at d = 0 (an open room with pillars), about half at d = 1 (a maze with loops). The
  paper knocked out ``floor(96 o')`` walls with ``o' = 0.3 (1 - d) + 0.1 + 0.1 U``, 38-48 at d = 0 and 9-19 at
  d = 1; a maze this size has only about 25 separators, so every d below about 0.5 gave the same open room. A
  fraction keeps the whole range of d meaningful;
* distances: the door sits at a fraction ``0.7 d + 0.3 U`` of the largest path distance from the hero, and the
  key at such a fraction of the distance the hero can walk with the door shut (the paper used Manhattan
  distances and a sort weight; path distances make "farther" mean what the player walks);
* monsters: ``floor((0.4 d + 0.2 U) * 0.05 * 13 * 9)``, 0-1 at d = 0 and 2-3 at d = 1, each quick, normal or
  slow with equal chance, placed at least three steps from the hero.

Playable by construction (the key is reached with the door closed, the door from the key), and checked anyway.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ppcg.generators.base import GridGenerator, Uniforms, floor
from ppcg.generators.playability import Board, distance, layers, pick_bit, pick_many
from ppcg.vgdl.level import Level

__all__ = ["ZeldaGenerator"]

_W, _H = 13, 9
_STRIDE = _W + 1
_CW, _CH = (_W - 1) // 2, (_H - 1) // 2  # maze cells: 6 x 4


def _maze_tables() -> tuple[list[int], list[tuple[int, int, int]], list[tuple[int, int, int, int, int]]]:
    """Cell indices, edges (cell a, cell b, the wall between) and interior posts (index, 4 neighbours)."""
    cells = [(2 * j + 1) * _STRIDE + 2 * i + 1 for j in range(_CH) for i in range(_CW)]
    edges = []
    for j in range(_CH):
        for i in range(_CW):
            a = j * _CW + i
            if i + 1 < _CW:
                edges.append((a, a + 1, cells[a] + 1))
            if j + 1 < _CH:
                edges.append((a, a + _CW, cells[a] + _STRIDE))
    posts = []
    for y in range(2, _H - 1, 2):
        for x in range(2, _W - 1, 2):
            p = y * _STRIDE + x
            posts.append((p, p - 1, p + 1, p - _STRIDE, p + _STRIDE))
    return cells, edges, posts


_CELLS, _EDGES, _POSTS = _maze_tables()
_EMPTY = bytearray(("w" * _W + "\n") * _H, "ascii")
_DOT = ord(".")
_FLOOR_TABLE = bytes(49 if b == _DOT else 48 for b in range(256))  # "." -> "1", anything else -> "0"
_MONSTERS = b"123"  # quick (bat), normal (spider), slow (scorpion)


def _bits(grid: bytearray) -> int:
    """The floor cells of ``grid`` as a bit board."""
    return int(grid.translate(_FLOOR_TABLE)[::-1], 2)


class ZeldaGenerator(GridGenerator):
    """Zelda levels of 13 x 9: maze, key, door and monsters (see the module docstring)."""

    name: ClassVar[str] = "zelda"
    game: ClassVar[str] = "zelda"
    width: ClassVar[int] = _W
    height: ClassVar[int] = _H
    increasing: ClassVar[tuple[str, ...]] = ("walls", "monsters", "path_length")

    def build(self, d: float, rng: np.random.Generator, u: Uniforms) -> list[str] | None:
        grid = _EMPTY.copy()
        for c in _CELLS:
            grid[c] = _DOT
        # A perfect maze: Kruskal's algorithm over the edges in random order.
        parent = list(range(_CW * _CH))

        def root(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        closed = []
        for e in rng.permutation(len(_EDGES)).tolist():
            a, b, wall = _EDGES[e]
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[ra] = rb
                grid[wall] = _DOT
            else:
                closed.append(wall)
        # Separator walls: closed edges, and posts with floor on two opposite sides.
        separators = closed + [
            p
            for p, left, right, up, down in _POSTS
            if (grid[left] == _DOT and grid[right] == _DOT) or (grid[up] == _DOT and grid[down] == _DOT)
        ]
        openness = min(1.0, 1.05 - 0.5 * d - 0.1 * u())
        n_open = round(openness * len(separators))
        for k in rng.permutation(len(separators))[:n_open].tolist():
            grid[separators[k]] = _DOT

        floor_bits = _bits(grid)
        hero = pick_bit(floor_bits, u())
        hero_bit = 1 << hero
        # The door: a fraction of the largest path distance from the hero that grows with d.
        rings = layers(hero_bit, floor_bits, _STRIDE)
        far = len(rings) - 1
        if far < 3:
            return None
        t = min(max(round((0.7 * d + 0.3 * u()) * far), 2), far)
        door = pick_bit(rings[t], u())
        door_bit = 1 << door
        # The key: the same way, over the cells the hero reaches with the door shut.
        rings = layers(hero_bit, floor_bits & ~door_bit, _STRIDE)
        far = len(rings) - 1
        if far < 1:
            return None
        t = min(max(round((0.7 * d + 0.3 * u()) * far), 1), far)
        key = pick_bit(rings[t], u())
        # Monsters: at least three steps from the hero.
        n_monsters = floor((0.4 * d + 0.2 * u()) * 0.05 * _W * _H)
        if n_monsters:
            near = hero_bit
            for _ in range(2):
                near |= (near << 1 | near >> 1 | near << _STRIDE | near >> _STRIDE) & floor_bits
            free = floor_bits & ~near & ~door_bit & ~(1 << key)
            spots = pick_many(free, n_monsters, rng)
            for s in spots:
                grid[s] = _MONSTERS[u.below(3)]
        grid[hero] = ord("A")
        grid[door] = ord("g")
        grid[key] = ord("+")
        return grid.decode("ascii").split("\n")[:-1]

    def stats(self, level: Level) -> dict[str, float]:
        """``walls`` (wall cells), ``monsters``, ``path_length`` (hero -> key with the door shut -> door)."""
        board = Board.from_rows(level.rows)
        return {
            "walls": float(board.count("w")),
            "monsters": float(board.count("123")),
            "path_length": float(zelda_path_length(board)),
        }


def zelda_path_length(board: Board) -> int:
    """Steps from the hero to the nearest key (door shut), then on to the nearest door; -1 if none."""
    floor_ = board.mask(".A+123")
    hero, keys, doors = board.mask("A"), board.mask("+"), board.mask("g")
    to_key = distance(hero, keys, floor_, board.stride)
    if to_key < 0:
        return -1
    # The key first met: the nearest one (any of them at that distance).
    reach_rings = layers(hero, floor_, board.stride)
    key_bit = reach_rings[to_key] & keys
    key_bit &= -key_bit
    to_door = distance(key_bit, doors, floor_, board.stride)
    return -1 if to_door < 0 else to_key + to_door
