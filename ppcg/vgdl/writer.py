"""GameSpec -> VGDL text that parses back to an equal spec.

>>> from ppcg.vgdl.parser import parse_game
>>> text = '''BasicGame
...     SpriteSet
...         wall > Immovable color=GRAY
...         avatar > MovingAvatar
...     InteractionSet
...         avatar wall > stepBack
...     TerminationSet
...         Timeout limit=100 win=True
... '''
>>> spec = parse_game(text)
>>> parse_game(to_vgdl(spec)) == spec
True

The text is canonical: four spaces per level, one interaction line per (sprite1, sprite2, effect) entry, every
level-mapping entry written out (GVGAI's defaults included), and each parameter as it was written
(``Param.raw``).
"""

from __future__ import annotations

from ppcg.vgdl.spec import GameSpec, Param, SpriteSpec

__all__ = ["to_vgdl"]

_INDENT = "    "


def _params(params: tuple[Param, ...]) -> str:
    out = []
    for p in params:
        if not p.name or not p.raw or any(_unwritable(c) or c == "=" for c in p.name + p.raw):
            raise ValueError(f"parameter {p.name}={p.raw!r} cannot be written as VGDL")
        out.append(f"{p.name}={p.raw}")
    return " ".join(out)


def _unwritable(c: str) -> bool:
    """A character that cannot appear in a token: the parser splits at every char <= ' ' and cuts at '#'."""
    return ord(c) <= 32 or c == "#"


def _line(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def to_vgdl(spec: GameSpec) -> str:
    """Write ``spec`` as VGDL text; ``parse_game(to_vgdl(spec), name=spec.name) == spec``.

    Raises:
        ValueError: the spec holds something VGDL cannot express: a level character that is ``#``, ``>`` or
            whitespace; a parameter value with spaces; a sprite whose class its written ancestors would
            override (possible only for a game that defines a sprite twice, see :mod:`ppcg.vgdl.parser`).
    """
    lines = [_line(spec.game_class, _params(spec.params))]
    smap = spec.sprite_map
    lines.append(_INDENT + "SpriteSet")

    def sprite(s: SpriteSpec, depth: int, inherited: str | None) -> None:
        # GVGAI's rule, as the parser applies it: the nearest ancestor's declared class wins
        if (inherited if inherited is not None else s.declared_class) != s.cls:
            raise ValueError(f"sprite {s.name!r} of class {s.cls} cannot be written under its ancestors")
        lines.append(_INDENT * depth + _line(s.name, ">", s.declared_class or "", _params(s.own_params)))
        for child in s.children:
            sprite(smap[child], depth + 1, s.declared_class if s.declared_class is not None else inherited)

    for s in spec.sprites:
        if s.parent is None:
            sprite(s, 2, None)
    lines.append(_INDENT + "LevelMapping")
    for char, names in spec.mapping:
        if len(char) != 1 or _unwritable(char) or char == ">":
            raise ValueError(f"level character {char!r} cannot be written in a LevelMapping")
        lines.append(_INDENT * 2 + _line(char, ">", " ".join(names)))
    lines.append(_INDENT + "InteractionSet")
    for i in spec.interactions:
        lines.append(_INDENT * 2 + _line(i.sprite1, i.sprite2, ">", i.effect, _params(i.params)))
    lines.append(_INDENT + "TerminationSet")
    for t in spec.terminations:
        lines.append(_INDENT * 2 + _line(t.cls, _params(t.params)))
    return "\n".join(lines) + "\n"
