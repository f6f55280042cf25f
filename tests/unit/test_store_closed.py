"""A store used after it was closed says so (``StoreError``), never the engine's own error.

A thread that outlives the service (a scheduled report still building, a collection that
finished late) used to reach the closed sqlite3 connection and raise
``sqlite3.ProgrammingError: Cannot operate on a closed database`` (writes retried it first).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from pgwatch.store import StoreError
from pgwatch.store.sqlite import SQLiteStore
from tests.unit.test_store_behaviour import T0, at, db, snap, stmt


def test_every_use_after_close_is_a_store_error(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "history.db")
    store.write(snap(0, db(1)))
    store.close()
    uses: dict[str, Callable[[], object]] = {
        "write": lambda: store.write(snap(1, db(2))),
        "latest": lambda: store.latest("prod", "database"),
        "series": lambda: store.series("pgwatch_database_xact_commit_total", {}, at(-1), at(5)),
        "events": store.events,
        "record_event": lambda: store.record_event("prod", "k", "s", "d", T0),
        "alert_state": store.alert_state,
        "size_bytes": store.size_bytes,
        "retention": lambda: store.retention(T0 + timedelta(days=1)),
    }
    for use in uses.values():
        with pytest.raises(StoreError, match="the store is closed"):
            use()
    store.close()  # a second close is harmless


def test_readers_and_writers_racing_a_close_never_meet_a_closed_connection(
        tmp_path: Path) -> None:
    """Bounded stress: four threads write and read while the main thread closes the store;
    before the fix most rounds ended in sqlite3.ProgrammingError."""
    unexpected: list[BaseException] = []
    refused = 0
    for round_ in range(12):
        store = SQLiteStore(tmp_path / f"history-{round_}.db")
        start = threading.Event()
        counted: list[int] = []

        def worker(n: int, store: SQLiteStore = store, start: threading.Event = start,
                   counted: list[int] = counted) -> None:
            start.wait()
            for minute in range(30):
                try:
                    store.write(snap(minute, *(stmt(q, minute * q) for q in range(1, 12)),
                                     collector=f"statements_{n}"))
                    store.latest("prod", f"statements_{n}")
                    store.series(f"pgwatch_statements_{n}_calls_total", {}, at(0), at(40))
                except StoreError as exc:
                    assert "the store is closed" in str(exc), exc
                    counted.append(1)
                    return
                except BaseException as exc:  # sqlite3.ProgrammingError before the fix
                    unexpected.append(exc)
                    return

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        start.set()
        threading.Event().wait(0.02)
        store.close()
        for thread in threads:
            thread.join(timeout=30)
        refused += len(counted)
    assert not [e for e in unexpected if isinstance(e, sqlite3.ProgrammingError)], unexpected
    assert unexpected == []
    assert refused > 0  # the race was reached: some uses came after the close
