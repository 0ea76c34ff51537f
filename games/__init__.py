"""Package data: the bundled games (installed as ppcg.games)."""
