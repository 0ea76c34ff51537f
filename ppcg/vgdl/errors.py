"""One exception family for every problem in a game or level file.

Every error carries where (file, line, column), what was found, what was expected and, for near misses, a
suggestion. ``str(err)`` reads like a compiler message::

    games/zelda.txt:27:22: unknown effect 'killsprite' (expected one of the effects GVGAI defines); did you
    mean 'killSprite'?
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable

__all__ = [
    "VGDLError",
    "VGDLSyntaxError",
    "VGDLNameError",
    "VGDLValueError",
    "VGDLLevelError",
    "VGDLUnsupportedError",
    "VGDLWarning",
    "did_you_mean",
    "hint",
    "suggest",
    "warn",
]


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``word``, ignoring case, or None when none is close.

    The one "did you mean" of the project (game files, curriculum and hyperparameter files alike): closeness
    is :mod:`difflib`'s ratio, at its default cutoff (0.6), of the lower-cased words.
    """
    lowered: dict[str, str] = {}
    for c in choices:
        lowered.setdefault(str(c).lower(), str(c))
    close = difflib.get_close_matches(str(word).lower(), list(lowered), n=1)
    return lowered[close[0]] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` to append to an error message, or ``""`` (see :func:`suggest`)."""
    return hint(suggest(word, choices))


def hint(suggestion: str | None) -> str:
    """The words that offer ``suggestion`` in an error message, or ``""`` for None."""
    return f"; did you mean {suggestion!r}?" if suggestion else ""


class VGDLError(Exception):
    """A problem in a VGDL game file or a level file.

    Attributes:
        message: what is wrong, in words.
        file: the file's path, or None for text parsed from a string.
        line: 1-based line number, or None.
        col: 1-based column, or None.
        text: the offending text (a token or a line).
        expected: what would have been accepted.
        suggestion: a near miss (``killSprite`` for ``killsprite``), or None.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        text: str | None = None,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.text = text
        self.expected = expected
        self.suggestion = suggestion
        super().__init__(self.__str__())

    @property
    def location(self) -> str:
        parts = [self.file or "<string>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def __str__(self) -> str:
        s = f"{self.location}: {self.message}"
        if self.expected:
            s += f" (expected {self.expected})"
        return s + hint(self.suggestion)

    def __reduce__(self):  # picklable across processes despite keyword-only fields
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls, message, state):
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class VGDLSyntaxError(VGDLError):
    """Malformed text: bad indentation, a line without ``>``, a ``key=value`` token without a value..."""


class VGDLNameError(VGDLError):
    """An unknown sprite class, effect, termination, parameter or sprite name."""


class VGDLValueError(VGDLError):
    """A parameter value of the wrong type (``speed=fast``), or out of range."""


class VGDLLevelError(VGDLError):
    """A level that does not fit its game: no avatar, too many avatars, an unknown character (strict)..."""


class VGDLUnsupportedError(VGDLError):
    """A feature GVGAI defines but this engine does not implement (never silently ignored).

    Attributes:
        missing: ``[(kind, name, line), ...]``, every missing feature and where the game uses it.
    """

    def __init__(
        self, message: str, *, missing: list[tuple[str, str, int | None]] | None = None, **kw
    ) -> None:
        self.missing = list(missing or [])
        super().__init__(message, **kw)


class VGDLWarning(UserWarning):
    """Something GVGAI tolerates but a user would not expect (an unknown parameter, a duplicate sprite...)."""


def warn(
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    stacklevel: int = 3,
) -> None:
    """Issue a :class:`VGDLWarning` prefixed with ``file:line:col``."""
    where = file or "<string>"
    if line is not None:
        where += f":{line}"
        if col is not None:
            where += f":{col}"
    warnings.warn(f"{where}: {message}", VGDLWarning, stacklevel=stacklevel)
