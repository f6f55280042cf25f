"""Gauges with a natural zero are exposed as 0 on a quiet server, and move when sessions
idle in a transaction or wait for a lock (what the default rules and dashboards read)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import psycopg
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from pgwatch.collectors import registry
from pgwatch.collectors.base import Snapshot
from pgwatch.collectors.cycle import collect_once
from pgwatch.daemon.state import RunState
from pgwatch.db import connect, probe
from pgwatch.exposition.metrics import SnapshotCollector
from pgwatch.exposition.text import TextRenderer

NAMES = ["activity", "connections"]
ZEROED = ("pgwatch_activity_oldest_xact_seconds", "pgwatch_activity_longest_query_seconds",
          "pgwatch_activity_idle_in_transaction_seconds", "pgwatch_activity_lock_wait_seconds",
          "pgwatch_connections_blocked_sessions")


def _exposed(dsn: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    with connect(dsn) as conn:
        result = collect_once(conn, probe(conn), registry.create(NAMES))
    assert result.errors == []
    state = RunState()
    exposition = SnapshotCollector(state, {})
    for snap in result.snapshots:
        state.register("db1", snap.collector, 15)
        state.succeeded(Snapshot("db1", snap.collector, datetime.now(UTC), snap.duration_s,
                                 snap.rows, snap.row_type), overran=False)
    metrics = CollectorRegistry(auto_describe=False)
    metrics.register(exposition)
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(TextRenderer(metrics).render().decode()):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def _client(found: dict[str, list[tuple[dict[str, str], float]]], name: str,
            datname: str) -> float:
    return max((v for labels, v in found[name] if labels.get("datname") == datname
                and labels.get("backend_type") == "client backend"), default=0.0)


@pytest.mark.one_version
def test_quiet_server_exposes_zeros(pg_dsn: str) -> None:
    found = _exposed(pg_dsn)
    for name in ZEROED:
        assert found.get(name), f"{name} vanished on a quiet server"
    datname = psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"]
    assert _client(found, "pgwatch_activity_idle_in_transaction_seconds", str(datname)) == 0
    assert [v for _, v in found["pgwatch_connections_blocked_sessions"]] == [0]


@pytest.mark.one_version
def test_idle_transaction_and_lock_wait_move_the_gauges(pg_dsn: str) -> None:
    datname = str(psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"])
    with psycopg.connect(pg_dsn, autocommit=True) as setup:
        setup.execute("CREATE TABLE held (id int PRIMARY KEY)")
        setup.execute("INSERT INTO held VALUES (1)")
    holder = psycopg.connect(pg_dsn)
    holder.execute("UPDATE held SET id = 1 WHERE id = 1")  # row locked, then idle in a tx
    waiter = psycopg.connect(pg_dsn, autocommit=True)
    thread = threading.Thread(target=lambda: waiter.execute(
        "UPDATE held SET id = 1 WHERE id = 1"), daemon=True)
    thread.start()
    try:
        time.sleep(1.5)
        found = _exposed(pg_dsn)
        assert _client(found, "pgwatch_activity_idle_in_transaction_seconds", datname) >= 1
        assert _client(found, "pgwatch_activity_oldest_xact_seconds", datname) >= 1
        assert _client(found, "pgwatch_activity_lock_wait_seconds", datname) >= 1
        assert _client(found, "pgwatch_activity_longest_query_seconds", datname) >= 1
        assert [v for _, v in found["pgwatch_connections_blocked_sessions"]] == [1]
    finally:
        holder.rollback()
        thread.join(timeout=10)
        holder.close()
        waiter.close()
