"""The table of curricula, and building one by name or from YAML.

A YAML configuration names the curriculum and its options; everything else is checked::

    # ppcg.yml
    name: ppcg          # one of: fixed, random, difficulty, ppcg, ppcg-winrate, plr, accel
    game: boulderdash   # optional when the caller passes game=
    alpha: 0.01
    sample: exact       # or uniform: a level at a difficulty uniform in [0, d]
    win_score: 20       # a score that counts as a win (null: the game's win; default: the paper's per game)
    truncated: loss     # what an episode cut at the step limit counts as: loss, win or ignore
    num_levels: 200     # optional: generated levels from 200 seeds only (Procgen's num_levels; 0: unlimited)

``fixed`` takes ``levels``: human level numbers (``[0, 1]`` for the game's lvl0 and lvl1) or level file paths
(relative to the YAML file). Bad configuration raises :class:`~ppcg.curricula.base.CurriculumConfigError`
naming the file, the line, the key and what was expected.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ppcg.curricula.accel import ACCEL
from ppcg.curricula.base import Curriculum, CurriculumConfigError
from ppcg.curricula.difficulty import FixedDifficulty
from ppcg.curricula.fixed import FixedLevels
from ppcg.curricula.plr import PrioritizedLevelReplay
from ppcg.curricula.progressive import ProgressivePCG, WinRatePCG
from ppcg.curricula.uniform import UniformDifficulty
from ppcg.vgdl.errors import did_you_mean
from ppcg.vgdl.level import Level

__all__ = [
    "CURRICULA",
    "curriculum_from_yaml",
    "make_curriculum",
    "read_named_options",
    "read_options",
    "resolve_levels",
]

# name -> class. One entry a line.
CURRICULA: dict[str, type[Curriculum]] = {
    "fixed": FixedLevels,
    "random": UniformDifficulty,
    "difficulty": FixedDifficulty,
    "ppcg": ProgressivePCG,
    "ppcg-winrate": WinRatePCG,
    "plr": PrioritizedLevelReplay,
    "accel": ACCEL,
}

_STRUCTURAL = {"game", "generator", "levels", "kwargs"}


def options(name: str) -> dict[str, Any]:
    """The configuration keys of curriculum ``name`` and their defaults (those of the base class included)."""
    cls = CURRICULA[name]
    out: dict[str, Any] = {}
    for klass in (Curriculum, cls):  # every curriculum passes **kwargs on to Curriculum
        for p in inspect.signature(klass.__init__).parameters.values():
            if p.name != "self" and p.kind is p.KEYWORD_ONLY and p.name not in _STRUCTURAL:
                out[p.name] = p.default
    return out


def resolve_levels(game: str, levels: Any, *, base_dir: Path | None = None) -> list[Level]:
    """Levels from a list of ``Level`` objects, human level numbers (``0`` is the game's lvl0) and file paths.

    Raises:
        CurriculumConfigError: a number with no such human level, a file that does not exist, a wrong type.
    """
    if levels is None:
        raise CurriculumConfigError(
            "missing", key="levels", expected="a list of levels (numbers or file paths)"
        )
    if isinstance(levels, (str, int, Path, Level)):
        levels = [levels]
    out: list[Level] = []
    spec = None
    for item in levels:
        if isinstance(item, Level):
            out.append(item)
            continue
        if spec is None:  # the game binds each file's characters to sprites
            from ppcg.vgdl.parser import load_game

            spec = load_game(game)
        if isinstance(item, int) and not isinstance(item, bool):
            from ppcg.resources import human_level_paths

            paths = human_level_paths(game)
            if not 0 <= item < len(paths):
                raise CurriculumConfigError(
                    f"no human level {item} for {game!r}",
                    key="levels",
                    expected=f"a number in 0..{len(paths) - 1}",
                )
            path = paths[item]
        elif isinstance(item, (str, Path)):
            path = Path(item)
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            if not path.is_file():
                raise CurriculumConfigError(
                    f"no level file {str(path)!r}", key="levels", expected="an existing file"
                )
        else:
            raise CurriculumConfigError(
                f"got {item!r}", key="levels", expected="a human level number, a file path or a Level"
            )
        from ppcg.vgdl.errors import VGDLError
        from ppcg.vgdl.level import load_level

        try:  # a level the game cannot play (no avatar, an unknown character) would train on nothing
            out.append(load_level(path, spec).validate(spec, file=str(path)))
        except VGDLError as exc:
            raise CurriculumConfigError(
                str(exc), key="levels", expected="a level the game can play"
            ) from None
    return out


def make_curriculum(
    name: str,
    *,
    game: str,
    generator: Any = None,
    levels: Any = None,
    base_dir: Path | None = None,
    **config: Any,
) -> Curriculum:
    """Build curriculum ``name`` (a key of :data:`CURRICULA`) for ``game``.

    Args:
        name: ``"fixed"``, ``"random"``, ``"difficulty"``, ``"ppcg"``, ``"ppcg-winrate"``, ``"plr"`` or
            ``"accel"``.
        game: the game's name (e.g. ``"zelda"``).
        generator: makes levels (``generate(d, rng) -> Level``); default
            ``ppcg.generators.get_generator(game)``.
        levels: for ``fixed``: ``Level`` objects, human level numbers or file paths.
        base_dir: where relative level paths start (the YAML file's folder).
        **config: the curriculum's options (see each class, or :func:`options`).

    Raises:
        CurriculumConfigError: an unknown name or key, or a value out of range.
    """
    if name not in CURRICULA:
        raise CurriculumConfigError(
            f"unknown curriculum {name!r}{did_you_mean(str(name), list(CURRICULA))}",
            key="name",
            expected="one of " + ", ".join(CURRICULA),
        )
    allowed = options(name)
    for key in config:
        if key not in allowed:
            raise CurriculumConfigError(
                f"unknown option for curriculum {name!r}{did_you_mean(key, list(allowed))}",
                key=key,
                expected="one of " + ", ".join(sorted(allowed)),
            )
    if not isinstance(game, str) or not game:
        raise CurriculumConfigError(f"got {game!r}", key="game", expected="a game name such as 'zelda'")
    cls = CURRICULA[name]
    if cls is FixedLevels:
        built = cls(game=game, levels=resolve_levels(game, levels, base_dir=base_dir), **config)
    else:
        if levels is not None:
            raise CurriculumConfigError(
                f"curriculum {name!r} generates its levels",
                key="levels",
                expected="no 'levels' (use the 'fixed' curriculum for given levels)",
            )
        if generator is None:
            from ppcg.generators import get_generator

            generator = get_generator(game)
        built = cls(game=game, generator=generator, **config)
    built.config = {"name": name, "game": game, **config}
    return built


def _key_lines(text: str) -> dict[str, int]:
    """Top-level key -> 1-based line, to point errors at the right line."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _read_file(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """:func:`_read_yaml` of a file.

    Raises:
        CurriculumConfigError: the file cannot be read, or as :func:`_read_yaml`.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CurriculumConfigError(f"cannot read the file ({exc.strerror or exc})", file=str(path)) from None
    return _read_yaml(text, str(path))


def _read_yaml(text: str, file: str) -> tuple[dict[str, Any], dict[str, int]]:
    """A YAML file's mapping (a key given twice is an error) and the line of each top-level key.

    Raises:
        CurriculumConfigError: not valid YAML, or not a mapping (with the file and line).
    """
    import yaml

    from ppcg import safe_yaml

    try:
        cfg = safe_yaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CurriculumConfigError(
            f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
            file=file,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    if cfg is None:
        cfg = {}
    if not isinstance(cfg, Mapping):
        raise CurriculumConfigError(
            f"got a {type(cfg).__name__}",
            file=file,
            line=1,
            expected="a mapping of keys to values (name: ppcg, alpha: 0.01, ...)",
        )
    return dict(cfg), _key_lines(text)


def read_options(path: str | Path, name: str, *, game: str) -> dict[str, Any]:
    """The options of curriculum ``name`` in a YAML file, checked now as :func:`make_curriculum` will use them
    (for ``ppcg train --curriculum-config``). A ``name`` (or ``curriculum``) key, if any, must be ``name``;
    ``game`` is dropped; level paths become absolute (they are relative to the file).

    Raises:
        CurriculumConfigError: unreadable file, bad YAML, a key given twice, an unknown option, a bad value or
            level; the message names the file and line.
    """
    path = Path(path)
    file = str(path)
    cfg, lines = _read_file(path)
    for key in ("name", "curriculum"):
        if cfg.get(key, name) != name:
            raise CurriculumConfigError(
                f"the file is for curriculum {cfg[key]!r}", key=key, expected=f"{name!r} (--curriculum)"
            ).located(file, lines.get(key))
        cfg.pop(key, None)
    cfg.pop("game", None)
    if isinstance(cfg.get("levels"), list):
        cfg["levels"] = [
            str(path.parent / item) if isinstance(item, str) and not Path(item).is_absolute() else item
            for item in cfg["levels"]
        ]
    trial = {"levels": [0], **cfg} if name == "fixed" else cfg
    try:
        make_curriculum(name, game=game, **trial)
    except CurriculumConfigError as err:
        raise err.located(file, lines.get(err.key or ""), err.key) from None
    return cfg


def read_named_options(path: str | Path, *, game: str) -> tuple[str, dict[str, Any]]:
    """The curriculum a YAML file names (its ``name`` key, required here) and its options, checked as
    :func:`read_options` checks them (for ``ppcg experiment --curriculum-config``, where one file configures
    every condition of its curriculum).

    Raises:
        CurriculumConfigError: as :func:`read_options`; also a file without ``name`` or with an unknown one.
    """
    file = str(path)
    cfg, lines = _read_file(Path(path))
    name = cfg.get("name", cfg.get("curriculum"))
    key = "name" if "name" in cfg else "curriculum"
    if name is None:
        raise CurriculumConfigError(
            "the file does not say which curriculum it configures",
            file=file,
            line=1,
            key="name",
            expected=f"a 'name' key, one of: {', '.join(CURRICULA)}",
        )
    if name not in CURRICULA:
        hint = did_you_mean(str(name), CURRICULA)
        raise CurriculumConfigError(
            f"unknown curriculum {name!r}{hint}", key=key, expected=f"one of: {', '.join(CURRICULA)}"
        ).located(file, lines.get(key))
    return name, read_options(path, name, game=game)


def curriculum_from_yaml(
    path_or_dict: str | Path | Mapping[str, Any],
    *,
    game: str | None = None,
    generator: Any = None,
    levels: Any = None,
    **overrides: Any,
) -> Curriculum:
    """Build a curriculum from a YAML file (read with ``yaml.safe_load``) or from an already loaded mapping.

    The mapping holds ``name`` (or ``curriculum``), optionally ``game`` and ``levels``, and the curriculum's
    options. Keyword arguments override the file (``game=`` included).

    Raises:
        CurriculumConfigError: unreadable YAML, not a mapping, an unknown curriculum or key, a bad value; the
            message names the file and line.
        FileNotFoundError: no such file.
    """

    file: str | None = None
    lines: dict[str, int] = {}
    base_dir = None
    if isinstance(path_or_dict, Mapping):
        cfg = dict(path_or_dict)
    else:
        path = Path(path_or_dict)
        file, base_dir = str(path), path.parent
        cfg, lines = _read_file(path)
    cfg = {**cfg, **overrides}
    if "name" in cfg and "curriculum" in cfg:
        raise CurriculumConfigError(
            "both 'name' and 'curriculum' given",
            key="curriculum",
            file=file,
            line=lines.get("curriculum"),
            expected="one of them",
        )
    name_key = "curriculum" if "curriculum" in cfg else "name"
    name = cfg.pop(name_key, None)
    try:
        if name is None:
            raise CurriculumConfigError(
                "missing", key="name", expected="the curriculum's name: " + ", ".join(CURRICULA)
            )
        game = game if game is not None else cfg.pop("game", None)
        cfg.pop("game", None)
        if game is None:
            raise CurriculumConfigError("missing", key="game", expected="a game name such as 'zelda'")
        levels = levels if levels is not None else cfg.pop("levels", None)
        cfg.pop("levels", None)
        return make_curriculum(name, game=game, generator=generator, levels=levels, base_dir=base_dir, **cfg)
    except CurriculumConfigError as err:
        if file is None:
            raise
        key = name_key if err.key == "name" else err.key
        raise err.located(file, lines.get(key or ""), key) from None
