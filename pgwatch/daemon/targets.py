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
from pgwatch.db.pool import TargetPool
from pgwatch.db.probe import check_supported, probe
from pgwatch.db.session import SessionSettings
from pgwatch.errors import TargetError

log = logging.getLogger(__name__)



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

    @classmethod
    def from_config(cls, config: Config, target: TargetConfig, base_dir: Path) -> TargetRuntime:
        connection = config.connection_for(target)
        return cls(name=target.name, dsn=target_dsn(target, base_dir),
                   settings=session_settings(connection),
                   bouncer_dsn=pgbouncer_dsn(target, base_dir), pool_size=connection.pool_size)

    def same_connection(self, other: TargetRuntime) -> bool:
        """True when a reload changed nothing that needs new connections."""
        return (self.dsn, self.settings, self.bouncer_dsn, self.pool_size) == \
            (other.dsn, other.settings, other.bouncer_dsn, other.pool_size)

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

