"""``ppcg ontology``: every name GVGAI's VGDL defines, with what the engine does with it (``docs/ontology.md``).

The page is generated from the tables, so it cannot drift: the language's registry (:mod:`ppcg.vgdl.registry`,
every sprite class, effect and termination GVGAI accepts), the engine's (:mod:`ppcg.engine.features`, what it
implements and the parameters it reads, and ``REFUSED``, why it refuses the rest) and :data:`FEATURE_TESTED` below
(the names whose ``../shared/vgdl-features`` game replays GVGAI's traces exactly; ``tests/test_gvgai_random.py``
checks each one). A test checks that ``docs/ontology.md`` is this command's output.

    ppcg ontology --out docs/ontology.md
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ppcg.engine import features as F
from ppcg.vgdl import registry

__all__ = ["FEATURE_TESTED", "QUIRKS", "add_arguments", "render", "run"]

# Names whose feature game (../shared/vgdl-features/games/<name>.txt) replays GVGAI's traces exactly. One a line.
FEATURE_TESTED: tuple[str, ...] = (
    "SpriteCounterMore",
    "StopCounter",
    "killIfAlive",
    "removeScore",
    "addHealthPointsToMax",
    "spawnIfHasLess",
    "halfSpeed",
    "increaseSpeedToAll",
    "decreaseSpeedToAll",
    "cloneSprite",
    "transformToRandomChild",
    "ErraticMissile",
    "SpriteProducer",
    "Conveyor",
    "ResourcePack",
    "VerticalAvatar",
    "NullAvatar",
    "ShootOnlyAvatar",
    "OngoingTurningAvatar",
    "updateSpawnType",
    "spawnIfCounterSubTypes",
    "wallStop",
    "wallReverse",
    "wallBounce",
    "SpawnPointMultiSprite",
    "AlternateChaser",
    "RandomAltChaser",
    "killIfSlow",
    "killIfFast",
)

# GVGAI's own behaviours that the engine reproduces although they look like slips (read in GVGAI's source and
# confirmed by its traces), said once here so that a game author is not surprised. One entry a name.
QUIRKS: dict[str, str] = {
    "ShootOnlyAvatar": "never moves or turns; LEFT, UP, RIGHT, DOWN and USE fire the 1st to 5th `stype` entry "
                       "(an action past the list's end fires nothing) one cell ahead of its fixed orientation; "
                       "`ammo` (one resource) is spent only by the first entry. Its action list as an agent sees "
                       "it is ShootAvatar's (USE, LEFT, RIGHT, DOWN, UP): GVGAI publishes the list before the "
                       "class replaces it",
    "OngoingTurningAvatar": "moves every tick like OngoingAvatar, but a key turns it only sideways (never back "
                            "or forward); each tick it leaves its last cell it adds a `spawnBehind` sprite there, "
                            "and without `spawnBehind` a `wall` (GVGAI's sprite type 0)",
    "updateSpawnType": "every SpawnPoint of `spawnPoint`'s subtree (Bombers and RandomBombers included) spawns "
                       "`stype` from then on; sprites of other classes there (SpawnPointMultiSprite too) are "
                       "left alone",
    "spawnIfCounterSubTypes": "spawns `stype` when `stypeCount`'s subtree holds exactly `limit` active sprites "
                              "and half (rounded down) of the types of that subtree that hold sprites of their "
                              "own equals `subTypesNum`, else `estype`; the parent type of the subtree counts only "
                              "if it has sprites of its own type",
    "wallStop": "puts sprite1 flush against sprite2 (as `stepBack pixelPerfect=True`), then keeps only the part "
                "of its orientation along the wall: a sprite that ran straight into it stops (speed 0)",
    "wallReverse": "a batch effect: sprite1 meets all the sprites it overlaps at once (two side by side as one "
                   "wall, which then scores twice), and all of them go back to their last positions; it keeps "
                   "only the horizontal part of its orientation, reversed unless the wall was hit from above or "
                   "below, so a vertical mover stops (speed 0). A sprite1 killed earlier in the tick still takes "
                   "part",
    "wallBounce": "a batch effect as `wallReverse`; the orientation's part across the wall flips (both parts "
                  "when the side hit is unclear)",
    "SpawnPointMultiSprite": "one roll a tick (`prob`, `cooldown` as SpawnPoint) adds every type of `stypes` "
                             "on itself; each sprite added counts toward `total`",
    "AlternateChaser": "always chases `stype1` (one type) and never flees: GVGAI counts `stype1` in place of "
                       "`stype2` and resets `fleeing`; it draws `nextInt` over the moves that get 1 px closer to "
                       "each nearest target, where the sprites of `stype1`'s own type are listed twice (GVGAI's "
                       "getSubSpritesGroup), so their moves count twice; with no target it steps at random "
                       "(`nextInt(4)`, no `cons`). Several `stype1` types are refused: GVGAI picks one with an "
                       "unseeded generator",
    "RandomAltChaser": "as `AlternateChaser`, after a `nextDouble()` drawn against `epsilon` for a random step",
    "killIfSlow": "the speed compared with `limspeed` is the other sprite's speed when one of the two is static, "
                  "else the length of the difference of their orientations (directions, not velocities)",
    "killIfFast": "as `killIfSlow`, killing above `limspeed`",
}

_KINDS = (
    ("sprite", "Sprite classes", F.SPRITE_CLASSES, F.COMMON_SPRITE_PARAMS),
    ("effect", "Effects", F.EFFECTS, F.COMMON_EFFECT_PARAMS),
    ("termination", "Terminations", F.TERMINATIONS, F.COMMON_TERMINATION_PARAMS),
)

_HEADER = """# The GVGAI ontology in ppcg's engine

Generated by `ppcg ontology --out docs/ontology.md` from the tables (`ppcg/vgdl/registry.py`,
`ppcg/engine/features.py`, `ppcg/engine/ontology.py`); do not edit by hand.

Every sprite class, effect and termination GVGAI's VGDL accepts for single-player games. **implemented**: the engine
runs it with GVGAI's rules; a game that sets one of its behaviour parameters that the engine does not read (to
anything but GVGAI's default) is refused, naming the parameter and its line. **checked against GVGAI**: where its
tiny game in `../shared/vgdl-features` replays GVGAI's own traces exactly (`tests/test_gvgai_random.py`); the names
added for GVGAI's corpus are checked by the corpus traces (`ppcg conformance ../shared/vgdl-traces`) and the random
games (`../shared/vgdl-random`). **refused**: a game that uses it fails to compile with an error naming it, its line
and the reason below.

Continuous physics (`physicstype=CONT`, with `gravity`, `mass`, `friction`, `max_speed`, `jump_strength`) is not
supported: the engine keeps whole-pixel positions moved by grid steps, and carrying velocities would cost every
gridphysics game. Any of those parameters set to anything but GVGAI's default is refused as continuous physics.
"""


def _status(name: str, implemented: dict) -> tuple[str, str, str]:
    if name in implemented:
        checked = "feature game" if name in FEATURE_TESTED else "corpus / random games"
        return "implemented", checked, ""
    return "refused", "", F.refusal(name) or "not implemented yet"


def render() -> str:
    """The Markdown page."""
    out = [_HEADER]
    totals = []
    for kind, title, implemented, common in _KINDS:
        names = registry.names(kind)
        n_impl = sum(1 for n in names if n in implemented)
        totals.append(f"{n_impl}/{len(names)} {title.lower()}")
        out.append(f"## {title} ({n_impl} of {len(names)} implemented)\n")
        out.append("| name | status | checked against GVGAI | behaviour parameters the engine reads | reason |")
        out.append("|---|---|---|---|---|")
        for name in names:
            status, checked, why = _status(name, implemented)
            params = ""
            if name in implemented:
                params = ", ".join(f"`{p}`" for p in sorted(implemented[name][1] - common)) or "-"
            out.append(f"| `{name}` | {status} | {checked} | {params} | {why} |")
        out.append("")
        out.append(f"Handled for every {kind}: " + ", ".join(f"`{p}`" for p in sorted(common)) + ".\n")
    out.append("In all: " + "; ".join(totals) + ".")
    out.append("\n## GVGAI behaviours the engine reproduces\n")
    out.append("What GVGAI does with these names, read in its source and seen in its traces, where it is not what "
               "the name suggests.\n")
    out.extend(f"- `{name}`: {text}." for name, text in QUIRKS.items())
    return "\n".join(out) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``ppcg ontology [--out FILE]``."""
    parser.add_argument("--out", metavar="FILE", help="write the page there (default: print it)")


def run(args: argparse.Namespace) -> int:
    text = render()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text, end="")
    return 0
