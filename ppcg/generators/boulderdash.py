"""Boulderdash levels: a cellular-automaton cave, bigger, rockier and more crowded as difficulty rises.

What difficulty ``d`` controls (the paper's constants, Justesen et al. 2018):

* size: ``floor(14 d + 2 U) + 10`` columns (10-11 at d = 0, 24-25 at d = 1) and ``floor(d + 2 U) + 10`` rows,
  padded with walls to 26 x 13;
* walls: random rock with density ``r = (0.6 d + 0.2 + 0.2 U) / 2``, smoothed by ``floor(10 m + 1)``
  majority-rule steps with ``m = 0.5 (1 - d) + 0.3 + 0.2 U`` (an open cave when easy, a ragged one when hard);
  separate pockets are joined to the main cave by straight corridors;
* gems: ten, plus ``floor((0.7 (1 - d) + 0.1 + 0.2 U) * 0.05 * area)`` extra ones (fewer spare gems when
  hard);
* rocks: ``floor((0.7 + 0.3 U) d * 2 (10 + e))`` (0 at d = 0, 14-20 at d = 1; ``e`` the extra-gem fraction),
  placed as close to the gems as they may be;
* critters: ``floor((0.7 + 0.3 U) d * 0.05 * area)`` crabs and butterflies (0 at d = 0, about 9-13 at d = 1),
  more than five steps from the start, never side by side, each in a little open pocket of 0-4 cells;
* the exit: at a fraction ``0.3 + 0.5 d + 0.2 U`` of the largest path distance from the start (at least 4).

Where the paper checked every rock by a path search, this generator keeps a breadth-first tree of routes from
the start to every gem and to the exit, and never puts a rock on a route cell or on the cell above one (so no
rock can fall onto a route), nor a critter on a route. The level check then confirms, on the finished grid,
that the miner reaches nine gems and the exit through earth, never using a cell under a rock.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ppcg.generators.base import GridGenerator, Uniforms, floor
from ppcg.generators.playability import (
    Board,
    bit_list,
    boulderdash_passable,
    distance,
    expand,
    flood,
    layers,
    pick_bit,
)
from ppcg.vgdl.level import Level

__all__ = ["BoulderdashGenerator"]

_W, _H = 26, 13
_ORD = {ch: ord(ch) for ch in "w.-Aexocb\n"}
_EARTH_OR_WALL = bytes.maketrans(b"01", b"w.")


def _to_bits(mask: np.ndarray) -> int:
    """A boolean (h, w + 1) array as a bit board (bit r * (w + 1) + c)."""
    return int.from_bytes(np.packbits(mask.ravel(), bitorder="little").tobytes(), "little")


def _ball(seed: int, radius: int, stride: int) -> int:
    """Cells within Manhattan distance ``radius`` of ``seed`` (may spill into the separator column)."""
    m = seed
    for _ in range(radius):
        m = expand(m, stride)
    return m


def _majority(rock: int, interior: int, stride: int) -> int:
    """One majority-rule step on a bit board: an interior cell becomes rock when at least five of its eight
    neighbours are rock, or four and it is rock already; other cells keep their state."""
    n = (
        rock << 1,
        rock >> 1,
        rock << stride,
        rock >> stride,
        rock << (stride + 1),
        rock >> (stride + 1),
        rock << (stride - 1),
        rock >> (stride - 1),
    )
    # Bit-sliced addition of the eight neighbour planes: count = b0 + 2 b1 + 4 b2 + 8 b3.
    a, b, c = n[0], n[1], n[2]
    s1, c1 = a ^ b ^ c, (a & b) | (c & (a ^ b))
    a, b, c = n[3], n[4], n[5]
    s2, c2 = a ^ b ^ c, (a & b) | (c & (a ^ b))
    s3, c3 = n[6] ^ n[7], n[6] & n[7]
    b0, ca = s1 ^ s2 ^ s3, (s1 & s2) | (s3 & (s1 ^ s2))
    t, tc1 = c1 ^ c2 ^ c3, (c1 & c2) | (c3 & (c1 ^ c2))
    b1, tc2 = t ^ ca, t & ca
    b2, b3 = tc1 ^ tc2, tc1 & tc2
    at_least_4 = b2 | b3
    at_least_5 = b3 | (b2 & (b1 | b0))
    new = at_least_5 | (rock & at_least_4)
    return (new & interior) | (rock & ~interior)


def _col_mask(h: int, stride: int) -> int:
    """Column 0 of every row."""
    m = 0
    for r in range(h):
        m |= 1 << (r * stride)
    return m


class BoulderdashGenerator(GridGenerator):
    """Boulderdash levels, at most 25 x 12, padded to 26 x 13 (see the module docstring)."""

    name: ClassVar[str] = "boulderdash"
    game: ClassVar[str] = "boulderdash"
    width: ClassVar[int] = _W
    height: ClassVar[int] = _H
    increasing: ClassVar[tuple[str, ...]] = ("area", "wall_fraction", "rocks", "critters", "path_length")

    def build(self, d: float, rng: np.random.Generator, u: Uniforms) -> list[str] | None:
        w = max(floor(14 * d + 2 * u()) + 10, 10)
        h = max(floor(d + 2 * u()) + 10, 10)
        stride = w + 1
        density = (0.6 * d + 0.2 + 0.2 * u()) * 0.5
        steps = floor((0.5 * (1 - d) + 0.3 + 0.2 * u()) * 10 + 1)
        col0 = _col_mask(h, stride)
        row0 = (1 << w) - 1
        grid = row0 * col0  # every cell (row0 repeated in each row)
        border = row0 | (row0 << ((h - 1) * stride)) | col0 | (col0 << (w - 1))
        interior = grid & ~border
        noise = np.zeros((h, stride), dtype=bool)
        noise[:, :w] = rng.random((h, w)) < density
        rock = _to_bits(noise) | border
        for _ in range(steps):
            new = _majority(rock, interior, stride)
            if new == rock:
                break
            rock = new

        # Join the cave: each pocket of open cave gets a corridor to the largest one; tiny ones are filled.
        open_ = grid & ~rock
        regions = []
        rest = open_
        while rest:
            region = flood(rest & -rest, rest, stride)
            rest &= ~region
            regions.append(region)
        main = max(regions, key=int.bit_count) if regions else 0
        for region in regions:
            if region == main:
                continue
            if region.bit_count() < 3:
                open_ &= ~region
                continue
            r1, c1 = divmod(pick_bit(region, u()), stride)
            r2, c2 = divmod(pick_bit(main, u()), stride)
            lo, hi = min(c1, c2), max(c1, c2)
            open_ |= ((1 << (hi - lo + 1)) - 1) << (r1 * stride + lo)
            lo, hi = min(r1, r2), max(r1, r2)
            open_ |= (col0 << c2) & ((1 << ((hi + 1) * stride)) - (1 << (lo * stride)))
        if open_.bit_count() < 20:
            return None

        # Start, exit and gems.
        start = pick_bit(open_, u())
        start_bit = 1 << start
        rings = layers(start_bit, open_, stride)
        far = len(rings) - 1
        if far < 4:
            return None
        t = min(max(round((0.3 + 0.5 * d + 0.2 * u()) * far), 4), far)
        exit_bit = 1 << pick_bit(rings[t], u())
        extra_frac = 0.7 * (1 - d) + 0.1 + 0.2 * u()
        n_gems = 10 + floor(extra_frac * 0.05 * w * h)
        free = open_ & ~start_bit & ~exit_bit
        if free.bit_count() < n_gems + 5:
            return None
        gems = _sample(free, n_gems, u)

        # Routes: a breadth-first tree from the start to every gem and the exit.
        route = _route_tree(rings, gems | exit_bit, stride, u.below(4))
        route |= start_bit

        # Rocks: never on a route cell or right above one, not near the start or the exit; nearest gems first.
        n_rocks = floor((0.7 + 0.3 * u()) * d * 2 * (10 + extra_frac))
        spare = (
            open_
            & ~route
            & ~(route >> stride)
            & ~gems
            & ~_ball(start_bit, 4, stride)
            & ~_ball(exit_bit, 4, stride)
        )
        # Spare cells in bands by distance from the gems: whole bands are taken, the last one in part.
        rocks = 0
        near = gems
        for _ in range(w + h):
            if not n_rocks or not spare:
                break
            grown = expand(near, stride) & open_ | near
            if grown == near:
                break
            band = grown & ~near & spare
            near = grown
            k = band.bit_count()
            if k <= n_rocks:
                rocks |= band
                n_rocks -= k
            else:
                rocks |= _sample(band, n_rocks, u)
                n_rocks = 0
            spare &= ~band

        # Critters: off the routes, away from the start and the exit, never right under a rock.
        n_critters = floor((0.7 + 0.3 * u()) * d * 0.05 * w * h)
        spots = open_ & ~route & ~gems & ~rocks & ~(rocks << stride) & ~_ball(start_bit, 5, stride)
        spots &= ~_ball(exit_bit, 2, stride)
        critters: list[tuple[int, str]] = []
        earth = open_ & ~gems & ~rocks & ~start_bit & ~exit_bit
        pockets = 0
        taken = 0
        for i in _draw(spots, 3 * n_critters, u):
            if len(critters) == n_critters:
                break
            if (1 << i) & taken:  # no two critters side by side
                continue
            taken |= expand(1 << i, stride)
            critters.append((i, "c" if u() < 0.5 else "b"))
            earth &= ~(1 << i)
            length = floor(5 * u())
            step = (1, -1, stride, -stride)[u.below(4)]
            j = i + step
            for _ in range(length):
                bit = 1 << j if j >= 0 else 0
                if not bit & earth or bit & (rocks << stride):
                    break
                pockets |= bit
                earth &= ~bit
                j += step

        # The text: earth or wall from one bit board, then the sparse things on top.
        text = bytearray(bin(open_)[:1:-1].ljust(h * stride, "0").encode("ascii").translate(_EARTH_OR_WALL))
        for m, ch in ((pockets, "-"), (gems, "x"), (rocks, "o")):
            for i in bit_list(m):
                text[i] = _ORD[ch]
        for i, ch in critters:
            text[i] = _ORD[ch]
        text[start] = _ORD["A"]
        text[exit_bit.bit_length() - 1] = _ORD["e"]
        flat = text.decode("ascii")
        return [flat[r * stride : r * stride + w] for r in range(h)]

    def stats(self, level: Level) -> dict[str, float]:
        """The quantities difficulty controls.

        ``area`` (the bounding box of the cave's cells, border included), ``wall_fraction`` (walls inside that
        box), ``rocks``, ``critters``, ``gems``, and ``path_length``: a greedy route from the start to the
        nearest gem, nine times, then to the exit (grid steps).
        """
        board = Board.from_rows(level.rows)
        rows = [i for i, r in enumerate(level.rows) if r.strip("w")]
        cols = [c for c in range(level.width) if any(r[c] != "w" for r in level.rows)]
        area = (rows[-1] - rows[0] + 3) * (cols[-1] - cols[0] + 3)  # with the cave's own border
        inner = (rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1)
        return {
            "area": float(area),
            "wall_fraction": 1.0 - board.count(".-xeAocb") / inner,
            "rocks": float(board.count("o")),
            "critters": float(board.count("cb")),
            "gems": float(board.count("x")),
            "path_length": float(boulderdash_tour(board)),
        }


def boulderdash_tour(board: Board, gems_needed: int = 9) -> int:
    """A greedy route's length: start -> nearest gem, nine times, then -> the exit (-1 if stuck)."""
    passable = boulderdash_passable(board)
    stride = board.stride
    here = board.mask("A")
    gems = board.mask("x") & flood(here, passable, stride)
    total = 0
    for _ in range(min(gems_needed, gems.bit_count())):
        rings = layers(here, passable, stride)
        for k, ring in enumerate(rings):
            if ring & gems:
                here = ring & gems
                here &= -here
                gems &= ~here
                total += k
                break
    steps = distance(here, board.mask("e"), passable, stride)
    return -1 if steps < 0 else total + steps


def _draw(m: int, k: int, u: Uniforms) -> list[int]:
    """``k`` set bits of ``m`` in random order (all of them, shuffled, if ``m`` has fewer)."""
    cells = bit_list(m)
    k = min(k, len(cells))
    for j in range(k):  # a partial Fisher-Yates shuffle
        i = j + u.below(len(cells) - j)
        cells[i], cells[j] = cells[j], cells[i]
    return cells[:k]


def _sample(m: int, k: int, u: Uniforms) -> int:
    """``k`` set bits of ``m`` chosen at random (all of them if ``m`` has fewer), as a mask."""
    if k >= m.bit_count():
        return m
    out = 0
    for i in _draw(m, k, u):
        out |= 1 << i
    return out


def _route_tree(rings: list[int], targets: int, stride: int, first: int) -> int:
    """The cells of one shortest path from ``rings[0]`` to each target.

    Each cell takes one predecessor, trying the four directions in a fixed order that starts at ``first`` (so
    that the routes do not all hug one side).
    """
    offsets = (1, -1, stride, -stride)
    order = offsets[first:] + offsets[:first]
    route = targets
    for k in range(len(rings) - 1, 0, -1):
        todo = route & rings[k]
        if not todo:
            continue
        prev = rings[k - 1]
        for off in order:
            # Predecessors of the cells still to do, in direction ``off``; then those cells are done.
            pred = (todo << off if off > 0 else todo >> -off) & prev
            if pred:
                route |= pred
                todo &= ~(pred >> off if off > 0 else pred << -off)
                if not todo:
                    break
    return route
