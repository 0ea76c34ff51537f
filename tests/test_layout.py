"""The project's structure: layering of imports, and what a user gets from ``pip install .``."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

HEAVY = {"gymnasium", "torch", "stable_baselines3", "pygame", "ray"}
# package -> top-level modules it must never import (DESIGN.md, "Import rules").
FORBIDDEN = {
    "ppcg/vgdl": HEAVY | {"numba", "ppcg.engine", "ppcg.envs", "ppcg.generators", "ppcg.curricula", "ppcg.agents"},
    "ppcg/engine": HEAVY | {"ppcg.envs", "ppcg.generators", "ppcg.curricula", "ppcg.agents"},
    "ppcg/generators": HEAVY | {"ppcg.envs", "ppcg.curricula", "ppcg.agents"},
    "ppcg/envs": {"torch", "stable_baselines3", "ray", "ppcg.curricula", "ppcg.agents"},
    "ppcg/curricula": {"torch", "stable_baselines3", "ray", "ppcg.agents"},
}
# The one module that imports Ray (``ppcg experiment --backend ray``), inside its functions.
ALLOWED_RAY = {"agents/ray_backend.py"}
# The one module outside the agents allowed to import Stable-Baselines3 (and torch through it).
ALLOWED_SB3 = {"ppcg/curricula/sb3_callback.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violations(package: str, forbidden: set[str]) -> list[str]:
    out = []
    for path in sorted((REPO / package).rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        for name in sorted(_imports(path)):
            for bad in forbidden:
                if name == bad or name.startswith(bad + "."):
                    if rel in ALLOWED_SB3 and bad in {"torch", "stable_baselines3"}:
                        continue
                    out.append(f"{rel} imports {name}")
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_downwards(package):
    assert _violations(package, FORBIDDEN[package]) == []


def test_layering_check_detects_a_violation(tmp_path, monkeypatch):
    # The checker itself must be able to fail.
    (tmp_path / "ppcg" / "vgdl").mkdir(parents=True)
    (tmp_path / "ppcg" / "vgdl" / "bad.py").write_text("import gymnasium\nfrom torch import nn\n")
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    assert _violations("ppcg/vgdl", FORBIDDEN["ppcg/vgdl"]) == [
        "ppcg/vgdl/bad.py imports gymnasium",
        "ppcg/vgdl/bad.py imports torch",
    ]


def test_only_the_ray_backend_imports_ray():
    users = {
        path.relative_to(REPO).as_posix()
        for folder in ("ppcg", "agents")
        for path in (REPO / folder).rglob("*.py")
        if any(name == "ray" or name.startswith("ray.") for name in _imports(path))
    }
    assert users == ALLOWED_RAY
    # and only when asked for: importing the experiment and its Ray backend imports no Ray
    code = "import sys, ppcg.agents.experiment, ppcg.agents.ray_backend; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (whl,) = out.glob("ppcg-*.whl")
    return zipfile.ZipFile(whl)


def test_wheel_ships_games_levels_and_agents(wheel):
    names = set(wheel.namelist())
    for game in ("zelda", "solarfox", "frogs", "boulderdash"):
        assert f"ppcg/games/{game}.txt" in names
        for n in range(5):
            assert f"ppcg/levels/{game}/lvl{n}.txt" in names
    for algo in ("a2c", "ppo", "dqn"):
        assert f"ppcg/agents/hyperparams/{algo}.yml" in names
    assert "ppcg/agents/train.py" in names


def test_wheel_claims_no_generic_top_level_name(wheel):
    tops = {n.split("/", 1)[0] for n in wheel.namelist() if not n.split("/", 1)[0].endswith((".dist-info", ".data"))}
    assert tops == {"ppcg"}


def test_every_subpackage_is_listed_for_installation():
    # A subpackage missing from pyproject's explicit list would be absent from the installed package.
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "ppcg").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject [tool.setuptools] packages: {sorted(found - listed)}"
