"""``--device auto|cpu|cuda`` for train, evaluate and experiment (no GPU needed: CUDA itself is not run)."""

from __future__ import annotations

import argparse

import pytest
import torch
from ppcg.agents.device import resolve_device

from ppcg.cli import main

no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without a GPU")


def test_auto_takes_the_gpu_only_when_torch_sees_one(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"
    assert resolve_device("cpu") == "cpu" and resolve_device(None) == "cpu"
    with pytest.raises(ValueError, match="--device cuda: torch sees no GPU"):
        resolve_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda" and resolve_device("cuda") == "cuda"
    assert resolve_device("cpu") == "cpu"  # asked for: kept, whatever the machine
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        resolve_device("tpu")


def _parser(command: str) -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser()
    importlib.import_module(f"ppcg.agents.{command}").add_arguments(parser)
    return parser


@pytest.mark.parametrize(
    ("command", "args", "default"),
    [("train", ["zelda"], None), ("evaluate", ["runs/x"], "auto"), ("experiment", ["zelda"], "auto")],
)
def test_every_command_takes_device(command, args, default, capsys):
    parser = _parser(command)
    assert parser.parse_args(args).device == default  # train: None, so that --resume keeps the run's own
    for device in ("auto", "cpu", "cuda"):
        assert parser.parse_args([*args, "--device", device]).device == device
    with pytest.raises(SystemExit):
        parser.parse_args([*args, "--device", "gpu"])
    assert "invalid choice: 'gpu'" in capsys.readouterr().err


def test_settings_keep_the_device_and_an_older_config_means_cpu(tmp_path):
    from dataclasses import asdict

    from ppcg.agents.train import TrainSettings, settings_from_args

    settings = settings_from_args(_parser("train").parse_args(["zelda", "--device", "cpu"]))
    assert settings.device == "cpu"
    assert settings_from_args(_parser("train").parse_args(["zelda"])).device == "auto"
    assert TrainSettings.from_dict(asdict(settings)) == settings
    for device in ("auto", "cuda"):
        assert TrainSettings.from_dict({**asdict(settings), "device": device}).device == device
    old = {k: v for k, v in asdict(settings).items() if k != "device"}  # saved before --device existed
    assert TrainSettings.from_dict(old).device == "cpu"
    # through config.yaml
    from ppcg.agents.run import RunDir

    run = RunDir.create(tmp_path / "r", "r")
    run.write_config({"settings": asdict(TrainSettings(device="auto"))})
    assert TrainSettings.from_dict(run.read_config()["settings"]).device == "auto"


@no_gpu
def test_cuda_without_a_gpu_is_a_clear_error_before_anything_is_made(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "zelda", "--device", "cuda", "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "--device cuda: torch sees no GPU" in err and "use --device cpu or auto" in err
    assert not out.exists()
    assert main(["evaluate", str(tmp_path / "nothing"), "--device", "cuda"]) == 2
    assert "--device cuda: torch sees no GPU" in capsys.readouterr().err
    argv = ["experiment", "zelda", "--device", "cuda", "--runs", str(tmp_path / "x")]
    assert main([*argv, "--results", str(tmp_path / "res")]) == 2
    assert "--device cuda: torch sees no GPU" in capsys.readouterr().err
    assert not (tmp_path / "x").exists() and not (tmp_path / "res").exists()
