"""The engine: GVGAI-faithful, batched, numba-compiled simulation of VGDL games.

``compile_game(spec)`` turns a :class:`~ppcg.vgdl.spec.GameSpec` into flat tables (:class:`CompiledGame`);
``BatchEngine(game, n)`` steps ``n`` environments of it in one compiled call.
"""

from __future__ import annotations

from ppcg.engine.batch import (
    FACING_PLANES,
    OFFSET_PLANES,
    BatchEngine,
    EngineCapacityError,
    EngineFault,
    EngineState,
    StepResult,
    inventory_limits,
    inventory_plane_names,
    warm_up,
)
from ppcg.engine.compiler import CompiledGame, compile_game, level_plan

__all__ = [
    "FACING_PLANES", "OFFSET_PLANES", "BatchEngine", "CompiledGame", "EngineCapacityError", "EngineFault",
    "EngineState", "StepResult", "compile_game", "inventory_limits", "inventory_plane_names", "level_plan",
    "warm_up",
]
