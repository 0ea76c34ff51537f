"""Curricula by name and from YAML; bad configuration names the file, line, key and what was expected."""

from __future__ import annotations

import numpy as np
import pytest

from ppcg.curricula import (
    CURRICULA,
    FixedLevels,
    PrioritizedLevelReplay,
    ProgressivePCG,
    curriculum_from_yaml,
    make_curriculum,
)
from ppcg.curricula.base import CurriculumConfigError
from ppcg.curricula.testing import FakeGenerator
from ppcg.vgdl.level import Level


def test_registry_table():
    assert list(CURRICULA) == ["fixed", "random", "difficulty", "ppcg", "ppcg-winrate", "plr", "accel"]
    for name, cls in CURRICULA.items():
        assert cls.name == name


@pytest.mark.parametrize("name", [n for n in CURRICULA if n != "fixed"])
def test_make_every_generated_curriculum(name):
    gen = FakeGenerator()
    cur = make_curriculum(name, game="zelda", generator=gen)
    assert isinstance(cur, CURRICULA[name]) and cur.generator is gen
    req = cur.next_level(0, np.random.default_rng(0))
    assert req.level_id.startswith("zelda/d=") and gen.calls
    assert cur.config == {"name": name, "game": "zelda"}


def test_make_with_options():
    cur = make_curriculum(
        "ppcg",
        game="boulderdash",
        generator=FakeGenerator(),
        alpha=0.05,
        sample="uniform",
        truncated="ignore",
    )
    assert (cur.alpha, cur.sample, cur.win_rule.truncated, cur.win_rule.win_score) == (
        0.05,
        "uniform",
        "ignore",
        20,
    )
    assert cur.config["alpha"] == 0.05


def test_fixed_takes_levels():
    levels = [Level(("wAw",), name="a"), Level(("wwA",), name="b")]
    cur = make_curriculum("fixed", game="zelda", levels=levels, order="random")
    assert isinstance(cur, FixedLevels) and cur.level_ids == ["a", "b"]


def test_fixed_from_human_level_numbers_and_files(tmp_path):
    pytest.importorskip("ppcg.vgdl.parser")
    from ppcg.resources import human_level_paths

    paths = human_level_paths("zelda")
    if len(paths) < 2:
        pytest.skip("zelda's human levels are not bundled yet")
    cur = make_curriculum("fixed", game="zelda", levels=[0, str(paths[1])])
    rng = np.random.default_rng(0)
    assert [cur.next_level(0, rng).level_id for _ in range(2)] == ["lvl0", "lvl1"]
    with pytest.raises(CurriculumConfigError, match="no human level 7"):
        make_curriculum("fixed", game="zelda", levels=[7])
    with pytest.raises(CurriculumConfigError, match="no level file"):
        make_curriculum("fixed", game="zelda", levels=[str(tmp_path / "missing.txt")])


@pytest.mark.parametrize(
    "name, config, key, expected",
    [
        ("ppgc", {}, "name", "did you mean 'ppcg'"),
        ("PPCG", {}, "name", "did you mean 'ppcg'"),  # the one helper ignores case, as the parser's did
        ("ppcg", {"alpah": 0.1}, "alpah", "did you mean 'alpha'"),
        ("ppcg", {"alpha": 0.0}, "alpha", r"\(0, 1\]"),
        ("ppcg", {"alpha": 1.5}, "alpha", r"\(0, 1\]"),
        ("ppcg", {"alpha": "fast"}, "alpha", "a number"),
        ("ppcg", {"start": -0.1}, "start", r"\[0, 1\]"),
        ("difficulty", {"difficulty": 1.2}, "difficulty", r"\[0, 1\]"),
        ("difficulty", {"difficulty": True}, "difficulty", "a number"),
        ("ppcg", {"sample": "gaussian"}, "sample", "'exact', 'uniform'"),
        ("ppcg", {"truncated": "draw"}, "truncated", "'loss', 'win', 'ignore'"),
        ("ppcg", {"win_score": "twenty"}, "win_score", "a number or null"),
        ("random", {"low": 0.9, "high": 0.1}, "high", "high >= low"),
        ("plr", {"capacity": -1}, "capacity", "an integer >= 1"),
        ("ppcg", {"levels": [0]}, "levels", "'fixed'"),
    ],
)
def test_bad_configuration_is_a_clear_error(name, config, key, expected):
    levels = config.pop("levels", None)
    with pytest.raises(CurriculumConfigError, match=expected) as err:
        make_curriculum(name, game="zelda", generator=FakeGenerator(), levels=levels, **config)
    assert err.value.key == key
    assert str(err.value).startswith(f"{key}: ")


def test_yaml_file(tmp_path):
    path = tmp_path / "cur.yml"
    path.write_text("# Progressive PCG\nname: ppcg\ngame: frogs\nalpha: 0.02\nsample: uniform\n")
    cur = curriculum_from_yaml(path, generator=FakeGenerator())
    assert (
        isinstance(cur, ProgressivePCG)
        and cur.game == "frogs"
        and cur.alpha == 0.02
        and cur.sample == "uniform"
    )
    # arguments override the file
    cur = curriculum_from_yaml(path, game="zelda", generator=FakeGenerator(), alpha=0.5)
    assert cur.game == "zelda" and cur.alpha == 0.5
    plr = curriculum_from_yaml(
        {"curriculum": "plr", "game": "zelda", "robust": True, "temperature": 0.3}, generator=FakeGenerator()
    )
    assert isinstance(plr, PrioritizedLevelReplay) and plr.robust and plr.temperature == 0.3


@pytest.mark.parametrize(
    "text, message",
    [
        ("name: ppcg\ngame: zelda\nalpha: 2\n", "cur.yml:3: alpha: got 2, expected a number in (0, 1]"),
        ("name: ppcg\ngame: zelda\n\nalhpa: 0.1\n", "cur.yml:4: alhpa: unknown option for curriculum 'ppcg'"),
        ("curriculum: nope\ngame: zelda\n", "cur.yml:1: curriculum: unknown curriculum 'nope'"),
        ("game: zelda\n", "cur.yml: name: missing, expected the curriculum's name"),
        ("name: ppcg\n", "cur.yml: game: missing"),
        ("- ppcg\n", "cur.yml:1: got a list, expected a mapping"),
        ("name: ppcg\ngame: [zelda\n", "cur.yml:3: not valid YAML"),
        ("name: ppcg\nname2: !!python/object:os.system echo\n", "cur.yml:2: not valid YAML"),
        ("name: ppcg\ngame: zelda\nalpha: 0.01\nalpha: 0.5\n", "cur.yml:4: not valid YAML (the key 'alpha'"),
        ("name: fixed\ngame: zelda\nlevels: [noavatar.txt]\n", "cur.yml:3: levels: "),
    ],
)
def test_yaml_errors_name_file_line_and_key(tmp_path, text, message):
    path = tmp_path / "cur.yml"
    path.write_text(text)
    (tmp_path / "noavatar.txt").write_text("wwwww\nw..gw\nwwwww\n")  # nothing to play: a level error
    with pytest.raises(CurriculumConfigError) as err:
        curriculum_from_yaml(path, generator=FakeGenerator())
    assert str(err.value).startswith(
        str(tmp_path / message.split(":", 1)[0]) + ":" + message.split(":", 1)[1]
    )


def test_level_without_an_avatar_is_refused_with_its_file(tmp_path):
    (tmp_path / "noavatar.txt").write_text("wwwww\nw..gw\nwwwww\n")
    with pytest.raises(CurriculumConfigError, match="noavatar.txt.*no avatar.*a level the game can play"):
        make_curriculum("fixed", game="zelda", levels=[str(tmp_path / "noavatar.txt")])


def test_train_options_errors_keep_the_file_and_line(tmp_path, capsys):
    pytest.importorskip("stable_baselines3")
    from ppcg.cli import main

    cfg = tmp_path / "cfg.yml"
    for text, message in [
        ("alpha: 0.01\n\nalpha: 5\n", "cfg.yml:3: not valid YAML (the key 'alpha' is given twice"),
        ("sample: exact\nalpha: 5\n", "cfg.yml:2: alpha: got 5, expected a number in (0, 1]"),
        ("name: ppcg\nalhpa: 0.1\n", "cfg.yml:2: alhpa: unknown option for curriculum 'ppcg'"),
    ]:
        cfg.write_text(text)
        argv = ["train", "zelda", "--curriculum", "ppcg", "--curriculum-config", str(cfg)]
        assert main([*argv, "--out", str(tmp_path / "run")]) == 2
        assert f"{tmp_path / message}" in capsys.readouterr().err
        assert not (tmp_path / "run").exists()


def test_hyperparameter_files_refuse_a_repeated_key(tmp_path):
    pytest.importorskip("stable_baselines3")
    from ppcg.agents.config import ConfigError, load_hyperparams

    path = tmp_path / "h.yml"
    head = "default: &d\n  n_timesteps: 100\n  policy: CnnPolicy\n  n_envs: 4\n  gamma: 0.9\n"
    path.write_text(head + "ppcg/Zelda-v0:\n  <<: *d\n  gamma: 0.5\n")
    assert load_hyperparams("a2c", "ppcg/Zelda-v0", path).algo_kwargs["gamma"] == 0.5  # merging overrides
    path.write_text(head + "  gamma: 0.5\n")
    with pytest.raises(ConfigError, match=r"h.yml:6: not valid YAML: the key 'gamma' is given twice"):
        load_hyperparams("a2c", "ppcg/Zelda-v0", path)


def test_default_generator_is_the_games():
    generators = pytest.importorskip("ppcg.generators")
    if not hasattr(generators, "get_generator"):
        pytest.skip("ppcg.generators.get_generator not there yet")
    cur = make_curriculum("difficulty", game="zelda", difficulty=0.3)
    req = cur.next_level(0, np.random.default_rng(0))
    assert req.difficulty == 0.3 and req.level.height > 0
    again = cur.regenerate(req.difficulty, req.level_seed)
    assert again.level == req.level  # (difficulty, seed) names the level


def test_a_file_that_cannot_be_read_is_a_config_error_naming_it(tmp_path):
    from ppcg.curricula.config import read_named_options, read_options

    missing = tmp_path / "nope.yml"
    for read in (
        lambda: curriculum_from_yaml(missing, game="zelda", generator=FakeGenerator()),
        lambda: read_options(missing, "ppcg", game="zelda"),
        lambda: read_named_options(missing, game="zelda"),
    ):
        with pytest.raises(CurriculumConfigError, match=r"nope\.yml: cannot read the file"):
            read()
