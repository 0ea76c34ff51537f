"""The project's structure: what a user gets from ``pip install .``."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# The layering of imports is checked by import-linter's contracts (pyproject.toml, [tool.importlinter]), which
# CI runs through scripts/lint_imports.py: direct and indirect imports, inside functions too. One of them keeps Ray
# in agents/ray_backend.py; the test below checks the same where the lint extra is not installed, and what no
# contract can: that Ray is imported only when `--backend ray` is asked for.
ALLOWED_RAY = {"agents/ray_backend.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


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


def test_every_data_folder_is_listed_for_installation():
    # setuptools ships a folder's data files only as part of a listed package (and warns at every install
    # otherwise): each folder of games/, levels/ and agents/ that holds game, level or hyperparameter files.
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for top in ("games", "levels", "agents"):
        for f in (REPO / top).rglob("*"):
            if f.suffix in (".txt", ".yml") and "__pycache__" not in f.parts:
                found.add(".".join(("ppcg", *f.parent.relative_to(REPO).parts)))
    assert "ppcg.levels.zelda" in found and "ppcg.agents.hyperparams" in found
    assert found <= listed, f"add to pyproject [tool.setuptools] packages: {sorted(found - listed)}"
