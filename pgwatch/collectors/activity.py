"""Sessions: who is connected doing what, how close to max_connections, who blocks whom.

Labels are bounded: sessions are grouped (never one row per pid) except in ``blocking``,
which lists only sessions that wait on a lock at this instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import psycopg

from pgwatch.collectors.base import TargetInfo, gauge, label, text
from pgwatch.collectors.query import SqlCollector
from pgwatch.redaction import redact

_STATS = ("pg_read_all_stats",)


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """Sessions of one database, role, application, state and wait event type."""

    datname: str = label("database")
    usename: str = label("role")
    application_name: str = label("application_name, truncated to 64 characters")
    state: str = label("active, idle, idle in transaction, ...")
    wait_event_type: str = label("wait event type (empty: not waiting)")
    backend_type: str = label("client backend, autovacuum worker, ...")
    connections: int = gauge("sessions")
    oldest_xact_seconds: float = gauge("age of the oldest open transaction (0: none)", "seconds")
    longest_query_seconds: float = gauge("age of the longest running query (0: none)", "seconds")
    idle_in_transaction_seconds: float = gauge(
        "longest time idle inside a transaction (0: none)", "seconds")
    lock_wait_seconds: float = gauge("longest wait for a lock (0: none)", "seconds")


@dataclass(frozen=True, slots=True)
class ConnectionsRow:
    """Client connections against the limit."""

    client_connections: int = gauge("client backends connected")
    max_connections: int = gauge("max_connections")
    reserved_connections: int = gauge("slots reserved for superusers and reserved roles")
    usage_ratio: float | None = gauge("client connections / usable slots", "ratio")
    blocked_sessions: int = gauge("sessions waiting for a lock (0: none)")


@dataclass(frozen=True, slots=True)
class BlockingRow:
    """A session waiting for a lock that others hold."""

    pid: str = label("waiting backend")
    datname: str = label("database")
    usename: str = label("role")
    application_name: str = label("application_name, truncated")
    blockers: int = gauge("sessions blocking this one")
    waiting_seconds: float | None = gauge("time since the waiting statement began", "seconds")
    blocking_pids: str = text("pids of the blocking sessions, comma-separated")
    query: str | None = text("the waiting statement, truncated to 200 characters")


@dataclass(frozen=True, slots=True)
class LocksRow:
    """Locks of one database, type, mode and state."""

    datname: str = label("database (empty for cluster-wide locks)")
    locktype: str = label("relation, transactionid, advisory, ...")
    mode: str = label("lock mode")
    granted: bool = label("held (true) or awaited (false)")
    locks: int = gauge("locks")


class ActivityCollector(SqlCollector):
    name: ClassVar[str] = "activity"
    default_interval_s: ClassVar[float] = 15.0
    row_type: ClassVar[type[Any]] = ActivityRow
    roles: ClassVar[tuple[str, ...]] = _STATS


class ConnectionsCollector(SqlCollector):
    name: ClassVar[str] = "connections"
    default_interval_s: ClassVar[float] = 15.0
    row_type: ClassVar[type[Any]] = ConnectionsRow


class BlockingCollector(SqlCollector):
    name: ClassVar[str] = "blocking"
    default_interval_s: ClassVar[float] = 15.0
    row_type: ClassVar[type[Any]] = BlockingRow
    roles: ClassVar[tuple[str, ...]] = _STATS

    def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
        """The waiting sessions, a password in their statement masked."""
        return [replace(r, query=redact(r.query)) if r.query else r
                for r in super().collect(conn, server)]


class LocksCollector(SqlCollector):
    name: ClassVar[str] = "locks"
    default_interval_s: ClassVar[float] = 15.0
    row_type: ClassVar[type[Any]] = LocksRow
