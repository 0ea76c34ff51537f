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
