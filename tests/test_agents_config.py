"""Hyperparameter files: the RL Zoo's format, loaded safely, errors naming file, line, entry and key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

pytest.importorskip("stable_baselines3")

from ppcg.agents.config import (  # noqa: E402
    ConfigError,
    load_hyperparams,
    parse_zoo_kwargs,
    resolve_policy_kwargs,
)


def write(tmp_path, text):
    p = tmp_path / "h.yml"
    p.write_text(textwrap.dedent(text))
    return p


def test_the_paper_preset_is_the_papers_a2c():
    from ppcg.agents.config import default_hyperparams_path
    from stable_baselines3.common.sb2_compat.rmsprop_tf_like import RMSpropTFLike

    cfg = load_hyperparams("a2c", "ppcg/Zelda-v0", default_hyperparams_path("a2c", "paper"))
    assert cfg.entries == ("default", "ppcg/Zelda-v0") and cfg.policy == "CnnPolicy"
    kw = cfg.model_kwargs()
    assert (kw["learning_rate"], kw["n_steps"], kw["ent_coef"], kw["vf_coef"]) == (7e-4, 5, 0.01, 0.5)
    assert (kw["max_grad_norm"], kw["gamma"]) == (0.5, 0.99)
    assert kw["policy_kwargs"]["optimizer_class"] is RMSpropTFLike
    assert kw["policy_kwargs"]["optimizer_kwargs"] == {"alpha": 0.99, "eps": 1e-5, "weight_decay": 0.0}
    assert "features_extractor_class" not in kw["policy_kwargs"] and cfg.env_kwargs == {}
    # The default A2C keeps the paper's optimizer, with the suite's network and batch.
    ours = load_hyperparams("a2c", "ppcg/Zelda-v0").model_kwargs()
    assert ours["policy_kwargs"]["optimizer_class"] is RMSpropTFLike and ours["learning_rate"] == 7e-4
    assert ours["policy_kwargs"]["features_extractor_class"].__name__ == "CentredGridCNN"


@pytest.mark.parametrize("algo", ["a2c", "ppo", "dqn"])
def test_every_bundled_file_builds_its_model(algo):
    from ppcg.agents.config import algorithm_class

    for env_id in (
        "ppcg/Zelda-v0",
        "ppcg/Solarfox-v0",
        "ppcg/Frogs-v0",
        "ppcg/Boulderdash-v0",
        "ppcg/Unknown-v0",
    ):
        cfg = load_hyperparams(algo, env_id)
        assert cfg.n_timesteps > 0 and cfg.n_envs >= 1
        kw = cfg.model_kwargs()
        import inspect

        params = inspect.signature(algorithm_class(algo).__init__).parameters
        assert set(kw) <= set(params)


def test_entry_overrides_default_and_anchors_merge(tmp_path):
    p = write(
        tmp_path,
        """
        default: &d
          n_timesteps: !!float 1e5
          policy: CnnPolicy
          n_envs: 8
          n_steps: 5
        ppcg/Zelda-v0:
          <<: *d
          n_envs: 4
          learning_rate: lin_1e-3
    """,
    )
    cfg = load_hyperparams("a2c", "ppcg/Zelda-v0", p, overrides={"n_timesteps": 300})
    assert (cfg.n_timesteps, cfg.n_envs, cfg.algo_kwargs["n_steps"]) == (300, 4, 5)
    lr = cfg.model_kwargs()["learning_rate"]
    assert lr(1.0) == pytest.approx(1e-3) and lr(0.25) == pytest.approx(2.5e-4)
    assert load_hyperparams("a2c", "ppcg/Frogs-v0", p).n_envs == 8  # falls back to default


def test_round_trip_through_to_dict(tmp_path):
    import yaml

    cfg = load_hyperparams("a2c", "ppcg/Zelda-v0")
    p = tmp_path / "r.yml"
    p.write_text(yaml.safe_dump({"ppcg/Zelda-v0": cfg.to_dict()}))
    again = load_hyperparams("a2c", "ppcg/Zelda-v0", p)
    assert again.to_dict() == cfg.to_dict()


@pytest.mark.parametrize(
    "body, match, line",
    [
        (
            "  n_timesteps: 10\n  policy: CnnPolicy\n  n_envs: 2\n  learnig_rate: 0.1\n",
            "did you mean 'learning_rate'",
            5,
        ),
        ("  n_timesteps: 10\n  policy: CnnPolicy\n  n_envs: 0\n", "expected a whole number >= 1", 4),
        ("  n_timesteps: 10\n  policy: CnnPolicyy\n  n_envs: 2\n", "did you mean 'CnnPolicy'", 3),
        ("  n_timesteps: 10\n  policy: CnnPolicy\n  n_envs: 2\n  gamma: high\n", "expected a number", 5),
        ("  n_timesteps: 10\n  policy: CnnPolicy\n  n_envs: 2\n  frame_stack: 4\n", "not supported", 5),
        (
            "  n_timesteps: 10\n  policy: CnnPolicy\n  n_envs: 2\n  policy_kwargs: {optimizer_class: Adamm}\n"
            "",
            "did you mean 'Adam'",
            5,
        ),
        (
            "  n_timesteps: 10\n  policy: CnnPolicy\n  n_envs: 2\n  policy_kwargs: {foo: 1}\n",
            "unknown key 'foo'",
            5,
        ),
        (
            "  n_timesteps: 10\n  policy: CnnPolicy\n  n_envs: 2\n  normalize_advantage: 3\n",
            "true or false",
            5,
        ),
    ],
)
def test_errors_name_file_line_entry_and_key(tmp_path, body, match, line):
    p = write(tmp_path, "")
    p.write_text("ppcg/Zelda-v0:\n" + body)
    with pytest.raises(ConfigError, match=match) as info:
        load_hyperparams("a2c", "ppcg/Zelda-v0", p)
    msg = str(info.value)
    assert msg.startswith(f"{p}:{line}: [ppcg/Zelda-v0]"), msg
    assert info.value.line == line and info.value.entry == "ppcg/Zelda-v0"


def test_structural_errors(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_hyperparams("a2c", "x", tmp_path / "missing.yml")
    with pytest.raises(ConfigError, match="not valid YAML") as info:
        load_hyperparams("a2c", "x", write(tmp_path, "a: [1, 2\nb: 3\n"))
    assert info.value.line is not None
    with pytest.raises(ConfigError, match="must map environment ids"):
        load_hyperparams("a2c", "x", write(tmp_path, "- 1\n- 2\n"))
    with pytest.raises(ConfigError, match="no entry for 'ppcg/Zelda-v0' and no 'default'"):
        load_hyperparams("a2c", "ppcg/Zelda-v0", write(tmp_path, "other: {n_envs: 1}\n"))
    with pytest.raises(ConfigError, match="missing key 'policy'"):
        load_hyperparams("a2c", "e", write(tmp_path, "e: {n_timesteps: 5, n_envs: 1}\n"))
    with pytest.raises(ConfigError, match="unknown algorithm"):
        load_hyperparams("sac", "e")


def test_nothing_in_a_file_is_executed(tmp_path):
    p = write(
        tmp_path,
        """
        e:
          n_timesteps: 10
          policy: CnnPolicy
          n_envs: 1
          policy_kwargs: "dict(net_arch=__import__('os').system('touch pwned'))"
    """,
    )
    with pytest.raises(ConfigError, match="unsupported expression"):
        load_hyperparams("a2c", "e", p)
    assert not (tmp_path / "pwned").exists()
    with pytest.raises(ConfigError):  # python tags are refused by safe_load
        load_hyperparams("a2c", "e", write(tmp_path, "e: !!python/object/apply:os.system ['true']\n"))


def test_zoo_string_policy_kwargs_are_read_without_eval():
    from torch import nn

    parsed = parse_zoo_kwargs(
        "dict(optimizer_class=RMSpropTFLike, optimizer_kwargs=dict(eps=1e-5), "
        "net_arch=dict(pi=[64, 64], vf=[64]), activation_fn=nn.ReLU, ortho_init=False)"
    )
    assert parsed["optimizer_kwargs"] == {"eps": 1e-5} and parsed["net_arch"] == {"pi": [64, 64], "vf": [64]}
    resolved = resolve_policy_kwargs(parsed)
    assert resolved["activation_fn"] is nn.ReLU and resolved["ortho_init"] is False
    for bad in ("dict(a=1+2)", "[1, 2]", "dict(x=open('f'))", "lambda: 0"):
        with pytest.raises(ConfigError):
            parse_zoo_kwargs(bad)


def test_named_presets():
    from ppcg.agents.config import ConfigError, default_hyperparams_path, load_hyperparams
    from ppcg.agents.train import TrainSettings, resolve

    paper = load_hyperparams("a2c", "ppcg/Zelda-v0", default_hyperparams_path("a2c", "paper"))
    assert paper.n_envs == 16 and paper.algo_kwargs["n_steps"] == 5
    assert paper.policy_kwargs["optimizer_class"] == "RMSpropTFLike"
    cfg, env_id = resolve(TrainSettings(algo="a2c", hyperparams="paper"))
    assert env_id == "ppcg/Zelda-v0" and Path(cfg.source).name == "a2c-paper.yml"
    ppo = resolve(TrainSettings())[0]  # the default: PPO with the avatar-centred network
    assert Path(ppo.source).name == "ppo.yml"
    assert ppo.policy_kwargs["features_extractor_class"] == "CentredGridCNN"
    assert ppo.env_kwargs == {"max_episode_steps": 500, "facing": True}
    with pytest.raises(ConfigError, match="did you mean 'paper'"):
        default_hyperparams_path("a2c", "papr")
    with pytest.raises(ConfigError, match="has no settings for dqn; expected for dqn: default"):
        default_hyperparams_path("dqn", "paper")


def test_hyperparams_preset_on_the_command_line(tmp_path, capsys):
    from ppcg.cli import main

    argv = ["train", "zelda", "--algo", "dqn", "--hyperparams", "paper", "--out", str(tmp_path / "r")]
    assert main(argv) == 2
    assert "no settings for dqn" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
