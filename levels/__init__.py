"""Package data: the bundled levels (installed as ppcg.levels)."""
