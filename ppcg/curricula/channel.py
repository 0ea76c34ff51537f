"""One curriculum for environments in other processes (``SubprocVecEnv``, ``AsyncVectorEnv``).

A curriculum must be *one* object: every environment's episodes move the same difficulty and fill the same
replay buffer. Environments inside the main process (the native vector env, ``SyncVectorEnv``, SB3's
``DummyVecEnv``) take the curriculum itself as their ``level_source``. Environments in subprocesses must not:
a pickled copy would learn on its own. They take a :class:`CurriculumClient`, a small picklable
:class:`~ppcg.envs.source.LevelSource` that forwards every ``next_level`` and ``episode_done`` to a
:class:`CurriculumServer` in the main process.

How it works: the server listens on a local socket (``multiprocessing.connection.Listener``: a Unix socket in
a private temporary folder, or a named pipe on Windows, with a random key that every connection must prove)
and answers each client connection from a thread of the main process. A client holds only the address, the key
and an environment index offset, so it pickles with ``pickle`` and ``cloudpickle``, under ``fork``, ``spawn``
and ``forkserver``; it connects on first use in whichever process it lands in. Each call is one round trip
(tens of microseconds), so a reset waits for its level exactly as it would in-process. The environment's
generator travels with ``next_level``, and its advanced state comes back, so a seeded run is reproducible as
in-process. A curriculum's exception is raised again in the environment's process.

>>> from ppcg.curricula.channel import CurriculumServer
>>> with CurriculumServer(curriculum) as server:  # doctest: +SKIP
...     fns = [lambda c=server.client(i): VGDLEnv("zelda", level_source=c) for i in range(8)]
...     vec = SubprocVecEnv(fns)

``client(i)`` names the environment: the index that reaches the curriculum is ``i`` plus the index the
environment passes (0 for a single environment; ``k`` for the k-th environment of a vector env living in that
subprocess). Keep the server open while the environments run; ``close()`` stops accepting new connections.
"""

from __future__ import annotations

import os
import pickle
import socket
import threading
from collections.abc import Callable
from multiprocessing.connection import (
    Client,
    Connection,
    Listener,
    address_type,
    answer_challenge,
    deliver_challenge,
)
from typing import Any

import numpy as np

from ppcg.envs.source import EpisodeResult, LevelRequest, LevelSource

__all__ = ["CurriculumChannelError", "CurriculumClient", "CurriculumServer", "env_fns"]


HANDSHAKE_TIMEOUT = 10.0
"""Seconds a new connection has to prove the key; then it is dropped (an idle or stray connection blocks
nobody: each handshake runs in its own thread)."""


class CurriculumChannelError(RuntimeError):
    """The channel to the main process's curriculum failed (server closed, process gone, bad reply)."""


class CurriculumServer:
    """Serves one level source (a curriculum) to environments in other processes.

    Args:
        source: the curriculum (any :class:`~ppcg.envs.source.LevelSource`).
        family: the ``multiprocessing.connection`` address family (default: the platform's local one, a Unix
            socket in a private folder). ``"AF_INET"`` listens on a TCP port of localhost that every local
            user can reach (the random key still guards it): keep the default unless there is no other.
    """

    def __init__(self, source: LevelSource, *, family: str | None = None) -> None:
        self.source = source
        self._authkey = os.urandom(32)
        # No authkey here: Listener.accept() would run the handshake in the accepting thread, where one
        # connection that never answers blocks every later one. Each connection's thread runs it instead.
        self._listener = Listener(family=family)
        self.address = self._listener.address
        self._closed = threading.Event()
        self._handlers: list[threading.Thread] = []
        # Unpickle what requests carry once now, so that no server thread is ever importing (holding the
        # import lock) when the main process forks an environment (a forked child inherits a held lock, held).
        pickle.loads(pickle.dumps((np.random.default_rng(0), EpisodeResult("", False, 0.0, 0))))
        self._thread = threading.Thread(target=self._accept_loop, name="ppcg-curriculum-server", daemon=True)
        self._thread.start()

    def client(self, offset: int = 0) -> CurriculumClient:
        """A picklable level source for an environment (or a vector of them) in another process.

        Args:
            offset: added to the env index the environment passes (0 for one environment), giving the index
                the curriculum sees.
        """
        if self._closed.is_set():
            raise CurriculumChannelError("the curriculum server is closed")
        return CurriculumClient(self.address, self._authkey, offset=int(offset))

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                conn = self._listener.accept()  # no handshake here (see __init__)
            except (OSError, EOFError):  # closed
                if self._closed.is_set():
                    return
                continue
            if self._closed.is_set():
                conn.close()
                return
            t = threading.Thread(target=self._serve, args=(conn,), name="ppcg-curriculum-conn", daemon=True)
            t.start()
            self._handlers.append(t)

    def _handshake(self, conn: Connection) -> bool:
        """Both sides prove the key, within :data:`HANDSHAKE_TIMEOUT` seconds (then the socket is shut down,
        which wakes the waiting read)."""
        done = threading.Event()

        def expire() -> None:
            if not done.is_set():
                _shutdown(conn)

        timer = threading.Timer(HANDSHAKE_TIMEOUT, expire)
        timer.daemon = True
        timer.start()
        try:
            deliver_challenge(conn, self._authkey)
            answer_challenge(conn, self._authkey)
            return True
        except Exception:  # noqa: BLE001 - a wrong key, a stray or silent connection: refuse it
            return False
        finally:
            done.set()
            timer.cancel()

    def _serve(self, conn: Connection) -> None:
        with conn:
            if not self._handshake(conn):
                return
            while True:
                try:
                    op, args = conn.recv()
                except (EOFError, OSError):
                    return
                try:
                    reply = ("ok", self._dispatch(op, args))
                except Exception as exc:  # noqa: BLE001 - the client re-raises it
                    reply = ("error", exc)
                try:
                    conn.send(reply)
                except (EOFError, OSError):
                    return
                except Exception as exc:  # noqa: BLE001 - an unpicklable exception: send its text
                    conn.send(("error", CurriculumChannelError(f"{type(exc).__name__}: {exc}")))

    def _dispatch(self, op: str, args: tuple) -> Any:
        if op == "next":
            env_index, rng = args
            request = self.source.next_level(env_index, rng)
            return request, rng.bit_generator.state
        if op == "done":
            env_index, result = args
            self.source.episode_done(env_index, result)
            return None
        raise CurriculumChannelError(f"unknown request {op!r}")

    def close(self) -> None:
        """Stop accepting connections. Connected clients keep their threads until they disconnect."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._wake()
        self._thread.join(timeout=5)
        self._listener.close()

    def _wake(self) -> None:
        """Wake the accept() waiting in the server thread with a bare connection.

        A bare socket, not a ``Client``: if the server thread has already left its loop, a ``Client`` would
        wait for a handshake forever; a bare connection just sits in the backlog until the listener closes.
        """
        family = address_type(self.address)
        if family not in ("AF_UNIX", "AF_INET", "AF_INET6"):
            return  # named pipes (Windows): the daemon thread ends with the process
        with socket.socket(getattr(socket, family)) as sock:
            sock.settimeout(1.0)
            try:
                sock.connect(self.address)
            except OSError:
                pass

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def __enter__(self) -> CurriculumServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict:
        raise TypeError(
            "a CurriculumServer cannot be pickled: give each subprocess environment server.client(i) instead "
            "(create the clients in the main process, outside the env factories)"
        )

    def __repr__(self) -> str:
        return f"CurriculumServer({self.source!r}, address={self.address!r}, closed={self.closed})"


def _shutdown(conn: Connection) -> None:
    """Shut a connection's socket down (both ways) so that a thread reading from it wakes up."""
    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, ValueError):  # closed already, or not a socket (a Windows pipe)
        pass


class CurriculumClient:
    """A :class:`~ppcg.envs.source.LevelSource` that forwards to a :class:`CurriculumServer` (picklable).

    Args:
        address: the server's address.
        authkey: the server's key.
        offset: added to the env index passed to ``next_level``/``episode_done``.
    """

    def __init__(self, address: Any, authkey: bytes, *, offset: int = 0) -> None:
        self.address = address
        self._authkey = authkey
        self.offset = offset
        self._conn: Connection | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def _call(self, op: str, *args: Any) -> Any:
        with self._lock:
            if self._conn is None or self._pid != os.getpid():  # first use here (or a forked copy): connect
                try:
                    self._conn = Client(self.address, authkey=self._authkey)
                except (OSError, EOFError) as exc:
                    raise CurriculumChannelError(
                        f"cannot reach the curriculum server at {self.address!r} ({exc}); "
                        "is it still open in the main process?"
                    ) from exc
                self._pid = os.getpid()
            try:
                self._conn.send((op, args))
                status, payload = self._conn.recv()
            except (OSError, EOFError) as exc:
                self._conn = None
                raise CurriculumChannelError(
                    f"lost the curriculum server at {self.address!r} ({exc})"
                ) from exc
        if status == "error":
            raise payload
        return payload

    def next_level(self, env_index: int, rng: np.random.Generator) -> LevelRequest:
        """Ask the main process's curriculum; ``rng`` advances as if the curriculum had drawn from it here."""
        request, state = self._call("next", self.offset + int(env_index), rng)
        rng.bit_generator.state = state
        return request

    def episode_done(self, env_index: int, result: EpisodeResult) -> None:
        """Tell the main process's curriculum how the episode ended (waits until it has heard)."""
        self._call("done", self.offset + int(env_index), result)

    def close(self) -> None:
        """Close this process's connection (it reconnects on next use)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __getstate__(self) -> dict:
        return {"address": self.address, "_authkey": self._authkey, "offset": self.offset}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["address"], state["_authkey"], offset=state["offset"])

    def __repr__(self) -> str:
        return f"CurriculumClient(address={self.address!r}, offset={self.offset})"


def env_fns(
    server: CurriculumServer, n: int, make_env: Callable[..., Any], **kwargs: Any
) -> list[Callable[[], Any]]:
    """Environment factories for ``SubprocVecEnv``/``AsyncVectorEnv``: the i-th calls
    ``make_env(level_source=server.client(i), **kwargs)`` in its process.

    ``make_env`` must be picklable (a module-level function or class, e.g. ``VGDLEnv``; ``cloudpickle`` also
    takes lambdas).
    """
    return [_EnvFactory(make_env, server.client(i), kwargs) for i in range(n)]


class _EnvFactory:
    def __init__(self, make_env: Callable[..., Any], client: CurriculumClient, kwargs: dict) -> None:
        self.make_env, self.client, self.kwargs = make_env, client, kwargs

    def __call__(self) -> Any:
        return self.make_env(level_source=self.client, **self.kwargs)
