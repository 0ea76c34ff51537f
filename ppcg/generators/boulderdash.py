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
  more than five steps from the start, each in a little open pocket of 0-4 cells;
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
    bit_indices,
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


def _to_bits(mask: np.ndarray) -> int:
    """A boolean (h, w + 1) array as a bit board (bit r * (w + 1) + c)."""
    return int.from_bytes(np.packbits(mask.ravel(), bitorder="little").tobytes(), "little")


def _ball(seed: int, radius: int, stride: int) -> int:
    """Cells within Manhattan distance ``radius`` of ``seed`` (may spill into the separator column)."""
    m = seed
    for _ in range(radius):
        m = expand(m, stride)
    return m


def _cave(w: int, h: int, density: float, steps: int, rng: np.random.Generator) -> np.ndarray:
    """Rock (True) and open cave (False), (h, w), with a rock border, smoothed by the majority rule."""
    rock = rng.random((h, w)) < density
    rock[0, :] = rock[-1, :] = rock[:, 0] = rock[:, -1] = True
    a = rock.astype(np.int8)
    for _ in range(steps):
        rows3 = a[:, :-2] + a[:, 1:-1] + a[:, 2:]
        n = rows3[:-2] + rows3[1:-1] + rows3[2:] - a[1:-1, 1:-1]  # rock among the 8 neighbours
        inner = (n >= 5) | ((a[1:-1, 1:-1] == 1) & (n >= 4))
        new = inner.astype(np.int8)
        if np.array_equal(new, a[1:-1, 1:-1]):
            break
        a[1:-1, 1:-1] = new
    return a.astype(bool)


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
        rock = _cave(w, h, density, steps, rng)

        # Join the cave: each open pocket gets a corridor to the first one (pockets under 3 cells are filled).
        wide = np.zeros((h, stride), dtype=bool)
        wide[:, :w] = ~rock
        open_ = _to_bits(wide)
        main = flood(open_ & -open_, open_, stride)
        rest = open_ & ~main
        while rest:
            pocket = flood(rest & -rest, rest, stride)
            rest &= ~pocket
            cells = bit_indices(pocket)
            if len(cells) < 3:
                r_, c_ = np.divmod(cells, stride)
                rock[r_, c_] = True
                continue
            r1, c1 = divmod(int(cells[u.below(len(cells))]), stride)
            r2, c2 = divmod(pick_bit(main, u()), stride)
            rock[r1, min(c1, c2) : max(c1, c2) + 1] = False
            rock[min(r1, r2) : max(r1, r2) + 1, c2] = False
        wide[:, :w] = ~rock
        open_ = _to_bits(wide)
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
        free = bit_indices(open_ & ~start_bit & ~exit_bit)
        if len(free) < n_gems + 5:
            return None
        gem_idx = free[rng.permutation(len(free))[:n_gems]]
        gems = _to_bits_idx(gem_idx)

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
        rocks = 0
        near = gems
        for _ in range(w + h):
            if not n_rocks or not spare:
                break
            grown = expand(near, stride) & open_ | near
            if grown == near:
                break
            band = grown & ~near & spare  # the spare cells one step farther from the gems
            near = grown
            for i in _shuffled(band, rng)[:n_rocks]:
                rocks |= 1 << i
                n_rocks -= 1
            spare &= ~rocks

        # Critters: off the routes, away from the start and the exit, never right under a rock.
        n_critters = floor((0.7 + 0.3 * u()) * d * 0.05 * w * h)
        spots = open_ & ~route & ~gems & ~rocks & ~(rocks << stride) & ~_ball(start_bit, 5, stride)
        spots &= ~_ball(exit_bit, 2, stride)
        critters: list[tuple[int, str]] = []
        earth = open_ & ~gems & ~rocks & ~start_bit & ~exit_bit
        pockets = 0
        for i in _shuffled(spots, rng)[:n_critters]:
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

        out = np.full(h * stride, _ORD["w"], dtype=np.uint8)
        out[stride - 1 :: stride] = _ORD["\n"]
        out[bit_indices(open_)] = _ORD["."]
        out[bit_indices(pockets)] = _ORD["-"]
        out[gem_idx] = _ORD["x"]
        out[bit_indices(rocks)] = _ORD["o"]
        for i, ch in critters:
            out[i] = _ORD[ch]
        out[start] = _ORD["A"]
        out[exit_bit.bit_length() - 1] = _ORD["e"]
        return out.tobytes().decode("ascii").split("\n")[:-1]

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


def _to_bits_idx(idx: np.ndarray) -> int:
    m = 0
    for i in idx.tolist():
        m |= 1 << i
    return m


def _shuffled(m: int, rng: np.random.Generator) -> list[int]:
    idx = bit_indices(m)
    return idx[rng.permutation(len(idx))].tolist()


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
