"""The ``ppcg`` command: one subcommand per module, registered from a table.

Each subcommand module exposes ``add_arguments(parser)`` and ``run(args) -> int``; it is imported only when its
subcommand runs, so ``ppcg check`` never imports torch.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help). One entry a line.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("ppcg.engine.check", "validate a VGDL game and its levels for the engine, and summarise them"),
    "coverage": ("ppcg.engine.coverage", "load every game in a folder and run each level with random actions"),
    "conformance": ("ppcg.engine.conformance", "replay GVGAI's own traces against the engine"),
    "ontology": ("ppcg.engine.ontology", "list every GVGAI name with what the engine does with it"),
    "generate": ("ppcg.generators.cli", "write generated levels (or --stats: what difficulty controls)"),
    "render": ("ppcg.envs.render_cli", "draw a level as the player sees it, to a PNG"),
    "play": ("ppcg.envs.play", "play a game with the keyboard in a pygame window"),
    "record": ("ppcg.envs.record", "record videos of a random or saved policy"),
    "train": ("ppcg.agents.train", "train an agent with a curriculum (Stable-Baselines3)"),
    "evaluate": ("ppcg.agents.evaluate", "evaluate a trained agent on human or generated levels"),
    "experiment": ("ppcg.agents.experiment", "run the paper's comparison over conditions and seeds"),
}


class CLIError(Exception):
    """A bad command-line argument: printed as ``ppcg <command>: error: ...`` with exit status 2."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only ``command``'s module is imported to add its arguments."""
    parser = argparse.ArgumentParser(
        prog="ppcg",
        description="Generalization in RL with procedurally generated VGDL levels.",
    )
    from ppcg import __version__

    parser.add_argument("--version", action="version", version=f"ppcg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        if name != command:
            continue
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module.startswith(exc.name):
                raise
            p.set_defaults(_missing=True)  # not built yet in this checkout
            continue
        mod.add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ppcg`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if getattr(args, "_missing", False):
        parser.error(f"the {args.command!r} command is not available in this installation")
    mod = importlib.import_module(args._module)
    try:
        return int(mod.run(args) or 0)
    except CLIError as exc:
        print(f"ppcg {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
