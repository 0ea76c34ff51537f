"""Level generators with one difficulty knob, one per game, selected by name.

>>> import numpy as np
>>> gen = get_generator("zelda")
>>> level = gen.generate(0.5, np.random.default_rng(7))
>>> (level.width, level.height) == (gen.width, gen.height)
True

Every generator follows the :class:`Generator` protocol: ``generate(difficulty, rng) -> Level`` returns a
level padded with walls to the game's fixed size and checked playable on the grid
(``ppcg.generators.playability``); ``stats(level)`` measures what the difficulty controls.
"""

from __future__ import annotations

from ppcg.generators.base import GenerationError, Generator, GridGenerator, check_difficulty, level_for_seed
from ppcg.generators.boulderdash import BoulderdashGenerator
from ppcg.generators.frogs import FrogsGenerator
from ppcg.generators.solarfox import SolarfoxGenerator
from ppcg.generators.zelda import ZeldaGenerator

__all__ = [
    "GENERATORS",
    "BoulderdashGenerator",
    "FrogsGenerator",
    "GenerationError",
    "Generator",
    "GridGenerator",
    "SolarfoxGenerator",
    "ZeldaGenerator",
    "check_difficulty",
    "get_generator",
    "level_for_seed",
]

# name -> generator class. One entry a line.
GENERATORS: dict[str, type[GridGenerator]] = {
    "zelda": ZeldaGenerator,
    "solarfox": SolarfoxGenerator,
    "frogs": FrogsGenerator,
    "boulderdash": BoulderdashGenerator,
}


def get_generator(name: str) -> Generator:
    """A new generator registered under ``name``.

    Raises:
        KeyError: no generator of that name (the message lists the registered ones).
    """
    try:
        cls = GENERATORS[name]
    except KeyError:
        raise KeyError(f"no generator {name!r}; registered: {', '.join(GENERATORS)}") from None
    return cls()
