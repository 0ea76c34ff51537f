"""Static checks on the language layer's sources: nothing evaluated.

What the language imports (nothing heavy, no higher layer, no numba) is checked by import-linter's contracts
(pyproject.toml, [tool.importlinter]; CI runs scripts/lint_imports.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import ppcg.vgdl

VGDL_DIR = Path(ppcg.vgdl.__file__).parent


def test_sources_exist():
    names = {p.name for p in VGDL_DIR.glob("*.py")}
    assert {"parser.py", "registry.py", "writer.py", "level.py", "check.py", "spec.py", "errors.py"} <= names


def test_nothing_is_evaluated():
    for path in sorted(VGDL_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec", "compile", "__import__"), (
                    f"{path.name}:{node.lineno}"
                )
