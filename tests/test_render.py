"""Rendering: shapes per sprite class, frames in the game's colours, text, PNGs, windows, ``ppcg render``."""

from __future__ import annotations

import sys
import zlib

import gymnasium as gym
import numpy as np
import pytest

import ppcg  # noqa: F401  (registers the ids)
from ppcg.cli import main
from ppcg.envs.core import VGDLEnv
from ppcg.envs.render import SHAPES, Renderer, encode_png, shape_for_class, shape_mask

CALM = "wwwwwww\nwA...gw\nw..+..w\nwwwwwww\n"


def decode_png(data: bytes) -> np.ndarray:
    """The inverse of encode_png (8-bit RGB, filter 0 rows only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        n = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        crc = int.from_bytes(data[pos + 8 + n : pos + 12 + n], "big")
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            w, h = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            assert body[8:10] == b"\x08\x02"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + 3 * w)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(h, w, 3)


def test_png_round_trip():
    img = np.random.default_rng(0).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(encode_png(img)), img)
    with pytest.raises(ValueError):
        encode_png(np.zeros((4, 4), np.uint8))


def test_pygame_reads_our_png(tmp_path):
    pygame = pytest.importorskip("pygame")
    img = np.random.default_rng(1).integers(0, 256, (6, 9, 3), dtype=np.uint8)
    (tmp_path / "x.png").write_bytes(encode_png(img))
    surf = pygame.image.load(str(tmp_path / "x.png"))
    np.testing.assert_array_equal(pygame.surfarray.array3d(surf).swapaxes(0, 1), img)


def test_shapes_are_told_apart():
    masks = {s: shape_mask(s, 16) for s in set(SHAPES.values()) | {"triangle", "square"}}
    as_bytes = {m.tobytes() for m in masks.values()}
    assert len(as_bytes) == len(masks)
    assert masks["square"].all() and not masks["circle"].all()
    assert shape_for_class("ShootAvatar") == "triangle" and shape_for_class("RandomNPC") == "circle"
    assert shape_for_class("Resource") == "diamond" and shape_for_class("Missile") == "block"
    assert shape_for_class("SomethingNew") == "square"


def test_triangle_points_where_the_avatar_faces():
    def centroid(facing):
        ys, xs = np.nonzero(shape_mask("triangle", 21, facing))
        # the tip side is thin: the centroid lies towards the base, opposite the facing direction
        return xs.mean() - 10, ys.mean() - 10

    cx, cy = centroid((1, 0))
    assert cx < -0.5 and abs(cy) < 0.5
    cx, cy = centroid((0, -1))
    assert cy > 0.5 and abs(cx) < 0.5
    assert (
        shape_mask("triangle", 21, (-1, 0)).tobytes() == shape_mask("triangle", 21, (1, 0))[:, ::-1].tobytes()
    )


def test_frame_draws_each_sprite_in_its_colour_and_shape():
    env = VGDLEnv("zelda", level=CALM, render_mode="rgb_array", tile_size=8)
    env.reset(seed=0)
    frame = env.render()
    r = env._get_renderer()

    def colour(name):
        return r.colors[r.type_index[name]]

    def tile(col, row):
        return frame[row * 8 : row * 8 + 8, col * 8 : col * 8 + 8]

    ox, oy = 3, 2  # the 7 x 4 level in the middle of the 13 x 9 frame
    np.testing.assert_array_equal(tile(ox, oy), np.broadcast_to(colour("wall"), (8, 8, 3)))  # a full square
    np.testing.assert_array_equal(tile(12, 8), np.broadcast_to(colour("wall"), (8, 8, 3)))  # padding is wall
    mapping = dict(env.unwrapped.game.spec.mapping)
    ground, avatar = mapping["A"][0], mapping["A"][-1]
    key = mapping["+"][-1]
    np.testing.assert_array_equal(tile(ox + 2, oy + 2)[4, 4], colour(ground))  # an empty floor tile
    # the avatar: a triangle over the floor (centre in its colour, corners the floor's)
    np.testing.assert_array_equal(tile(ox + 1, oy + 1)[4, 4], colour(avatar))
    np.testing.assert_array_equal(tile(ox + 1, oy + 1)[0, 0], colour(ground))
    # the key (Immovable, not a background): an inset square
    np.testing.assert_array_equal(tile(ox + 3, oy + 2)[4, 4], colour(key))
    np.testing.assert_array_equal(tile(ox + 3, oy + 2)[0, 0], colour(ground))


def test_ansi_reads_the_level_back():
    env = VGDLEnv("zelda", level=CALM, render_mode="ansi")
    env.reset(seed=0)
    assert env.render() == CALM.rstrip("\n")
    env.step(env.action_names.index("RIGHT"))
    env.step(env.action_names.index("RIGHT"))
    assert env.render() != CALM.rstrip("\n")


def test_renderer_chars_are_unique_per_type():
    env = VGDLEnv("zelda", level=CALM)
    r = Renderer(env.game, 4, (13, 9))
    assert len(set(r.chars.values())) == len(r.chars) == len(r.type_names)


def test_no_window_unless_asked(monkeypatch):
    # with pygame made unimportable, everything but "human" must still work
    monkeypatch.setitem(sys.modules, "pygame", None)
    for mode in (None, "rgb_array", "ansi"):
        env = gym.make("ppcg/VGDL-v0", game="zelda", level=CALM, render_mode=mode)
        env.reset(seed=0)
        env.step(0)
        if mode is not None:
            env.render()
        env.close()
    env = gym.make("ppcg/VGDL-v0", game="zelda", level=CALM, render_mode="human")
    with pytest.raises(ImportError):
        env.reset(seed=0)


def test_human_window_opens_lazily_and_closes():
    env = gym.make("ppcg/VGDL-v0", game="zelda", level=CALM, render_mode="human")
    assert env.unwrapped._window is None
    env.reset(seed=0)
    import pygame

    assert pygame.display.get_surface() is not None
    w, h = pygame.display.get_surface().get_size()
    assert (w, h - 22) == (13 * 20, 9 * 20)
    env.close()
    assert not pygame.display.get_init()


def test_render_command_writes_a_png(tmp_path, capsys):
    out = tmp_path / "level.png"
    level = tmp_path / "calm.txt"
    level.write_text(CALM)
    assert main(["render", "zelda", str(level), "--out", str(out), "--tile-size", "5"]) == 0
    img = decode_png(out.read_bytes())
    assert img.shape == (9 * 5, 13 * 5, 3)
    assert main(["render", "zelda", str(level), "--ansi"]) == 0
    assert CALM.rstrip("\n") in capsys.readouterr().out
    assert main(["render", "zelda", "no_such_file.txt", "--out", str(out)]) == 2


@pytest.mark.parametrize("text, message", [("wwwww\nw..gw\nwwwww\n", "no avatar"), ("\n\n", "")])
def test_render_and_play_refuse_a_level_they_cannot_show(tmp_path, capsys, text, message):
    level = tmp_path / "bad.txt"
    level.write_text(text)
    render = ["render", "zelda", str(level), "--out", str(tmp_path / "x.png")]
    for argv in (render, ["play", "zelda", "--level", str(level)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"ppcg {argv[0]}: error:") and message in err and "Traceback" not in err


def test_render_into_a_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["render", "zelda", "lvl0", "--out", str(tmp_path / "nope" / "x.png")]) == 2
    assert "cannot write it" in capsys.readouterr().err


def test_play_without_a_display_says_so(monkeypatch, capsys):
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main(["play", "zelda", "--level", "lvl0"]) == 2
    assert "no display" in capsys.readouterr().err


# ---- readable at a glance (issue 15, item 16)
def _distance(a, b):
    return float(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float)))


@pytest.mark.parametrize("name", ["zelda", "solarfox", "frogs", "boulderdash"])
def test_every_sprite_stands_out_from_the_floor(name):
    """Each type that can be drawn differs from the floor it stands on by at least 80 in RGB (Boulderdash's
    walls were 52 from its cave, Zelda's sword 21 from its ground)."""
    env = VGDLEnv(name, level="lvl0", render_mode="rgb_array")
    r = env._get_renderer()
    floor = r.colors[r._floor]
    smap = env.unwrapped.game.spec.sprite_map
    for t, n in enumerate(r.type_names):
        if t != r._floor and r.shapes[t] != "square" or n == "wall":
            if n not in smap or not smap[n].children:
                assert _distance(r.colors[t], floor) >= 80, (name, n, r.colors[t], floor)


def test_boulderdash_rocks_and_walls_read_at_a_glance():
    """In a frame of Boulderdash lvl0: the walls stand out from the cave, and a rock covers most of its cell
    (a small gray square on the black cave read as a hole)."""
    env = VGDLEnv("boulderdash", level="lvl0", render_mode="rgb_array", tile_size=10)
    env.reset(seed=0)
    frame = env.render().astype(float)
    eng = env.unwrapped._engine
    r = env._get_renderer()
    cells = {name: (x // 10, y // 10) for _, name, x, y in eng.sprites(0)}
    cave = r.colors[r.type_index["cave"]].astype(float)
    rocks = [(x // 10, y // 10) for _, name, x, y in eng.sprites(0) if name == "rock"]
    stack = {(x // 10, y // 10): name for _, name, x, y in eng.sprites(0) if name != "cave"}
    free_rocks = [c for c in rocks if stack.get(c) == "rock"]
    cx, cy = free_rocks[0]
    tile = frame[cy * 10: cy * 10 + 10, cx * 10: cx * 10 + 10]
    covered = np.linalg.norm(tile - cave, axis=2) > 40
    assert covered.mean() >= 0.6
    wx, wy = cells["wall"]
    assert _distance(frame[wy * 10 + 5, wx * 10 + 5], cave) >= 80


def test_a_small_level_is_drawn_in_the_middle_of_the_frame():
    env = VGDLEnv("zelda", level=CALM, render_mode="rgb_array", tile_size=4)
    env.reset(seed=0)
    frame = env.render()
    r = env._get_renderer()
    wall = r.colors[r.type_index["wall"]]
    ground = r.colors[r.type_index[dict(env.unwrapped.game.spec.mapping)["."][0]]]
    floor = np.all(frame == ground, axis=2)  # the level's floor: inside its walls
    ys, xs = np.nonzero(floor)
    h, w = frame.shape[:2]
    assert abs((xs.min() + xs.max() + 1) / 2 - w / 2) <= 4 and abs((ys.min() + ys.max() + 1) / 2 - h / 2) <= 4
    assert np.all(frame[0] == wall) and np.all(frame[-1] == wall)


def test_render_legend_names_each_sprite_of_the_level(tmp_path):
    out, plain = tmp_path / "key.png", tmp_path / "plain.png"
    assert main(["render", "boulderdash", "lvl0", "--out", str(plain), "--tile-size", "12"]) == 0
    assert main(["render", "boulderdash", "lvl0", "--out", str(out), "--tile-size", "12", "--legend"]) == 0
    a, b = decode_png(plain.read_bytes()), decode_png(out.read_bytes())
    assert b.shape[1] == a.shape[1] and b.shape[0] > a.shape[0]
    np.testing.assert_array_equal(b[: a.shape[0]], a)
    key = b[a.shape[0]:]
    env = VGDLEnv("boulderdash", level="lvl0", render_mode="rgb_array")
    r = env._get_renderer()
    for name in ("rock", "gem", "wall", "avatar"):  # each in the level: its swatch is in the key
        assert np.all(key == r.colors[r.type_index[name]], axis=2).any(), name
