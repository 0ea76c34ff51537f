"""Drawing a game state: frames with numpy, the level as text, a pygame window, and a small PNG writer.

A frame draws every sprite at its pixel position, scaled from the engine's 10-pixel cells to ``tile_size``
pixels, in the game's colour and with a shape chosen by its sprite class, so that types are told apart without
images, in GVGAI's drawing order (sprite-definition order). A background is an ``Immovable`` under several
entries of the level mapping (Zelda's ground). Text (``ansi``) reads the level mapping backwards: a cell
holding exactly the sprites of a mapping entry prints that entry's character.

===========================  ============================================
class                        shape
===========================  ============================================
avatars (``*Avatar``)        a triangle pointing where it faces
NPCs (``RandomNPC`` ...)     a circle
``Resource``                 a diamond
walls and backgrounds        a full square
other ``Immovable``          an inset square
``Passive``                  an octagon
``Missile``                  a raised block (light top-left edge, dark
                             bottom-right: Boulderdash's rocks, cars, logs)
``Flicker``                  a plus
``SpawnPoint``, ``Portal``   a ring
``Door``                     a hollow square
===========================  ============================================

Colours: the game's own (VGDL ``color=``) where it gives one, else a distinct palette (:data:`PALETTE`); then
each is made readable (:func:`readable_colors`): a wall or sprite whose colour is too near the floor it stands
on (say Boulderdash's dark-gray walls on its black cave), or near another type's different colour, is
lightened or darkened until it stands out. A level smaller than the frame is drawn in its centre, surrounded
by wall.
:meth:`Renderer.legend` draws a key (each type's shape, colour and name; ``ppcg render --legend``).

Only :class:`Window` and :meth:`Renderer.legend` import pygame, and only when first used.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Renderer", "Window", "SHAPES", "PALETTE", "readable_colors", "shape_for_class", "encode_png",
           "write_png"]

BACKGROUND = (0, 0, 0)
# colours for types the game gives none (Tableau 10's values), in order of use
PALETTE = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207))
MIN_CONTRAST = 90.0  # RGB distance of a wall or sprite from each floor (and of floors from each other)
MIN_APART = 60.0  # RGB distance between two types the game gave different colours

# sprite class -> shape. One entry a line; avatars (any class ending in "Avatar") are triangles, the rest
# squares.
SHAPES: dict[str, str] = {
    "Immovable": "inset_square",
    "Passive": "octagon",
    "Resource": "diamond",
    "ResourcePack": "diamond",
    "Door": "frame",
    "Portal": "ring",
    "SpawnPoint": "ring",
    "Bomber": "ring",
    "RandomBomber": "ring",
    "Spreader": "plus",
    "Flicker": "plus",
    "OrientedFlicker": "plus",
    "Missile": "block",
    "RandomMissile": "block",
    "ErraticMissile": "block",
    "Walker": "circle",
    "WalkerJumper": "circle",
    "RandomNPC": "circle",
    "RandomInertial": "circle",
    "Chaser": "circle",
    "Fleeing": "circle",
    "AlternateChaser": "circle",
    "RandomAltChaser": "circle",
    "PathChaser": "circle",
    "PathAltChaser": "circle",
    "RandomPathAltChaser": "circle",
}

_DIRECTIONS = {"UP": (0, -1), "DOWN": (0, 1), "LEFT": (-1, 0), "RIGHT": (1, 0), "NONE": (0, 0), "NIL": (0, 0)}
_FALLBACK_CHARS = "*+o#%&@$=~^<>?!0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def shape_for_class(cls: str | None) -> str:
    """The shape drawn for a sprite class (see the module docstring)."""
    if cls is not None and cls.endswith("Avatar"):
        return "triangle"
    return SHAPES.get(cls or "", "square")


def shape_mask(shape: str, size: int, facing: tuple[int, int] = (0, 1)) -> np.ndarray:
    """A ``size x size`` boolean mask of ``shape`` (``facing`` orients a triangle; ``(0, 0)`` faces down)."""
    c = (size - 1) / 2.0
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    dx, dy = xx - c, yy - c
    r = size / 2.0
    if shape == "square":
        return np.ones((size, size), bool)
    if shape == "inset_square":
        return (np.abs(dx) <= r * 0.75) & (np.abs(dy) <= r * 0.75)
    if shape == "small_square":
        return (np.abs(dx) <= r * 0.45) & (np.abs(dy) <= r * 0.45)
    if shape == "block":
        return (np.abs(dx) <= r * 0.9) & (np.abs(dy) <= r * 0.9)
    if shape == "circle":
        return dx * dx + dy * dy <= (r * 0.85) ** 2
    if shape == "ring":
        d2 = dx * dx + dy * dy
        return (d2 <= (r * 0.9) ** 2) & (d2 >= (r * 0.5) ** 2)
    if shape == "diamond":
        return np.abs(dx) + np.abs(dy) <= r * 0.9
    if shape == "octagon":
        return (np.abs(dx) <= r * 0.9) & (np.abs(dy) <= r * 0.9) & (np.abs(dx) + np.abs(dy) <= r * 1.3)
    if shape == "frame":
        inner = (np.abs(dx) < r * 0.6) & (np.abs(dy) < r * 0.6)
        return ~inner
    if shape == "plus":
        w = max(r * 0.22, 0.5)
        return ((np.abs(dx) <= w) & (np.abs(dy) <= r * 0.9)) | ((np.abs(dy) <= w) & (np.abs(dx) <= r * 0.9))
    if shape == "triangle":
        fx, fy = facing if facing != (0, 0) else (0, 1)
        # along: position in the facing direction (-r at the base, +r at the tip); across: perpendicular
        # offset
        along = dx * fx + dy * fy
        across = np.abs(dx * fy - dy * fx)
        return (along >= -r * 0.85) & (along <= r * 0.85) & (across <= (r * 0.85 - along) * 0.5 + 0.5)
    raise ValueError(f"unknown shape {shape!r}")


def _distance(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))


def _readable(c, floors: list, others: list) -> bool:
    return (all(_distance(c, f) >= MIN_CONTRAST for f in floors)
            and all(_distance(c, o) >= MIN_APART for o in others))


def _shifted(color, floors: list, others: list) -> tuple[int, int, int]:
    """``color`` mixed towards white (a dark one) or black (a light one) a step at a time, then the other way,
    until it is :data:`MIN_CONTRAST` from every colour of ``floors`` and :data:`MIN_APART` from ``others``;
    failing that, the :data:`PALETTE` colour farthest from them all."""
    c0 = np.asarray(color, np.float64)
    light = float(c0 @ (0.299, 0.587, 0.114)) >= 128
    for target in ((0.0, 255.0) if light else (255.0, 0.0)):
        c = c0
        for _ in range(12):
            if _readable(c, floors, others):
                return tuple(int(round(v)) for v in c)
            c = c + (target - c) * 0.15
    fixed = [*floors, *others]
    return max(PALETTE, key=lambda p: min((_distance(p, f) for f in fixed), default=np.inf))


def readable_colors(colors, floors: list[int], explicit: list[bool], shapes: list[str],
                    drawn: list[bool] | None = None) -> np.ndarray:
    """Colours a person tells apart at a glance: ``uint8 [T, 3]`` from the game's ``colors [T, 3]``.

    Types whose colour the game does not give (``explicit[t]`` false) take the next :data:`PALETTE` colour far
    enough from those in use. ``floors`` (type indices, the main floor first) are the backgrounds sprites
    stand on: each later floor keeps :data:`MIN_CONTRAST` from the earlier ones, every other type that much
    from all floors, and :data:`MIN_APART` from earlier types of its shape (``shapes[t]``) whose given colour
    differs (types the game colours alike stay alike: Zelda's key and the hero holding it). Types not
    ``drawn`` (grouping nodes) keep their colour and constrain nothing.
    """
    drawn = [True] * len(colors) if drawn is None else drawn
    given = [tuple(int(v) for v in c[:3]) for c in np.asarray(colors)]
    out = list(given)
    used = [given[t] for t in range(len(given)) if explicit[t] and drawn[t]]
    spare = iter(PALETTE)
    for t in range(len(out)):
        if drawn[t] and not explicit[t]:
            pick = next((p for p in spare if all(_distance(p, u) >= MIN_APART for u in used)), None)
            if pick is not None:
                out[t] = given[t] = pick
                used.append(pick)
    floor_colors = [out[floors[0]]] if floors else [BACKGROUND]
    for t in floors[1:]:
        out[t] = _shifted(out[t], floor_colors, [])
        floor_colors.append(out[t])
    done: list[int] = []
    for t in range(len(out)):
        if t in floors or not drawn[t]:
            continue
        out[t] = _shifted(out[t], floor_colors,
                          [out[u] for u in done if given[u] != given[t] and shapes[u] == shapes[t]])
        done.append(t)
    return np.array(out, np.uint8).reshape(-1, 3)


def _facing(orientation: Any) -> tuple[int, int]:
    """An orientation from the engine (a name, a ``(dx, dy)`` pair or a Direction) as a unit step."""
    if orientation is None:
        return (0, 1)
    if isinstance(orientation, str):
        return _DIRECTIONS.get(orientation.upper(), (0, 1))
    if hasattr(orientation, "dx"):
        return (int(np.sign(orientation.dx)), int(np.sign(orientation.dy)))
    try:
        dx, dy = orientation
        return (int(np.sign(dx)), int(np.sign(dy)))
    except (TypeError, ValueError):
        return (0, 1)


class Renderer:
    """Draws one environment of a :class:`BatchEngine` as an RGB frame or as text.

    Args:
        game: the :class:`CompiledGame`.
        tile_size: pixels per cell of the frame.
        obs_size: ``(width, height)`` in cells; cells outside the level are drawn as walls, as the engine pads
            the observation.
    """

    def __init__(self, game: Any, tile_size: int, obs_size: tuple[int, int]) -> None:
        self.game = game
        self.tile_size = int(tile_size)
        self.obs_size = (int(obs_size[0]), int(obs_size[1]))
        self.block = int(getattr(game, "block_size", 10))
        self.type_names: list[str] = list(game.type_names)
        self.type_index = {n: i for i, n in enumerate(self.type_names)}
        spec = game.spec
        smap = spec.sprite_map
        self.classes = [
            smap[n].cls
            if n in smap
            else ("Immovable" if n == "wall" else "MovingAvatar" if n == "avatar" else None)
            for n in self.type_names
        ]
        colors = np.asarray(game.colors, dtype=np.int64).reshape(len(self.type_names), -1)[:, :3]
        # walls and backgrounds (an Immovable under several mapping entries, like Zelda's ground) are full
        # squares
        uses: dict[str, int] = {}
        for _, names in spec.mapping:
            for n in set(names):
                uses[n] = uses.get(n, 0) + 1
        background = {n for n, k in uses.items() if k > 1} | {"wall"}
        self.shapes = [
            "square" if n in background and c in (None, "Immovable") else shape_for_class(c)
            for n, c in zip(self.type_names, self.classes, strict=True)
        ]
        # the floors sprites stand on: backgrounds other than walls, the most used first
        floors = sorted((t for t, n in enumerate(self.type_names)
                         if n in background and n != "wall" and self.shapes[t] == "square"),
                        key=lambda t: -uses.get(self.type_names[t], 0))
        explicit = [n == "wall" or (n in smap and any(p.name == "color" for p in smap[n].params))
                    for n in self.type_names]
        drawn = [n not in smap or not smap[n].children for n in self.type_names]  # grouping nodes never are
        self.colors = readable_colors(np.clip(colors, 0, 255), floors, explicit, self.shapes, drawn)
        self._floor = floors[0] if floors else None
        self._masks: dict[tuple[str, tuple[int, int]], np.ndarray] = {}
        # GVGAI draws types in sprite-definition order (its spriteOrder): the default wall and avatar first,
        # unless the game defines them, then where it defines them
        defined = {sp.name: k + 2 for k, sp in enumerate(spec.sprites)}
        self.draw_order = [defined.get(n, 0 if n == "wall" else 1) for n in self.type_names]
        self.chars = self._chars(spec)
        # a cell holding exactly a mapping entry's sprites prints that entry's character
        self.stack_chars: dict[tuple[str, ...], str] = {}
        for ch, names in spec.mapping:
            self.stack_chars.setdefault(tuple(sorted(names)), ch)
        self.empty_char = "." if "." not in set(self.chars.values()) else " "

    def _mask(self, shape: str, facing: tuple[int, int]) -> np.ndarray:
        key = (shape, facing if shape == "triangle" else (0, 0))
        m = self._masks.get(key)
        if m is None:
            m = self._masks[key] = shape_mask(shape, self.tile_size, key[1])
        return m

    def _chars(self, spec: Any) -> dict[str, str]:
        """A character per type: the level mapping read backwards, then free characters for the rest.

        A character that makes one sprite names it; a stack (``"A > ground avatar"``) names its least shared
        sprite (the avatar, not the ground under every cell).
        """
        chars: dict[str, str] = {}
        mapping = list(spec.mapping)
        shared: dict[str, int] = {}
        for _, names in mapping:
            for n in set(names):
                shared[n] = shared.get(n, 0) + 1
        for ch, names in mapping:
            if len(names) == 1 and names[0] not in chars:
                chars[names[0]] = ch
        for ch, names in mapping:
            free = [n for n in names if n not in chars]
            if free and ch not in chars.values():
                chars[min(free, key=lambda n: (shared[n], -names.index(n)))] = ch
        used = set(chars.values()) | {" ", "."}
        spare = iter(c for c in _FALLBACK_CHARS if c not in used)
        for n in self.type_names:
            if n not in chars:
                first = n[:1]
                chars[n] = first if first and first not in used else next(spare, "?")
                used.add(chars[n])
        return chars

    # --------------------------------------------------------------------------------------------------------
    def _sprites(self, engine: Any, i: int) -> tuple[list[tuple[int, int, int, int]], tuple[int, int]]:
        """``[(draw_order, type_index, x_px, y_px)]`` sorted for drawing, and the avatar's facing."""
        out = []
        draw = self.draw_order
        for sid, tname, x, y in engine.sprites(i):
            t = self.type_index.get(tname, 0)
            out.append(((draw[t], int(sid)), t, int(x), int(y)))
        out.sort()
        facing = (0, 1)
        try:
            facing = _facing(engine.avatar(i).get("orientation"))
        except Exception:  # noqa: BLE001 - no avatar (killed): any facing will do
            pass
        return [(o[0], t, x, y) for o, t, x, y in out], facing

    def level_size(self, engine: Any, i: int) -> tuple[int, int]:
        size = getattr(engine, "level_size", None)
        if callable(size):
            w, h = size(i)
            return int(w), int(h)
        return self.obs_size

    def frame(self, engine: Any, i: int, level_size: tuple[int, int] | None = None) -> np.ndarray:
        """Environment ``i`` as ``uint8 [H*tile, W*tile, 3]`` (``W x H`` = the observation size)."""
        ts, b = self.tile_size, self.block
        w, h = self.obs_size
        img = np.empty((h * ts, w * ts, 3), np.uint8)
        img[:] = BACKGROUND
        lw, lh = level_size or self.level_size(engine, i)
        ox, oy = max(w - lw, 0) // 2 * ts, max(h - lh, 0) // 2 * ts  # a smaller level sits in the middle
        if (lw, lh) != (w, h):  # around it: walls, as the observation pads
            img[:] = self.colors[self.type_index.get("wall", 0)]
            img[oy : oy + lh * ts, ox : ox + lw * ts] = BACKGROUND
        sprites, facing = self._sprites(engine, i)
        x_end, y_end = min(ox + lw * ts, w * ts), min(oy + lh * ts, h * ts)
        for _, t, x, y in sprites:
            px, py = ox + x * ts // b, oy + y * ts // b
            x0, y0 = max(px, ox), max(py, oy)
            x1, y1 = min(px + ts, x_end), min(py + ts, y_end)
            if x0 >= x1 or y0 >= y1:
                continue
            self._paint(img, t, facing, px, py, x0, y0, x1, y1)
        return img

    def _paint(self, img, t, facing, px, py, x0, y0, x1, y1) -> None:
        """Type ``t``'s shape at pixel ``(px, py)``, clipped to ``[x0, x1) x [y0, y1)``; a block gets a light
        top-left edge and a dark bottom-right one, so that it reads as a thing standing on the floor."""
        mask = self._mask(self.shapes[t], facing)[y0 - py : y1 - py, x0 - px : x1 - px]
        color = self.colors[t]
        tile = img[y0:y1, x0:x1]
        tile[mask] = color
        if self.shapes[t] == "block" and self.tile_size >= 6:
            light, dark = self._edges(mask.shape, px - x0, py - y0)
            c = color.astype(np.int64)
            tile[mask & light] = np.clip(c + (255 - c) // 2, 0, 255).astype(np.uint8)
            tile[mask & dark] = (c // 2).astype(np.uint8)

    def _edges(self, shape, dx, dy):
        """Masks of a block's top-left and bottom-right edges (a tenth of the tile, at least a pixel) within a
        clipped tile whose shape starts at offset ``(dx, dy)`` of the tile."""
        ts = self.tile_size
        k = max(1, ts // 10)
        m = self._mask("block", (0, 0))
        cols = np.flatnonzero(m.any(axis=0))
        lo, hi = int(cols[0]), int(cols[-1])
        yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
        yy, xx = yy - dy, xx - dx
        light = (yy < lo + k + 1) | (xx < lo + k + 1)
        dark = ((yy > hi - k - 1) | (xx > hi - k - 1)) & ~((yy < lo + k + 1) & (xx > hi - k - 1)) \
            & ~((xx < lo + k + 1) & (yy > hi - k - 1))
        return light & ~dark, dark

    def legend(self, type_ids: list[int] | None = None, width: int | None = None) -> np.ndarray:
        """A key to the frame: each type's shape in its colour, on its floor, and its name; an image
        (``uint8 [H, W, 3]``) ``width`` pixels wide (default: a column), the entries in drawing order. Needs
        pygame (its font).

        Args:
            type_ids: the types to list (default: every type of the game).
            width: the panel's width in pixels (entries fill rows of columns).
        """
        import pygame

        pygame.font.init()
        ts = max(self.tile_size, 12)
        font = pygame.font.Font(None, max(14, int(ts * 0.9)))
        ids = sorted(range(len(self.type_names)) if type_ids is None else set(type_ids),
                     key=lambda t: (self.draw_order[t], t))
        labels = [font.render(self.type_names[t], True, (235, 235, 235), BACKGROUND) for t in ids]
        pad = max(2, ts // 4)
        entry_w = ts + 2 * pad + max((lab.get_width() for lab in labels), default=0) + 2 * pad
        cols = max(1, (width or entry_w) // entry_w)
        rows = (len(ids) + cols - 1) // cols
        out = np.zeros((rows * (ts + pad) + pad, max(width or 0, cols * entry_w), 3), np.uint8)
        out[:] = BACKGROUND
        renderer = Renderer.__new__(Renderer)  # the same shapes and colours, at the legend's tile size
        renderer.__dict__.update(self.__dict__, tile_size=ts, _masks={})
        floor = self.colors[self._floor] if self._floor is not None else None
        for k, (t, lab) in enumerate(zip(ids, labels, strict=True)):
            x, y = (k % cols) * entry_w + pad, (k // cols) * (ts + pad) + pad
            if floor is not None:
                out[y : y + ts, x : x + ts] = floor
            renderer._paint(out, t, (1, 0), x, y, x, y, x + ts, y + ts)
            text = pygame.surfarray.array3d(lab).swapaxes(0, 1)
            th = min(text.shape[0], ts)
            ty = y + (ts - th) // 2
            out[ty : ty + th, x + ts + pad : x + ts + pad + text.shape[1]] = text[:th]
        return out

    def ansi(self, engine: Any, i: int, level_size: tuple[int, int] | None = None) -> str:
        """Environment ``i`` as text: a character per cell (the top sprite's), rows joined by newlines."""
        lw, lh = level_size or self.level_size(engine, i)
        b = self.block
        cells: dict[tuple[int, int], list[int]] = {}
        sprites, _ = self._sprites(engine, i)
        for _, t, x, y in sprites:
            cx, cy = (x + b // 2) // b, (y + b // 2) // b
            if 0 <= cx < lw and 0 <= cy < lh:
                cells.setdefault((cx, cy), []).append(t)
        grid = [[self.empty_char] * lw for _ in range(lh)]
        for (cx, cy), types in cells.items():
            names = tuple(sorted(self.type_names[t] for t in types))
            ch = self.stack_chars.get(names)
            grid[cy][cx] = ch if ch is not None else self.chars[self.type_names[types[-1]]]
        return "\n".join("".join(row) for row in grid)


class Window:
    """A pygame window showing frames with a status line underneath; pygame is imported on first use.

    Args:
        title: the window's caption.
        fps: frames per second :meth:`show` waits for (0: no waiting).
    """

    STATUS_HEIGHT = 22

    def __init__(self, title: str = "ppcg", fps: int = 15) -> None:
        self.title = title
        self.fps = fps
        self._pg: Any = None
        self._screen: Any = None
        self._font: Any = None
        self._clock: Any = None

    def _init(self) -> None:
        import pygame

        self._pg = pygame
        pygame.display.init()
        pygame.font.init()
        self._font = pygame.font.Font(None, 20)
        self._clock = pygame.time.Clock()

    def show(self, frame: np.ndarray, status: str = "", *, pump: bool = True) -> None:
        """Draw ``frame`` (``uint8 [H, W, 3]``) and ``status``, then wait for the next frame time."""
        if self._pg is None:
            self._init()
        pg = self._pg
        h, w = frame.shape[:2]
        size = (w, h + self.STATUS_HEIGHT)
        if self._screen is None or self._screen.get_size() != size:
            self._screen = pg.display.set_mode(size)
            pg.display.set_caption(self.title)
        if pump:
            pg.event.pump()
        self._screen.fill((0, 0, 0))
        self._screen.blit(pg.surfarray.make_surface(np.ascontiguousarray(frame.swapaxes(0, 1))), (0, 0))
        if status:
            self._screen.blit(self._font.render(status, True, (230, 230, 230)), (4, h + 4))
        pg.display.flip()
        if self.fps:
            self._clock.tick(self.fps)

    @property
    def is_open(self) -> bool:
        return self._screen is not None

    def close(self) -> None:
        """Close the window (a no-op if it never opened)."""
        if self._pg is not None:
            self._pg.display.quit()
            self._screen = None
            self._pg = None


def encode_png(image: np.ndarray) -> bytes:
    """``uint8 [H, W, 3]`` as PNG bytes (8-bit RGB, no filtering)."""
    img = np.ascontiguousarray(image, dtype=np.uint8)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"expected an [H, W, 3] image, got shape {img.shape}")
    h, w, _ = img.shape
    raw = np.zeros((h, 1 + w * 3), np.uint8)  # filter byte 0 on every row
    raw[:, 1:] = img.reshape(h, w * 3)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def write_png(path: str | Path, image: np.ndarray) -> Path:
    """Write ``image`` to ``path`` as a PNG; returns the path."""
    path = Path(path)
    path.write_bytes(encode_png(image))
    return path
