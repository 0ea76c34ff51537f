"""Frogs levels: wider, with more road and river, as difficulty rises.

What difficulty ``d`` controls (the paper's constants, Justesen et al. 2018):

* size: ``floor(17 d + 3 U) + 8`` columns (8-10 at d = 0, 25-27 at d = 1) and ``floor(2 d + 3 U) + 4`` rows
  between the top and bottom hedges (4-6 at d = 0, 6-8 at d = 1); the level is then padded with walls to
  28 x 11;
* lanes: each row between the goal row (top) and the start row (bottom) is grass, road or river with weights
  ``1 - d``, ``(1 + 0.5 U) d`` and ``(2 + U) d`` (all grass at d = 0; about a third road and two thirds river
  at d = 1), in runs of up to ``floor((0.3 + 0.5 d + 0.2 U) * 0.8 * rows)`` rows of one kind;
* roads carry groups of 1-4 cars, all driving one way per road, each group fast or slow; rivers carry groups
  of logs and have a log source at their right end (busy or quiet), so logs keep crossing them.

The goal sits in a gap of the top hedge row, the frog on the bottom row. The paper had no solvability check;
here every level is checked: the frog must reach the goal over grass, road, and rivers that logs cross.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ppcg.generators.base import GridGenerator, Uniforms, floor
from ppcg.generators.playability import Board, distance
from ppcg.vgdl.level import Level

__all__ = ["FrogsGenerator"]

_W, _H = 28, 11
_GRASS, _ROAD, _RIVER = 0, 1, 2
# (drives right, fast) -> level character
_CARS = {(True, True): "x", (True, False): "-", (False, True): "l", (False, False): "_"}


def _groups(width: int, n: int, u: Uniforms) -> list[tuple[int, int]]:
    """``n`` groups of 1-4 cells along a lane of ``width`` cells, as (start, length), spread out at random."""
    out = []
    gap = width / n
    start = floor(u() * gap) + 1
    for _ in range(n):
        length = floor(4 * u()) + 1
        end = min(start + length, width - 1)
        if end <= start:
            break
        out.append((start, end - start))
        start += 2 * length + 1 + floor(u() * gap)
    return out


class FrogsGenerator(GridGenerator):
    """Frogs levels, at most 27 x 10, padded to 28 x 11 (see the module docstring)."""

    name: ClassVar[str] = "frogs"
    game: ClassVar[str] = "frogs"
    width: ClassVar[int] = _W
    height: ClassVar[int] = _H
    increasing: ClassVar[tuple[str, ...]] = ("width", "height", "road_rows", "river_rows", "path_length")

    def build(self, d: float, rng: np.random.Generator, u: Uniforms) -> list[str] | None:
        w = max(floor(17 * d + 3 * u()) + 6, 6) + 2
        h = max(floor(2 * d + 3 * u()) + 4, 4)
        road, river, grass = (1 + 0.5 * u()) * d, (2 + u()) * d, 1.0 - d
        total = road + river + grass
        p_road, p_river = road / total, (road + river) / total
        run = max(floor((0.3 + 0.5 * d + 0.2 * u()) * 0.8 * h), 1)
        kinds = [_GRASS] * h
        i = 1
        while i < h - 1:
            x = u()
            kind = _ROAD if x < p_road else _RIVER if x < p_river else _GRASS
            length = floor(u() * run) + 1 if kind != _GRASS else 1
            for _ in range(length):
                if i >= h - 1:
                    break
                kinds[i] = kind
                i += 1
        rows: list[list[str]] = []
        for r in range(h):
            kind = kinds[r]
            if kind == _ROAD:
                row = ["."] * w
                right = u() < 0.5
                for start, length in _groups(w, floor(u() * 0.4 * w) + 2, u):
                    row[start : start + length] = [_CARS[right, u() < 0.5]] * length
            elif kind == _RIVER:
                row = ["0"] * w
                for start, length in _groups(w, floor(u() * 0.2 * w) + 1, u):
                    row[start : start + length] = ["="] * length
                source = "1" if u() < 0.5 else "3"  # busy or quiet log source, on water
                row[w - 1] = source
                if u() < 0.5:
                    row[w - 2] = "="
            else:
                row = ["+"] * w
                row[0] = row[w - 1] = "w"
            rows.append(row)
        goal = 1 + u.below(w - 2)
        rows[0][goal - 1] = rows[0][goal + 1] = "w"
        rows[0][goal] = "g"
        rows[h - 1][1 + u.below(w - 2)] = "A"
        hedge = "w" * w
        return [hedge] + ["".join(row) for row in rows] + [hedge]

    def stats(self, level: Level) -> dict[str, float]:
        """``width`` and ``height`` of the playable area (columns and rows with a cell that is not a wall),
        ``road_rows``, ``river_rows``, and ``path_length`` (the frog's grid distance to the goal)."""
        rows = level.rows
        cols = [any(r[c] != "w" for r in rows) for c in range(level.width)]
        board = Board.from_rows(rows)
        passable = board.mask("+AB.-x_l")
        water, sources = board.mask("0=1234B"), board.mask("1234")
        for r in range(board.height):
            if sources & board.row_mask(r):
                passable |= water & board.row_mask(r)
        return {
            "width": float(sum(cols)),
            "height": float(sum(any(ch != "w" for ch in r) for r in rows)),
            "road_rows": float(sum(any(ch in ".-x_l" for ch in r) for r in rows)),
            "river_rows": float(sum(any(ch in "0=1234" for ch in r) for r in rows)),
            "path_length": float(distance(board.mask("AB"), board.mask("g"), passable, board.stride)),
        }
