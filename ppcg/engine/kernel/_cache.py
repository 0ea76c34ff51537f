"""One cache stamp for the whole kernel.

numba's ``cache=True`` keeps a compiled function on disk and reloads it while the function's *own* source file is
unchanged. The kernel's functions call each other across its modules and compile in the constants of
:mod:`ppcg.engine.layout` and :mod:`ppcg.engine.features` and the draws of :mod:`ppcg.engine.jrandom`, so an edit to
any of those files must invalidate every cached kernel function, not only those of the edited file. The locators
below do what numba's own do (the same cache folders) but stamp each kernel function with a hash of all those
files. Functions of other modules keep numba's locators.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_KERNEL_DIR = Path(__file__).resolve().parent
_ENGINE_DIR = _KERNEL_DIR.parent
_DEPENDENCIES = ("layout.py", "features.py", "jrandom.py")
_memo: dict[tuple, bytes] = {}


def source_files() -> list[Path]:
    """The files whose contents the compiled kernel depends on."""
    return sorted(_KERNEL_DIR.glob("*.py")) + [_ENGINE_DIR / name for name in _DEPENDENCIES]


def kernel_stamp() -> bytes:
    """A hash of every file in :func:`source_files` (re-read only when one's size or mtime changes)."""
    files = source_files()
    key = tuple((str(p), st.st_mtime_ns, st.st_size) for p in files for st in (p.stat(),))
    if key not in _memo:
        h = hashlib.sha256()
        for p in files:
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
        _memo.clear()
        _memo[key] = h.digest()
    return _memo[key]


def _is_kernel_file(py_file: str) -> bool:
    try:
        return Path(py_file).resolve().parent == _KERNEL_DIR
    except OSError:
        return False


class _KernelStamp:
    """Mixin for a numba cache locator: only kernel files, stamped with :func:`kernel_stamp`."""

    def get_source_stamp(self):
        return kernel_stamp()

    @classmethod
    def from_function(cls, py_func, py_file):
        if not _is_kernel_file(py_file):
            return None
        return super().from_function(py_func, py_file)


_installed = False


def install() -> None:
    """Put the kernel's locators before numba's own (once per process; a no-op when numba's layout is unknown,
    which leaves numba's per-file stamps)."""
    global _installed
    if _installed or os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        return
    from numba.core import caching

    impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl", None)
    bases = [getattr(caching, name, None) or getattr(caching, "_" + name, None)
             for name in ("UserProvidedCacheLocator", "InTreeCacheLocator", "UserWideCacheLocator")]
    if impl is None or not hasattr(impl, "_locator_classes") or None in bases:
        return
    ours = [type(f"Kernel{base.__name__.lstrip('_')}", (_KernelStamp, base), {}) for base in bases]
    impl._locator_classes[:0] = ours
    _installed = True
