"""The kernel's numba cache: one stamp for all its files, so an edit to any of them recompiles every cached caller."""

from __future__ import annotations

import shutil

import pytest

from ppcg.engine import kernel as K
from ppcg.engine.kernel import _cache


@pytest.fixture
def copied_engine(tmp_path, monkeypatch):
    """The kernel's sources copied to a scratch folder, with the stamp reading the copies."""
    engine = tmp_path / "engine"
    shutil.copytree(_cache._ENGINE_DIR / "kernel", engine / "kernel", ignore=shutil.ignore_patterns("__pycache__"))
    for name in _cache._DEPENDENCIES:
        shutil.copy(_cache._ENGINE_DIR / name, engine / name)
    monkeypatch.setattr(_cache, "_KERNEL_DIR", engine / "kernel")
    monkeypatch.setattr(_cache, "_ENGINE_DIR", engine)
    return engine


@pytest.mark.parametrize("edited", ["kernel/observe.py", "kernel/base.py", "layout.py", "features.py", "jrandom.py"])
def test_an_edit_to_any_kernel_source_changes_the_stamp(copied_engine, edited):
    before = _cache.kernel_stamp()
    assert _cache.kernel_stamp() == before  # stable while nothing changes
    path = copied_engine / edited
    path.write_text(path.read_text() + "\n# edited\n")
    assert _cache.kernel_stamp() != before


def test_the_stamp_covers_every_kernel_module():
    names = {p.name for p in _cache.source_files()}
    assert {"base.py", "effects.py", "cycle.py", "entry.py", "layout.py", "features.py", "jrandom.py"} <= names


def test_kernel_functions_are_cached_under_the_kernel_stamp():
    if not hasattr(K.step_batch, "_cache"):
        pytest.skip("the JIT is disabled")
    locator = K.step_batch._cache._impl.locator
    assert locator.get_source_stamp() == _cache.kernel_stamp()
    from ppcg.engine.jrandom import jr_seed  # a numba function outside the kernel keeps numba's own locator

    assert not isinstance(jr_seed._cache._impl.locator, _cache._KernelStamp)


def test_each_kernel_module_imports_only_those_before_it():
    """The split's reading order (``kernel.MODULES``): a module uses only what the modules before it define, so
    each file reads with what came before and the kernel has no import cycle."""
    import ast

    order = list(K.MODULES)
    files = sorted(p.stem for p in _cache._KERNEL_DIR.glob("*.py") if not p.stem.startswith("_"))
    assert sorted(order) == files
    for k, name in enumerate(order):
        tree = ast.parse((_cache._KERNEL_DIR / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ppcg.engine.kernel."):
                imported = node.module.rsplit(".", 1)[1]
                assert imported in order[:k], f"kernel/{name}.py imports {imported}, which comes after it"
