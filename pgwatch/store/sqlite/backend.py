"""SQLite engine for the history store: one file, WAL mode, one connection behind a lock.

Thread-safety: the store holds a single connection opened with ``check_same_thread=False``
and serializes every call on it with one lock (``SqlStore``); readers in other processes
(``pgwatch report``) read the WAL file concurrently without blocking the writer.
``synchronous=NORMAL`` in WAL mode never corrupts the file: a process killed mid-write
loses at most the transaction in flight, which SQLite rolls back on the next open.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pgwatch.sql import load_sql
from pgwatch.store.backend import Params, pending
from pgwatch.store.model import StoreError
from pgwatch.store.policy import StorePolicy
from pgwatch.store.sqlstore import SqlStore

PACKAGE = "pgwatch.store.sqlite"
_OS_ERRORS = ("SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")


class SQLiteBackend:
    """A store file, opened and migrated to the current schema."""

    def __init__(self, path: str | Path, *, schema_upto: int | None = None) -> None:
        self.path = Path(path)
        self.where = f"history store {self.path}"
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None,
                                         check_same_thread=False, timeout=30.0)
            self._configure()
            self._migrate(schema_upto)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.where}: {exc}") from None

    def _configure(self) -> None:
        # auto_vacuum only takes effect on a new file; retention then hands pages back.
        self._conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            raise StoreError(f"{self.where}: cannot switch to WAL mode (got {mode})")
        self._conn.execute("PRAGMA synchronous = NORMAL")

    def _migrate(self, upto: int | None) -> None:
        self._conn.executescript(load_sql(PACKAGE, "schema_version_create"))
        with self.transaction():
            current = int(self.fetchall("schema_version_read")[0][0])
            for migration in pending(self.where, PACKAGE, current, upto):
                for statement in _statements(migration.text):
                    self._conn.execute(statement)

    def schema_version(self) -> int:
        return int(self.fetchall("schema_version_read")[0][0])

    def fetchall(self, name: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return self._conn.execute(load_sql(PACKAGE, name), params or {}).fetchall()

    def execute(self, name: str, params: Params | None = None) -> None:
        self._conn.execute(load_sql(PACKAGE, name), params or {})

    def executemany(self, name: str, rows: Sequence[Params]) -> None:
        self._conn.executemany(load_sql(PACKAGE, name), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; an I/O error names what the system said of the file."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._conn.execute("COMMIT")
            except BaseException:
                # After an I/O error SQLite may have rolled back already; a failed COMMIT
                # leaves the transaction open, and the next BEGIN would be refused.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            reason = _os_reason(self.path, exc)
            if reason is None:
                raise
            raise StoreError(f"{_first_line(exc)} ({reason})") from exc

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in _files(self.path) if p.exists())

    def compact(self) -> None:
        self._conn.execute("PRAGMA incremental_vacuum")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def integrity(self) -> str:
        """SQLite's own verdict on the file ("ok" when sound)."""
        row = self._conn.execute("PRAGMA integrity_check").fetchone()
        return str(row[0]) if row else "no answer"

    def close(self) -> None:
        self._conn.close()


class SQLiteStore(SqlStore):
    """The history store in one SQLite file."""

    def __init__(self, path: str | Path, policy: StorePolicy | None = None) -> None:
        self.backend_sqlite = SQLiteBackend(path)
        super().__init__(self.backend_sqlite, policy or StorePolicy())


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements, so that all of it runs in one transaction."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""
    if buffer.strip() and not buffer.strip().startswith("--"):
        raise StoreError(f"{PACKAGE}: a migration ends with an incomplete statement")


def _os_reason(path: Path, exc: sqlite3.Error) -> str | None:
    """Why the system refuses to write the file, when SQLite only says "disk I/O error"
    (SQLite keeps errno to itself: a read-only filesystem is an I/O error to it)."""
    if not str(getattr(exc, "sqlite_errorname", "")).startswith(_OS_ERRORS):
        return None
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError as refused:
        return refused.strerror or type(refused).__name__
    return None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _files(path: Path) -> tuple[Path, ...]:
    # The -shm file is a shared-memory index rebuilt on open, not stored data.
    return path, path.with_name(path.name + "-wal")
