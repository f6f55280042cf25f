"""Running a collector's ``.sql`` file and turning the result into typed rows.

Most collectors are one query whose columns are exactly the fields of their row class:
``SqlCollector`` is that collector, declared by a few class attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from pgwatch.collectors.base import BouncerInfo, TargetInfo
from pgwatch.collectors.rowbuild import make_rows, row_builder
from pgwatch.db.probe import ServerInfo
from pgwatch.sql import load_sql

PACKAGE = "pgwatch.collectors"

# Why a predefined role is needed, for the skip reason and `pgwatch doctor`.
ROLE_PURPOSE = {
    "pg_read_all_stats": "to see every session's statistics",
    "pg_read_all_settings": "to read every setting",
    "pg_stat_scan_tables": "to scan tables with pgstattuple",
}


def _query(name: str, server: ServerInfo,
           identifiers: Mapping[str, sql.Composable] | None) -> sql.SQL | sql.Composed:
    text = load_sql(PACKAGE, name, server.version_num)
    if identifiers:
        return sql.SQL(text).format(**identifiers)
    return sql.SQL(text)


def fetch(conn: psycopg.Connection[Any], name: str, server: ServerInfo,
          params: Mapping[str, Any] | None = None,
          identifiers: Mapping[str, sql.Composable] | None = None) -> list[dict[str, Any]]:
    """Run the variant of ``name``.sql for ``server``; ``identifiers`` fill ``{name}`` slots."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(_query(name, server, identifiers), params)
        return cur.fetchall()


def fetch_rows(conn: psycopg.Connection[Any], row_type: type[Any], name: str,
               server: ServerInfo, *, params: Mapping[str, Any] | None = None,
               identifiers: Mapping[str, sql.Composable] | None = None) -> tuple[Any, ...]:
    """Run ``name``.sql and build ``row_type`` rows from its columns, which name the fields."""
    # Each row is built as it is read, so 10,000 rows of 50 values are never also held as
    # 10,000 tuples.
    with conn.cursor(row_factory=_row_factory(row_type)) as cur:
        cur.execute(_query(name, server, identifiers), params)
        return tuple(cur.fetchall())


def build_rows(row_type: type[Any], records: Sequence[Mapping[str, Any]]) -> tuple[Any, ...]:
    """Rows from records whose keys are the row's fields (a mismatch is a bug: it raises)."""
    if not records:
        return ()
    columns = tuple(records[0])
    return make_rows(row_type, columns, [tuple(r[c] for c in columns) for r in records])


def _row_factory(row_type: type[Any]) -> Callable[[Any], Callable[[Sequence[Any]], Any]]:
    """A psycopg row factory for ``row_type``, whose fields the result's columns name."""
    def factory(cursor: Any) -> Callable[[Sequence[Any]], Any]:
        columns = tuple(c.name for c in cursor.description or ())
        return row_builder(row_type, columns)
    return factory


def postgres_missing(server: TargetInfo, *, min_major: int = 14,
                     roles: Sequence[str] = (), extensions: Sequence[str] = ()) -> str | None:
    """The first missing requirement of a PostgreSQL collector, worded for the user."""
    if isinstance(server, BouncerInfo):
        return "needs PostgreSQL; the target is a PgBouncer admin console"
    if server.major < min_major:
        return f"needs PostgreSQL {min_major} or later (the server runs {server.version})"
    for role in roles:
        if not server.has_role(role):
            return (f"role {server.role!r} lacks {role} {ROLE_PURPOSE.get(role, '')}"
                    f" (GRANT pg_monitor TO {server.role})").replace("  ", " ")
    for extension in extensions:
        if not server.has_extension(extension):
            return (f"extension {extension} is not installed in database {server.database!r}"
                    f" (CREATE EXTENSION {extension})")
    return None


def as_server(server: TargetInfo) -> ServerInfo:
    """The PostgreSQL side of ``server``; the runner checks ``missing`` before collecting."""
    if isinstance(server, BouncerInfo):
        raise TypeError("a PostgreSQL collector was given a PgBouncer target")
    return server


class SqlCollector:
    """A collector that is one query whose columns are its row's fields."""

    name: ClassVar[str]
    default_interval_s: ClassVar[float]
    row_type: ClassVar[type[Any]]
    sql_name: ClassVar[str] = ""
    min_major: ClassVar[int] = 14
    roles: ClassVar[tuple[str, ...]] = ()
    extensions: ClassVar[tuple[str, ...]] = ()

    def missing(self, server: TargetInfo) -> str | None:
        return postgres_missing(server, min_major=self.min_major, roles=self.roles,
                                extensions=self.extensions)

    def params(self, server: ServerInfo) -> Mapping[str, Any] | None:
        """Values for the query's ``%(name)s`` parameters (None: the query has none)."""
        return None

    def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
        pg = as_server(server)
        return fetch_rows(conn, self.row_type, self.sql_name or self.name, pg,
                          params=self.params(pg))

    def __repr__(self) -> str:
        return f"<collector {self.name}>"
