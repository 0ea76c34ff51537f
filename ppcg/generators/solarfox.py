"""Solarfox levels: a symmetric field of pills, more of them and more spread out as difficulty rises.

The level is always 10 x 11: side walls, a guards' lane on the top and bottom rows (a guard on each), and an
8 x 9 field. What difficulty ``d`` controls (after Justesen et al. 2018):

* pills: about ``6 + 28 d`` (the paper: 6 at d = 0, 34 at d = 1), laid out with one of three symmetries
  (left-right, top-bottom, or both), all plain pills, all power pills, or a mix (one chance in three each);
* spread: the pills stay inside a margin of ``floor(4 - 4 c)`` columns and ``floor(4.5 - 4.5 c)`` rows, with
  concentration ``c = 0.4 d + 0.4 + 0.2 U``: near the ship at d = 0, over the whole field at d = 1;
* the guards start ``(1 - d)``-scaled offsets from the middle of their lanes (nearer the middle when hard).

The ship starts next to the centre. Every pill is reachable by construction (the field has no walls); the
check confirms it and that the level has one ship and at least one pill.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ppcg.generators.base import GridGenerator, Uniforms, floor
from ppcg.generators.playability import Board
from ppcg.vgdl.level import Level

__all__ = ["SolarfoxGenerator"]

_W, _H = 10, 11
_FW, _FH = _W - 2, _H - 2  # the field: columns 1..8, rows 1..9
_SYMMETRIES = ("leftright", "topbottom", "both")


def _domains() -> dict[tuple[str, int, int], np.ndarray]:
    """For each symmetry and margins (mx, my): the fundamental cells (row, col) inside the margins."""
    out = {}
    for sym in _SYMMETRIES:
        for mx in range(4):
            for my in range(5):
                cols = range(1 + mx, (_W // 2 if sym != "topbottom" else _W - 1 - mx))
                rows = range(1 + my, (_H // 2 + 1 if sym != "leftright" else _H - 1 - my))
                out[sym, mx, my] = np.array([(r, c) for r in rows for c in cols], dtype=np.int64).reshape(
                    -1, 2
                )
    return out


_DOMAINS = _domains()


def _orbit(sym: str, r: int, c: int) -> set[tuple[int, int]]:
    cells = {(r, c)}
    if sym in ("leftright", "both"):
        cells |= {(rr, _W - 1 - cc) for rr, cc in cells}
    if sym in ("topbottom", "both"):
        cells |= {(_H - 1 - rr, cc) for rr, cc in cells}
    return cells


class SolarfoxGenerator(GridGenerator):
    """Solarfox levels of 10 x 11 (see the module docstring)."""

    name: ClassVar[str] = "solarfox"
    game: ClassVar[str] = "solarfox"
    width: ClassVar[int] = _W
    height: ClassVar[int] = _H
    increasing: ClassVar[tuple[str, ...]] = ("pills", "spread")

    def build(self, d: float, rng: np.random.Generator, u: Uniforms) -> list[str] | None:
        grid = [["+"] * _W for _ in range(_H)]
        for r in range(_H):
            grid[r][0] = grid[r][_W - 1] = "w"
        grid[0][1:-1] = ["."] * _FW
        grid[_H - 1][1:-1] = ["."] * _FW
        ship = (floor(_H / 2 + 2 * u() - 1), floor(_W / 2 + 2 * u() - 1))
        sym = _SYMMETRIES[u.below(3)]
        kind = u.below(3)  # 0: plain pills, 1: power pills, 2: a mix
        target = max(1, round(6 + 28 * d + 4 * (u() - 0.5)))
        conc = 0.4 * d + 0.4 + 0.2 * u()
        mx, my = floor(4 - 4 * conc), floor(4.5 - 4.5 * conc)
        dom = _DOMAINS[sym, mx, my]
        while len(dom) * (2 if sym != "both" else 4) < target and (mx or my):
            mx, my = max(mx - 1, 0), max(my - 1, 0)
            dom = _DOMAINS[sym, mx, my]
        placed = 0
        for k in rng.permutation(len(dom)).tolist():
            if placed >= target:
                break
            r, c = dom[k]
            pill = "b" if kind == 0 or (kind == 2 and u() < 0.5) else "p"
            for rr, cc in _orbit(sym, int(r), int(c)):
                if (rr, cc) != ship:
                    grid[rr][cc] = pill
                    placed += 1
        # Guards: one per lane, offset from the lane's middle by less as d rises.
        far = (1.0 - d) * 0.5 + 0.5
        near = (1.0 - d) * 0.3 + 0.5
        lo, hi = floor(near * _FW / 2), floor(far * _FW / 2)
        offset = lo + u.below(hi - lo + 1)
        if u() < 0.5:
            offset = -offset
        top = min(max(_W // 2 + offset, 1), _W - 2)
        bottom = min(max(_W // 2 - offset - 1 if u() < 0.8 else _W // 2 + offset, 1), _W - 2)
        grid[0][top] = "2"
        grid[_H - 1][bottom] = "1"
        grid[ship[0]][ship[1]] = "A"
        return ["".join(row) for row in grid]

    def stats(self, level: Level) -> dict[str, float]:
        """``pills`` (plain and power), ``power_pills``, ``spread`` (mean pill distance from the centre)."""
        board = Board.from_rows(level.rows)
        rows = np.array([list(r) for r in level.rows])
        rr, cc = np.nonzero((rows == "b") | (rows == "p"))
        cy, cx = (level.height - 1) / 2, (level.width - 1) / 2
        spread = float(np.mean(np.abs(rr - cy) + np.abs(cc - cx))) if len(rr) else 0.0
        return {"pills": float(board.count("bp")), "power_pills": float(board.count("p")), "spread": spread}
