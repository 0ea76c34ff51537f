"""The compiled simulation: one GVGAI game cycle for every environment of a batch, in numba.

Everything here works on two named tuples of arrays (:mod:`ppcg.engine.layout`): ``tb`` (the game's tables) and
``st`` (the batch's state); ``i`` is an environment index and ``s`` a sprite slot. The order of one cycle is
GVGAI's ``Game.gameCycle`` (the rules, in the project's words: ``docs/semantics.md``):

1. the avatar moves (first), then every other sprite in reverse sprite order, each type's sprites by id;
2. EOS effects; 3. pair effects, pair by pair in order of first appearance; 4. killed sprites are removed;
5. terminations in file order.

Randomness is one ``java.util.Random`` per environment (:mod:`ppcg.engine.jrandom`), drawn where GVGAI draws.
Collisions use a per-environment grid index (sprites by covered cell, plus a list of sprites not fully inside the
level); small sprite sets are scanned directly. Candidates are always visited in GVGAI's order: the pair's subtree
order of types, then sprite id.

The kernel is split by concern; each module imports only those before it:

================  ==================================================================================================
:mod:`.base`      direction tables, java.util.Random draws, the grid index, ``_set_pos``, sprite creation/killing
:mod:`.movement`  ``_update_pos``, passive movement, sprite speeds, an NPC's active move
:mod:`.pathfinding`  GVGAI's pathfinder and the classes that follow its paths
:mod:`.sprites`   NPC classes: ``_update_sprite``, a branch per class
:mod:`.avatars`   avatar classes: ``_update_avatar``, a branch per class
:mod:`.effects_corpus`, :mod:`.effects_ontology`  effects added for the corpus and for the rest of the ontology
:mod:`.effects`   the first effects and the dispatcher ``_apply_effect``
:mod:`.collisions`  pair effects: the overlapping sprites of two types, in GVGAI's order
:mod:`.cycle`     one game cycle, time effects, terminations, reset
:mod:`.observe`   symbolic and RGB observations, cell signatures
:mod:`.entry`     the batch entry points :class:`ppcg.engine.BatchEngine` calls
================  ==================================================================================================

numba's on-disk cache checks only the source file of the function it caches, so an edit to one module would leave
the cached callers in the others stale. :mod:`._cache` gives every kernel function one stamp, the hash of all the
kernel's files and of the modules whose constants and functions it compiles in (layout, features, jrandom).
"""

from __future__ import annotations

from ppcg.engine.kernel import _cache

_cache.install()

# the reading order: each module imports only modules before it (tests/test_engine_kernel_cache.py)
MODULES = ("base", "movement", "pathfinding", "sprites", "avatars", "effects_corpus", "effects_ontology", "effects",
           "collisions", "cycle", "observe", "entry")

from ppcg.engine.kernel.cycle import regrid_env, reset_env, step_env  # noqa: E402
from ppcg.engine.kernel.entry import (  # noqa: E402
    _observe_range,
    _reset_range,
    _step_range,
    observe_batch,
    offsets_all,
    reset_batch,
    step_batch,
)
from ppcg.engine.kernel.movement import _set_speed, _speed_of  # noqa: E402
from ppcg.engine.kernel.observe import obs_offsets, obs_rgb, obs_symbolic  # noqa: E402

__all__ = [
    "MODULES",
    "_observe_range",
    "_reset_range",
    "_set_speed",
    "_speed_of",
    "_step_range",
    "obs_offsets",
    "obs_rgb",
    "obs_symbolic",
    "observe_batch",
    "offsets_all",
    "regrid_env",
    "reset_batch",
    "reset_env",
    "step_batch",
    "step_env",
]
