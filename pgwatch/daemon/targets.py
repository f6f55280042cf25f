"""One monitored target at run time: its pools, what its server can do, and its back-off."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from pgwatch.collectors.base import TargetInfo
from pgwatch.collectors.kinds import reads_pgbouncer
from pgwatch.collectors.pgbouncer import pgbouncer_connect, probe_bouncer
from pgwatch.config import Config, TargetConfig, pgbouncer_dsn, session_settings, target_dsn
from pgwatch.daemon.backoff import Backoff
from pgwatch.daemon.databases import DatabaseLanes, DatabaseSet
from pgwatch.db.pool import TargetPool
from pgwatch.db.probe import check_supported, probe
from pgwatch.db.session import SessionSettings
from pgwatch.errors import TargetError

log = logging.getLogger(__name__)


def split_connections(pool_size: int, max_connections: int, discovers: bool) -> tuple[int, int]:
    """The instance pool's size and the lanes to discovered databases, within the cap.

    One connection at least goes to each; the configuration refuses a cap below two for a
    target that discovers databases.
    """
    if not discovers:
        return min(pool_size, max_connections), 0
    pool = max(1, min(pool_size, max_connections - 1))
    return pool, max(1, max_connections - pool)


@dataclass
class TargetRuntime:
    """Everything the jobs of one target share."""

    name: str
    dsn: str
    settings: SessionSettings
    bouncer_dsn: str | None = None
    pool_size: int = 2
    backoff: Backoff = field(default_factory=Backoff)
    bouncer_backoff: Backoff = field(default_factory=Backoff)
    pool: TargetPool | None = None
    _server: TargetInfo | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Held by a job reading thousands of rows (see ``pgwatch.daemon.jobs.LARGE_ROWS``).
    large_reads: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Set when pgwatch stops: jobs still waiting for their turn give it up.
    stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    # With ``databases:``: what discovery found, and the connections to those databases.
    databases: DatabaseSet | None = None
    lanes: DatabaseLanes | None = None

    @classmethod
    def from_config(cls, config: Config, target: TargetConfig, base_dir: Path) -> TargetRuntime:
        connection = config.connection_for(target)
        dsn, settings = target_dsn(target, base_dir), session_settings(connection)
        pool_size, lanes = split_connections(connection.pool_size, connection.max_connections,
                                             target.databases is not None)
        runtime = cls(name=target.name, dsn=dsn, settings=settings,
                      bouncer_dsn=pgbouncer_dsn(target, base_dir), pool_size=pool_size)
        if target.databases is not None:
            runtime.databases = DatabaseSet(target.name, target.databases.rule(),
                                            target.databases.rediscover)
            runtime.lanes = DatabaseLanes(target.name, dsn, settings, lanes)
        return runtime

    def same_connection(self, other: TargetRuntime) -> bool:
        """True when a reload changed nothing that needs new connections."""
        return (self.dsn, self.settings, self.bouncer_dsn, self.pool_size, self._discovery()) \
            == (other.dsn, other.settings, other.bouncer_dsn, other.pool_size,
                other._discovery())

    def _discovery(self) -> tuple[object, ...]:
        if self.databases is None or self.lanes is None:
            return ()
        return (self.databases.rule, self.databases.rediscover_s, self.lanes.lanes)

    def backoff_for(self, collector: str) -> Backoff:
        """PgBouncer has its own: a pooler that is down does not stop the server's jobs."""
        return self.bouncer_backoff if reads_pgbouncer(collector) else self.backoff

    def open(self) -> None:
        self.pool = TargetPool(self.name, self.dsn, self.settings, min_size=1,
                               max_size=self.pool_size)
        self.pool.open()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
        if self.lanes is not None:
            self.lanes.close()

    @contextmanager
    def session(self, collector: str) -> Iterator[tuple[psycopg.Connection[Any], TargetInfo]]:
        """A connection and the capabilities behind it, for one run of ``collector``."""
        if reads_pgbouncer(collector):
            with self._bouncer() as pair:
                yield pair
            return
        if self.pool is None:
            raise TargetError(f"target {self.name!r} is not open")
        with self.pool.connection(timeout=self.settings.connect_timeout_s) as conn:
            yield conn, self._server_info(conn)

    def forget_server(self) -> None:
        """Probe again on the next run: the server may have restarted or been upgraded."""
        with self._lock:
            self._server = None

    def _server_info(self, conn: psycopg.Connection[Any]) -> TargetInfo:
        with self._lock:
            if self._server is None:
                self._server = check_supported(probe(conn), f"target {self.name!r}")
            return self._server

    @contextmanager
    def _bouncer(self) -> Iterator[tuple[psycopg.Connection[Any], TargetInfo]]:
        if self.bouncer_dsn is None:
            raise TargetError(f"target {self.name!r} has no pgbouncer.dsn")
        # A short session per run: the admin console is cheap and accepts no SET.
        with pgbouncer_connect(self.bouncer_dsn, where=f"target {self.name!r}: pgbouncer",
                               connect_timeout_s=self.settings.connect_timeout_s) as conn:
            yield conn, probe_bouncer(conn)

