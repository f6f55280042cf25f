"""Real collector snapshots, two cycles apart, written to the store and read back."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors.cycle import collect_dsn
from pgwatch.store import StorePolicy
from pgwatch.store.sqlite import SQLiteStore


def test_every_collector_snapshot_is_stored_and_read_back(pg_dsn: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE runs (id int PRIMARY KEY, km numeric)")
        conn.execute("INSERT INTO runs SELECT g, g FROM generate_series(1, 100) AS g")
    # Two cycles a second apart: a minimum interval of 1 s lets both be written.
    store = SQLiteStore(tmp_path / "history.db", StorePolicy(top_n=5, min_sample_interval_s=1))
    _, first = collect_dsn(pg_dsn)
    assert first.snapshots and not first.errors
    for snapshot in first.snapshots:
        store.write(snapshot)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        for _ in range(5):
            conn.execute("SELECT count(*) FROM runs WHERE km > 10")
    time.sleep(1.1)  # the store keeps whole seconds: one point per collector per second
    _, second = collect_dsn(pg_dsn)
    for snapshot in second.snapshots:
        store.write(snapshot)
    since = first.snapshots[0].taken_at - timedelta(minutes=1)
    until = second.snapshots[-1].taken_at + timedelta(minutes=1)
    dbname = str(conninfo_to_dict(pg_dsn)["dbname"])
    [commits] = store.series("pgwatch_database_xact_commit_total", {"datname": dbname}, since,
                             until)
    assert len(commits.points) == 2 and commits.points[1].value > commits.points[0].value
    for snapshot in second.snapshots:
        latest = store.latest(snapshot.target, snapshot.collector)
        assert latest is not None and len(latest.rows) == len(snapshot.rows)
    store.close()
    # Another process reads the newest rows stored: the second cycle's (each was sampled).
    reopened = SQLiteStore(tmp_path / "history.db")
    for snapshot in second.snapshots:
        stored = reopened.latest(snapshot.target, snapshot.collector)
        assert stored is not None and len(stored.rows) == len(snapshot.rows), snapshot.collector
        assert stored.taken_at == snapshot.taken_at.replace(microsecond=0), snapshot.collector
    reopened.close()
