"""The discovered databases of one instance: which they are, and connections to them in turn.

A target with ``databases:`` keeps its own pool for the instance-wide collectors and, beside
it, a few *lanes*: connections to discovered databases, at most ``lanes`` open at once, so
pgwatch never holds more than ``connection.max_connections`` on the instance however many
databases it watches. Per-database work takes turns on the lanes; an idle connection stays
open for its database until another database needs the lane.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from pgwatch.collectors.base import label
from pgwatch.db.probe import ServerInfo
from pgwatch.db.session import APPLICATION_NAME, SessionSettings, describe, explain
from pgwatch.discovery import DatabaseRule, Discovery, DiscoveryStatus, discover
from pgwatch.errors import PgwatchError, TargetError
from pgwatch.sql import load_sql

log = logging.getLogger(__name__)
Connection = psycopg.Connection[tuple[Any, ...]]
WAIT_POLL_S = 0.1


class StoppingError(Exception):
    """pgwatch is stopping: the work waiting for a lane gives up."""


def session_options(settings: SessionSettings) -> str:
    """The session settings as startup options: no SET statement on every new connection."""
    return " ".join(f"-c {name}={value}" for name, value in (
        ("statement_timeout", settings.statement_timeout_ms),
        ("lock_timeout", settings.lock_timeout_ms),
        ("idle_in_transaction_session_timeout", settings.idle_in_transaction_timeout_ms),
        ("default_transaction_read_only", "on" if settings.read_only else "off")))


class DatabaseLanes:
    """Connections to the databases of one instance, at most ``lanes`` open at a time."""

    def __init__(self, target: str, dsn: str, settings: SessionSettings, lanes: int) -> None:
        self.target, self.lanes = target, lanes
        self._dsn, self._settings = dsn, settings
        self._turns = threading.BoundedSemaphore(lanes)
        self._lock = threading.Lock()
        self._idle: OrderedDict[str, Connection] = OrderedDict()
        self._busy = 0

    @contextmanager
    def connection(self, dbname: str, stopping: threading.Event) -> Iterator[Connection]:
        """A session in ``dbname`` once a lane is free; raises TargetError or StoppingError."""
        while not self._turns.acquire(timeout=WAIT_POLL_S):
            if stopping.is_set():
                raise StoppingError
        try:
            conn = self._take(dbname)
            try:
                yield conn
            except BaseException:
                conn.close()  # its state is unknown after a failure: never reused
                raise
            finally:
                self._give_back(dbname, conn)
        finally:
            self._turns.release()

    def open_count(self) -> int:
        with self._lock:
            return len(self._idle) + self._busy

    def close(self) -> None:
        with self._lock:
            idle, self._idle = list(self._idle.values()), OrderedDict()
        for conn in idle:
            conn.close()

    def _take(self, dbname: str) -> Connection:
        with self._lock:
            conn = self._idle.pop(dbname, None)
            evicted = None
            if conn is None and len(self._idle) + self._busy >= self.lanes and self._idle:
                evicted = self._idle.popitem(last=False)[1]
            self._busy += 1
        if evicted is not None:
            evicted.close()
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        try:
            return self._connect(dbname)
        except BaseException:
            with self._lock:
                self._busy -= 1
            raise

    def _give_back(self, dbname: str, conn: Connection) -> None:
        with self._lock:
            self._busy -= 1
            if not conn.closed and not conn.broken:
                self._idle[dbname] = conn

    def _connect(self, dbname: str) -> Connection:
        dsn = make_conninfo(self._dsn, dbname=dbname)
        try:
            return psycopg.connect(dsn, application_name=APPLICATION_NAME, autocommit=True,
                                   connect_timeout=self._settings.connect_timeout_s,
                                   options=session_options(self._settings))
        except psycopg.Error as exc:
            raise TargetError(f"target {self.target!r}: database {dbname!r} "
                              f"({describe(dsn)}): {explain(exc)}") from None


def database_info(conn: Connection, instance: ServerInfo, dbname: str) -> ServerInfo:
    """The instance's capabilities as seen from ``dbname``: its own extensions."""
    rows = conn.execute(load_sql(__package__ or "pgwatch.daemon",
                                 "database_extensions")).fetchall()
    return replace(instance, database=dbname,
                   installed=MappingProxyType({str(n): str(v) for n, v in rows}))


_LABELLED: dict[type[Any], type[Any]] = {}


def in_database(row_type: type[Any]) -> type[Any]:
    """``row_type`` with a ``datname`` label first: rows of one database among many."""
    known = _LABELLED.get(row_type)
    if known is None:
        known = _LABELLED.setdefault(row_type, _with_datname(row_type))
    return known


def _with_datname(row_type: type[Any]) -> type[Any]:
    if any(f.name == "datname" for f in dataclasses.fields(row_type)):
        return row_type
    fields: list[Any] = [("datname", str, label("database"))]
    for f in dataclasses.fields(row_type):
        kept = dataclasses.field(metadata=f.metadata) if f.default is dataclasses.MISSING \
            else dataclasses.field(default=f.default, metadata=f.metadata)
        fields.append((f.name, f.type, kept))
    return dataclasses.make_dataclass(f"{row_type.__name__}InDatabase", fields, frozen=True,
                                      slots=True, module=row_type.__module__)


def label_rows(rows: tuple[Any, ...], row_type: type[Any], dbname: str) -> list[Any]:
    """``rows`` of ``row_type`` as rows of ``in_database(row_type)`` labelled ``dbname``."""
    labelled = in_database(row_type)
    if labelled is row_type:
        return list(rows)
    names = [f.name for f in dataclasses.fields(row_type)]
    return [labelled(dbname, *(getattr(row, n) for n in names)) for row in rows]


@dataclass
class DatabaseSet:
    """What one instance's discovery found last, read again every ``rediscover_s``."""

    target: str
    rule: DatabaseRule
    rediscover_s: float
    found: Discovery | None = None
    found_at: float = 0.0
    found_at_unix: float = 0.0
    errors_total: int = 0
    # Failed runs per (collector, datname), for the databases watched now.
    database_errors: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)

    def current(self, read: Callable[[Callable[[Connection], Discovery]], Discovery]
                ) -> Discovery:
        """The databases to watch now; ``read`` runs discovery on an instance connection."""
        with self._lock:
            if self.found is not None and time.monotonic() - self.found_at < self.rediscover_s:
                return self.found
            try:
                found = read(lambda conn: discover(conn, self.rule))
            except (PgwatchError, psycopg.Error):
                self.errors_total += 1
                raise
            self._log_change(found)
            self.found, self.found_at, self.found_at_unix = found, time.monotonic(), time.time()
            watched = set(found.watched)
            self.database_errors = {key: count for key, count in self.database_errors.items()
                                    if key[1] in watched}
            return found

    def failed_in(self, collector: str, databases: list[str]) -> None:
        """Count one failed run of ``collector`` in each of ``databases``."""
        with self._lock:
            for dbname in databases:
                key = (collector, dbname)
                self.database_errors[key] = self.database_errors.get(key, 0) + 1

    def status(self) -> DiscoveryStatus:
        """What /metrics shows of this discovery now."""
        with self._lock:
            errors = tuple(sorted((c, d, n) for (c, d), n in self.database_errors.items()))
            return DiscoveryStatus(self.target, self.found, self.found_at_unix,
                                   self.errors_total, errors)

    def stale(self) -> None:
        """Discover again before the next sweep (a database vanished under it)."""
        with self._lock:
            self.found_at = 0.0

    def _log_change(self, found: Discovery) -> None:
        before = set(self.found.watched) if self.found is not None else set()
        added, dropped = set(found.watched) - before, before - set(found.watched)
        if added or dropped:
            log.info("target %s: watching %d database(s) (%d new, %d gone: %s), %d excluded",
                     self.target, len(found.watched), len(added), len(dropped),
                     ", ".join(sorted(dropped)) or "-", len(found.excluded),
                     extra={"target": self.target})
