"""Shared fixtures. Tests that need GVGAI's corpus or traces (in ``../shared``) skip where it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
# One engine thread in tests: 2 shared cores, many small batches (threaded stepping is checked in a subprocess by
# the engine's own tests where it matters).
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PPCG_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "vgdl-corpus" / "gridphysics"
TRACES = SHARED / "vgdl-traces"
RANDOM = SHARED / "vgdl-random"  # random games with GVGAI's traces (differential testing)
FEATURES = SHARED / "vgdl-features"  # one tiny game per GVGAI feature, with GVGAI's traces


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """GVGAI's gridphysics games and levels (skips if ../shared is absent)."""
    if not CORPUS.is_dir():
        pytest.skip(f"GVGAI corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def traces_dir() -> Path:
    """GVGAI's own per-tick traces (skips if ../shared is absent)."""
    if not TRACES.is_dir():
        pytest.skip(f"GVGAI traces not found at {TRACES}")
    return TRACES


@pytest.fixture(scope="session")
def random_dir() -> Path:
    """GVGAI's traces of random games (``games/``, ``traces/``; skips if ../shared is absent)."""
    if not (RANDOM / "traces").is_dir():
        pytest.skip(f"GVGAI random games not found at {RANDOM}")
    return RANDOM


@pytest.fixture(scope="session")
def features_dir() -> Path:
    """GVGAI's traces of one tiny game per feature (``games/``, ``traces/``; skips if ../shared is absent)."""
    if not (FEATURES / "traces").is_dir():
        pytest.skip(f"GVGAI feature games not found at {FEATURES}")
    return FEATURES


def pytest_terminal_summary(terminalreporter):
    """Say how long the engine took to compile during the run (numba: minutes on a new machine, or after a
    change to the kernel), which the engine's own notice (printed in a terminal) cannot say under pytest."""
    import sys

    batch = sys.modules.get("ppcg.engine.batch")
    slow = getattr(batch, "COMPILED", None)
    if slow:
        total = sum(seconds for _, seconds in slow)
        each = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in slow)
        terminalreporter.write_line(
            f"ppcg: the engine's first calls took {total:.0f} s (numba compiling its kernels, or loading "
            f"them from its cache): {each}"
        )
