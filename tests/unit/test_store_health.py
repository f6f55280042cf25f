"""The store's health as /metrics and /readyz see it: a failure lasts until a real write."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgwatch.collectors.base import Snapshot
from pgwatch.store.health import StoreHealth
from pgwatch.store.sqlite import SQLiteStore
from tests.unit.test_store_behaviour import db, snap


class _Disk:
    """A real store whose writes fail while ``full``, as on a full or read-only disk."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.full = False

    def write(self, snapshot: Snapshot) -> bool:
        if self.full and not self.store.planner.plan(snapshot)[0].stores_nothing:
            raise OSError(28, "No space left on device")
        return self.store.write(snapshot)


def test_a_write_with_nothing_due_does_not_end_a_failure(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "history.db")
    disk = _Disk(store)
    health = StoreHealth(disk.write, store.size_bytes, clock=lambda: 100.0)
    try:
        health.write(snap(0, db(1), collector="a"))
        health.write(snap(0.5, db(1), collector="b"))
        disk.full = True
        with pytest.raises(OSError):
            health.write(snap(1, db(2), collector="a"))  # a's samples are due: it fails
        health.write(snap(1.25, db(2), collector="b"))  # b has nothing due for 15 s more
        assert health.status().failing
        disk.full = False
        health.write(snap(1.4, db(2), collector="b"))
        assert health.status().failing, "nothing was written: nothing says the disk is back"
        health.write(snap(1.5, db(3), collector="a"))  # due again: the failed one was not kept
        status = health.status()
        assert not status.failing and (status.writes_total, status.write_errors_total) == (6, 1)
    finally:
        store.close()
