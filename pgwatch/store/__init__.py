"""History: the ``Store`` interface, its SQLite and PostgreSQL implementations, deltas.

``open_store(location)`` picks the engine: a ``postgresql://`` or ``postgres://`` URI or a
libpq keyword string (``host=... dbname=...``) opens the PostgreSQL store, anything else
is the path of a SQLite file.
"""

from __future__ import annotations

from pathlib import Path

from pgwatch.store.base import Store
from pgwatch.store.model import (
    Event,
    Latest,
    Point,
    Rollup,
    RollupSeries,
    Series,
    SeriesKind,
    StoreError,
)
from pgwatch.store.policy import StorePolicy
from pgwatch.store.query import History, Value

__all__ = ["Event", "History", "Latest", "Point", "Rollup", "RollupSeries", "Series",
           "SeriesKind", "Store", "StoreError", "StorePolicy", "Value", "open_store"]


def open_store(location: str | Path, policy: StorePolicy | None = None) -> Store:
    """Open (creating and migrating as needed) the store at ``location``."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")) or "dbname=" in text:
        from pgwatch.store.postgres import PostgresStore

        return PostgresStore(text, policy)
    from pgwatch.store.sqlite import SQLiteStore

    return SQLiteStore(Path(text), policy)
