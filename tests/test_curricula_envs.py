"""End to end with the real environments: after every auto-reset, the level played is the curriculum's (not
the environment's default), and every finished episode is reported to it exactly once: in the native vector
env, in SB3's DummyVecEnv, and in SB3's SubprocVecEnv through the channel."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ppcg.engine")
core = pytest.importorskip("ppcg.envs.core")

import ppcg  # noqa: E402
from ppcg.curricula import CurriculumServer, ProgressivePCG, env_fns  # noqa: E402

STEPS = 5  # a short step limit, so that episodes end (truncated) and auto-reset often


class Recorded(ProgressivePCG):
    """PPCG that remembers what it handed out (a truncated episode counts as a win: d moves every episode)."""

    def __init__(self):
        from ppcg.generators import get_generator

        super().__init__(game="zelda", generator=get_generator("zelda"), alpha=0.01, truncated="win")
        self.handed: list[str] = []

    def _next_level(self, env_index, rng):
        req = super()._next_level(env_index, rng)
        self.handed.append(req.level_id)
        return req


def test_native_vector_env_auto_resets_into_the_curriculums_levels():
    cur = Recorded()
    venv = ppcg.make_vec("ppcg/Zelda-v0", 3, level_source=cur, max_steps=STEPS)
    _, info = venv.reset(seed=0)
    seen, finished = list(info["level_id"]), 0
    for _ in range(4 * STEPS):
        _, _, term, trunc, info = venv.step(venv.action_space.sample())
        done = term | trunc
        finished += int(done.sum())
        seen += list(info["level_id"])
        if done.any():
            seen += list(info["final_info"]["level_id"][done])
    venv.close()
    assert finished >= 9 and cur.episodes == finished  # every episode reported once
    assert set(seen) == set(cur.handed)  # every level played was handed out by the curriculum, and only those
    assert cur.d == pytest.approx(0.01 * finished)
    assert any("/d=0.030/" in i for i in seen)  # the later levels follow d, not the env's default 0.5


def test_sb3_dummy_vec_env_auto_resets_into_the_curriculums_levels():
    from stable_baselines3.common.vec_env import DummyVecEnv

    cur = Recorded()
    venv = DummyVecEnv(
        [lambda i=i: core.VGDLEnv("zelda", level_source=cur, env_index=i, max_steps=STEPS) for i in range(2)]
    )
    venv.seed(0)
    venv.reset()
    seen, finished = set(), 0
    for _ in range(3 * STEPS):
        _, _, dones, infos = venv.step(np.array([venv.action_space.sample() for _ in range(2)]))
        finished += int(dones.sum())
        seen.update(info["level_id"] for info in infos)
    venv.close()
    assert finished == 6 and cur.episodes == finished
    assert seen <= set(cur.handed) and len(cur.handed) == 2 + finished


def test_sb3_subproc_vec_env_plays_the_main_curriculums_levels():
    from stable_baselines3.common.vec_env import SubprocVecEnv

    cur = Recorded()
    with CurriculumServer(cur) as server:
        venv = SubprocVecEnv(env_fns(server, 2, core.VGDLEnv, game="zelda", max_steps=STEPS))
        try:
            venv.seed(0)
            venv.reset()
            seen, finished = set(), 0
            for _ in range(3 * STEPS):
                _, _, dones, infos = venv.step(np.zeros(2, dtype=np.int64))
                finished += int(dones.sum())
                seen.update(info["level_id"] for info in infos)
        finally:
            venv.close()
    assert finished == 6 and cur.episodes == finished  # both subprocesses reported to the one curriculum
    assert seen <= set(cur.handed) and len(cur.handed) == 2 + finished
    assert cur.d == pytest.approx(0.06)
