"""Hyperparameter files in the RL Zoo's format, loaded safely.

A file (``agents/hyperparams/a2c.yml`` ...) maps environment ids to entries, as the RL Zoo's files do::

    default: &default          # ours: the entry used for an id the file does not name
      n_timesteps: !!float 2e5
      policy: CnnPolicy
      n_envs: 16
      learning_rate: !!float 7e-4
      policy_kwargs:
        optimizer_class: RMSpropTFLike
        optimizer_kwargs: {alpha: 0.99, eps: !!float 1e-5, weight_decay: 0.0}

    ppcg/Zelda-v0:
      <<: *default
      n_timesteps: !!float 3e5

An entry is the ``default`` entry overlaid (key by key) with the id's own entry. The Zoo's keys
``n_timesteps``, ``policy``, ``n_envs``, ``policy_kwargs`` and ``env_kwargs`` have their Zoo meaning; every
other key is a keyword argument of the algorithm's constructor (checked against its signature), and
``learning_rate: lin_7e-4`` is the Zoo's linear schedule.

Nothing in a file is executed. The Zoo writes ``policy_kwargs`` as a Python string that it ``eval``s
(``"dict(optimizer_class=RMSpropTFLike, net_arch=[64])"``); we never ``eval``. ``policy_kwargs`` is a YAML
mapping, and values that must be Python classes are *names* looked up in the tables below
(:data:`OPTIMIZERS`, :data:`ACTIVATIONS`, :data:`FEATURE_EXTRACTORS`). For files written for the Zoo, the
string form is also accepted, read by a small parser of that one expression language (``dict(...)`` calls,
keyword arguments, lists, tuples, numbers, strings, booleans, ``None`` and the table names) — not by Python.

Errors are :class:`ConfigError`: the file, the line, the entry and key, what was expected and what was found.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ppcg import safe_yaml
from ppcg.vgdl.errors import did_you_mean

__all__ = [
    "ConfigError",
    "AlgoConfig",
    "ALGORITHMS",
    "OPTIMIZERS",
    "ACTIVATIONS",
    "FEATURE_EXTRACTORS",
    "POLICIES",
    "load_hyperparams",
    "default_hyperparams_path",
    "PRESETS",
    "resolve_policy_kwargs",
    "linear_schedule",
]

# Algorithm name -> (module, class). One entry a line.
ALGORITHMS: dict[str, tuple[str, str]] = {
    "a2c": ("stable_baselines3", "A2C"),
    "ppo": ("stable_baselines3", "PPO"),
    "dqn": ("stable_baselines3", "DQN"),
}

# Names usable for ``optimizer_class`` -> (module, attribute). One entry a line.
OPTIMIZERS: dict[str, tuple[str, str]] = {
    "RMSpropTFLike": ("stable_baselines3.common.sb2_compat.rmsprop_tf_like", "RMSpropTFLike"),
    "RMSprop": ("torch.optim", "RMSprop"),
    "Adam": ("torch.optim", "Adam"),
    "AdamW": ("torch.optim", "AdamW"),
    "SGD": ("torch.optim", "SGD"),
}

# Names usable for ``activation_fn``. One entry a line.
ACTIVATIONS: dict[str, tuple[str, str]] = {
    "ReLU": ("torch.nn", "ReLU"),
    "Tanh": ("torch.nn", "Tanh"),
    "ELU": ("torch.nn", "ELU"),
    "LeakyReLU": ("torch.nn", "LeakyReLU"),
    "GELU": ("torch.nn", "GELU"),
    "SiLU": ("torch.nn", "SiLU"),
}

# Names usable for ``features_extractor_class``. One entry a line.
FEATURE_EXTRACTORS: dict[str, tuple[str, str]] = {
    "GridCNN": ("ppcg.agents.policies", "GridCNN"),
    "CentredGridCNN": ("ppcg.agents.policies", "CentredGridCNN"),
    "NatureCNN": ("stable_baselines3.common.torch_layers", "NatureCNN"),
    "FlattenExtractor": ("stable_baselines3.common.torch_layers", "FlattenExtractor"),
}

# Policy names an entry may give. One entry a line.
POLICIES: tuple[str, ...] = ("CnnPolicy", "MlpPolicy")

# policy_kwargs key -> the table its value is a name in (None: a plain YAML value).
_CLASS_KEYS: dict[str, dict[str, tuple[str, str]]] = {
    "optimizer_class": OPTIMIZERS,
    "activation_fn": ACTIVATIONS,
    "features_extractor_class": FEATURE_EXTRACTORS,
}
_PLAIN_POLICY_KEYS = (
    "net_arch",
    "optimizer_kwargs",
    "features_extractor_kwargs",
    "ortho_init",
    "normalize_images",
    "share_features_extractor",
    "n_quantiles",
    "log_std_init",
)
# Zoo keys that change the environment stack in ways ppcg does not support (stated, never ignored).
_UNSUPPORTED_KEYS = {
    "frame_stack": "frame stacking is not part of the paper's setup",
    "normalize": "observation/reward normalisation (VecNormalize) is not supported",
    "env_wrapper": "wrappers named in the file are not supported (nothing is imported from a file)",
    "vec_env_wrapper": "vector-env wrappers named in the file are not supported",
    "callback": "callbacks named in the file are not supported (nothing is imported from a file)",
    "eval_env_kwargs": "not supported",
}
_ZOO_KEYS = ("n_timesteps", "policy", "n_envs", "policy_kwargs", "env_kwargs")
OBSERVATION_KWARGS = ("facing", "offsets", "inventory", "obs_size", "frame_skip")
"""``env_kwargs`` that change what the model sees or what its actions do (``frame_skip``), so evaluation and
recording must pass them too."""
_NOT_ALGO_KWARGS = {"policy", "env", "verbose", "tensorboard_log", "seed", "device", "_init_setup_model"}


class ConfigError(ValueError):
    """A bad hyperparameter file or value: names the file, line, entry and key, and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        entry: str | None = None,
        key: str | None = None,
        expected: str | None = None,
        got: Any = None,
    ) -> None:
        self.file = None if file is None else str(file)
        self.line, self.entry, self.key, self.expected, self.got = line, entry, key, expected, got
        where = self.file or "<hyperparameters>"
        if line is not None:
            where += f":{line}"
        parts = [where]
        if entry is not None:
            parts.append(f"[{entry}]" + (f" {key}" if key else ""))
        text = ": ".join(parts) + f": {message}"
        if expected is not None:
            text += f"; expected {expected}"
            if got is not None:
                text += f", got {got!r}"
        super().__init__(text)


@dataclass(frozen=True)
class AlgoConfig:
    """One resolved entry of a hyperparameter file.

    Attributes:
        algo: ``"a2c"``, ``"ppo"`` or ``"dqn"``.
        env_id: the id the entry was looked up for.
        n_timesteps: the training budget in environment steps.
        policy: the SB3 policy name (``"CnnPolicy"``).
        n_envs: parallel environments.
        policy_kwargs: as written in the file (names, not classes); see :func:`resolve_policy_kwargs`.
        algo_kwargs: the algorithm's constructor arguments, as written (``learning_rate`` may be
            ``"lin_7e-4"``).
        env_kwargs: extra keyword arguments for ``ppcg.make_vec``.
        source: the file it came from.
        entries: the file's entries that made it, in order (``["default", "ppcg/Zelda-v0"]``).
    """

    algo: str
    env_id: str
    n_timesteps: int
    policy: str
    n_envs: int
    policy_kwargs: dict[str, Any] = field(default_factory=dict)
    algo_kwargs: dict[str, Any] = field(default_factory=dict)
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    entries: tuple[str, ...] = ()

    def observation_kwargs(self) -> dict[str, Any]:
        """The ``env_kwargs`` that shape observations and actions (:data:`OBSERVATION_KWARGS`): every
        environment that shows this model the game takes them (evaluation too), where the others
        (``max_episode_steps``, ``win_reward``) are training's alone."""
        return {k: v for k, v in self.env_kwargs.items() if k in OBSERVATION_KWARGS}

    def to_dict(self) -> dict[str, Any]:
        """A plain, YAML-safe dictionary in the file's own format (a one-entry file for ``env_id``)."""
        out: dict[str, Any] = {"n_timesteps": self.n_timesteps, "policy": self.policy, "n_envs": self.n_envs}
        out.update(self.algo_kwargs)
        if self.policy_kwargs:
            out["policy_kwargs"] = dict(self.policy_kwargs)
        if self.env_kwargs:
            out["env_kwargs"] = dict(self.env_kwargs)
        return out

    def replace(self, **changes: Any) -> AlgoConfig:
        """A copy with some fields changed."""
        from dataclasses import replace

        return replace(self, **changes)

    def model_kwargs(self) -> dict[str, Any]:
        """The algorithm's constructor arguments, with names resolved to classes and schedules built."""
        kwargs = dict(self.algo_kwargs)
        for key in ("learning_rate", "clip_range"):
            if isinstance(kwargs.get(key), str):
                kwargs[key] = _schedule(kwargs[key], self.source, key)
        kwargs["policy_kwargs"] = resolve_policy_kwargs(self.policy_kwargs, file=self.source)
        return kwargs


# Named hyperparameter presets (``ppcg train --hyperparams NAME``) -> the bundled file, per algorithm. One
# entry a line. ``default`` is what ``ppcg train`` uses; ``paper`` is Justesen et al. (2018)'s A2C, for
# reproduction;
# ``zoo`` the RL Zoo's Atari PPO (ppcg's earlier default).
PRESETS: dict[str, str] = {
    "default": "{algo}.yml",
    "paper": "{algo}-paper.yml",
    "zoo": "{algo}-zoo.yml",
}


def default_hyperparams_path(algo: str, preset: str = "default") -> Path:
    """The bundled file of ``preset`` for ``algo`` (``agents/hyperparams/<algo>.yml`` for ``default``).

    Raises:
        ConfigError: an unknown preset, or one that has no file for ``algo``.
    """
    from ppcg.resources import hyperparams_dir

    if preset not in PRESETS:
        raise ConfigError(
            f"unknown hyperparameter preset {preset!r}" + did_you_mean(str(preset), PRESETS),
            expected="one of " + ", ".join(PRESETS),
        )
    path = hyperparams_dir() / PRESETS[preset].format(algo=algo)
    if not path.is_file():
        folder = hyperparams_dir()
        have = [name for name, pattern in PRESETS.items() if (folder / pattern.format(algo=algo)).is_file()]
        raise ConfigError(
            f"the hyperparameter preset {preset!r} has no settings for {algo}",
            expected="for " + algo + ": " + ", ".join(have),
        )
    return path


def algorithm_class(algo: str) -> type:
    """The SB3 class for an algorithm name (imports SB3)."""
    if algo not in ALGORITHMS:
        raise ConfigError(f"unknown algorithm {algo!r}", expected="one of " + ", ".join(ALGORITHMS))
    module, name = ALGORITHMS[algo]
    return getattr(__import__(module, fromlist=[name]), name)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """1-based line of every mapping key, by its path from the top (``("default", "policy_kwargs")``)."""
    lines: dict[tuple[str, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines

    def walk(node: yaml.Node, path: tuple[str, ...], depth: int) -> None:
        if depth > 4 or not isinstance(node, yaml.MappingNode):
            return
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                continue
            p = path + (str(key_node.value),)
            lines.setdefault(p, key_node.start_mark.line + 1)
            walk(value_node, p, depth + 1)

    if root is not None:
        walk(root, (), 0)
    return lines


def read_hyperparams_file(path: str | Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """Parse a file with ``yaml.safe_load``; returns its entries and the line of every key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the hyperparameter file ({exc.strerror or exc})", file=path) from None
    try:
        data = safe_yaml.load(text)  # yaml.safe_load, with a key given twice an error
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"not valid YAML: {problem}", file=path, line=None if mark is None else mark.line + 1
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            "the file must map environment ids to entries",
            file=path,
            line=1,
            expected="a mapping such as 'ppcg/Zelda-v0: {...}'",
            got=type(data).__name__,
        )
    lines = _key_lines(text)
    for name, entry in data.items():
        if not isinstance(entry, dict):
            raise ConfigError(
                "an entry must be a mapping of hyperparameters",
                file=path,
                line=lines.get((str(name),)),
                entry=str(name),
                expected="a mapping",
                got=entry,
            )
    return data, lines


def load_hyperparams(
    algo: str,
    env_id: str,
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> AlgoConfig:
    """Load and check the entry for ``env_id`` (over ``default``) from a hyperparameter file.

    Args:
        algo: ``"a2c"``, ``"ppo"`` or ``"dqn"``.
        env_id: e.g. ``"ppcg/Zelda-v0"``.
        path: the file; the bundled ``agents/hyperparams/<algo>.yml`` when None.
        overrides: values that replace the file's (e.g. ``{"n_envs": 8}`` from the command line).

    Raises:
        ConfigError: unreadable file, bad YAML, no entry for ``env_id`` and no ``default``, an unknown key, a
            value of the wrong type, or a name not in the tables.
    """
    if algo not in ALGORITHMS:
        raise ConfigError(f"unknown algorithm {algo!r}", expected="one of " + ", ".join(ALGORITHMS))
    path = Path(path) if path is not None else default_hyperparams_path(algo)
    data, lines = read_hyperparams_file(path)
    entries = [name for name in ("default", env_id) if name in data]
    if not entries:
        raise ConfigError(
            f"no entry for {env_id!r} and no 'default' entry",
            file=path,
            expected="one of those top-level keys",
            got=sorted(map(str, data)),
        )
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for name in entries:
        for key, value in data[name].items():
            merged[str(key)] = value
            origin[str(key)] = name
    for key, value in (overrides or {}).items():
        merged[key] = value
        origin[key] = "<command line>"

    def err(key: str, message: str, expected: str | None = None, got: Any = None) -> ConfigError:
        entry = origin.get(key, entries[-1])
        return ConfigError(
            message,
            file=path,
            line=lines.get((entry, key)),
            entry=entry,
            key=key,
            expected=expected,
            got=got,
        )

    for key, why in _UNSUPPORTED_KEYS.items():
        if key in merged:
            raise err(key, f"the RL Zoo key {key!r} is not supported: {why}")

    def integer(key: str, minimum: int) -> int:
        value = merged.get(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or value != int(value)
            or value < minimum
        ):
            raise err(key, "bad value", expected=f"a whole number >= {minimum}", got=value)
        return int(value)

    for required in ("n_timesteps", "policy", "n_envs"):
        if required not in merged:
            raise ConfigError(
                f"missing key {required!r}",
                file=path,
                entry=entries[-1],
                expected=f"'{required}: ...' in the entry",
            )
    n_timesteps = integer("n_timesteps", 1)
    n_envs = integer("n_envs", 1)
    policy = merged["policy"]
    if policy not in POLICIES:
        raise err(
            "policy",
            "unknown policy" + (did_you_mean(str(policy), POLICIES) if isinstance(policy, str) else ""),
            expected="one of " + ", ".join(POLICIES),
            got=policy,
        )
    policy_kwargs = merged.get("policy_kwargs") or {}
    if isinstance(policy_kwargs, str):
        try:
            policy_kwargs = parse_zoo_kwargs(policy_kwargs)
        except ConfigError as exc:
            raise err("policy_kwargs", str(exc)) from None
    if not isinstance(policy_kwargs, dict):
        raise err("policy_kwargs", "bad value", expected="a mapping", got=policy_kwargs)
    try:
        resolve_policy_kwargs(policy_kwargs, file=path, check_only=True)
    except ConfigError as exc:
        raise err("policy_kwargs", exc.args[0].split(": ", 1)[-1]) from None
    env_kwargs = merged.get("env_kwargs") or {}
    if not isinstance(env_kwargs, dict):
        raise err(
            "env_kwargs", "bad value", expected="a mapping of make_vec keyword arguments", got=env_kwargs
        )

    algo_kwargs = {k: v for k, v in merged.items() if k not in _ZOO_KEYS}
    _check_algo_kwargs(algo, algo_kwargs, err)
    return AlgoConfig(
        algo=algo,
        env_id=env_id,
        n_timesteps=n_timesteps,
        policy=policy,
        n_envs=n_envs,
        policy_kwargs=dict(policy_kwargs),
        algo_kwargs=algo_kwargs,
        env_kwargs=dict(env_kwargs),
        source=str(path),
        entries=tuple(entries),
    )


def _check_algo_kwargs(algo: str, kwargs: dict[str, Any], err: Callable[..., ConfigError]) -> None:
    """Every key must be a constructor argument of the algorithm, with a value of its default's type."""
    cls = algorithm_class(algo)
    params = inspect.signature(cls.__init__).parameters
    allowed = [p for p in params if p not in _NOT_ALGO_KWARGS and p != "self"]
    for key, value in kwargs.items():
        if key not in params or key in _NOT_ALGO_KWARGS:
            raise err(
                key,
                f"unknown hyperparameter for {algo.upper()}" + did_you_mean(key, allowed),
                expected="one of " + ", ".join(sorted(allowed + list(_ZOO_KEYS))),
            )
        default = params[key].default
        if key in ("learning_rate", "clip_range") and isinstance(value, str):
            try:
                _schedule(value, None, key)
            except ConfigError:
                raise err(key, "bad schedule", expected="a number or 'lin_<number>'", got=value) from None
            continue
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise err(key, "bad value", expected="true or false", got=value)
        elif isinstance(default, (int, float)) and default is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise err(key, "bad value", expected="a number", got=value)
            if isinstance(default, int) and not isinstance(default, bool) and value != int(value):
                raise err(key, "bad value", expected="a whole number", got=value)
        elif key == "train_freq" and not isinstance(value, (int, list, tuple)):
            raise err(key, "bad value", expected="a number of steps or [n, 'step'|'episode']", got=value)


def linear_schedule(initial: float) -> Callable[[float], float]:
    """The Zoo's ``lin_X``: ``X * progress_remaining`` (from X down to 0)."""

    def schedule(progress_remaining: float) -> float:
        return progress_remaining * initial

    schedule.initial = initial  # type: ignore[attr-defined]
    return schedule


def _schedule(text: str, file: str | Path | None, key: str) -> Callable[[float], float]:
    if text.startswith("lin_"):
        try:
            return linear_schedule(float(text[4:]))
        except ValueError:
            pass
    raise ConfigError("bad schedule", file=file, key=key, expected="'lin_<number>' or a number", got=text)


def _lookup(table: dict[str, tuple[str, str]], name: str) -> type:
    module, attr = table[name]
    return getattr(__import__(module, fromlist=[attr]), attr)


def resolve_policy_kwargs(
    policy_kwargs: Mapping[str, Any], *, file: str | Path | None = None, check_only: bool = False
) -> dict[str, Any]:
    """Turn a file's ``policy_kwargs`` (names for classes) into SB3's (classes).

    ``optimizer_class``, ``activation_fn`` and ``features_extractor_class`` are names in :data:`OPTIMIZERS`,
    :data:`ACTIVATIONS` and :data:`FEATURE_EXTRACTORS` (``nn.``/``torch.nn.`` prefixes are allowed for
    activations, as the Zoo writes them). Other keys pass through after a type check.

    Raises:
        ConfigError: an unknown key or name.
    """
    out: dict[str, Any] = {}
    for key, value in policy_kwargs.items():
        if key in _CLASS_KEYS:
            table = _CLASS_KEYS[key]
            name = value.split(".")[-1] if isinstance(value, str) else value
            if not isinstance(name, str) or name not in table:
                raise ConfigError(
                    f"policy_kwargs: unknown {key}"
                    + (did_you_mean(name, list(table)) if isinstance(name, str) else ""),
                    file=file,
                    key=key,
                    expected="one of " + ", ".join(table),
                    got=value,
                )
            out[key] = None if check_only else _lookup(table, name)
        elif key in _PLAIN_POLICY_KEYS:
            if key.endswith("_kwargs") and not isinstance(value, dict):
                raise ConfigError(
                    f"policy_kwargs: bad {key}", file=file, key=key, expected="a mapping", got=value
                )
            if key == "net_arch" and not isinstance(value, (list, dict)):
                raise ConfigError(
                    "policy_kwargs: bad net_arch",
                    file=file,
                    key=key,
                    expected="a list of layer sizes or a mapping {pi: [...], vf: [...]}",
                    got=value,
                )
            out[key] = dict(value) if isinstance(value, dict) else value
        else:
            raise ConfigError(
                f"policy_kwargs: unknown key {key!r}"
                + did_you_mean(str(key), list(_CLASS_KEYS) + list(_PLAIN_POLICY_KEYS)),
                file=file,
                key=key,
                expected="one of " + ", ".join(list(_CLASS_KEYS) + list(_PLAIN_POLICY_KEYS)),
            )
    return out


def parse_zoo_kwargs(text: str) -> dict[str, Any]:
    """Read the Zoo's ``policy_kwargs`` string (``"dict(net_arch=[64], activation_fn=nn.ReLU)"``), no eval.

    Only ``dict(key=value, ...)`` calls, ``{...}`` literals, lists, tuples, numbers, strings, booleans,
    ``None`` and dotted names are understood; a dotted name becomes its last part (a name for the tables).
    Anything else (arithmetic, other calls, attribute access on calls, lambdas) is a :class:`ConfigError`.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConfigError(f"policy_kwargs: not a dict(...) expression ({exc.msg})") from None

    def value(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None))):
            return node.value
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
        ):
            return -value(node.operand)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [value(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            return {value(k): value(v) for k, v in zip(node.keys, node.values, strict=True)}  # type: ignore[arg-type]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "dict"
            and not node.args
        ):
            return {kw.arg: value(kw.value) for kw in node.keywords if kw.arg is not None}
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            parts = []
            cur: ast.AST = node
            while isinstance(cur, ast.Attribute):
                parts.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name):
                return ".".join([cur.id, *reversed(parts)])
        raise ConfigError(
            f"policy_kwargs: unsupported expression {ast.unparse(node)!r} (only dict(...), literals, names)"
        )

    result = value(tree.body)
    if not isinstance(result, dict):
        raise ConfigError("policy_kwargs: the string must be a dict(...) expression")
    return result
