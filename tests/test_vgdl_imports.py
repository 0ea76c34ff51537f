"""Static checks on the language layer's sources: no heavy or higher-layer imports, nothing evaluated."""

from __future__ import annotations

import ast
from pathlib import Path

import ppcg.vgdl

VGDL_DIR = Path(ppcg.vgdl.__file__).parent
FORBIDDEN = {"gymnasium", "gym", "torch", "stable_baselines3", "pygame", "numba"}
OTHER_LAYERS = {"ppcg.engine", "ppcg.envs", "ppcg.generators", "ppcg.curricula", "ppcg.agents"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append(node.module)
    return out


def test_sources_exist():
    names = {p.name for p in VGDL_DIR.glob("*.py")}
    assert {"parser.py", "registry.py", "writer.py", "level.py", "check.py", "spec.py", "errors.py"} <= names


def test_no_forbidden_imports():
    for path in sorted(VGDL_DIR.glob("*.py")):
        for mod in _imports(path):
            assert mod.split(".")[0] not in FORBIDDEN, f"{path.name} imports {mod}"
            assert not any(mod == o or mod.startswith(o + ".") for o in OTHER_LAYERS), (
                f"{path.name} imports {mod}"
            )


def test_nothing_is_evaluated():
    for path in sorted(VGDL_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec", "compile", "__import__"), (
                    f"{path.name}:{node.lineno}"
                )


def test_the_checker_itself_sees_imports(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import torch\nfrom ppcg.engine import x\n")
    assert _imports(bad) == ["torch", "ppcg.engine"]
