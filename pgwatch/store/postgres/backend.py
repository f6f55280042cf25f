"""PostgreSQL engine for the history store, in its own schema (``pgwatch_history``).

Thread-safety: one connection, every call serialized by the store's lock, as in SQLite.
A broken connection (server restart) is reopened at the next call. Several pgwatch
instances may share one store: migrations take an advisory lock, and foreign keys keep a
sample from landing on a series that another instance's retention just removed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, cast

import psycopg
from psycopg import sql

from pgwatch.db.session import SessionSettings, connect, describe
from pgwatch.errors import TargetError
from pgwatch.sql import load_sql
from pgwatch.store.backend import Params, pending
from pgwatch.store.model import StoreError
from pgwatch.store.policy import StorePolicy
from pgwatch.store.sqlstore import SqlStore

PACKAGE = "pgwatch.store.postgres"
DEFAULT_SCHEMA = "pgwatch_history"
# Retention of a week of samples may take a while; a store session is not a monitoring one.
SETTINGS = SessionSettings(statement_timeout_ms=300_000, lock_timeout_ms=30_000,
                           idle_in_transaction_timeout_ms=600_000, read_only=False)


class PostgresBackend:
    """A store schema in a PostgreSQL database, created and migrated on open."""

    def __init__(self, dsn: str, schema: str = DEFAULT_SCHEMA, *,
                 schema_upto: int | None = None) -> None:
        self.dsn = dsn
        self.schema = schema
        self.where = f"history store {describe(dsn)} schema {schema}"
        self._conn = self._connect()
        try:
            self._migrate(schema_upto)
        except psycopg.Error as exc:
            self._conn.close()
            raise StoreError(f"{self.where}: {_first_line(exc)}") from None

    def _connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        try:
            return cast(psycopg.Connection[tuple[Any, ...]],
                        connect(self.dsn, SETTINGS, where=self.where))
        except TargetError as exc:
            raise StoreError(str(exc)) from None

    def _migrate(self, upto: int | None) -> None:
        with self.transaction():
            self.execute("schema_lock", {"schema": self.schema})
            self._conn.execute(_compose(PACKAGE, "schema_version_create", self.schema))
            for migration in pending(self.where, PACKAGE, self.schema_version(), upto):
                statement = sql.SQL(migration.text).format(schema=sql.Identifier(self.schema))
                self._conn.execute(statement)

    def schema_version(self) -> int:
        return int(self.fetchall("schema_version_read")[0][0])

    def _ready(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._conn.closed or self._conn.broken:
            self._conn = self._connect()
        return self._conn

    def fetchall(self, name: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return self._ready().execute(_compose(PACKAGE, name, self.schema), params).fetchall()

    def execute(self, name: str, params: Params | None = None) -> None:
        self._ready().execute(_compose(PACKAGE, name, self.schema), params)

    def executemany(self, name: str, rows: Sequence[Params]) -> None:
        if rows:
            with self._ready().cursor() as cur:
                cur.executemany(_compose(PACKAGE, name, self.schema), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._ready().transaction():
            yield

    def size_bytes(self) -> int:
        return int(self.fetchall("size", {"schema": self.schema})[0][0])

    def compact(self) -> None:
        """Nothing to do: autovacuum makes deleted rows' space reusable."""

    def close(self) -> None:
        self._conn.close()


class PostgresStore(SqlStore):
    """The history store in a schema of a PostgreSQL database."""

    def __init__(self, dsn: str, policy: StorePolicy | None = None,
                 schema: str = DEFAULT_SCHEMA) -> None:
        super().__init__(PostgresBackend(dsn, schema), policy or StorePolicy())


@cache
def _compose(package: str, name: str, schema: str) -> sql.Composed:
    return sql.SQL(load_sql(package, name)).format(schema=sql.Identifier(schema))


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
