"""The engine's fuzzers: mutated game files and mutated levels, each ending in one of three clean outcomes.

A mutant game either fails to parse (a :class:`VGDLError`), or fails to compile or to load its level with an
error that names its file and line, or runs: then, for ``ticks`` ticks of random actions (a new episode whenever
one ends), every environment's state stays sound (:func:`ppcg.engine.invariants.problems`: type counts equal live
slots, positions inside the engine's range, no slot of a negative type). A run may also end in
:class:`EngineCapacityError` (a game that fills the memory limit: the clear error the engine gives instead of
dropping sprites). Anything else is a bug.

``tests/fuzz/test_engine_fuzz.py`` runs a few dozen mutants in CI; ``scripts/fuzz.py`` runs thousands.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ppcg.engine import BatchEngine, EngineCapacityError, compile_game
from ppcg.engine.invariants import problems
from ppcg.vgdl import VGDLError, VGDLWarning, parse_game
from ppcg.vgdl.level import Level

OUTCOMES = ("parse", "compile", "level", "ran", "capacity")

# numbers that stress the engine's tables: zero, negatives, int32's edges and beyond, inf, fractions
EXTREMES = ("0", "-1", "1", "2", "3", "7", "100", "1000", "-1000000", "2147483647", "2147483648", "1e400",
            "99999999999", "0.5", "0.01", "-0.5", "1e-9", "40")
CLASSES = ("Immovable", "Passive", "Missile", "RandomNPC", "Chaser", "Fleeing", "SpawnPoint", "Bomber",
           "Flicker", "OrientedFlicker", "Resource", "Portal", "Door", "Spreader", "RandomMissile",
           "PathChaser", "AlternateChaser", "MovingAvatar", "ShootAvatar", "FlakAvatar", "OngoingAvatar",
           "OrientedAvatar", "RandomBomber", "BomberRandomMissile")
EFFECTS = ("killSprite", "stepBack", "transformTo", "spawn", "reverseDirection", "turnAround", "wrapAround",
           "changeResource", "collectResource", "killAll", "transformToAll", "spawnBehind", "cloneSprite",
           "pullWithIt", "bounceForward", "teleportToExit", "undoAll", "killBoth", "flipDirection")
PARAMS = ("stype", "speed", "cooldown", "limit", "prob", "total", "orientation", "singleton", "repeat",
          "scoreChange", "value", "resource", "timeToLive", "healthPoints", "cons")
_NUMBER = re.compile(r"(?<=[=\s])-?\d+(?:\.\d+)?(?:e-?\d+)?(?=\s|$)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Seed:
    """A game to mutate, with its levels (texts)."""

    name: str
    text: str
    levels: list[str]


@dataclass
class Mutant:
    """One mutant of a campaign: its number, the seed game it came from, what was mutated, its texts."""

    number: int
    seed: str
    kind: str  # "game" or "level"
    game: str
    level: str


@dataclass
class Tally:
    """How many mutants ended in each outcome, the failures (with the mutant that caused each), and the
    slowest mutants (seconds, outcome, mutant), slowest first."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (what went wrong, game, level)
    slowest: list[tuple[float, str, Mutant]] = field(default_factory=list)
    keep: int = 10  # slowest mutants kept

    def add(self, outcome: str | None, failure: str | None, mutant: Mutant, seconds: float) -> None:
        if outcome is not None:
            self.counts[outcome] += 1
        if failure is not None:
            self.failures.append((failure, mutant.game, mutant.level))
        self.slowest.append((seconds, str(outcome), mutant))
        self.slowest.sort(key=lambda x: -x[0])
        del self.slowest[self.keep:]


def seeds(corpus: Path | None = None, limit: int | None = None) -> list[Seed]:
    """The bundled games with their human levels, then (where ``corpus`` exists) GVGAI's games with theirs."""
    from ppcg.resources import bundled_games, game_path, human_level_paths

    out = [Seed(n, game_path(n).read_text(), [p.read_text() for p in human_level_paths(n)[:2]])
           for n in bundled_games()]
    if corpus is not None and corpus.is_dir():
        for g in sorted(corpus.glob("*.txt")):
            if "_lvl" in g.name:
                continue
            levels = [p.read_text() for p in sorted(corpus.glob(f"{g.stem}_lvl*.txt"))[:2]]
            if levels:
                out.append(Seed(g.stem, g.read_text(), levels))
    return out[:limit] if limit else out


def mutate_game(text: str, rng: np.random.Generator) -> str:
    """One to four mutations: numbers, names, classes, effects, parameters, lines, indentation."""
    lines = text.split("\n")
    words = sorted({w for w in _WORD.findall(text) if len(w) > 1})
    for _ in range(int(rng.integers(1, 5))):
        i = int(rng.integers(0, len(lines)))
        line = lines[i]
        kind = int(rng.integers(0, 9))
        if kind == 0:  # a number becomes an extreme one
            nums = list(_NUMBER.finditer(line))
            if nums:
                m = nums[int(rng.integers(0, len(nums)))]
                line = line[: m.start()] + str(rng.choice(EXTREMES)) + line[m.end():]
        elif kind == 1 and words:  # a name becomes another name of the file
            ws = list(_WORD.finditer(line))
            if ws:
                m = ws[int(rng.integers(0, len(ws)))]
                line = line[: m.start()] + str(rng.choice(words)) + line[m.end():]
        elif kind == 2:  # a class becomes another class
            for c in CLASSES:
                if f"> {c}" in line:
                    line = line.replace(f"> {c}", f"> {rng.choice(CLASSES)}", 1)
                    break
        elif kind == 3:  # an effect becomes another effect
            for e in EFFECTS:
                if f"> {e}" in line:
                    line = line.replace(f"> {e}", f"> {rng.choice(EFFECTS)}", 1)
                    break
        elif kind == 4 and ">" in line:  # a parameter is added
            p = str(rng.choice(PARAMS))
            v = str(rng.choice(words)) if p in ("stype", "resource") and words else str(rng.choice(EXTREMES))
            if p == "orientation":
                v = str(rng.choice(["UP", "DOWN", "LEFT", "RIGHT"]))
            elif p == "singleton":
                v = "True"
            line = f"{line} {p}={v}"
        elif kind == 5:  # deeper: the line becomes a child of the one above (a new parent group)
            line = "  " + line
        elif kind == 6:
            lines.insert(i, line)
        elif kind == 7 and len(lines) > 1:
            del lines[i]
            continue
        elif kind == 8:
            j = int(rng.integers(0, len(lines)))
            lines[i], lines[j] = lines[j], lines[i]
            continue
        lines[i] = line
    return "\n".join(lines)


def mutate_level(text: str, rng: np.random.Generator, chars: str) -> str:
    """Cells changed to characters of the mapping (stacks, avatars, nothing), rows duplicated or cut."""
    rows = text.rstrip("\n").split("\n")
    for _ in range(int(rng.integers(1, 6))):
        r = int(rng.integers(0, len(rows)))
        kind = int(rng.integers(0, 4))
        if kind <= 1 and rows[r]:
            c = int(rng.integers(0, len(rows[r])))
            rows[r] = rows[r][:c] + str(rng.choice(list(chars or "wA."))) + rows[r][c + 1:]
        elif kind == 2 and len(rows) < 40:
            rows.insert(r, rows[r])
        elif kind == 3 and len(rows) > 1:
            del rows[r]
    return "\n".join(rows) + "\n"


# bytes of engine state per mutant: ~16,000 sprites, far more than any seed level needs (the first allocation,
# sized from the level, is never refused); a game that breeds without end reaches it in a few hundred ticks and
# ends in EngineCapacityError, instead of growing to the engine's 4 GiB default
MEMORY_LIMIT = 4 << 20


def run_mutant(text: str, level_text: str, ticks: int, seed: int, *,
               memory_limit: int = MEMORY_LIMIT) -> tuple[str | None, str | None]:
    """(outcome, failure): how one mutant ended, and what went wrong if it did not end cleanly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            spec = parse_game(text, path="mutant.txt")
        except VGDLError:
            return "parse", None
        try:
            game = compile_game(spec)
        except VGDLError as err:
            if err.file != "mutant.txt" or err.line is None:
                return "compile", f"compile error without file:line: {err!r}"
            return "compile", None
        try:
            level = Level.for_game(level_text, spec, file="mutant_lvl.txt")
            eng = BatchEngine(game, 1, obs_type="symbolic", max_steps=0, memory_limit=memory_limit)
            eng.reset([level], [seed])
        except VGDLError as err:
            if err.line is None and "larger than" not in err.message:
                return "level", f"level error without a line: {err!r}"
            return "level", None
        except EngineCapacityError:
            return "capacity", None
        except Exception as exc:  # noqa: BLE001 - a fuzzer reports every other exception
            return None, f"reset raised {exc!r}"
        rng = np.random.default_rng(seed)
        try:
            for t in range(ticks):
                res = eng.step(rng.integers(0, game.n_actions, 1))
                bad = problems(eng, 0)
                if bad:
                    return None, f"tick {t + 1}: " + "; ".join(bad)
                if res.terminated[0] or res.truncated[0]:
                    eng.reset([level], [seed + t + 1])
        except EngineCapacityError:
            return "capacity", None
        except Exception as exc:  # noqa: BLE001
            return None, f"tick {eng.info()['tick'][0]} raised {exc!r}"
    return "ran", None


def level_chars(text: str) -> str:
    """The characters a game's level mapping names (with the defaults), for level mutants."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VGDLWarning)
            return "".join(ch for ch, _ in parse_game(text).mapping) + "."
    except VGDLError:
        return "wA."


def campaign(game_mutants: int, level_mutants: int, ticks: int, seed: int = 0, corpus: Path | None = None,
             progress=None, memory_limit: int = MEMORY_LIMIT) -> Tally:
    """``game_mutants`` mutated games (each on one of its seed's levels) and ``level_mutants`` mutated levels
    (of unmutated games), all run for ``ticks`` ticks. ``progress(k, tally, mutant, outcome, seconds)`` is
    called after each mutant (k counts from 1)."""
    rng = np.random.default_rng(seed)
    pool = seeds(corpus)
    tally = Tally()
    for k in range(game_mutants + level_mutants):
        s = pool[int(rng.integers(0, len(pool)))]
        level = s.levels[int(rng.integers(0, len(s.levels)))]
        game = s.text
        if k < game_mutants:
            game = mutate_game(game, rng)
        else:
            level = mutate_level(level, rng, level_chars(game))
        mutant = Mutant(k + 1, s.name, "game" if k < game_mutants else "level", game, level)
        t0 = time.perf_counter()
        outcome, failure = run_mutant(game, level, ticks, int(rng.integers(0, 2**31 - 1)),
                                      memory_limit=memory_limit)
        seconds = time.perf_counter() - t0
        tally.add(outcome, failure, mutant, seconds)
        if progress is not None:
            progress(k + 1, tally, mutant, outcome, seconds)
    return tally
