"""Level generators with one difficulty knob, one per game, selected by name.

>>> import numpy as np
>>> gen = get_generator("zelda")
>>> level = gen.generate(0.5, np.random.default_rng(7))
>>> (level.width, level.height) == (gen.width, gen.height)
True

Every generator follows the :class:`Generator` protocol: ``generate(difficulty, rng) -> Level`` returns a
level padded with walls to the game's fixed size and checked playable on the grid
(``ppcg.generators.playability``); ``stats(level)`` measures what the difficulty controls;
``mutate(level, rng, n_edits)`` edits a level and keeps it playable (:mod:`ppcg.generators.mutation`).

Any other VGDL game gets a :class:`LearnedGenerator`, learned from the game's own example levels and checked
in the engine: ``get_generator("path/to/aliens.txt")`` (example levels ``aliens_lvl<N>.txt`` beside it), or
``get_generator("learned:zelda")`` for the learned generator of a game that has its own.
"""

from __future__ import annotations

from ppcg.generators.base import GenerationError, Generator, GridGenerator, check_difficulty, level_for_seed
from ppcg.generators.boulderdash import BoulderdashGenerator
from ppcg.generators.frogs import FrogsGenerator
from ppcg.generators.learned import LearnedGenerator
from ppcg.generators.mutation import mutate
from ppcg.generators.solarfox import SolarfoxGenerator
from ppcg.generators.zelda import ZeldaGenerator

__all__ = [
    "GENERATORS",
    "BoulderdashGenerator",
    "FrogsGenerator",
    "GenerationError",
    "Generator",
    "GridGenerator",
    "LEARNED_PREFIX",
    "LearnedGenerator",
    "SolarfoxGenerator",
    "ZeldaGenerator",
    "check_difficulty",
    "get_generator",
    "level_for_seed",
    "mutate",
]

# name -> generator class. One entry a line.
GENERATORS: dict[str, type[GridGenerator]] = {
    "zelda": ZeldaGenerator,
    "solarfox": SolarfoxGenerator,
    "frogs": FrogsGenerator,
    "boulderdash": BoulderdashGenerator,
}


LEARNED_PREFIX = "learned:"
"""``get_generator("learned:<game>")``: the learned generator even for a game that has its own."""

_learned: dict[str, LearnedGenerator] = {}


def get_generator(name: str) -> Generator:
    """The generator for ``name``: a new registered one; else the :class:`LearnedGenerator` of the game file
    ``name`` (a bundled game's name or a path; one per game and process, as it learns and compiles once).

    Raises:
        KeyError: no registered generator, and no game file of that name with example levels (the message
            lists the registered ones).
    """
    if name in GENERATORS:
        return GENERATORS[name]()
    game = name[len(LEARNED_PREFIX) :] if str(name).startswith(LEARNED_PREFIX) else str(name)
    if game not in _learned:
        try:
            _learned[game] = LearnedGenerator(game)
        except FileNotFoundError as exc:
            raise KeyError(
                f"no generator {name!r}; registered: {', '.join(GENERATORS)}; any other game needs a game "
                f"file and example levels ({exc})"
            ) from None
    return _learned[game]
