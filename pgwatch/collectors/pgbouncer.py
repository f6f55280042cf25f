"""PgBouncer through its admin console: pools, traffic, clients and servers.

The console speaks only the simple query protocol, has no transactions and refuses SET:
connect to it with ``pgbouncer_connect`` (autocommit, nothing sent but the SHOW commands).
Columns differ between PgBouncer versions, so rows are built from the columns by name and a
column a version lacks is left empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import psycopg

from pgwatch.collectors.base import BouncerInfo, TargetInfo, counter, gauge, label
from pgwatch.db.session import APPLICATION_NAME, describe, explain
from pgwatch.errors import TargetError

_MICROSECONDS = 1_000_000


@dataclass(frozen=True, slots=True)
class PoolRow:
    """One pool (database and user) of SHOW POOLS."""

    database: str = label("database as PgBouncer names it")
    user: str = label("user")
    pool_mode: str = label("session, transaction or statement")
    clients_active: int = gauge("clients linked to a server or idle")
    clients_waiting: int = gauge("clients waiting for a server")
    servers_active: int = gauge("server connections linked to a client")
    servers_idle: int = gauge("server connections idle and ready")
    servers_used: int = gauge("server connections idle, to be checked before reuse")
    servers_tested: int = gauge("server connections being tested")
    servers_login: int = gauge("server connections logging in")
    max_wait_seconds: float = gauge("wait of the oldest waiting client", "seconds")


@dataclass(frozen=True, slots=True)
class BouncerStatsRow:
    """Traffic of one database since PgBouncer started (SHOW STATS)."""

    database: str = label("database as PgBouncer names it")
    transactions_total: int = counter("transactions pooled")
    queries_total: int = counter("queries pooled")
    received_bytes_total: float = counter("network traffic received from clients", "bytes")
    sent_bytes_total: float = counter("network traffic sent to clients", "bytes")
    xact_seconds_total: float = counter("time in transactions", "seconds")
    query_seconds_total: float = counter("time in queries", "seconds")
    wait_seconds_total: float = counter("time clients waited for a server", "seconds")
    avg_xact_seconds: float = gauge("average transaction time, recent", "seconds")
    avg_query_seconds: float = gauge("average query time, recent", "seconds")
    avg_wait_seconds: float = gauge("average wait for a server, recent", "seconds")


@dataclass(frozen=True, slots=True)
class BouncerConnectionsRow:
    """Client or server connections of one database, user and state."""

    database: str = label("database")
    user: str = label("user")
    state: str = label("active, waiting, idle, used, ...")
    connections: int = gauge("connections")


def pgbouncer_connect(dsn: str, *, connect_timeout_s: int = 5,
                      where: str = "pgbouncer") -> psycopg.Connection[Any]:
    """A plain autocommit session to the admin console (no SET: it would be refused).

    Also the first connection to a DSN that may be either a server or a console.
    """
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=connect_timeout_s,
                               application_name=APPLICATION_NAME)
    except psycopg.OperationalError as exc:
        raise TargetError(f"{where}: cannot connect to {describe(dsn)}: {explain(exc)}"
                          ) from None


def is_pgbouncer(conn: psycopg.Connection[Any]) -> bool:
    """PgBouncer's console reports a server_version ending in '/bouncer'."""
    return (conn.info.parameter_status("server_version") or "").endswith("/bouncer")


def probe_bouncer(conn: psycopg.Connection[Any]) -> BouncerInfo:
    """The PgBouncer version behind an admin-console connection."""
    return BouncerInfo(version=(conn.info.parameter_status("server_version") or "")
                       .removesuffix("/bouncer"))


def show(conn: psycopg.Connection[Any], what: str) -> list[dict[str, Any]]:
    """Run one SHOW command of the console (simple protocol: no parameters, no prepare)."""
    with conn.cursor() as cur:
        cur.execute(f"SHOW {what}".encode(), prepare=False)  # what is one of our constants
        names = [c.name for c in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _int(record: Mapping[str, Any], key: str) -> int:
    value = record.get(key)
    return int(value) if value is not None else 0


class _BouncerCollector:
    name: ClassVar[str]
    default_interval_s: ClassVar[float] = 15.0
    row_type: ClassVar[type[Any]]

    def missing(self, server: TargetInfo) -> str | None:
        if isinstance(server, BouncerInfo):
            return None
        return "needs a PgBouncer admin console; the target is PostgreSQL"

    def __repr__(self) -> str:
        return f"<collector {self.name}>"


class PoolsCollector(_BouncerCollector):
    name: ClassVar[str] = "pgbouncer_pools"
    row_type: ClassVar[type[Any]] = PoolRow

    def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
        return tuple(PoolRow(
            database=str(r["database"]), user=str(r["user"]),
            pool_mode=str(r.get("pool_mode") or ""),
            clients_active=_int(r, "cl_active"), clients_waiting=_int(r, "cl_waiting"),
            servers_active=_int(r, "sv_active"), servers_idle=_int(r, "sv_idle"),
            servers_used=_int(r, "sv_used"), servers_tested=_int(r, "sv_tested"),
            servers_login=_int(r, "sv_login"),
            max_wait_seconds=_int(r, "maxwait") + _int(r, "maxwait_us") / _MICROSECONDS,
        ) for r in show(conn, "POOLS"))


class StatsCollector(_BouncerCollector):
    name: ClassVar[str] = "pgbouncer_stats"
    row_type: ClassVar[type[Any]] = BouncerStatsRow

    def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
        return tuple(BouncerStatsRow(
            database=str(r["database"]),
            transactions_total=_int(r, "total_xact_count"),
            queries_total=_int(r, "total_query_count"),
            received_bytes_total=float(_int(r, "total_received")),
            sent_bytes_total=float(_int(r, "total_sent")),
            xact_seconds_total=_int(r, "total_xact_time") / _MICROSECONDS,
            query_seconds_total=_int(r, "total_query_time") / _MICROSECONDS,
            wait_seconds_total=_int(r, "total_wait_time") / _MICROSECONDS,
            avg_xact_seconds=_int(r, "avg_xact_time") / _MICROSECONDS,
            avg_query_seconds=_int(r, "avg_query_time") / _MICROSECONDS,
            avg_wait_seconds=_int(r, "avg_wait_time") / _MICROSECONDS,
        ) for r in show(conn, "STATS"))


class _ConnectionsCollector(_BouncerCollector):
    command: ClassVar[str]
    row_type: ClassVar[type[Any]] = BouncerConnectionsRow

    def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
        counts = Counter((str(r["database"]), str(r["user"]), str(r["state"]))
                         for r in show(conn, self.command))
        return tuple(BouncerConnectionsRow(database=d, user=u, state=s, connections=n)
                     for (d, u, s), n in sorted(counts.items()))


class ClientsCollector(_ConnectionsCollector):
    name: ClassVar[str] = "pgbouncer_clients"
    command: ClassVar[str] = "CLIENTS"


class ServersCollector(_ConnectionsCollector):
    name: ClassVar[str] = "pgbouncer_servers"
    command: ClassVar[str] = "SERVERS"
