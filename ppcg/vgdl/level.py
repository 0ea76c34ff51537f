"""Levels: a grid of characters plus the game's mapping from characters to sprite stacks.

GVGAI's level-file rules, which :meth:`Level.from_str` follows:

* lines are split as Java's ``BufferedReader.readLine`` splits them: at ``\\n``, ``\\r\\n`` or ``\\r``; a
  final line terminator does not start a new row, but a blank line at the end (``...\\n\\n``) is a row of
  blanks;
* the width is the length of the first line; shorter rows are padded with blanks, characters past the width
  are dropped;
* a blank (``' '``) is an empty cell, and so is a character the mapping does not know (GVGAI only warns).

A :class:`Level` remembers how its text was written (line terminator, final newline, and the rows as written
when some were ragged), so ``Level.from_str(text).to_str() == text`` for every GVGAI level file. Those
formatting fields are not compared: two levels are equal when their rows and mapping are.

>>> lvl = Level.from_str("wwww\\nwA.w\\nwwww\\n", mapping=(("w", ("wall",)), ("A", ("avatar",))))
>>> lvl.width, lvl.height, lvl.sprites_at(1, 1)
(4, 3, ('avatar',))
>>> print(lvl.pad_to(6, 5).to_str(), end="")
wwwwww
wwwwww
wwA.ww
wwwwww
wwwwww
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ppcg.vgdl.errors import VGDLLevelError, warn
from ppcg.vgdl.registry import is_avatar_class

if TYPE_CHECKING:  # pragma: no cover
    from ppcg.vgdl.spec import GameSpec

__all__ = ["Level", "LevelProblem", "load_level", "split_lines"]

Mapping = tuple[tuple[str, tuple[str, ...]], ...]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Split ``text`` into lines as Java's ``BufferedReader.readLine`` does (a final terminator adds none)."""
    if not text:
        return []
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def _normalise(lines: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """GVGAI's rule: width from the first line, short rows padded with blanks, long rows cut."""
    if not lines:
        return ()
    width = len(lines[0])
    return tuple(line[:width].ljust(width) for line in lines)


@dataclass(frozen=True)
class LevelProblem:
    """One problem found in a level: where (0-based row and column, or None for the whole level) and what.

    ``severity`` is ``"error"`` (the level cannot be played: no avatar, a character mapped to an undefined
    sprite) or ``"warning"`` (GVGAI accepts it: a character the mapping does not know is an empty cell).
    """

    row: int | None
    col: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = (
            f"row {self.row + 1}, column {self.col + 1}: "
            if self.row is not None and self.col is not None
            else ""
        )
        return f"{self.severity}: {where}{self.message}"


@dataclass(frozen=True)
class Level:
    """A level: rows of characters (all of one width) and the game's character -> sprite-stack mapping.

    Attributes:
        rows: the grid, top row first; every row has ``width`` characters.
        mapping: character -> sprite names, created in that order in a cell (GVGAI's LevelMapping, with its
            defaults ``w > wall`` and ``A > avatar``); empty when the level is not bound to a game.
        name: a label (the file stem for a loaded file); not compared.
        newline: the line terminator written by :meth:`to_str`; not compared.
        final_newline: whether :meth:`to_str` ends with a terminator; not compared.
        raw_rows: the rows as written in the source text, kept only when some were ragged (padded or cut), so
            that :meth:`to_str` gives the text back; ignored once ``rows`` no longer derive from it; not
            compared.        file: the file it was read from (for error messages), or None; not compared.
    """

    rows: tuple[str, ...]
    mapping: Mapping = ()
    name: str | None = field(default=None, compare=False)
    newline: str = field(default="\n", compare=False, repr=False)
    final_newline: bool = field(default=True, compare=False, repr=False)
    raw_rows: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    file: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        rows = tuple(self.rows)
        object.__setattr__(self, "rows", rows)
        if any("\n" in r or "\r" in r for r in rows):
            raise ValueError("a Level row cannot contain a line break (use Level.from_str to split text)")
        if rows and any(len(r) != len(rows[0]) for r in rows):
            raise ValueError(
                "all rows of a Level must have the same width (use Level.from_str for GVGAI's padding)"
            )
        object.__setattr__(self, "mapping", tuple((str(c), tuple(names)) for c, names in self.mapping))

    # --------------------------------------------------------------------------------------------------------
    # construction and text
    @classmethod
    def from_str(
        cls, text: str, mapping: Mapping = (), name: str | None = None, *, file: str | None = None
    ) -> Level:
        """Read a level from text with GVGAI's rules (see the module docstring).

        Raises:
            VGDLLevelError: the text has no rows, or its first line is empty (width 0).
        """
        lines = split_lines(text)
        if not lines:
            raise VGDLLevelError(
                "empty level: no rows", file=file, line=1, expected="at least one row of characters"
            )
        if not lines[0]:
            raise VGDLLevelError(
                "the first line of a level is empty, so its width is 0 (GVGAI takes the width from it)",
                file=file,
                line=1,
            )
        rows = _normalise(lines)
        m = _LINE_BREAK.search(text)
        newline = m.group(0) if m else "\n"
        final = text.endswith(("\n", "\r"))
        raw = tuple(lines) if tuple(lines) != rows else None
        return cls(rows, tuple(mapping), name, newline=newline, final_newline=final, raw_rows=raw, file=file)

    @classmethod
    def for_game(
        cls, text: str, game: GameSpec, name: str | None = None, *, file: str | None = None
    ) -> Level:
        """Read a level from text and bind it to ``game``'s level mapping."""
        return cls.from_str(text, game.mapping, name, file=file)

    def to_str(self) -> str:
        """The level as text: rows joined by :attr:`newline`; exactly the source text for a parsed file."""
        rows = self.rows
        if self.raw_rows is not None and _normalise(self.raw_rows) == rows:
            rows = self.raw_rows
        text = self.newline.join(rows)
        return text + self.newline if self.final_newline and rows else text

    def __str__(self) -> str:
        return "\n".join(self.rows)

    # --------------------------------------------------------------------------------------------------------
    # shape and content
    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)``, numpy order."""
        return (self.height, self.width)

    @property
    def mapping_dict(self) -> dict[str, tuple[str, ...]]:
        return dict(self.mapping)

    def sprites_at(self, row: int, col: int) -> tuple[str, ...]:
        """The sprites created in cell (row, col), in creation order; ``()`` for an empty or unmapped cell."""
        return self.mapping_dict.get(self.rows[row][col], ())

    def cells(self) -> list[tuple[int, int, str]]:
        """Every cell as ``(row, col, char)``, in GVGAI's creation order (row by row, left to right)."""
        return [(r, c, ch) for r, row in enumerate(self.rows) for c, ch in enumerate(row)]

    def with_mapping(self, mapping: Mapping) -> Level:
        """The same grid bound to another mapping."""
        return replace(self, mapping=tuple(mapping))

    def pad_to(self, width: int, height: int, fill: str = "w", *, anchor: str = "center") -> Level:
        """Enlarge the level to ``width`` x ``height`` by surrounding it with ``fill`` (walls by default).

        Args:
            width: the new width, at least :attr:`width`.
            height: the new height, at least :attr:`height`.
            fill: one character, normally mapped to ``wall`` (``w`` is GVGAI's default mapping for walls).
            anchor: ``"center"`` (the default: the level sits in the middle, extra column/row on the
                right/bottom when the margin is odd) or ``"topleft"``.

        Raises:
            ValueError: the target is smaller than the level, ``fill`` is not one character, or a bad anchor.
        """
        if len(fill) != 1:
            raise ValueError(f"fill must be one character, not {fill!r}")
        if width < self.width or height < self.height:
            raise ValueError(f"cannot pad a {self.width}x{self.height} level to the smaller {width}x{height}")
        if anchor == "center":
            left, top = (width - self.width) // 2, (height - self.height) // 2
        elif anchor == "topleft":
            left, top = 0, 0
        else:
            raise ValueError(f"anchor must be 'center' or 'topleft', not {anchor!r}")
        right = width - self.width - left
        blank = fill * width
        rows = [blank] * top + [fill * left + r + fill * right for r in self.rows]
        rows += [blank] * (height - len(rows))
        return Level(
            tuple(rows), self.mapping, self.name, newline=self.newline, final_newline=self.final_newline
        )

    # --------------------------------------------------------------------------------------------------------
    # validity
    def problems(self, game: GameSpec | None = None) -> list[LevelProblem]:
        """Everything wrong with this level for ``game`` (default: checks against the level's own mapping).

        Errors: an empty level; no avatar, or more avatars than the game's ``no_players`` (default 1); a
        character mapped to a sprite the game does not define. Warnings: a character the mapping does not know
        (GVGAI treats it as an empty cell).
        """
        out: list[LevelProblem] = []
        if not self.rows or not self.width:
            return [LevelProblem(None, None, "empty level")]
        mapping = dict(game.mapping) if game is not None else self.mapping_dict
        smap = game.sprite_map if game is not None else {}
        avatars: list[tuple[int, int]] = []
        unknown_reported: set[str] = set()
        for r, row in enumerate(self.rows):
            for c, ch in enumerate(row):
                if ch == " ":
                    continue
                names = mapping.get(ch)
                if names is None:
                    out.append(
                        LevelProblem(
                            r, c, f"character {ch!r} is not in the level mapping (an empty cell)", "warning"
                        )
                    )
                    continue
                for n in names:
                    if game is None:
                        if n == "avatar":
                            avatars.append((r, c))
                        continue
                    spec = smap.get(n)
                    if spec is None:
                        if n not in ("wall", "avatar"):
                            if n not in unknown_reported:
                                out.append(
                                    LevelProblem(
                                        r,
                                        c,
                                        f"character {ch!r} maps to {n!r}, which the game does not define",
                                    )
                                )
                                unknown_reported.add(n)
                        elif n == "avatar":
                            avatars.append((r, c))
                    elif _is_avatar_class(spec.cls):
                        avatars.append((r, c))
        limit = 1
        if game is not None:
            np_ = game.get("no_players", 1)
            limit = np_ if isinstance(np_, int) and not isinstance(np_, bool) else 1
        if not avatars:
            out.append(
                LevelProblem(None, None, "no avatar: no character of the level creates an avatar sprite")
            )
        elif len(avatars) > limit:
            for r, c in avatars[limit:]:
                out.append(LevelProblem(r, c, f"{len(avatars)} avatars, but the game allows {limit}"))
        return out

    def validate(
        self, game: GameSpec | None = None, strict: bool = False, *, file: str | None = None
    ) -> Level:
        """Raise on the first error of :meth:`problems` (and on warnings under ``strict``); warn otherwise.

        Returns:
            the level itself, so that ``Level.for_game(text, game).validate(game)`` chains.

        Raises:
            VGDLLevelError: naming the row (as ``line``) and column (both 1-based) of the problem.
        """
        file = file or self.name
        for p in self.problems(game):
            line = p.row + 1 if p.row is not None else None
            col = p.col + 1 if p.col is not None else None
            if p.severity == "error" or strict:
                text = self.rows[p.row] if p.row is not None else None
                raise VGDLLevelError(p.message, file=file, line=line, col=col, text=text)
            warn(p.message, file=file, line=line, col=col)
        return self


def _is_avatar_class(cls: str | None) -> bool:
    """Whether a sprite class is one of GVGAI's avatars (a MovingAvatar subclass)."""
    return is_avatar_class(cls)


def load_level(path: str | Path, game: GameSpec | None = None, *, name: str | None = None) -> Level:
    """Read a GVGAI level file (UTF-8) and bind it to ``game``'s mapping when given.

    Raises:
        VGDLLevelError: the file cannot be decoded, or has no rows.
        OSError: the file cannot be read.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is not part of the text
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise VGDLLevelError(f"not UTF-8 text ({exc.reason})", file=str(path), line=line) from None
    mapping = game.mapping if game is not None else ()
    return Level.from_str(text, mapping, name or path.stem, file=str(path))
