"""Check the import contracts of pyproject.toml (``[tool.importlinter]``) with import-linter.

Usage::

    python scripts/lint_imports.py          # exit status 0 when every contract is kept, 1 when one is broken

import-linter reads a package from its folder, and ``ppcg.agents`` lives in ``agents/`` (pyproject's
``package-dir``): this lays the sources out as they are installed (``agents/`` as ``ppcg/agents/``) in a
temporary folder and runs ``lint-imports`` there, on the repository's own pyproject.toml. CI runs it
(``.ci/run``); it needs the ``lint`` extra (``pip install -e ".[lint]"``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def installed_layout(dest: Path) -> Path:
    """The package's Python sources under ``dest`` as ``pip install`` lays them out; returns ``dest``."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "ppcg", dest / "ppcg", ignore=skip)
    shutil.copytree(REPO / "agents", dest / "ppcg" / "agents", ignore=skip)
    return dest


def main() -> int:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if lint is None:
        print('lint-imports not found: pip install -e ".[lint]"', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        root = installed_layout(Path(tmp))
        env = {**os.environ, "PYTHONPATH": str(root)}
        config = str(REPO / "pyproject.toml")
        return subprocess.run([lint, config, "--no-cache"], cwd=root, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
