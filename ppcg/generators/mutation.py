"""Level mutation: small edits that keep a level playable, for curricula that edit levels (ACCEL).

``mutate(generator, level, rng, n_edits)`` returns a child of ``level``: ``n_edits`` edits, each drawn from
the game's table of edits (:data:`EDITS`, one row an edit), then the game's checks. A child that fails them is
thrown away and drawn again, up to ``max_tries`` times; the level itself comes back if none passed (a caller
can tell by comparing rows). All randomness comes from ``rng``.

The four paper games edit with their generator's invariants (Zelda: move the key, the door or the hero, add
or remove a monster, open or close a wall cell; Solarfox: add, remove or move a pill, move the ship; Frogs:
move the frog along its row, move, add or remove a car or a log within its lane; Boulderdash: dig or fill
earth, add or remove a rock or a critter, move a gem or the exit) and the generator's grid check
(:data:`ppcg.generators.playability.CHECKS`).
Any other game (:class:`ppcg.generators.learned.LearnedGenerator`) redraws cells from its learned tile model
and checks the child again in the engine.

>>> import numpy as np
>>> from ppcg.generators import get_generator
>>> gen = get_generator("zelda")
>>> parent = gen.generate(0.5, np.random.default_rng(0))
>>> child = mutate(gen, parent, np.random.default_rng(1), 3)
>>> child != parent and gen.check(child) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ppcg.generators.base import Uniforms
from ppcg.generators.playability import Board, expand
from ppcg.vgdl.level import Level

__all__ = ["EDITS", "INVARIANTS", "Edit", "check_edits", "mutate", "mutate_grid", "mutate_with_table"]


@dataclass(frozen=True)
class Edit:
    """One kind of edit on the level's interior (never the outer rows and columns).

    Attributes:
        kind: ``"set"``: a cell holding one of ``a`` becomes one of ``b``; ``"swap"``: a cell holding one of
            ``a`` trades places with a cell holding one of ``b`` (a move); ``"row_copy"``: a cell holding one
            of ``a`` takes the character of a cell of the same row holding one of ``b`` (a lane keeps its
            kind and direction); ``"row_swap"``: two different cells of one row, both in ``a``, trade places.
        a: the characters the edited cell may hold.
        b: the characters it may become (or trade with).
        what: the edit in words.
    """

    kind: str
    a: str
    b: str = ""
    what: str = ""


# game -> the edits of its mutation. One entry a line.
EDITS: dict[str, tuple[Edit, ...]] = {
    "zelda": (
        Edit("set", "w", ".", "open a wall"),
        Edit("set", ".", "w", "close a floor cell"),
        Edit("set", ".", "123", "add a monster"),
        Edit("set", "123", ".", "remove a monster"),
        Edit("swap", "+", ".", "move the key"),
        Edit("swap", "g", ".", "move the door"),
        Edit("swap", "A", ".", "move the hero"),
    ),
    "solarfox": (
        Edit("set", "+", "b", "add a pill"),
        Edit("set", "b", "+", "remove a pill"),
        Edit("swap", "bp", "+", "move a pill"),
        Edit("swap", "A", "+", "move the ship"),
    ),
    "frogs": (
        Edit("row_swap", "+.-x_l0=", "", "move a car or a log along its lane"),
        Edit("row_swap", "A+", "", "move the frog along its row"),
        Edit("row_copy", ".", "-x_l", "add a car to a road"),
        Edit("row_copy", "-x_l", ".", "remove a car"),
        Edit("row_copy", "0", "=", "add a log to a river"),
        Edit("row_copy", "=", "0", "remove a log"),
    ),
    "boulderdash": (
        Edit("set", ".", "-", "dig earth"),
        Edit("set", "-", ".", "fill with earth"),
        Edit("set", ".-", "o", "add a rock"),
        Edit("set", "o", "-", "remove a rock"),
        Edit("set", "-", "cb", "add a critter"),
        Edit("set", "cb", "-", "remove a critter"),
        Edit("swap", "x", ".-", "move a gem"),
        Edit("swap", "e", ".", "move the exit"),
    ),
}


def _zelda_monsters_apart(board: Board) -> str | None:
    """The Zelda generator's invariant: no monster within two steps of the hero."""
    floor = board.mask(".A+123")
    near = board.mask("A")
    for _ in range(2):
        near = expand(near, board.stride) & floor
    return "a monster within two steps of the hero" if near & board.mask("123") else None


# game -> a generator invariant checked beside playability. One entry a line.
INVARIANTS = {
    "zelda": _zelda_monsters_apart,
}


def _cells(grid: list[list[str]], chars: str) -> list[tuple[int, int]]:
    h, w = len(grid), len(grid[0])
    return [(r, c) for r in range(1, h - 1) for c in range(1, w - 1) if grid[r][c] in chars]


def _apply(grid: list[list[str]], edit: Edit, u: Uniforms) -> bool:
    """Apply one edit in place; False when the level has no cell it applies to."""
    if edit.kind in ("set", "swap"):
        cells = _cells(grid, edit.a)
        if not cells:
            return False
        r, c = cells[u.below(len(cells))]
        if edit.kind == "set":
            choices = [ch for ch in edit.b if ch != grid[r][c]]
            grid[r][c] = choices[u.below(len(choices))]
            return True
        others = [rc for rc in _cells(grid, edit.b) if rc != (r, c)]
        if not others:
            return False
        r2, c2 = others[u.below(len(others))]
        grid[r][c], grid[r2][c2] = grid[r2][c2], grid[r][c]
        return True
    h, w = len(grid), len(grid[0])
    rows = list(range(1, h - 1))
    options = []
    for r in rows:
        cols = [c for c in range(w) if grid[r][c] in edit.a]
        if edit.kind == "row_copy":
            source = {grid[r][c] for c in range(w) if grid[r][c] in edit.b}
            if cols and source:
                options.append((r, cols, sorted(source)))
        elif len({grid[r][c] for c in cols}) > 1:
            options.append((r, cols, []))
    if not options:
        return False
    r, cols, source = options[u.below(len(options))]
    c = cols[u.below(len(cols))]
    if edit.kind == "row_copy":
        grid[r][c] = source[u.below(len(source))]
        return True
    others = [c2 for c2 in cols if grid[r][c2] != grid[r][c]]
    c2 = others[u.below(len(others))]
    grid[r][c], grid[r][c2] = grid[r][c2], grid[r][c]
    return True


def mutate_grid(game: str, rows: tuple[str, ...], u: Uniforms, n_edits: int) -> list[str]:
    """``rows`` after ``n_edits`` edits drawn from ``EDITS[game]`` (edits that find no cell are skipped)."""
    edits = EDITS[game]
    grid = [list(row) for row in rows]
    for _ in range(n_edits):
        for _attempt in range(len(edits)):
            if _apply(grid, edits[u.below(len(edits))], u):
                break
    return ["".join(row) for row in grid]


def mutate(generator: Any, level: Level, rng: np.random.Generator, n_edits: int = 1) -> Level:
    """A child of ``level`` with ``n_edits`` edits that passes the game's checks: ``generator.mutate(level,
    rng, n_edits)`` (see the module docstring).

    Raises:
        ValueError: ``n_edits`` below 1.
        TypeError: a generator that cannot mutate levels.
    """
    own = getattr(generator, "mutate", None)
    if own is None:
        raise TypeError(f"{generator!r} cannot mutate levels (it has no mutate method)")
    return own(level, rng, check_edits(n_edits))


def check_edits(n_edits: Any) -> int:
    """``n_edits`` as an int >= 1, or a ValueError."""
    if isinstance(n_edits, bool) or not isinstance(n_edits, (int, np.integer)) or n_edits < 1:
        raise ValueError(f"n_edits must be an integer >= 1, got {n_edits!r}")
    return int(n_edits)


def mutate_with_table(
    generator: Any, level: Level, rng: np.random.Generator, n_edits: int = 1, *, max_tries: int = 50
) -> Level:
    """The four paper games' mutation: edits from ``EDITS[generator.game]``, then ``generator.check`` and
    the generator's invariant (:data:`INVARIANTS`); ``level`` itself when no child passed."""
    n_edits = check_edits(n_edits)
    game = generator.game
    u = Uniforms(rng)
    extra = INVARIANTS.get(game)
    for _ in range(max_tries):
        rows = mutate_grid(game, level.rows, u, n_edits)
        if tuple(rows) == level.rows:
            continue
        child = Level(tuple(rows), level.mapping or generator.spec.mapping)
        if generator.check(child) is None and (extra is None or extra(Board.from_rows(child.rows)) is None):
            return child
    return level
