"""INVALID indexes: what an interrupted ``CREATE INDEX CONCURRENTLY`` leaves behind.

A concurrent build that fails or is cancelled keeps its catalog entry, marked invalid: it is
maintained by every write yet never used by a query, and ``IF NOT EXISTS`` would skip it on a
retry. The runner drops such an index concurrently and builds it again.
"""

from __future__ import annotations

import logging

from psycopg import sql

from pgwatch.migrations.ledger import Connection, query
from pgwatch.migrations.objects import DbObject, concurrent_index

log = logging.getLogger(__name__)


def invalid_index(conn: Connection, step_sql: str) -> DbObject | None:
    """The index this step builds concurrently, when it exists and is INVALID."""
    index = concurrent_index(step_sql)
    if index is None:
        return None
    row = conn.execute(query("invalid_index"),
                       {"schema": index.schema, "name": index.name}).fetchone()
    return index if row is not None else None


def drop_statement(index: DbObject) -> sql.Composed:
    """``DROP INDEX CONCURRENTLY IF EXISTS schema.name``."""
    return sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}.{}").format(
        sql.Identifier(index.schema), sql.Identifier(index.name))


def drop_invalid(conn: Connection, index: DbObject) -> None:
    """Drop an INVALID index without blocking writers (the connection is in autocommit)."""
    log.warning("dropping INVALID index %s.%s left by an interrupted build",
                index.schema, index.name)
    conn.execute(drop_statement(index))


def all_invalid(conn: Connection) -> list[str]:
    """``schema.name`` of every INVALID or not-ready index of the database."""
    rows = conn.execute(query("invalid_indexes_all"), {}).fetchall()
    return [f"{row[0]}.{row[1]}" for row in rows]
