"""Human play with synthetic key events (SDL's dummy video driver), ``gymnasium.utils.play``, recording."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import ppcg  # noqa: F401  (registers the ids)
from ppcg.cli import main
from ppcg.envs.core import VGDLEnv
from ppcg.envs.play import PlaySession, keys_to_action
from ppcg.envs.render import Window

pygame = pytest.importorskip("pygame")

CALM = "wwwwwwwww\nwA......w\nw..+...gw\nwwwwwwwww\n"


def press(key: int) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0))


def release(key: int) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=key, mod=0, unicode="", scancode=0))


def avatar_x(env: VGDLEnv) -> int:
    return int(env.engine.avatar(0)["x"])


@pytest.fixture
def session():
    env = VGDLEnv("zelda", level=CALM, render_mode="rgb_array", tile_size=8)
    s = PlaySession(env, seed=0, window=Window("test", fps=0))
    s.draw()  # opens the (dummy) window, so that the event queue exists
    pygame.event.clear()
    yield s
    s.window.close()


def test_keys_to_action_covers_the_avatar_actions():
    names = ["NIL", "USE", "LEFT", "RIGHT", "DOWN", "UP"]
    m = keys_to_action(names)
    assert m[(pygame.K_SPACE,)] == 1 and m[(pygame.K_LEFT,)] == 2 and m[(pygame.K_UP,)] == 5
    assert sorted(m.values()) == list(range(1, 6))  # NIL (0) is play()'s noop: no key held
    env = gym.make("ppcg/Zelda-lvl0-v0", render_mode="rgb_array")
    assert env.unwrapped.get_keys_to_action() == m


def test_holding_an_arrow_moves_and_releasing_stops(session):
    env = session.env
    x0 = avatar_x(env)
    press(pygame.K_RIGHT)
    for _ in range(4):  # Zelda's avatar first turns to face right, then moves a cell per tick
        session.tick()
    x1 = avatar_x(env)
    assert x1 > x0
    release(pygame.K_RIGHT)
    session.tick()
    x2 = avatar_x(env)
    session.tick()
    session.tick()
    assert avatar_x(env) == x2
    assert env.tick == 7


def test_a_quick_tap_still_acts_once(session):
    env = session.env
    x0 = avatar_x(env)
    for _ in range(3):  # pressed and released between two ticks: each tap acts once (turn, then moves)
        press(pygame.K_RIGHT)
        release(pygame.K_RIGHT)
        session.tick()
        assert session.action() == env.action_names.index("NIL")
    assert avatar_x(env) > x0 and env.tick == 3


def test_r_restarts_the_same_level_and_n_takes_a_new_one():
    env = VGDLEnv("zelda", render_mode="rgb_array", tile_size=4)  # generated levels
    s = PlaySession(env, seed=3, window=Window("test", fps=0))
    s.draw()
    first = env.level.level_id
    for _ in range(3):
        s.tick()
    press(pygame.K_r)
    s.tick()
    assert env.level.level_id == first and env.tick == 1
    press(pygame.K_n)
    s.tick()
    assert env.level.level_id != first and env.tick == 1
    press(pygame.K_ESCAPE)
    s.tick()
    assert not s.running
    s.window.close()


def test_escape_ends_the_run_and_the_status_line(session):
    press(pygame.K_ESCAPE)
    assert session.run(max_ticks=100) == 1
    assert session.status().startswith("score 0  tick 0")


def test_gymnasium_play_runs_with_our_key_bindings():
    from gymnasium.utils.play import play

    env = gym.make("ppcg/VGDL-v0", game="zelda", level=CALM, render_mode="rgb_array")
    pygame.display.init()
    press(pygame.K_ESCAPE)  # play() quits on Esc at its first event check
    play(env, fps=1000, seed=0)


def test_record_writes_one_video_per_episode(tmp_path):
    pytest.importorskip("moviepy")
    from ppcg.envs.record import record

    videos = record("zelda", tmp_path / "videos", episodes=2, seed=0, max_steps=12, level=CALM, tile_size=4)
    assert len(videos) == 2 and all(v.stat().st_size > 0 for v in videos)


def test_record_command_rejects_a_missing_policy(tmp_path):
    assert main(["record", "zelda", "--out", str(tmp_path), "--policy", str(tmp_path / "nope.zip")]) == 2
    assert main(["record", "zelda", "--out", str(tmp_path), "--episodes", "0"]) == 2
    assert not np.any([p.suffix == ".mp4" for p in tmp_path.iterdir()])


def test_play_command_quits_on_escape(capsys):
    pygame.display.init()
    press(pygame.K_ESCAPE)
    assert main(["play", "zelda", "--level", "lvl0", "--fps", "0", "--tile-size", "4"]) == 0
    assert "0 episode(s)" in capsys.readouterr().out
    assert main(["play", "zelda", "--difficulty", "1.5"]) == 2
