"""One curriculum in the main process serves environments in subprocesses (real multiprocessing)."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle

import cloudpickle
import numpy as np
import pytest

from ppcg.curricula import CurriculumServer, ProgressivePCG, UniformDifficulty
from ppcg.curricula.channel import CurriculumChannelError, CurriculumClient
from ppcg.curricula.testing import FakeGenerator, ScriptedEnv, play_in_subprocess
from ppcg.envs.source import EpisodeResult


class Recording(ProgressivePCG):
    """PPCG that remembers which env got which level, and which results came back."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.handed: list[tuple[int, str]] = []
        self.results: list[tuple[int, str]] = []

    def _next_level(self, env_index, rng):
        req = super()._next_level(env_index, rng)
        self.handed.append((env_index, req.level_id))
        return req

    def _on_outcome(self, env_index, result, outcome):
        super()._on_outcome(env_index, result, outcome)
        self.results.append((env_index, result.level_id))


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_subprocess_envs_play_the_main_curriculums_levels_and_move_its_d(method):
    if method not in mp.get_all_start_methods():
        pytest.skip(f"no {method} here")
    ctx = mp.get_context(method)
    cur = Recording(game="zelda", generator=FakeGenerator(), alpha=0.01)
    episodes, n = 6, 3
    with CurriculumServer(cur) as server:
        out = ctx.Queue()
        procs = [
            ctx.Process(
                target=play_in_subprocess, args=(server.client(i), "always", episodes, 10 + i, 0, out)
            )
            for i in range(n)
        ]
        for p in procs:
            p.start()
        replies = [out.get(timeout=600) for _ in procs]
        for p in procs:
            p.join(timeout=60)
    assert all(r[0] != "error" for r in replies), replies
    assert {r[2] for r in replies}.isdisjoint({os.getpid()})  # they really ran elsewhere
    played = {idx: ids for idx, ids, _ in replies}  # env index (offset) -> ids it played
    assert sorted(played) == [0, 1, 2]
    for i in range(n):
        assert played[i] == [lid for env, lid in cur.handed if env == i]  # the curriculum's levels, in order
        assert [lid for env, lid in cur.results if env == i] == played[i][
            :-1
        ]  # every finished episode came back
    assert cur.episodes == n * episodes
    assert cur.d == pytest.approx(0.01 * n * episodes)  # one shared d moved by all of them


def test_channel_keeps_runs_reproducible():
    """The env's generator advances across the channel exactly as in-process."""
    local = ScriptedEnv(UniformDifficulty(game="zelda", generator=FakeGenerator()), seed=7)
    for _ in range(4):
        local.reset()
    ctx = mp.get_context("spawn")
    with CurriculumServer(UniformDifficulty(game="zelda", generator=FakeGenerator())) as server:
        out = ctx.Queue()
        p = ctx.Process(target=play_in_subprocess, args=(server.client(0), "never", 3, 7, 0, out))
        p.start()
        _, played, _ = out.get(timeout=600)
        p.join(timeout=60)
    assert played == local.played


def test_client_in_process_offsets_and_forwards():
    cur = Recording(game="zelda", generator=FakeGenerator())
    with CurriculumServer(cur) as server:
        client = server.client(offset=5)
        rng = np.random.default_rng(0)
        same = np.random.default_rng(0)
        req = client.next_level(1, rng)
        assert cur.handed == [(6, req.level_id)]
        # the caller's rng advanced as if the curriculum had drawn from it directly
        assert rng.bit_generator.state == (cur.next_level(0, same), same)[1].bit_generator.state
        client.episode_done(1, EpisodeResult(req.level_id, True, 1.0, 3, difficulty=req.difficulty))
        assert cur.results == [(6, req.level_id)] and cur.d == 0.01
        client.close()


class Failing(UniformDifficulty):
    def _next_level(self, env_index, rng):
        raise ValueError(f"no level for env {env_index}")


def test_curriculum_errors_are_raised_in_the_env():
    with CurriculumServer(Failing(game="zelda", generator=FakeGenerator())) as server:
        with pytest.raises(ValueError, match="no level for env 2"):
            server.client(2).next_level(0, np.random.default_rng(0))
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        p = ctx.Process(target=play_in_subprocess, args=(server.client(0), "always", 1, 0, 0, out))
        p.start()
        reply = out.get(timeout=600)
        p.join(timeout=60)
    assert reply == ("error", "ValueError: no level for env 0")


def test_client_pickles_and_server_refuses_to():
    with CurriculumServer(UniformDifficulty(game="zelda", generator=FakeGenerator())) as server:
        client = server.client(3)
        client.next_level(0, np.random.default_rng(0))  # connected
        for dumps in (pickle.dumps, cloudpickle.dumps):
            copy = pickle.loads(dumps(client))
            assert isinstance(copy, CurriculumClient) and copy.offset == 3
            assert copy.next_level(0, np.random.default_rng(1)).level_id.startswith("zelda/")
        with pytest.raises(TypeError, match="server.client"):
            pickle.dumps(server)


def test_closed_server_is_a_clear_error():
    server = CurriculumServer(UniformDifficulty(game="zelda", generator=FakeGenerator()))
    client = server.client(0)
    server.close()
    assert server.closed
    with pytest.raises(CurriculumChannelError, match="curriculum server"):
        client.next_level(0, np.random.default_rng(0))
    with pytest.raises(CurriculumChannelError):
        server.client(1)


def test_a_silent_connection_blocks_no_one_and_is_dropped(monkeypatch):
    import socket
    import threading

    import ppcg.curricula.channel as channel

    monkeypatch.setattr(channel, "HANDSHAKE_TIMEOUT", 1.0)
    with CurriculumServer(UniformDifficulty(game="zelda", generator=FakeGenerator())) as server:
        idle = socket.socket(socket.AF_UNIX)
        idle.connect(server.address)  # connects, then never answers the handshake
        got = []
        caller = threading.Thread(
            target=lambda: got.append(server.client(0).next_level(0, np.random.default_rng(0))), daemon=True
        )
        caller.start()
        caller.join(timeout=30)
        assert got and got[0].level_id.startswith("zelda/")  # served while the idle one still waits
        idle.settimeout(30)
        try:
            while idle.recv(4096):  # the server's challenge, then end of stream once the time is up
                pass
        except ConnectionResetError:
            pass
        idle.close()
