"""A small connection pool per target, every connection configured as a monitoring session."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, Self

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from pgwatch.db.session import APPLICATION_NAME, SessionSettings, configure, describe, explain
from pgwatch.errors import PoolBusyError, TargetError

Conn = psycopg.Connection[tuple[object, ...]]


class ConnectAttempts:
    """What the pool's own connection attempts met: the pool connects in its threads and
    keeps the reason to itself, so a borrower that times out would only know it waited."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._error: str | None = None

    def failed(self, exc: psycopg.Error) -> None:
        with self._lock:
            self._error = explain(exc)

    def succeeded(self) -> None:
        with self._lock:
            self._error = None

    def last_error(self) -> str | None:
        """Why the last attempt failed, or None when it succeeded (or none was made)."""
        with self._lock:
            return self._error


def recording_connection(attempts: ConnectAttempts) -> type[Conn]:
    """A connection class that tells ``attempts`` how each connect went."""

    class RecordingConnection(psycopg.Connection[tuple[object, ...]]):
        @classmethod
        def connect(cls, conninfo: str = "", **kwargs: Any) -> Self:
            try:
                conn = super().connect(conninfo, **kwargs)
            except psycopg.Error as exc:
                attempts.failed(exc)
                raise
            attempts.succeeded()
            return conn

    return RecordingConnection


class TargetPool:
    """Connections to one target; collectors borrow one per run and give it back."""

    def __init__(self, name: str, dsn: str, settings: SessionSettings | None = None,
                 *, min_size: int = 1, max_size: int = 2) -> None:
        self.name = name
        self.settings = settings or SessionSettings()
        self._dsn = dsn
        self._attempts = ConnectAttempts()
        self._pool: ConnectionPool[Conn] = ConnectionPool(
            dsn,
            connection_class=recording_connection(self._attempts),
            min_size=min_size,
            max_size=max_size,
            open=False,
            name=f"pgwatch-{name}",
            kwargs={"application_name": APPLICATION_NAME, "autocommit": True,
                    "connect_timeout": self.settings.connect_timeout_s},
            configure=partial(configure, settings=self.settings),
            check=ConnectionPool.check_connection,
            reconnect_timeout=0,
        )

    def open(self) -> None:
        """Start the pool without waiting: a target that is down must not block start-up."""
        self._pool.open(wait=False)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def connection(self, timeout: float = 5.0) -> Iterator[Conn]:
        """Borrow a configured connection, or raise a TargetError that names the target and
        why: what the server answered the pool (refused, wrong password, no such database),
        or that every connection stayed in use."""
        try:
            with self._pool.connection(timeout=timeout) as conn:
                yield conn
        except PoolTimeout:
            reason = self._attempts.last_error()
            busy = None if reason else self._busy(timeout)
            if busy:
                raise PoolBusyError(self._named(busy)) from None
            raise TargetError(self._named(reason or self._probe(timeout))) from None

    def stats(self) -> dict[str, int]:
        """psycopg_pool's counters (connections, waits, errors) for self-metrics."""
        return self._pool.get_stats()

    def _named(self, reason: str) -> str:
        return f"target {self.name!r} ({describe(self._dsn)}): {reason}"

    def _busy(self, timeout: float) -> str | None:
        stats = self._pool.get_stats()
        size = stats.get("pool_size", 0)
        if size >= self._pool.max_size and stats.get("pool_available", 0) == 0:
            return f"all {size} connections of its pool stayed in use for {timeout:g} s"
        return None

    def _probe(self, timeout: float) -> str:
        """The pool made no attempt that failed: ask the server directly."""
        try:
            with psycopg.connect(self._dsn, connect_timeout=self.settings.connect_timeout_s):
                pass
        except psycopg.Error as exc:
            return explain(exc)
        return f"no connection from its pool within {timeout:g} s (the server accepts one now)"
