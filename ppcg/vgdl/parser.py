"""VGDL text -> :class:`~ppcg.vgdl.spec.GameSpec`, following GVGAI's parser (``VGDLParser``, ``Node``, the
``*Content`` classes) where it is well defined, and raising a :class:`~ppcg.vgdl.errors.VGDLError` with the
file, line and column where GVGAI would crash, silently drop something, or guess.

GVGAI's rules that matter:

* ``#`` starts a comment anywhere; indentation is the number of leading whitespace characters (a TAB counts as
  one column); inner runs of whitespace separate tokens; lines split as Java's ``readLine`` splits them.
* The first line is the game class (``BasicGame``) with its parameters; ``SpriteSet``, ``InteractionSet``,
  ``LevelMapping`` and ``TerminationSet`` are its children.
* SpriteSet: a tree. Parameters are inherited and overridden by children; a node's class is the class declared
  by its *nearest ancestor that declares one*, and only a node without such an ancestor uses its own class
  (frogs' ``goal > Door`` under ``structure > Immovable`` is Immovable). A sprite defined twice: GVGAI keeps
  one type whose definition is the last one (``themole``, ``vortex``); the earlier definition's children stay
  where they were written (they join the earlier definition's parent). ``wall`` and ``avatar`` always exist as
  sprite types (sprite references and the level mapping may name them): where a game does not define them they
  are GVGAI's defaults, :data:`ppcg.vgdl.registry.DEFAULT_SPRITES`, which ``GameSpec.sprites`` does not list.
* LevelMapping: ``c > s1 s2 ...``; defaults ``w > wall`` and ``A > avatar`` unless the file maps those
  characters.
* InteractionSet: ``a b c > effect k=v ...`` is the pairs (a,b) and (a,c); ``EOS`` and ``TIME`` are matched in
  any case (``eos`` warns); ``EOS a`` is ``a EOS``, ``TIME a`` is ``a TIME`` (a TIME line names one sprite).

Things GVGAI tolerates but a user would be surprised by warn (:class:`~ppcg.vgdl.errors.VGDLWarning`) and are
errors with ``strict=True``: an unknown parameter (GVGAI drops it), a sprite defined twice, a LevelMapping
entry naming an undefined sprite, a child's class that its ancestor's overrides, ``eos`` in lower case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ppcg.vgdl import registry
from ppcg.vgdl.errors import (
    VGDLError,
    VGDLNameError,
    VGDLSyntaxError,
    VGDLValueError,
    suggest,
    warn,
)
from ppcg.vgdl.level import split_lines
from ppcg.vgdl.spec import EOS, TIME, GameSpec, InteractionSpec, Param, SpriteSpec, TerminationSpec, Value

__all__ = ["parse_game", "load_game", "parse_value", "SECTIONS"]

SECTIONS = ("SpriteSet", "InteractionSet", "LevelMapping", "TerminationSet")
_TOKEN = re.compile(r"[^\x00-\x20]+")  # Java's trim() treats every char <= ' ' as whitespace
_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?\Z")
_NAME = re.compile(r"[^\s>=#]+\Z")
_IDENT = re.compile(r"[A-Za-z_]\w*\Z")
_MAX_DEPTH = 100  # sprite-tree nesting (GVGAI's games use at most 4); keeps recursion bounded


@dataclass
class _Node:
    tokens: list[tuple[str, int]]  # (text, 1-based column)
    indent: int
    line: int
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(t for t, _ in self.tokens)


@dataclass
class _SpriteDef:
    """One sprite definition as written, resolved GVGAI's way."""

    name: str
    parent: _SpriteDef | None
    declared: str | None
    own: list[tuple[str, str, int, int]]  # (key, raw value, line, col)
    line: int
    col: int
    cls: str | None = None
    children: list[_SpriteDef] = field(default_factory=list)
    merged: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # key -> (raw, line, col)


class _Parser:
    """One parse of one text: builds GVGAI's indentation tree, then each section, reporting as it goes."""

    def __init__(self, text: str, path: str | None, strict: bool, name: str | None = None) -> None:
        self.text = text
        self.name = name
        self.file = path
        self.strict = strict
        self.sprite_names: set[str] = set()

    # ------------------------------------------------------------------------------------------------------
    # reporting
    def error(
        self, cls: type[VGDLError], msg: str, line: int | None, col: int | None = None, **kw
    ) -> VGDLError:
        return cls(msg, file=self.file, line=line, col=col, **kw)

    def check_known(self, kind: str, name: str, line: int | None, col: int | None, where: str = "") -> None:
        """Raise a :class:`VGDLNameError` with a suggestion unless the registry knows ``name`` as ``kind``."""
        if registry.lookup_class(kind, name) is not None:
            return
        label, plural = _KIND_LABELS[kind]
        raise self.error(
            VGDLNameError,
            f"unknown {label} {name!r}{where}",
            line,
            col,
            text=name,
            expected=f"one of the {plural} GVGAI defines",
            suggestion=suggest(name, registry.names(kind)),
        )

    def surprise(
        self, cls: type[VGDLError], msg: str, line: int | None, col: int | None = None, **kw
    ) -> None:
        """Something GVGAI tolerates: a warning, or an error under strict mode."""
        if self.strict:
            raise self.error(cls, msg + " (an error in strict mode)", line, col, **kw)
        warn(msg, file=self.file, line=line, col=col, stacklevel=4)

    # ------------------------------------------------------------------------------------------------------
    # lines -> indentation tree
    def tree(self) -> _Node:
        root: _Node | None = None
        last: _Node | None = None
        for lineno, raw in enumerate(split_lines(self.text), start=1):
            line = raw.split("#", 1)[0]
            tokens = [(m.group(), m.start() + 1) for m in _TOKEN.finditer(line)]
            if not tokens:
                continue
            node = _Node(tokens, tokens[0][1] - 1, lineno)
            if root is None:
                root = last = node
                continue
            assert last is not None
            cur: _Node | None = last
            while cur is not None and cur.indent >= node.indent:
                cur = cur.parent
            if cur is None:
                raise self.error(
                    VGDLSyntaxError,
                    "this line is not indented under the game line",
                    lineno,
                    node.indent + 1,
                    text=raw,
                    expected=f"this line indented under the game line '{root.text}'",
                )
            if cur.children and cur.children[0].indent != node.indent:
                self.surprise(
                    VGDLSyntaxError,
                    f"indentation {node.indent} differs from its siblings' ({cur.children[0].indent}); "
                    "GVGAI accepts it but reports an error",
                    lineno,
                    node.indent + 1,
                    text=raw,
                )
            node.parent = cur
            cur.children.append(node)
            last = node
        if root is None:
            raise self.error(VGDLSyntaxError, "empty game description", 1, expected="a line 'BasicGame ...'")
        return root

    # ------------------------------------------------------------------------------------------------------
    def parse(self) -> GameSpec:
        root = self.tree()
        game_cls, game_col = root.tokens[0]
        self.check_known("game", game_cls, root.line, game_col)
        game_kv = self.key_values(root.tokens[1:], root.line, "the game line")
        sections: dict[str, list[_Node]] = {s: [] for s in SECTIONS}
        for sec in root.children:
            name, col = sec.tokens[0]
            if name not in SECTIONS:
                raise self.error(
                    VGDLSyntaxError if "=" in name or ">" in sec.text else VGDLNameError,
                    f"unknown section {name!r}",
                    sec.line,
                    col,
                    text=sec.text,
                    expected="one of " + ", ".join(SECTIONS),
                    suggestion=suggest(name, SECTIONS),
                )
            if len(sec.tokens) > 1:
                raise self.error(
                    VGDLSyntaxError,
                    f"unexpected text after {name!r}",
                    sec.line,
                    sec.tokens[1][1],
                    text=sec.text,
                    expected=f"{name} alone on its line, its entries indented below it",
                )
            sections[name].extend(sec.children)

        defs = self.sprite_defs(sections["SpriteSet"])
        sprites = self.sprites(defs)
        self.sprite_names = {s.name for s in sprites} | set(registry.DEFAULT_SPRITES)
        game_params = self.typed_params("game", game_cls, game_kv, known_for=None)
        interactions = self.interactions(sections["InteractionSet"])
        mapping = self.mapping(sections["LevelMapping"])
        terminations = self.terminations(sections["TerminationSet"])
        name = self.name or (Path(self.file).stem if self.file else "game")
        return GameSpec(
            name=name,
            game_class=game_cls,
            params=game_params,
            sprites=sprites,
            mapping=mapping,
            interactions=interactions,
            terminations=terminations,
            path=self.file,
        )

    # ------------------------------------------------------------------------------------------------------
    # tokens
    def key_values(
        self, tokens: list[tuple[str, int]], line: int, where: str
    ) -> list[tuple[str, str, int, int]]:
        out: list[tuple[str, str, int, int]] = []
        seen: dict[str, int] = {}
        for tok, col in tokens:
            if "=" not in tok:
                raise self.error(
                    VGDLSyntaxError,
                    f"unexpected {tok!r} in {where}",
                    line,
                    col,
                    text=tok,
                    expected="parameters written key=value",
                )
            key, _, value = tok.partition("=")
            if not key or not value or "=" in value:
                raise self.error(
                    VGDLSyntaxError,
                    f"malformed parameter {tok!r}",
                    line,
                    col,
                    text=tok,
                    expected="key=value with no spaces and one '='",
                )
            if key in seen:
                self.surprise(
                    VGDLSyntaxError, f"parameter {key!r} given twice; the last one counts", line, col
                )
                out = [kv for kv in out if kv[0] != key]
            seen[key] = col
            out.append((key, value, line, col))
        return out

    def split_definition(self, node: _Node, what: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """Tokens before and after the single ``>`` of a definition line."""
        arrows = [i for i, (t, _) in enumerate(node.tokens) if t == ">"]
        if len(arrows) != 1:
            glued = next(((t, c) for t, c in node.tokens if ">" in t and t != ">"), None)
            col = glued[1] if glued else (node.tokens[arrows[1]][1] if arrows else node.tokens[0][1])
            raise self.error(
                VGDLSyntaxError,
                f"a {what} line needs exactly one '>' surrounded by spaces",
                node.line,
                col,
                text=node.text,
                expected=_EXPECTED_LINE[what],
            )
        i = arrows[0]
        return node.tokens[:i], node.tokens[i + 1 :]

    def check_name(self, tok: str, line: int, col: int, what: str) -> None:
        if not _NAME.match(tok):
            raise self.error(
                VGDLSyntaxError, f"bad {what} name {tok!r}", line, col, text=tok, expected="a word"
            )

    # ------------------------------------------------------------------------------------------------------
    # SpriteSet
    def sprite_defs(self, nodes: list[_Node]) -> list[_SpriteDef]:
        """Every sprite definition in file (pre-)order, with GVGAI's class and parameter resolution."""
        out: list[_SpriteDef] = []

        def walk(node: _Node, parent: _SpriteDef | None, parent_cls: str | None, depth: int = 0) -> None:
            if depth > _MAX_DEPTH:
                raise self.error(
                    VGDLSyntaxError,
                    f"the sprite tree is nested more than {_MAX_DEPTH} levels deep",
                    node.line,
                    node.indent + 1,
                    text=node.text,
                )
            before, after = self.split_definition(node, "sprite")
            if len(before) != 1:
                raise self.error(
                    VGDLSyntaxError,
                    "a sprite line names one sprite before '>'",
                    node.line,
                    before[1][1] if len(before) > 1 else node.tokens[0][1],
                    text=node.text,
                    expected=_EXPECTED_LINE["sprite"],
                )
            name, col = before[0]
            self.check_name(name, node.line, col, "sprite")
            if name.upper() in (EOS, TIME):
                raise self.error(
                    VGDLNameError,
                    f"{name!r} is reserved (a pseudo-sprite of the InteractionSet)",
                    node.line,
                    col,
                )
            declared = None
            ccol = col
            rest = after
            if after and "=" not in after[0][0]:
                declared, ccol = after[0]
                rest = after[1:]
                self.check_known("sprite", declared, node.line, ccol)
            own = self.key_values(rest, node.line, f"the definition of {name!r}")
            d = _SpriteDef(name, parent, declared, own, node.line, col)
            d.cls = parent_cls if parent_cls is not None else declared
            if parent_cls is not None and declared is not None and declared != parent_cls:
                self.surprise(
                    VGDLNameError,
                    f"sprite {name!r} declares class {declared!r}, but GVGAI uses its ancestor's class "
                    f"{parent_cls!r}",
                    node.line,
                    ccol,
                )
            d.merged = dict(parent.merged) if parent is not None else {}
            for key, raw, ln, c in own:
                d.merged[key] = (raw, ln, c)
            out.append(d)
            if parent is not None:
                parent.children.append(d)
            child_cls = declared if declared is not None else parent_cls
            for child in node.children:
                walk(child, d, child_cls, depth + 1)

        for n in nodes:
            walk(n, None, None)
        return out

    def sprites(self, defs: list[_SpriteDef]) -> tuple[SpriteSpec, ...]:
        last: dict[str, _SpriteDef] = {}
        first_line: dict[str, int] = {}
        for d in defs:
            if d.name in last:
                self.surprise(
                    VGDLNameError,
                    f"sprite {d.name!r} is defined twice (lines {first_line[d.name]} and {d.line}); "
                    "GVGAI uses the last definition",
                    d.line,
                    d.col,
                )
            else:
                first_line[d.name] = d.line
            last[d.name] = d
        self.sprite_names = set(last) | set(registry.DEFAULT_SPRITES)

        def final_parent(d: _SpriteDef) -> _SpriteDef | None:
            p = d.parent
            while p is not None and last[p.name] is not p:
                p = p.parent
            return p

        def final_class(d: _SpriteDef) -> str | None:
            """The class ``d`` inherits in the final tree: the nearest surviving ancestor's declared class."""
            p = final_parent(d)
            while p is not None and p.declared is None:
                p = final_parent(p)
            return p.declared if p is not None else None

        # Children of the final tree: a superseded definition's children join its nearest surviving ancestor.
        kids: dict[int, list[_SpriteDef]] = {}
        tops: list[_SpriteDef] = []
        for d in defs:
            if last[d.name] is not d:
                continue
            p = final_parent(d)
            (kids.setdefault(id(p), []) if p is not None else tops).append(d)
        for d in defs:
            if last[d.name] is d and d.cls is None and not kids.get(id(d)):
                raise self.error(
                    VGDLNameError,
                    f"sprite {d.name!r} has no class (none declared on it or on an ancestor)",
                    d.line,
                    d.col,
                    expected="a class after '>', e.g. 'Immovable'",
                )
        # Which parameters some class in a subtree accepts (for parameters set on grouping nodes).
        subtree_classes: dict[int, set[str]] = {}

        def classes_below(d: _SpriteDef) -> set[str]:
            s = {d.cls} if d.cls else set()
            for k in kids.get(id(d), []):
                s |= classes_below(k)
            subtree_classes[id(d)] = s
            return s

        for t in tops:
            classes_below(t)

        out: list[SpriteSpec] = []

        def build(d: _SpriteDef, parent_name: str | None) -> None:
            children = kids.get(id(d), [])
            # own parameters: the written ones, plus those inherited from superseded ancestors in between
            own_raw: dict[str, tuple[str, int, int]] = {}
            p = d.parent
            chain = []
            while p is not None and last[p.name] is not p:
                chain.append(p)
                p = p.parent
            for sup in reversed(chain):
                for key, raw, ln, c in sup.own:
                    own_raw[key] = (raw, ln, c)
            for key, raw, ln, c in d.own:
                own_raw[key] = (raw, ln, c)
            declared = d.declared
            if chain and declared is None and d.cls is not None and final_class(d) is None:
                # the class came from a superseded ancestor: write it on the node so the tree says it
                declared = d.cls
            known = subtree_classes.get(id(d), set())
            own = self.typed_params(
                "sprite", d.cls, [(k, r, ln, c) for k, (r, ln, c) in own_raw.items()], known_for=known
            )
            merged = self.typed_params(
                "sprite",
                d.cls,
                [(k, r, ln, c) for k, (r, ln, c) in d.merged.items()],
                known_for=None,
                quiet=True,
            )
            out.append(
                SpriteSpec(
                    name=d.name,
                    parent=parent_name,
                    cls=d.cls,
                    declared_class=declared,
                    params=merged,
                    own_params=own,
                    children=tuple(k.name for k in children),
                    line=d.line,
                )
            )
            for k in children:
                build(k, d.name)

        for t in tops:
            build(t, None)
        return tuple(out)

    # ------------------------------------------------------------------------------------------------------
    # parameter values
    def typed_params(
        self,
        kind: str,
        cls: str | None,
        kvs: list[tuple[str, str, int, int]],
        *,
        known_for: set[str] | None,
        quiet: bool = False,
        extra: registry.ClassEntry | None = None,
    ) -> tuple[Param, ...]:
        out = []
        for key, raw, line, col in kvs:
            value = self.type_value(kind, cls, key, raw, line, col, known_for, quiet=quiet, extra=extra)
            out.append(Param(key, value, raw, line))
        return tuple(out)

    def type_value(
        self,
        kind: str,
        cls: str | None,
        key: str,
        raw: str,
        line: int | None,
        col: int | None,
        known_for: set[str] | None,
        *,
        quiet: bool = False,
        extra: registry.ClassEntry | None = None,
    ) -> Value:
        entry = registry.lookup_param(kind, cls, key) if cls else None
        if entry is None and extra is not None:
            entry = extra.param(key)
        if entry is None and known_for:
            for c in sorted(known_for):
                entry = registry.lookup_param(kind, c, key)
                if entry is not None:
                    break
        if entry is None:
            if not quiet:
                entry_cls = registry.lookup_class(kind, cls) if cls else None
                choices = list(entry_cls.params()) if entry_cls else []
                if extra is not None:
                    choices += list(extra.params())
                owner = f"{kind} class {cls!r}" if kind == "sprite" else f"{cls!r}"
                if cls is None and known_for is not None:
                    owner = "any class of this sprite's subtree"
                self.surprise(
                    VGDLNameError,
                    f"unknown parameter {key!r} for {owner}; GVGAI ignores it",
                    line,
                    col,
                    text=f"{key}={raw}",
                    suggestion=suggest(key, choices),
                )
            return infer_value(raw)
        return self.convert(entry, raw, line, col)

    def convert(self, entry: registry.ParamEntry, raw: str, line: int | None, col: int | None) -> Value:
        typ = entry.type

        def bad(expected: str, suggestion: str | None = None) -> VGDLValueError:
            return self.error(
                VGDLValueError,
                f"bad value {raw!r} for {entry.name!r}",
                line,
                col,
                text=f"{entry.name}={raw}",
                expected=expected,
                suggestion=suggestion,
            )

        if typ == "int":
            if _INT.match(raw):
                return int(raw)
            if raw in registry.INT_CONSTANTS:
                return registry.INT_CONSTANTS[raw]
            raise bad("an integer", suggest(raw, registry.INT_CONSTANTS))
        if typ == "score":
            parts = raw.split(",")
            if all(_INT.match(p) for p in parts):
                return int(parts[0]) if len(parts) == 1 else tuple(int(p) for p in parts)
            raise bad("an integer (or a comma-separated list of integers, one per player)")
        if typ == "float":
            if _FLOAT.match(raw):
                return float(raw.rstrip("fFdD"))
            raise bad("a number")
        if typ == "bool":
            if raw.lower() in ("true", "false"):
                return raw.lower() == "true"
            raise bad("True or False")
        if typ == "color":
            if raw in registry.COLORS:
                return registry.COLORS[raw]
            near = suggest(raw, registry.COLORS)
            if _IDENT.match(raw) and near is None:  # GVGAI fails to set the field and keeps the class's colour;
                self.surprise(  # a near miss of a known name (GREN) is a typo, an error below
                    VGDLValueError,
                    f"unknown colour {raw!r} for {entry.name!r}; GVGAI keeps the class's default colour",
                    line,
                    col,
                    text=f"{entry.name}={raw}",
                    expected="a GVGAI colour name",
                )
                return entry.default
            raise bad("a GVGAI colour name", near)
        if typ == "direction":
            if raw in registry.DIRECTIONS:
                return registry.DIRECTIONS[raw]
            raise bad("UP, DOWN, LEFT, RIGHT or NONE", suggest(raw, registry.DIRECTIONS))
        if typ == "effect":
            self.check_known("effect", raw, line, col, where=f" in {entry.name}=")
            return raw
        if typ in ("sprite", "resource", "sprites", "resources"):
            parts = raw.split(",")
            for p in parts:
                if p not in self.sprite_names:
                    raise self.error(
                        VGDLNameError,
                        f"{entry.name}={raw} names an undefined sprite {p!r}",
                        line,
                        col,
                        text=p,
                        expected="a sprite defined in the SpriteSet",
                        suggestion=suggest(p, self.sprite_names),
                    )
            if typ in ("sprites", "resources"):
                return tuple(parts)
            if len(parts) != 1:
                raise bad("one sprite name")
            return raw
        return raw

    # ------------------------------------------------------------------------------------------------------
    # InteractionSet
    def interactions(self, nodes: list[_Node]) -> tuple[InteractionSpec, ...]:
        out: list[InteractionSpec] = []
        for node in self.flat(nodes, "interaction"):
            before, after = self.split_definition(node, "interaction")
            if len(before) < 2:
                raise self.error(
                    VGDLSyntaxError,
                    "an interaction names at least two sprites before '>'",
                    node.line,
                    node.tokens[0][1],
                    text=node.text,
                    expected=_EXPECTED_LINE["interaction"],
                )
            if not after or "=" in after[0][0]:
                raise self.error(
                    VGDLSyntaxError,
                    "an interaction needs an effect after '>'",
                    node.line,
                    after[0][1] if after else node.tokens[-1][1],
                    text=node.text,
                    expected=_EXPECTED_LINE["interaction"],
                )
            effect, ecol = after[0]
            self.check_known("effect", effect, node.line, ecol)
            kvs = self.key_values(after[1:], node.line, f"the {effect!r} interaction")
            names = [self.interaction_sprite(t, c, node.line) for t, c in before]
            extra = None
            if effect == "addTimer":  # addTimer hands its other parameters to the effect it schedules
                ftype = next((v for k, v, _, _ in kvs if k == "ftype"), None)
                extra = registry.lookup_class("effect", ftype) if ftype else None
            elif TIME in names:  # GVGAI wraps the effect in a TimeEffect, which reads timer= ...
                extra = registry.EFFECTS["TimeEffect"]
            params = self.typed_params("effect", effect, kvs, known_for=None, extra=extra)
            if TIME in names and len(names) != 2:
                # GVGAI would time the effect on one sprite only, and also fire it on the other pairs
                raise self.error(
                    VGDLSyntaxError,
                    "a TIME interaction names exactly one sprite and TIME",
                    node.line,
                    before[names.index(TIME)][1],
                    text=node.text,
                    expected="'sprite TIME > effect timer=N ...'",
                )
            first, rest = names[0], names[1:]
            for second in rest:
                s1, s2 = first, second
                if s1 in (EOS, TIME) and s2 not in (EOS, TIME):
                    s1, s2 = s2, s1  # 'EOS a' and 'TIME a' mean 'a EOS' and 'a TIME'
                if s1 in (EOS, TIME):
                    raise self.error(
                        VGDLSyntaxError,
                        f"'{first} {second}' pairs two pseudo-sprites",
                        node.line,
                        node.tokens[0][1],
                        text=node.text,
                    )
                out.append(InteractionSpec(s1, s2, effect, params, node.line))
        return tuple(out)

    def interaction_sprite(self, tok: str, col: int, line: int) -> str:
        if tok in self.sprite_names:
            return tok
        up = tok.upper()
        if up in (EOS, TIME):
            if tok != up:
                self.surprise(VGDLNameError, f"{tok!r} is written {up!r}", line, col, suggestion=up)
            return up
        raise self.error(
            VGDLNameError,
            f"interaction names an undefined sprite {tok!r}",
            line,
            col,
            text=tok,
            expected="a sprite defined in the SpriteSet, EOS or TIME",
            suggestion=suggest(tok, self.sprite_names | {EOS, TIME}),
        )

    def flat(self, nodes: list[_Node], what: str) -> list[_Node]:
        """Entries of a flat section; a line indented under another is dropped by GVGAI (warning)."""
        out = []
        for n in nodes:
            out.append(n)
            stack = list(n.children)
            while stack:
                c = stack.pop(0)
                self.surprise(
                    VGDLSyntaxError,
                    f"this {what} line is indented under the previous one, and GVGAI ignores it",
                    c.line,
                    c.indent + 1,
                    text=c.text,
                )
                stack.extend(c.children)
        return out

    # ------------------------------------------------------------------------------------------------------
    # LevelMapping
    def mapping(self, nodes: list[_Node]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        entries: dict[str, tuple[str, ...]] = {}
        for node in self.flat(nodes, "level mapping"):
            before, after = self.split_definition(node, "mapping")
            if len(before) != 1 or len(before[0][0]) != 1:
                raise self.error(
                    VGDLSyntaxError,
                    "a level mapping line maps one character",
                    node.line,
                    node.tokens[0][1],
                    text=node.text,
                    expected=_EXPECTED_LINE["mapping"],
                )
            if not after:
                raise self.error(
                    VGDLSyntaxError,
                    "a level mapping line names at least one sprite after '>'",
                    node.line,
                    node.tokens[-1][1],
                    text=node.text,
                    expected=_EXPECTED_LINE["mapping"],
                )
            char = before[0][0]
            for tok, col in after:
                self.check_name(tok, node.line, col, "sprite")
                if tok not in self.sprite_names:
                    self.surprise(
                        VGDLNameError,
                        f"level mapping {char!r} names an undefined sprite {tok!r}; GVGAI accepts it as "
                        "long as no level uses the character",
                        node.line,
                        col,
                        text=tok,
                        suggestion=suggest(tok, self.sprite_names),
                    )
            if char in entries:
                self.surprise(
                    VGDLNameError, f"character {char!r} is mapped twice; the last one counts", node.line, 1
                )
                del entries[char]
            entries[char] = tuple(t for t, _ in after)
        out: list[tuple[str, tuple[str, ...]]] = []
        if "w" not in entries:
            out.append(("w", ("wall",)))
        if "A" not in entries:
            out.append(("A", ("avatar",)))
        return tuple(out) + tuple(entries.items())

    # ------------------------------------------------------------------------------------------------------
    # TerminationSet
    def terminations(self, nodes: list[_Node]) -> tuple[TerminationSpec, ...]:
        out = []
        for node in self.flat(nodes, "termination"):
            name, col = node.tokens[0]
            self.check_known("termination", name, node.line, col)
            kvs = self.key_values(node.tokens[1:], node.line, f"the {name!r} termination")
            out.append(
                TerminationSpec(name, self.typed_params("termination", name, kvs, known_for=None), node.line)
            )
        return tuple(out)


_KIND_LABELS = {  # registry kind -> (name in messages, plural)
    "game": ("game class", "game classes"),
    "sprite": ("sprite class", "sprite classes"),
    "effect": ("effect", "effects"),
    "termination": ("termination", "terminations"),
}

_EXPECTED_LINE = {
    "sprite": "'name > Class key=value ...'",
    "interaction": "'sprite1 sprite2 [sprite3 ...] > effect key=value ...'",
    "mapping": "'c > sprite1 sprite2 ...'",
}


def infer_value(raw: str) -> Value:
    """Type a value as GVGAI does for a field it does not know: direction, colour, int, float, bool, text."""
    if raw in registry.DIRECTIONS:
        return registry.DIRECTIONS[raw]
    if raw in registry.COLORS:
        return registry.COLORS[raw]
    if _INT.match(raw):
        return int(raw)
    if _FLOAT.match(raw):
        return float(raw.rstrip("fFdD"))
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return raw


def parse_value(kind: str, cls: str, key: str, raw: str, sprite_names: set[str] | None = None) -> Value:
    """Type one parameter value as the parser would (for tools that build specs by hand).

    Raises:
        VGDLValueError, VGDLNameError: a value of the wrong type, or an undefined sprite.
    """
    p = _Parser("", None, False)
    p.sprite_names = set(sprite_names or ())
    entry = registry.lookup_param(kind, cls, key)
    return p.convert(entry, raw, None, None) if entry is not None else infer_value(raw)


def parse_game(
    text: str, *, path: str | Path | None = None, strict: bool = False, name: str | None = None
) -> GameSpec:
    """Parse VGDL text into a :class:`GameSpec`.

    Args:
        text: the game description.
        path: the file it came from, quoted in errors and stored in ``GameSpec.path``; its stem names the
        game. strict: turn everything GVGAI tolerates with a warning into an error. name: the game's name
        (default: the stem of ``path``, or ``"game"``).

    Raises:
        VGDLError: a subclass naming the file, line and column of the first problem.
    """
    return _Parser(text, str(path) if path is not None else None, strict, name).parse()


def load_game(path_or_name: str | Path, *, strict: bool = False) -> GameSpec:
    """Load a game file, or a bundled game by name (``"zelda"``).

    Raises:
        FileNotFoundError: neither a file nor a bundled game.
        VGDLError: the file is not valid VGDL.
    """
    from ppcg.resources import game_path  # not a layer: a path lookup

    path = game_path(path_or_name)
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is not part of the text
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise VGDLSyntaxError(f"not UTF-8 text ({exc.reason})", file=str(path), line=line) from None
    return parse_game(text, path=path, strict=strict)
