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
``Missile``                  a small square
``Flicker``                  a plus
``SpawnPoint``, ``Portal``   a ring
``Door``                     a hollow square
===========================  ============================================

Only :class:`Window` imports pygame, and only when it is first shown.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Renderer", "Window", "SHAPES", "shape_for_class", "encode_png", "write_png"]

BACKGROUND = (0, 0, 0)

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
    "Missile": "small_square",
    "RandomMissile": "small_square",
    "ErraticMissile": "small_square",
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
        self.colors = np.clip(colors, 0, 255).astype(np.uint8)
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
        if (lw, lh) != (w, h):  # padding: walls, as in the observation
            wall = self.colors[self.type_index.get("wall", 0)]
            img[lh * ts :, :] = wall
            img[:, lw * ts :] = wall
        sprites, facing = self._sprites(engine, i)
        for _, t, x, y in sprites:
            px, py = x * ts // b, y * ts // b
            x0, y0 = max(px, 0), max(py, 0)
            x1, y1 = min(px + ts, w * ts), min(py + ts, h * ts)
            if x0 >= x1 or y0 >= y1:
                continue
            mask = self._mask(self.shapes[t], facing)[y0 - py : y1 - py, x0 - px : x1 - px]
            img[y0:y1, x0:x1][mask] = self.colors[t]
        return img

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
