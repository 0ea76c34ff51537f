"""What every curriculum shares: the win rule, level generation with reproducible seeds, locking, statistics.

A curriculum is one object in the main process, consulted by every environment inside every reset (auto-resets
included) through the :class:`~ppcg.envs.source.LevelSource` protocol:

* ``next_level(env_index, rng)`` chooses the next level of environment ``env_index``; every random choice is
  drawn from ``rng``, the environment's own generator, so that a seeded run plays the same levels again.
* ``episode_done(env_index, result)`` hears how an episode ended.

Subclasses implement ``_next_level`` and, when they learn from results, ``_on_outcome`` (or ``_episode_done``
for everything); the public methods take a lock, because the environments of ``SubprocVecEnv`` and
``AsyncVectorEnv`` reach the curriculum through :mod:`ppcg.curricula.channel`, whose server answers from
threads.

Generated levels are named and rebuilt as the environments' own sources do (:mod:`ppcg.envs.sources`:
:func:`~ppcg.envs.sources.generated_level`, :data:`~ppcg.envs.sources.SEED_BOUND`), so a level id names the
same level wherever it was drawn.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ppcg.envs.source import EpisodeResult, LevelRequest
from ppcg.envs.sources import (
    LevelSourceError,
    check_level_range,
    draw_level_seed,
    generated_level,
    round_difficulty,
)
from ppcg.vgdl.level import Level

__all__ = [
    "Curriculum",
    "CurriculumConfigError",
    "DifficultyRange",
    "DEFAULT_WIN_SCORE",
    "LevelGenerator",
    "Outcome",
    "TRUNCATED_AS",
    "WinRule",
    "seed_difficulty",
    "source_config_error",
]

# The score at or above which an episode counts as a win, per game, where the paper's authors did not use the
# game's own win (PPCG.md: Boulderdash counted score >= 20). Games not listed use the game's win.
# One entry a line.
DEFAULT_WIN_SCORE: dict[str, float] = {
    "boulderdash": 20.0,
}

Outcome = str
"""``"win"``, ``"loss"`` or ``"ignore"`` (the episode does not move the curriculum)."""

# What an episode cut at the step limit counts as, when it did not meet the win rule. One entry a line.
TRUNCATED_AS: dict[str, str] = {
    "loss": "counts as a loss (the default: the agent did not win in time)",
    "win": "counts as a win (what the paper's code did)",
    "ignore": "does not count: the curriculum does not move, and the win rate does not see it",
}


class CurriculumConfigError(ValueError):
    """A bad curriculum configuration: which file, which key, what was found and what was expected.

    ``str(err)`` reads ``curriculum.yml:3: alpha: got 2.0, expected a number in (0, 1]``.
    """

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        expected: str | None = None,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.key = key
        self.expected = expected
        self.file = file
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        key = f"{self.key}: " if self.key else ""
        expected = f", expected {self.expected}" if self.expected else ""
        return f"{where}{key}{self.message}{expected}"

    def located(
        self, file: str | None, line: int | None = None, key: str | None = None
    ) -> CurriculumConfigError:
        """A copy of this error that names the configuration file (and line, and the key as written there)."""
        return CurriculumConfigError(
            self.message,
            key=key or self.key,
            expected=self.expected,
            file=file,
            line=line if line is not None else self.line,
        )


@runtime_checkable
class LevelGenerator(Protocol):
    """What a curriculum needs of a generator (:mod:`ppcg.generators`)."""

    def generate(self, difficulty: float, rng: np.random.Generator) -> Level:
        """A playable level at ``difficulty`` in [0, 1], all randomness from ``rng``."""
        ...


def seed_difficulty(seed: int, low: float, high: float) -> float:
    """The difficulty of level seed ``seed`` in a finite level set spread over ``[low, high]``.

    With ``num_levels``, curricula that draw the difficulty at random (``random``, ``plr``) give each seed
    one difficulty, so that the set holds exactly ``num_levels`` levels. It is drawn from its own stream,
    apart from the one the generator uses for the seed's layout.
    """
    u = float(np.random.default_rng([_DIFFICULTY_STREAM, int(seed)]).random())
    return round_difficulty(low + (high - low) * u)


_DIFFICULTY_STREAM = 1


def source_config_error(exc: LevelSourceError) -> CurriculumConfigError:
    """A level source's complaint about its settings, as a curriculum configuration error."""
    return CurriculumConfigError(str(exc), key=exc.key, expected=exc.expected)


def check_number(key: str, value: Any, *, low: float, high: float, low_open: bool = False) -> float:
    """``value`` as a float in ``[low, high]`` (``(low, high]`` if ``low_open``), else an error."""
    interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise CurriculumConfigError(f"got {value!r}", key=key, expected=f"a number in {interval}")
    v = float(value)
    if not np.isfinite(v) or v > high or v < low or (low_open and v == low):
        raise CurriculumConfigError(f"got {value!r}", key=key, expected=f"a number in {interval}")
    return v


def check_int(key: str, value: Any, *, low: int) -> int:
    """``value`` as an int >= ``low``, or a CurriculumConfigError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise CurriculumConfigError(f"got {value!r}", key=key, expected=f"an integer >= {low}")
    return int(value)


def check_choice(key: str, value: Any, choices: Any) -> str:
    """``value`` if it is one of ``choices``, or a CurriculumConfigError listing them."""
    if value not in choices:
        raise CurriculumConfigError(
            f"got {value!r}", key=key, expected="one of " + ", ".join(map(repr, choices))
        )
    return value


@dataclass(frozen=True)
class WinRule:
    """What counts as a win, for the curriculum and its win rate.

    An episode that meets the win rule is a win, truncated or not: the game's win (``EpisodeResult.won``) or,
    when ``win_score`` is set, a final score of at least ``win_score`` (instead of the game's win). Otherwise
    a terminated episode is a loss, and a truncated one (cut at the step limit) counts as ``truncated``:
    ``"loss"`` by default, ``"win"`` (what the paper's code did) or ``"ignore"``.

    Attributes:
        win_score: the score that counts as a win instead of the game's win, or None for the game's win.
        truncated: what an episode cut at the step limit that did not meet the win rule counts as.
    """

    win_score: float | None = None
    truncated: str = "loss"

    def __post_init__(self) -> None:
        check_choice("truncated", self.truncated, TRUNCATED_AS)
        if self.win_score is not None:
            if isinstance(self.win_score, bool) or not isinstance(self.win_score, (int, float)):
                raise CurriculumConfigError(
                    f"got {self.win_score!r}", key="win_score", expected="a number or null"
                )

    @classmethod
    def for_game(cls, game: str | None, *, win_score: Any = "default", truncated: str = "loss") -> WinRule:
        """The rule for ``game``: the paper's (:data:`DEFAULT_WIN_SCORE`) unless ``win_score`` is given."""
        if win_score == "default":
            win_score = DEFAULT_WIN_SCORE.get((game or "").lower())
        return cls(win_score=win_score, truncated=truncated)

    def outcome(self, result: EpisodeResult) -> Outcome:
        """``"win"``, ``"loss"`` or ``"ignore"`` for a finished episode."""
        won = result.score >= self.win_score if self.win_score is not None else bool(result.won)
        if won:
            return "win"
        return self.truncated if result.truncated else "loss"


class DifficultyRange:
    """For curricula that draw each level's difficulty uniformly from ``[low, high]`` (``random``, ``plr``):
    in a finite set (``num_levels``) every seed has one difficulty, :func:`seed_difficulty`."""

    low: float
    high: float
    num_levels: int

    def training_level(self, seed: int) -> LevelRequest | None:
        if not self.num_levels:
            return None
        return self.regenerate(seed_difficulty(seed, self.low, self.high), seed)  # type: ignore[attr-defined]


class Curriculum:
    """Base of every curriculum: a :class:`~ppcg.envs.source.LevelSource` with a win rule and statistics.

    Args:
        game: the game's name (level ids start with it; the win rule's defaults are per game).
        generator: makes levels from a difficulty (``generate(d, rng) -> Level``); None for given levels only.
        win_score: a score that counts as a win instead of the game's win; ``"default"`` takes the paper's
            choice for the game (:data:`DEFAULT_WIN_SCORE`), None the game's own win.
        truncated: what an episode cut at the step limit counts as when it did not meet the win rule (see
            :data:`TRUNCATED_AS`); default ``"loss"``.
        stats_window: how many recent episodes :meth:`stats` averages over (win rate, difficulty).
        num_levels: Procgen's ``num_levels``: generated levels come from this many seeds only, ``start_level``
            onwards (a finite training set; see :meth:`draw_seed`); 0 (default): a new seed every time.
        start_level: the first of those seeds (Procgen's ``start_level``).
    """

    name = "curriculum"

    def __init__(
        self,
        *,
        game: str,
        generator: LevelGenerator | None = None,
        win_score: Any = "default",
        truncated: str = "loss",
        stats_window: int = 100,
        num_levels: int = 0,
        start_level: int = 0,
    ) -> None:
        self.game = str(game)
        self.generator = generator
        try:
            self.num_levels, self.start_level = check_level_range(num_levels, start_level)
        except LevelSourceError as exc:
            raise source_config_error(exc) from None
        if self.num_levels and generator is None:
            raise CurriculumConfigError(
                f"curriculum {self.name!r} plays given levels",
                key="num_levels",
                expected="no num_levels (it chooses among generated levels)",
            )
        self.win_rule = WinRule.for_game(game, win_score=win_score, truncated=truncated)
        self.stats_window = check_int("stats_window", stats_window, low=1)
        self.episodes = 0
        self._recent_wins: deque[bool] = deque(maxlen=self.stats_window)
        self._recent_difficulty: deque[float] = deque(maxlen=self.stats_window)
        self._lock = threading.RLock()
        self.config: dict[str, Any] = {"name": self.name, "game": self.game}  # set by make_curriculum

    # --------------------------------------------------------------------------------------------------------
    # the LevelSource protocol
    def next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        """The level for ``env_index``'s next episode; all randomness from ``rng`` (the env's generator)."""
        with self._lock:
            return self._next_level(int(env_index), rng)

    def episode_done(self, env_index: int, result: EpisodeResult) -> None:
        """Called once when an episode of ``env_index`` ends (terminated or truncated), before its reset."""
        with self._lock:
            self._episode_done(int(env_index), result)

    # --------------------------------------------------------------------------------------------------------
    # for subclasses
    def _next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        raise NotImplementedError

    def _episode_done(self, env_index: int, result: EpisodeResult) -> None:
        self.episodes += 1
        outcome = self.win_rule.outcome(result)
        if outcome != "ignore":
            self._recent_wins.append(outcome == "win")
        if result.difficulty is not None:
            self._recent_difficulty.append(float(result.difficulty))
        self._on_outcome(env_index, result, outcome)

    def _on_outcome(self, env_index: int, result: EpisodeResult, outcome: Outcome) -> None:
        """React to a finished episode (``outcome`` is the win rule's verdict); nothing by default."""

    def draw_seed(self, rng: np.random.Generator) -> int:
        """A level seed from ``rng``: one of ``num_levels`` seeds from ``start_level`` when set, else any seed
        below :data:`~ppcg.envs.sources.SEED_BOUND` (the environments' own rule)."""
        return draw_level_seed(rng, self.num_levels, self.start_level)

    def generate(self, difficulty: float, rng: np.random.Generator) -> LevelRequest:
        """A level at ``difficulty`` (rounded to a level id's precision), its seed from :meth:`draw_seed`."""
        return self.regenerate(difficulty, self.draw_seed(rng))

    def training_level(self, seed: int) -> LevelRequest | None:
        """With ``num_levels``, the training set's level of ``seed``; None when this curriculum's levels are
        not one fixed set (PPCG moves d; ``fixed`` plays given levels). ``ppcg evaluate --levels train`` uses
        it."""
        return None

    def regenerate(self, difficulty: float, seed: int) -> LevelRequest:
        """The generated level ``(difficulty, seed)``: the same level every time."""
        if self.generator is None:
            raise RuntimeError(f"curriculum {self.name!r} for game {self.game!r} has no generator")
        return generated_level(self.generator, self.game, difficulty, seed)

    # --------------------------------------------------------------------------------------------------------
    # observability and checkpoints
    @property
    def win_rate(self) -> float:
        """The win rate over the last ``stats_window`` counted episodes (nan before the first)."""
        with self._lock:
            return float(np.mean(self._recent_wins)) if self._recent_wins else float("nan")

    def stats(self) -> dict[str, float]:
        """Scalars to log under ``curriculum/`` (see :mod:`ppcg.curricula.sb3_callback`)."""
        with self._lock:
            out = {"win_rate": self.win_rate, "episodes": float(self.episodes)}
            if self._recent_difficulty:
                out["difficulty"] = float(np.mean(self._recent_difficulty))
            return out

    def state_dict(self) -> dict[str, Any]:
        """The curriculum's state as plain Python values (for checkpoints); see :meth:`load_state_dict`.

        Curricula that track the episodes being played (which level each environment was handed, what PLR has
        scored of an episode a rollout cut) keep that under ``"in_flight"``. A run that restores its
        environments' episodes too (an exact resume) loads it; one whose environments start new episodes
        drops it first, or those episodes would be mixed up with the new ones.
        """
        with self._lock:
            return {
                "name": self.name,
                "episodes": self.episodes,
                "recent_wins": list(self._recent_wins),
                "recent_difficulty": list(self._recent_difficulty),
            }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state written by :meth:`state_dict` of the same curriculum."""
        with self._lock:
            if state.get("name") != self.name:
                raise ValueError(
                    f"state of curriculum {state.get('name')!r} cannot be loaded into {self.name!r}"
                )
            self.episodes = int(state["episodes"])
            self._recent_wins = deque(state["recent_wins"], maxlen=self.stats_window)
            self._recent_difficulty = deque(state["recent_difficulty"], maxlen=self.stats_window)

    # The lock cannot be pickled; a copy gets a fresh one. (Give subprocesses a channel client, not a
    # curriculum: a pickled copy would learn on its own, apart from the one the other environments share.)
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(game={self.game!r})"
