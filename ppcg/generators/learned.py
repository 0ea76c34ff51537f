"""Levels for any VGDL game: a tile model learned from the game's own levels, checked in the engine.

:class:`LearnedGenerator` reads a game file and its example levels (GVGAI's ``<game>_lvl<N>.txt`` beside the
game file, the bundled human levels, or any levels given) and learns:

* **sizes**: levels are generated at the examples' most common width x height;
* **a tile model**: a two-dimensional Markov chain over cells (Snodgrass and Ontañón's MdMC): each cell's
  character is drawn given its left, upper and upper-left neighbours and whether it lies on the right or
  bottom edge, backing off to shorter contexts (left and up; up; the cell's border position; none) where a
  context was seen fewer than :attr:`LearnedGenerator.min_count` times;
* **roles** of the characters, from the game's rules (:class:`Roles`): avatars (sprites of an avatar class),
  solid cells (the avatar steps back from them), hostile cells (touching them kills or hurts the avatar, or
  they spawn such sprites), goals (the sprites a winning ``SpriteCounter`` counts down), and "rare"
  characters (at most :data:`RARE_MAX` of them in every example, such as a key or a door): their count in a
  generated level stays within the examples' range, and the avatars' count equals the examples'.

What ``d`` controls (``ppcg generate GAME --stats`` prints the measured table): the tile model's weight of
hostile characters is multiplied by ``exp(2.5 (d - 1/2))`` and that of solid ones by ``exp(1.2 (d - 1/2))``
(more enemies and walls as d grows); then, of :data:`CANDIDATES` candidates, the one whose challenge
(hostiles, solid share, the avatar's path distance to the nearest goal) ranks at the quantile ``d`` is tried
first.

Every level is checked, cheapest first:

* on the grid (:meth:`LearnedGenerator.grid_problem`): where every example has a goal the avatar reaches over
  non-solid cells, so must the level (:attr:`LearnedGenerator.reach_goal`); no hostile cell is nearer the
  avatar than :data:`HOSTILE_GAP` steps, or than in every example (:attr:`LearnedGenerator.hostile_gap`);
* by simulation in the engine (:meth:`LearnedGenerator.check_levels`; the preferred candidate alone, then the
  others in one batch): it loads, has exactly the examples' number of avatars, and does not end in the first
  :attr:`~LearnedGenerator.ticks` ticks of a do-nothing policy under each engine seed of :data:`CHECK_SEEDS`
  (fewer ticks when one of the game's own levels ends sooner);
* where a short search can tell, it must be winnable: a breadth-first search over the engine's state copies
  (:func:`search_win`, at most :attr:`~LearnedGenerator.search_budget` states) must find a win. Whether a game
  is such a game is measured, not assumed: the search is switched on when it wins every example level within
  the budget (:attr:`LearnedGenerator.searchable`). With the default budget (300 states) that holds for few
  GVGAI games (see ``docs/generators.md``): most need longer plans than a short search finds.

>>> gen = LearnedGenerator("zelda")  # doctest: +SKIP
>>> level = gen.generate(0.5, np.random.default_rng(0))  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ppcg.generators.base import GenerationError, Uniforms, check_difficulty
from ppcg.generators.playability import Board, distance
from ppcg.vgdl.level import Level, load_level
from ppcg.vgdl.registry import is_avatar_class

__all__ = [
    "CANDIDATES",
    "CHECK_SEEDS",
    "LearnedGenerator",
    "RARE_MAX",
    "Roles",
    "TileModel",
    "example_level_paths",
    "search_win",
]

RARE_MAX = 4
"""A character seen at most this often in every example level keeps its count in the examples' range."""

CANDIDATES = 4
"""Candidates built per attempt; the one nearest the difficulty's quantile is tried first."""

HOSTILE_GAP = 3
"""No hostile cell nearer the avatar (steps over non-solid cells) than this, or than in every example."""

HOSTILE_TILT = 2.5
"""The tile model's weight of hostile characters is multiplied by ``exp(HOSTILE_TILT (d - 1/2))``."""

SOLID_TILT = 1.2
"""The tile model's weight of solid characters is multiplied by ``exp(SOLID_TILT (d - 1/2))``."""

CHECK_SEEDS = (0, 1)
"""The engine seeds a level is checked under (the do-nothing ticks must pass under each; the search uses the
first)."""

_OUT = "\0"  # the neighbour of a cell on the border: outside the level

# Interactions ``avatar X > effect`` that make X solid for the avatar, or hostile to it. One entry a line.
SOLID_EFFECTS = frozenset(
    {
        "stepBack",
        "undoAll",
    }
)
HOSTILE_EFFECTS = frozenset(
    {
        "killSprite",
        "killIfFromAbove",
        "killIfAlive",
        "killBoth",
        "subtractHealthPoints",
    }
)


def example_level_paths(game: str | Path) -> list[Path]:
    """The example levels of a game: GVGAI's ``<stem>_lvl<N>.txt`` beside the game file, else the bundled
    human levels of a bundled game (``lvl0`` first).

    Raises:
        FileNotFoundError: the game has neither.
    """
    from ppcg.resources import game_path, human_level_paths

    path = game_path(game)
    beside = sorted(
        path.parent.glob(f"{path.stem}_lvl*.txt"),
        key=lambda p: int(m.group(1)) if (m := re.search(r"_lvl(\d+)$", p.stem)) else 1 << 30,
    )
    if beside:
        return beside
    try:
        return human_level_paths(path.stem)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no example levels for game {str(game)!r}: expected {path.stem}_lvl0.txt ... beside {path}, "
            "or pass levels="
        ) from None


@dataclass(frozen=True)
class Roles:
    """What the game's rules say about each level character (see the module docstring).

    Attributes:
        avatar: characters that create an avatar.
        solid: characters with a sprite the avatar cannot enter.
        hostile: characters with a sprite that kills or hurts the avatar (or spawns one that does).
        goal: characters with a sprite that a winning ``SpriteCounter`` counts.
        floor: the most common character of the examples that is none of the above.
        counts: rare character -> (least, most) count over the examples; the avatars' total is fixed.
        avatars: the number of avatars in every example level (their most common count).
    """

    avatar: frozenset[str]
    solid: frozenset[str]
    hostile: frozenset[str]
    goal: frozenset[str]
    floor: str
    counts: dict[str, tuple[int, int]]
    avatars: int

    @classmethod
    def learn(cls, spec: Any, levels: Sequence[Level]) -> Roles:
        smap = spec.sprite_map

        def subtree(name: str) -> list[str]:
            return spec.subtree(name) if name in smap else [name]

        avatar_types = {s.name for s in spec.sprites if is_avatar_class(s.cls)} or {"avatar"}
        avatar_family = {a for t in avatar_types for a in spec.ancestors(t)}
        solid_types: set[str] = set()
        hostile_types: set[str] = set()
        for it in spec.interactions:
            if it.sprite1 in avatar_family and it.sprite2 not in ("EOS", "TIME"):
                if it.effect in SOLID_EFFECTS:
                    solid_types.update(subtree(it.sprite2))
                elif it.effect in HOSTILE_EFFECTS:
                    hostile_types.update(subtree(it.sprite2))
        for s in spec.sprites:  # spawners of hostile sprites are hostile
            stype = s.get("stype")
            if isinstance(stype, str) and stype in hostile_types:
                hostile_types.add(s.name)
        goal_types: set[str] = set()
        for t in spec.terminations:
            if str(t.get("win", False)).lower() == "true" and t.cls in (
                "SpriteCounter",
                "MultiSpriteCounter",
            ):
                for key in ("stype", "stype1", "stype2", "stype3"):
                    st = t.get(key)
                    if isinstance(st, str) and st not in avatar_family:
                        goal_types.update(subtree(st))

        def chars(types: set[str]) -> frozenset[str]:
            return frozenset(ch for ch, names in spec.mapping if any(n in types for n in names))

        avatar, solid, hostile, goal = (
            chars(avatar_types),
            chars(solid_types),
            chars(hostile_types),
            chars(goal_types),
        )
        total: Counter[str] = Counter()
        per_level = []
        for lv in levels:
            c = Counter("".join(lv.rows))
            per_level.append(c)
            total.update(c)
        special = avatar | solid | hostile | goal
        plain = [ch for ch, _ in total.most_common() if ch not in special]
        floor = plain[0] if plain else next(ch for ch, _ in total.most_common() if ch not in avatar)
        counts = {}
        for ch in total:
            if ch in avatar or ch in hostile or ch == floor:
                continue
            seen = [c.get(ch, 0) for c in per_level]
            if max(seen) <= RARE_MAX:
                counts[ch] = (min(seen), max(seen))
        n_av = Counter(sum(c.get(ch, 0) for ch in avatar) for c in per_level).most_common(1)[0][0]
        return cls(avatar, solid, hostile, goal, floor, counts, int(n_av))


class TileModel:
    """A two-dimensional Markov chain over level characters (see the module docstring).

    Args:
        levels: the example levels.
        min_count: a context seen fewer times backs off to a shorter one.
    """

    def __init__(self, levels: Sequence[Level], min_count: int = 2) -> None:
        self.min_count = int(min_count)
        self.tables: list[dict[tuple, Counter[str]]] = [{} for _ in range(5)]
        for lv in levels:
            rows = lv.rows
            for r, row in enumerate(rows):
                for c, ch in enumerate(row):
                    for k, key in enumerate(self._keys(rows, r, c, lv.width, lv.height)):
                        self.tables[k].setdefault(key, Counter())[ch] += 1
        self.alphabet = sorted({ch for lv in levels for ch in "".join(lv.rows)})

    @staticmethod
    def _keys(rows: Sequence[Any], r: int, c: int, w: int, h: int) -> tuple[tuple, ...]:
        left = rows[r][c - 1] if c else _OUT
        up = rows[r - 1][c] if r else _OUT
        upleft = rows[r - 1][c - 1] if r and c else _OUT
        edge = (c == w - 1, r == h - 1)
        return (
            (left, up, upleft, *edge),
            (left, up, *edge),
            (up, *edge),
            (c == 0, r == 0, *edge),
            (),
        )

    def counts(self, rows: Sequence[Any], r: int, c: int, w: int, h: int) -> Counter[str]:
        """The character counts of cell (r, c)'s most specific context seen at least ``min_count`` times."""
        keys = self._keys(rows, r, c, w, h)
        for k in range(4):
            got = self.tables[k].get(keys[k])
            if got is not None and sum(got.values()) >= self.min_count:
                return got
        return self.tables[4][()]


class LearnedGenerator:
    """A generator for any VGDL game, learned from its example levels (see the module docstring).

    Args:
        game: a bundled game's name or a path to a game file.
        levels: example levels (``Level`` objects or paths); default :func:`example_level_paths`.
        ticks: do-nothing ticks a level must survive (lowered to what the examples survive).
        search_budget: states the winnability search may visit per level (0: no search).
        min_count: the tile model's back-off threshold.

    Attributes:
        name: the game's name (its file's stem).
        width, height: the size of every level it returns.
        roles: :class:`Roles`.
        searchable: whether generated levels must be won by the search (it won every example).
        reach_goal: whether a goal must be reachable on the grid (it is in every example).
        increasing: the :meth:`stats` keys that grow with d.
    """

    max_tries = 50
    increasing = ("hostiles", "solid_share", "goal_distance")

    def __init__(
        self,
        game: str | Path,
        levels: Sequence[Level | str | Path] | None = None,
        *,
        ticks: int = 20,
        search_budget: int = 300,
        min_count: int = 2,
    ) -> None:
        from ppcg.resources import game_path
        from ppcg.vgdl.parser import load_game

        self.game = str(game)
        path = game_path(game)
        self.name = path.stem
        self.spec = load_game(path)
        if levels is None:
            levels = example_level_paths(game)
        examples = []
        for item in levels:
            lv = item if isinstance(item, Level) else load_level(item, self.spec)
            if not lv.mapping:
                lv = lv.with_mapping(self.spec.mapping)
            lv.validate(self.spec)
            examples.append(lv)
        if not examples:
            raise ValueError(f"{self.name}: no example levels to learn from")
        self.examples = examples
        self.width, self.height = Counter((lv.width, lv.height) for lv in examples).most_common(1)[0][0]
        self.roles = Roles.learn(self.spec, examples)
        self.model = TileModel(examples, min_count)
        example_stats = [self.stats(lv) for lv in examples]
        self.reach_goal = all(st["goal_distance"] >= 0 for st in example_stats)
        self._hostile_mean = float(np.mean([st["hostiles"] for st in example_stats]))
        gaps = [st["hostile_distance"] for st in example_stats if st["hostile_distance"] >= 0]
        self.hostile_gap = int(min(HOSTILE_GAP, *gaps)) if gaps else 0
        self.ticks = int(ticks)
        self.search_budget = int(search_budget)
        self._tables: dict[float, dict[tuple, tuple[str, list[float]]]] = {}
        self._engine: Any = None
        self._search_engine: Any = None
        self._searchable: bool | None = None
        self._calibrated = False

    def __repr__(self) -> str:
        return f"LearnedGenerator(game={self.game!r}, size={self.width}x{self.height})"

    # --------------------------------------------------------------------------------------------------------
    # the engine
    @property
    def compiled(self) -> Any:
        if self._engine is None:
            from ppcg.engine import BatchEngine, compile_game

            self._compiled = compile_game(self.spec)
            n = len(CHECK_SEEDS)
            self._engine = BatchEngine(self._compiled, CANDIDATES * n, obs_type=None)
            self._engine1 = BatchEngine(self._compiled, n, obs_type=None)
        return self._compiled

    def _calibrate(self) -> None:
        """Lower ``ticks`` to what every example survives, and find whether the search wins every example."""
        if self._calibrated:
            return
        self._calibrated = True
        n = len(CHECK_SEEDS)
        survived = self._survival(
            [lv for lv in self.examples for _ in CHECK_SEEDS],
            list(CHECK_SEEDS) * len(self.examples),
            self.ticks,
        )
        survived = [min(survived[k : k + n]) for k in range(0, len(survived), n)]
        self.ticks = max(1, min(self.ticks, min(survived) - 1)) if min(survived) <= self.ticks else self.ticks

    def _survival(self, levels: Sequence[Level], seeds: Sequence[int], ticks: int) -> list[int]:
        """Per level, the tick at which a do-nothing policy's episode ended (``ticks + 1``: it did not)."""
        self.compiled  # noqa: B018 - builds the engines
        out = []
        engine = self._engine1 if len(levels) <= self._engine1.num_envs else self._engine
        n = engine.num_envs
        for start in range(0, len(levels), n):
            chunk = list(levels[start : start + n])
            k = len(chunk)
            pad = chunk + [chunk[0]] * (n - k)
            sd = list(seeds[start : start + n]) + [0] * (n - k)
            engine.reset(pad, sd)
            ended = np.full(n, ticks + 1)
            nil = np.zeros(n, np.int64)
            for t in range(1, ticks + 1):
                res = engine.step(nil)
                done = (res.terminated | res.truncated) & (ended > ticks)
                ended[done] = t
                if (ended <= ticks).all():
                    break
            out.extend(int(x) for x in ended[:k])
        return out

    @property
    def searchable(self) -> bool:
        """Whether the winnability search wins every example level within :attr:`search_budget` states."""
        if self._searchable is None:
            self._searchable = self.search_budget > 0 and all(
                search_win(self._searcher(), lv, CHECK_SEEDS[0], self.search_budget) for lv in self.examples
            )
        return self._searchable

    def _searcher(self) -> Any:
        if self._search_engine is None:
            from ppcg.engine import BatchEngine

            self._search_engine = BatchEngine(self.compiled, 64, obs_type=None)
        return self._search_engine

    def check_levels(self, levels: Sequence[Level]) -> list[str | None]:
        """Per level, None when it passes the engine checks, else the reason (see the module docstring)."""
        self._calibrate()
        out: list[str | None] = []
        ok = []
        for lv in levels:
            n = sum(ch in self.roles.avatar for ch in "".join(lv.rows))
            out.append(None if n == self.roles.avatars else f"{n} avatars (expected {self.roles.avatars})")
            ok.append(out[-1] is None)
        todo = [k for k in range(len(levels)) if ok[k]]
        if todo:
            n = len(CHECK_SEEDS)
            runs = self._survival(
                [levels[k] for k in todo for _ in CHECK_SEEDS], list(CHECK_SEEDS) * len(todo), self.ticks
            )
            survived = [min(runs[j : j + n]) for j in range(0, len(runs), n)]
            for k, t in zip(todo, survived, strict=True):
                if t <= self.ticks:
                    out[k] = f"the episode ended at tick {t} under a do-nothing policy"
        if self.searchable:
            for k in range(len(levels)):
                if out[k] is None and not search_win(
                    self._searcher(), levels[k], CHECK_SEEDS[0], self.search_budget
                ):
                    out[k] = f"no win found by a search of {self.search_budget} states"
        return out

    # --------------------------------------------------------------------------------------------------------
    # sampling
    def _table(self, d: float) -> dict[tuple, tuple[str, list[float]]]:
        table = self._tables.get(d)
        if table is None:
            if len(self._tables) > 64:
                self._tables.clear()
            table = self._tables[d] = {}
        return table

    def _weights(
        self, counts: Counter[str], d: float, exclude: frozenset[str] = frozenset()
    ) -> tuple[str, list[float]]:
        hostile = math.exp(HOSTILE_TILT * (d - 0.5))
        solid = math.exp(SOLID_TILT * (d - 0.5))
        chars, cum, total = [], [], 0.0
        for ch, n in counts.items():
            if ch in exclude:
                continue
            w = (
                n
                * (hostile if ch in self.roles.hostile else 1.0)
                * (solid if ch in self.roles.solid else 1.0)
            )
            total += w
            chars.append(ch)
            cum.append(total)
        return "".join(chars), cum

    def _draw(
        self, grid: list[list[str]], r: int, c: int, d: float, u: Uniforms, exclude: frozenset[str]
    ) -> str:
        w, h = self.width, self.height
        counts = self.model.counts(grid, r, c, w, h)
        chars, cum = self._weights(counts, d, exclude)
        if not chars:
            return self.roles.floor
        k = bisect_right(cum, u() * cum[-1])
        return chars[min(k, len(chars) - 1)]

    def sample(self, d: float, rng: np.random.Generator) -> list[list[str]]:
        """One raw candidate (before the counts are repaired): characters drawn cell by cell."""
        w, h = self.width, self.height
        grid: list[list[str]] = [[""] * w for _ in range(h)]
        table = self._table(d)
        model = self.model
        draws = iter(rng.random(w * h).tolist())
        for r in range(h):
            row = grid[r]
            up_row = grid[r - 1] if r else None
            for c in range(w):
                key = (
                    row[c - 1] if c else _OUT,
                    up_row[c] if r else _OUT,
                    up_row[c - 1] if r and c else _OUT,
                    c == w - 1,
                    r == h - 1,
                )
                entry = table.get(key)
                if entry is None:
                    entry = table[key] = self._weights(model.counts(grid, r, c, w, h), d)
                chars, cum = entry
                x = next(draws)
                if len(chars) == 1:
                    row[c] = chars
                else:
                    row[c] = chars[min(bisect_right(cum, x * cum[-1]), len(chars) - 1)]
        return grid

    def repair(self, grid: list[list[str]], d: float, u: Uniforms) -> None:
        """Bring the avatars' count to the examples' and every rare character's count into its range."""
        roles = self.roles
        groups = [(roles.avatar, roles.avatars, roles.avatars)] + [
            (frozenset(ch), lo, hi) for ch, (lo, hi) in sorted(roles.counts.items())
        ]
        banned = roles.avatar | frozenset(roles.counts)
        for chars, lo, hi in groups:
            cells = [(r, c) for r, row in enumerate(grid) for c, ch in enumerate(row) if ch in chars]
            if len(cells) > hi:  # remove the extra ones (random ones), redrawn without rare characters
                for _ in range(len(cells) - hi):
                    r, c = cells.pop(u.below(len(cells)))
                    grid[r][c] = self._draw(grid, r, c, d, u, banned)
            need = lo - len(cells)
            for _ in range(max(0, need)):
                self._add(grid, chars, d, u)

    def _add(self, grid: list[list[str]], chars: frozenset[str], d: float, u: Uniforms) -> None:
        """Put one of ``chars`` on a floor cell, preferring cells whose context allows it."""
        floor = self.roles.floor
        w, h = self.width, self.height
        free = [(r, c) for r in range(h) for c in range(w) if grid[r][c] == floor]
        if not free:
            return
        first = u.below(len(free))
        for k in range(len(free)):  # from a random free cell on, the first whose context allows one of chars
            r, c = free[(first + k) % len(free)]
            counts = self.model.counts(grid, r, c, w, h)
            options = [ch for ch in sorted(chars) if ch in counts]
            if options:
                break
        else:
            r, c = free[first]
            options = sorted(chars)
        grid[r][c] = options[u.below(len(options))]

    def grid_problem(self, st: dict[str, float]) -> str | None:
        """None when a level's :meth:`stats` pass the grid checks, else the reason (see the module doc)."""
        if self.reach_goal and st["goal_distance"] < 0:
            return "no goal reachable from the avatar on the grid"
        if 0 <= st["hostile_distance"] < self.hostile_gap:
            return f"a hostile cell within {self.hostile_gap - 1} steps of the avatar"
        return None

    def challenge(self, s: dict[str, float]) -> float:
        """One number that grows with every quantity d controls, from a level's :meth:`stats` (ranks
        candidates)."""
        dist = s["goal_distance"]
        return (
            s["hostiles"] / (1.0 + self._hostile_mean)
            + s["solid_share"]
            + (dist / (self.width + self.height) if dist >= 0 else 0.5)
        )

    def generate(self, difficulty: float, rng: np.random.Generator) -> Level:
        """A level at ``difficulty``, checked in the engine (see the module docstring).

        Raises:
            ValueError: ``difficulty`` is not a number in [0, 1].
            GenerationError: no candidate passed the checks in ``max_tries`` rounds.
        """
        d = check_difficulty(difficulty)
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, not {type(rng)}")
        u = Uniforms(rng)
        reason = "no candidate"
        for _ in range(self.max_tries):
            levels = []
            for _k in range(CANDIDATES):
                grid = self.sample(d, rng)
                self.repair(grid, d, u)
                levels.append(Level(tuple("".join(row) for row in grid), self.spec.mapping))
            scored = []
            for lv in levels:
                st = self.stats(lv)
                problem = self.grid_problem(st)
                if problem is None:
                    scored.append((self.challenge(st), lv))
                else:
                    reason = problem
            if not scored:
                continue
            n = len(scored)
            order = sorted(range(n), key=lambda k: scored[k][0])
            target = d * (n - 1)
            tries = sorted(range(n), key=lambda i: (abs(i - target), i))
            ranked = [scored[order[i]][1] for i in tries]
            # the preferred candidate alone first (it usually passes), then the others in one batch
            problem = self.check_levels(ranked[:1])[0]
            if problem is None:
                return ranked[0]
            reason = problem
            for lv, problem in zip(ranked[1:], self.check_levels(ranked[1:]), strict=True):
                if problem is None:
                    return lv
                reason = problem
        raise GenerationError(
            f"{self.name}: no level passed the checks at difficulty {d} in {self.max_tries} rounds "
            f"(last problem: {reason})"
        )

    # --------------------------------------------------------------------------------------------------------
    # measurement and editing
    def stats(self, level: Level) -> dict[str, float]:
        """``hostiles`` (hostile cells), ``solid_share`` (share of solid cells), ``goal_distance`` (path steps
        from the avatar to the nearest goal over non-solid cells; -1 when none is reachable or the game has
        no goal sprites in its levels), ``hostile_distance`` (the same to the nearest hostile cell)."""
        roles = self.roles
        text = "".join(level.rows)
        n = len(text)
        board = Board.from_rows(level.rows)
        goal = "".join(sorted(roles.goal))
        avatar = "".join(sorted(roles.avatar))
        hostile = "".join(sorted(roles.hostile))
        dist = gap = -1
        if avatar and (goal or hostile):
            passable = board.mask("".join(ch for ch in set(text) if ch not in roles.solid))
            start = board.mask(avatar)
            if goal:
                dist = distance(start, board.mask(goal), passable, board.stride)
            if hostile:
                gap = distance(start, board.mask(hostile), passable, board.stride)
        return {
            "hostiles": float(sum(ch in roles.hostile for ch in text)),
            "solid_share": float(sum(ch in roles.solid for ch in text)) / n,
            "goal_distance": float(dist),
            "hostile_distance": float(gap),
        }

    def mutate(
        self, level: Level, rng: np.random.Generator, n_edits: int = 1, difficulty: float = 0.5
    ) -> Level:
        """``level`` with ``n_edits`` cells redrawn from the tile model (given their neighbours), the rare
        characters' counts repaired, and checked again in the engine; the level itself when no child of
        ``max_tries`` passed."""
        d = check_difficulty(difficulty)
        u = Uniforms(rng)
        h, w = level.height, level.width
        if (w, h) != (self.width, self.height):
            raise ValueError(
                f"{self.name}: level is {w}x{h}, the generator's levels {self.width}x{self.height}"
            )
        for _ in range(self.max_tries):
            grid = [list(row) for row in level.rows]
            for _e in range(max(1, int(n_edits))):
                r, c = 1 + u.below(max(1, h - 2)), 1 + u.below(max(1, w - 2))
                grid[r][c] = self._draw(grid, r, c, d, u, frozenset())
            self.repair(grid, d, u)
            child = Level(tuple("".join(row) for row in grid), self.spec.mapping)
            if child.rows == level.rows:
                continue
            if self.grid_problem(self.stats(child)) is None and self.check_levels([child])[0] is None:
                return child
        return level


def search_win(engine: Any, level: Level, seed: int, budget: int) -> bool:
    """Whether a breadth-first search over the engine's state copies finds a win from ``level`` within
    ``budget`` expanded states (every action from each state; states with the same sprites, avatar
    resources and score are visited once). False means "not found within the budget", not "unwinnable".

    Args:
        engine: a :class:`ppcg.engine.BatchEngine` of the level's game; its environments are overwritten.
    """
    n_actions = engine.compiled.n_actions
    per = max(1, engine.num_envs // n_actions)  # states expanded per engine call
    engine.reset([level] * engine.num_envs, [seed] * engine.num_envs)
    root = engine.get_state(0)
    seen = {_state_key(root)}
    frontier = [root]
    expanded = 0
    actions = np.zeros(engine.num_envs, np.int64)
    while frontier and expanded < budget:
        batch, frontier = frontier[:per], frontier[per:]
        k = 0
        for state in batch:
            for a in range(n_actions):
                engine.set_state(k, state)
                actions[k] = a
                k += 1
        for j in range(k, engine.num_envs):  # spare environments replay the root, doing nothing
            engine.set_state(j, root)
            actions[j] = 0
        res = engine.step(actions)
        for j in range(k):
            if res.winner[j] == 1:
                return True
            if res.terminated[j]:
                continue
            state = engine.get_state(j)
            key = _state_key(state)
            if key not in seen:
                seen.add(key)
                frontier.append(state)
        expanded += len(batch)
    return False


def _state_key(state: Any) -> bytes:
    """The live sprites' types and positions (sorted), their resources and the score, as bytes."""
    from ppcg.engine import layout as L

    si = state.arrays["si"]
    live = (si[:, L.SI_TYPE] >= 0) & (si[:, L.SI_DISABLED] == 0) & (si[:, L.SI_KILLED] == 0)
    rows = si[live][:, [L.SI_TYPE, L.SI_X, L.SI_Y]]
    order = np.lexsort(rows.T[::-1])
    res = state.arrays["res"][live][order]
    return rows[order].tobytes() + res.tobytes() + np.asarray(state.arrays["score"]).tobytes()
