"""The typed game model: plain, immutable dataclasses that the parser produces and the engine compiles.

A :class:`GameSpec` is everything a VGDL game file says, resolved: the sprite tree with each node's
*effective* class and parameters (inherited from its ancestors and overridden by its own, with GVGAI's rule
that an ancestor's declared class wins), the level mapping with GVGAI's defaults, interaction lines split into
one :class:`InteractionSpec` per (sprite1, sprite2) pair, and terminations in file order. Values are typed
(see :class:`Color`, :class:`Direction`); sprite references are names checked to exist.

``GameSpec -> to_vgdl() -> parse`` gives an equal spec back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union

__all__ = [
    "Color",
    "Direction",
    "Value",
    "Param",
    "SpriteSpec",
    "InteractionSpec",
    "TerminationSpec",
    "GameSpec",
    "EOS",
    "TIME",
]

EOS = "EOS"  # pseudo-sprite: "the sprite is leaving the screen"
TIME = "TIME"  # pseudo-sprite: time effects (``avatar TIME > ... timer=..``)


@dataclass(frozen=True)
class Color:
    """A colour by GVGAI name (``GREEN``) with its RGB value."""

    name: str
    rgb: tuple[int, int, int]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Direction:
    """An orientation (``UP``, ``DOWN``, ``LEFT``, ``RIGHT``, ``NONE``) as a step ``(dx, dy)``, y down."""

    name: str
    dx: int
    dy: int

    def __str__(self) -> str:
        return self.name


Value = Union[bool, int, float, str, Color, Direction, tuple]  # noqa: UP007 (a runtime alias on 3.10)


@dataclass(frozen=True)
class Param:
    """One ``name=value`` parameter: the typed value, the text it came from, and its line (or None)."""

    name: str
    value: Value
    raw: str
    line: int | None = field(default=None, compare=False)


class _Params:
    """Mixin: dictionary-style read access to a ``params`` tuple of :class:`Param`."""

    params: tuple[Param, ...]

    def get(self, name: str, default: Value | None = None) -> Value | None:
        for p in self.params:
            if p.name == name:
                return p.value
        return default

    def __contains__(self, name: str) -> bool:
        return any(p.name == name for p in self.params)


@dataclass(frozen=True)
class SpriteSpec(_Params):
    """One node of the SpriteSet tree.

    Attributes:
        name: the sprite type's name.
        parent: the parent node's name, or None at the top level.
        cls: the effective sprite class (GVGAI: the nearest ancestor's declared class wins over the node's
            own; None for a pure grouping node with no class anywhere above it).
        declared_class: the class written on this node's own line, or None.
        params: effective parameters: the ancestors' merged with, and overridden by, the node's own (typed,
            and validated against the effective class's entry in the registry).
        own_params: the parameters written on this node's own line.
        children: the names of the direct children, in file order.
        line: line number of the definition.
    """

    name: str
    parent: str | None
    cls: str | None
    declared_class: str | None
    params: tuple[Param, ...]
    own_params: tuple[Param, ...]
    children: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True)
class InteractionSpec(_Params):
    """One effect for one ordered pair: ``sprite1 sprite2 > effect params`` (sprite2 may be EOS or TIME)."""

    sprite1: str
    sprite2: str
    effect: str
    params: tuple[Param, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class TerminationSpec(_Params):
    """One termination condition, in file order (``SpriteCounter stype=goal win=True``)."""

    cls: str
    params: tuple[Param, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class GameSpec(_Params):
    """A whole VGDL game.

    Attributes:
        name: the game's name (the file stem, or ``"game"``).
        game_class: ``BasicGame`` (the only game class of GVGAI's gridphysics).
        params: the game's own parameters (``square_size``, ``key_handler`` ...).
        sprites: every node of the sprite tree, parents included, in pre-order (file order). GVGAI's type ids
            are ``wall``, ``avatar``, then this order with those two skipped. Where the file does not define
            ``wall`` or ``avatar``, GVGAI's defaults apply (``registry.DEFAULT_SPRITES``); they are not
            listed. A sprite defined twice appears once, with its last definition, at that definition's place.
        mapping: level character -> sprite names, created in that order in a cell; includes GVGAI's defaults
            ``w > wall`` and ``A > avatar`` unless the file maps those characters.
        interactions: one entry per (sprite1, sprite2, effect) in file order; ``a b c > e`` gives (a,b) and
        (a,c). terminations: in file order. path: the file the game came from, or None.
    """

    name: str
    game_class: str
    params: tuple[Param, ...]
    sprites: tuple[SpriteSpec, ...]
    mapping: tuple[tuple[str, tuple[str, ...]], ...]
    interactions: tuple[InteractionSpec, ...]
    terminations: tuple[TerminationSpec, ...]
    path: str | None = field(default=None, compare=False)

    @property
    def sprite_map(self) -> dict[str, SpriteSpec]:
        return {s.name: s for s in self.sprites}

    @property
    def mapping_dict(self) -> dict[str, tuple[str, ...]]:
        return dict(self.mapping)

    def sprite(self, name: str) -> SpriteSpec:
        for s in self.sprites:
            if s.name == name:
                return s
        raise KeyError(name)

    def ancestors(self, name: str) -> list[str]:
        """``name`` and its ancestors, nearest first."""
        smap = self.sprite_map
        out = []
        cur: str | None = name
        while cur is not None:
            out.append(cur)
            cur = smap[cur].parent if cur in smap else None
        return out

    def subtree(self, name: str) -> list[str]:
        """``name`` and every descendant, in pre-order."""
        smap = self.sprite_map
        out: list[str] = []

        def walk(n: str) -> None:
            out.append(n)
            for c in smap[n].children:
                walk(c)

        if name in smap:
            walk(name)
        return out

    def leaves(self) -> Iterator[SpriteSpec]:
        return (s for s in self.sprites if s.is_leaf)
