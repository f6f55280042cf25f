"""A small connection pool per target, every connection configured as a monitoring session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from pgwatch.db.session import APPLICATION_NAME, SessionSettings, configure, describe, explain
from pgwatch.errors import TargetError


class TargetPool:
    """Connections to one target; collectors borrow one per run and give it back."""

    def __init__(self, name: str, dsn: str, settings: SessionSettings | None = None,
                 *, min_size: int = 1, max_size: int = 2) -> None:
        self.name = name
        self.settings = settings or SessionSettings()
        self._dsn = dsn
        self._pool: ConnectionPool[psycopg.Connection[tuple[object, ...]]] = ConnectionPool(
            dsn,
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
    def connection(self, timeout: float = 5.0) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """Borrow a configured connection, or raise a TargetError that names the target."""
        try:
            with self._pool.connection(timeout=timeout) as conn:
                yield conn
        except PoolTimeout:
            raise TargetError(self._unreachable()) from None

    def stats(self) -> dict[str, int]:
        """psycopg_pool's counters (connections, waits, errors) for self-metrics."""
        return self._pool.get_stats()

    def _unreachable(self) -> str:
        try:
            with psycopg.connect(self._dsn, connect_timeout=self.settings.connect_timeout_s):
                reason = "pool exhausted"
        except psycopg.Error as exc:
            reason = explain(exc)
        return f"target {self.name!r} ({describe(self._dsn)}): {reason}"
