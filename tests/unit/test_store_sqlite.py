"""SQLite engine specifics: WAL, schema versions, and surviving a writer killed mid-write."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pgwatch.store import StoreError, StorePolicy, open_store
from pgwatch.store.backend import latest_version
from pgwatch.store.sqlite import SQLiteBackend, SQLiteStore
from tests.unit.test_store_behaviour import at, check_upgrade_to_latest_rows, db, snap, stmt

# The child writes whole snapshots, reporting each, then one transaction it never finishes.
_WRITER = """
import sys, time
from tests.unit.test_store_behaviour import snap, stmt
from pgwatch.store import StorePolicy
from pgwatch.store.sqlite import SQLiteStore

store = SQLiteStore(sys.argv[1], StorePolicy(small_collector_rows=10_000))
for minute in range(int(sys.argv[2])):
    store.write(snap(minute, *(stmt(q, minute + q + 1) for q in range(500))))
    print("wrote", minute, flush=True)
with store.backend.transaction():
    store.backend.executemany("sample_insert", [
        {"series_id": sid, "ts": 4_000_000_000, "value": 1.0} for sid in range(1, 1001)])
    print("mid-transaction", flush=True)
    time.sleep(120)
"""


def _kill_writer_at(path: Path, snapshots: int, wait_for: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(snapshots)],
                             stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(wait_for):
                break
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def test_a_writer_killed_mid_transaction_leaves_a_consistent_store(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    _kill_writer_at(path, 3, "mid-transaction")
    backend = SQLiteBackend(path)
    assert backend.integrity() == "ok"
    per_instant = backend._conn.execute(  # the store offers no raw count, SQLite does
        "SELECT ts, count(*) FROM samples GROUP BY ts ORDER BY ts").fetchall()
    backend.close()
    # Every committed snapshot is whole (3 counters of 500 statements);
    # the unfinished transaction left nothing.
    assert [count for _ts, count in per_instant] == [3 * 500] * 3
    store = SQLiteStore(path, StorePolicy(small_collector_rows=10_000))
    store.write(snap(3, *(stmt(q, 3 + q + 1) for q in range(500))))
    [series] = store.series("pgwatch_statements_calls_total", {"queryid": "7"}, at(0), at(9))
    assert [p.value for p in series.points] == [8, 9, 10, 11]
    store.close()


def test_a_writer_killed_between_snapshots_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    _kill_writer_at(path, 40, "wrote 5")
    backend = SQLiteBackend(path)
    assert backend.integrity() == "ok"
    per_instant = backend._conn.execute(
        "SELECT ts, count(*) FROM samples GROUP BY ts ORDER BY ts").fetchall()
    backend.close()
    assert len(per_instant) >= 6
    assert {count for _ts, count in per_instant} == {3 * 500}


def test_a_version_4_store_reads_its_last_snapshot_as_the_newest_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.db"

    def downgrade() -> None:
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TABLE latest_rows")
            conn.execute("DELETE FROM schema_version WHERE version = 5")

    check_upgrade_to_latest_rows(lambda: SQLiteStore(path), downgrade)


def test_the_file_is_in_wal_mode(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "h.db").close()
    with sqlite3.connect(tmp_path / "h.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_older_schema_is_upgraded_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    old = SQLiteBackend(path, schema_upto=1)
    assert old.schema_version() == 1
    with old.transaction():
        old.execute("event_insert", {"target": "prod", "kind": "setting_changed",
                                     "subject": "work_mem", "detail": "4MB -> 8MB", "at": 10})
    old.close()
    store = SQLiteStore(path)
    assert store.backend_sqlite.schema_version() == latest_version("pgwatch.store.sqlite") == 5
    assert [e.subject for e in store.events()] == ["work_mem"]
    store.write(snap(0, db(1)))
    store.retention(at(120))
    assert store.rollups("pgwatch_database_xact_commit_total", {}, at(0), at(60)) != []
    store.close()


def test_a_newer_schema_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (9, 0)")
    with pytest.raises(StoreError, match=r"h\.db: schema version 9 is newer than this pgwatch "
                                         r"understands \(up to 5\)"):
        SQLiteStore(path)


def test_a_file_that_is_not_a_store_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just some notes " * 100)
    with pytest.raises(StoreError, match=r"history store .*notes\.txt: file is not a database"):
        SQLiteStore(path)


def test_retention_hands_space_back(tmp_path: Path) -> None:
    store = open_store(tmp_path / "h.db", StorePolicy(raw_retention_s=3_600,
                                                      small_collector_rows=10_000))
    assert isinstance(store, SQLiteStore)
    for minute in range(0, 600, 5):
        store.write(snap(minute, *(stmt(q, minute + q) for q in range(300))))
    full = store.size_bytes()
    store.retention(at(60 * 24 * 30))
    assert store.size_bytes() < full / 2
    store.close()
