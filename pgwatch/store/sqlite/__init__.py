"""The SQLite history store: one file in WAL mode, the default."""

from pgwatch.store.sqlite.backend import SQLiteBackend, SQLiteStore

__all__ = ["SQLiteBackend", "SQLiteStore"]
