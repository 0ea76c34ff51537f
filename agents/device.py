"""``--device auto|cpu|cuda``: where torch runs the network (``ppcg train``, ``evaluate``, ``experiment``).

``auto`` takes the GPU when torch sees one (``torch.cuda.is_available()``), else the CPU; ``cuda`` without a
GPU is an error. The engine always steps on the CPU; only the policy's forward and backward passes move. A
run's ``config.yaml`` keeps the device asked for (a run saved before this setting existed reads as ``cpu``)
and its ``run.json`` the device used. On the CPU a run is reproducible bit for bit, exact resumption
included; on a GPU, torch's kernels and random draws differ from the CPU's, so a run is not the CPU run, and
exact resumption keeps no CUDA generator state.
"""

from __future__ import annotations

import argparse

__all__ = ["DEVICES", "add_device_argument", "resolve_device"]

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(device: str | None) -> str:
    """``"cpu"`` or ``"cuda"``: the device that ``device`` (one of :data:`DEVICES`) means on this machine.

    None (a run saved before ``--device`` existed) means ``"cpu"``.

    Raises:
        ValueError: an unknown device, or ``"cuda"`` where torch sees no GPU.
    """
    if device is None or device == "cpu":
        return "cpu"
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}; expected one of {', '.join(DEVICES)}")
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if device == "cuda":
        raise ValueError(
            "--device cuda: torch sees no GPU here (torch.cuda.is_available() is False; torch "
            f"{torch.__version__}, built {'without' if torch.version.cuda is None else 'with'} CUDA); "
            "use --device cpu or auto"
        )
    return "cpu"


def add_device_argument(parser: argparse.ArgumentParser, *, default: str | None = "auto") -> None:
    """The ``--device`` option."""
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default=default,
        help="where torch runs the network: auto (a GPU when torch sees one, else the CPU), cpu or cuda "
        f"(default: {default or 'auto; a resumed run keeps its own'})",
    )
