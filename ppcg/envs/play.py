"""``ppcg play``: play a game with the keyboard in a pygame window.

Keys: the arrows move, space is USE, ``r`` restarts the level, ``n`` starts a new level (a newly generated one
when the game has a generator), ``Esc`` (or closing the window) quits. The game advances at ``--fps`` ticks
per second whether or not a key is held, as in GVGAI; with no key held the avatar does ``NIL``. The status
line shows the score, the tick and the difficulty.

``gymnasium.utils.play.play`` works too, through ``VGDLEnv.get_keys_to_action()``::

    from gymnasium.utils.play import play
    play(gym.make("ppcg/Zelda-v0", render_mode="rgb_array"), fps=10)
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["keys_to_action", "PlaySession", "add_arguments", "run"]

# action name -> pygame key constant. One entry a line.
KEY_NAMES: dict[str, str] = {
    "LEFT": "K_LEFT",
    "RIGHT": "K_RIGHT",
    "UP": "K_UP",
    "DOWN": "K_DOWN",
    "USE": "K_SPACE",
}


def _key_codes() -> dict[str, int]:
    import pygame

    return {action: int(getattr(pygame, name)) for action, name in KEY_NAMES.items()}


def keys_to_action(action_names: list[str]) -> dict[tuple[int, ...], int]:
    """``{(key,): action}`` for :func:`gymnasium.utils.play.play` (no key is its ``noop``, 0 = ``NIL``)."""
    codes = _key_codes()
    mapping: dict[tuple[int, ...], int] = {}
    for a, name in enumerate(action_names):
        if name in codes:
            mapping[(codes[name],)] = a
    return mapping


class PlaySession:
    """The play loop, separated from the window so that tests can feed it events.

    Args:
        env: a :class:`ppcg.envs.core.VGDLEnv` (unwrapped) with ``render_mode="rgb_array"``.
        seed: the first reset's seed.
        window: a :class:`ppcg.envs.render.Window` (default: a new one at ``fps``).
        fps: ticks per second.
    """

    def __init__(self, env: Any, seed: int | None = None, window: Any = None, fps: int = 10) -> None:
        from ppcg.envs.render import Window

        self.env = env
        self.window = window if window is not None else Window(f"ppcg play: {env.game_name}", fps=fps)
        self._codes = {
            code: env.action_names.index(a) for a, code in _key_codes().items() if a in env.action_names
        }
        self._nil = env.action_names.index("NIL") if "NIL" in env.action_names else 0
        self.held: list[int] = []  # action keys held down, most recent last
        self.tapped: list[int] = []  # action keys pressed since the last tick (a quick tap still acts once)
        self.running = True
        self.done = False
        self.outcome = ""
        self.total_reward = 0.0
        self.episodes = 0
        self.env.reset(seed=seed)

    def action(self) -> int:
        """This tick's action: the last pressed action key still held, else one tapped since the last tick."""
        keys = self.held or self.tapped
        return self._codes[keys[-1]] if keys else self._nil

    def handle(self, event: Any) -> None:
        """React to one pygame event."""
        import pygame

        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.KEYDOWN:
            if event.key == pygame.K_ESCAPE:
                self.running = False
            elif event.key == pygame.K_r:
                self.restart(new_level=False)
            elif event.key == pygame.K_n:
                self.restart(new_level=True)
            elif event.key in self._codes:
                if event.key in self.held:
                    self.held.remove(event.key)
                self.held.append(event.key)
                self.tapped.append(event.key)
        elif event.type == pygame.KEYUP and event.key in self.held:
            self.held.remove(event.key)

    def restart(self, new_level: bool) -> None:
        """``r``: the same level again; ``n``: the level source's next level."""
        if new_level or self.env.level is None:
            self.env.reset()
        else:
            self.env.reset(options={"level": self.env.level})
        self.done, self.outcome, self.total_reward = False, "", 0.0
        self.held.clear()
        self.tapped.clear()

    def tick(self) -> None:
        """Handle queued events, step the game once (unless the episode is over) and draw."""
        import pygame

        for event in pygame.event.get():
            self.handle(event)
        if not self.running:
            return
        if not self.done:
            _, reward, terminated, truncated, info = self.env.step(self.action())
            self.total_reward += reward
            self.tapped.clear()
            if terminated or truncated:
                self.done = True
                self.episodes += 1
                self.outcome = (
                    "WON" if info.get("winner") == 1 else "LOST" if info.get("winner") == -1 else "TIME UP"
                )
        self.draw()

    def status(self) -> str:
        line = self.env.status_line()
        if self.done:
            line += f"  {self.outcome}: r restart, n new level, Esc quit"
        return line

    def draw(self) -> None:
        self.window.show(self.env.render(), self.status(), pump=False)

    def run(self, max_ticks: int | None = None) -> int:
        """Play until ``Esc`` or the window closes (or ``max_ticks``); returns the number of ticks."""
        ticks = 0
        self.draw()
        while self.running and (max_ticks is None or ticks < max_ticks):
            self.tick()
            ticks += 1
        self.window.close()
        return ticks


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "game", help="a bundled game's name (zelda, solarfox, frogs, boulderdash) or a game file"
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--level", help="a level file (or lvl0..lvl4 for a bundled human level)")
    group.add_argument(
        "--difficulty", type=float, default=0.5, help="generated levels' difficulty (default 0.5)"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the first level and game")
    parser.add_argument("--fps", type=int, default=10, help="game ticks per second (default 10)")
    parser.add_argument("--tile-size", type=int, default=32, help="pixels per cell (default 32)")


def run(args: argparse.Namespace) -> int:
    import os
    import sys

    from ppcg.cli import CLIError
    from ppcg.envs.render_cli import cli_env

    env = cli_env(args)
    no_display = not any(os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"))
    if sys.platform.startswith("linux") and no_display:
        env.close()
        raise CLIError(
            "no display to open a window on (DISPLAY is not set); use 'ppcg render' or 'ppcg record' for "
            "images and videos"
        )
    session = PlaySession(env, seed=args.seed, fps=args.fps)
    print("arrows move, space is USE, r restarts, n new level, Esc quits")
    session.run()
    print(f"{session.episodes} episode(s); last: {session.status()}")
    env.close()
    return 0
