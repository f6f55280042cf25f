"""With -c, the report judges unused indexes on the store's history: an index scanned only
before the period the store covers is unused over it; one scanned early in the period is not.
With a live database alone the same indexes are judged since the statistics reset."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pgwatch.collectors import registry
from pgwatch.collectors.cycle import collect_once
from pgwatch.db import connect, probe
from pgwatch.report.build import build_report
from pgwatch.report.render import document
from pgwatch.report.source import run_advisor
from pgwatch.report.store_source import StoreSource
from pgwatch.store import StorePolicy, open_store

pytestmark = pytest.mark.one_version
NOW = datetime.now(UTC).replace(microsecond=0)


def _scan(conn: psycopg.Connection[Any], column: str, times: int) -> None:
    conn.execute("SET enable_seqscan = off")
    for value in range(times):
        conn.execute(f"SELECT id FROM t WHERE {column} = %s", (value,))  # column: a, b


def _collect(dsn: str, store: Any, at: datetime) -> None:
    with connect(dsn) as conn:
        result = collect_once(conn, probe(conn), registry.create(["indexes"]), target="main")
    [snapshot] = [s for s in result.snapshots if s.collector == "indexes"]
    store.write(dataclasses.replace(snapshot, taken_at=at))


def _dropped(recommendations: Any) -> set[str]:
    return {str(r.evidence["index"]) for r in recommendations if r.kind == "drop_index"}


def test_unused_indexes_from_the_store_history_not_since_the_reset(
        pg_dsn: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int)")
        conn.execute("INSERT INTO t SELECT g, g % 100, g % 100, g % 100"
                     " FROM generate_series(1, 20000) g")
        for column in ("a", "b", "c"):
            conn.execute(f"CREATE INDEX t_{column} ON t ({column})")
        conn.execute("ANALYZE t")
        _scan(conn, "b", 20)  # before the store's period: scans since the reset only
    store = open_store(tmp_path / "h.db", StorePolicy(min_sample_interval_s=1,
                                                      object_series_interval_s=1))
    _collect(pg_dsn, store, NOW - timedelta(hours=3))
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        _scan(conn, "a", 20)  # early in the period, then no more
    for hours in (2, 1, 0):
        _collect(pg_dsn, store, NOW - timedelta(hours=hours))
    source = StoreSource(store, "main", pg_dsn, where="test", now=NOW, owns_store=True)
    try:
        advice = source.advice()
        report = build_report(source, timedelta(hours=4), now=NOW)
    finally:
        source.close()
    assert advice.advice is not None, advice.missing
    from_history = _dropped(advice.advice.recommendations)
    assert {"t_b", "t_c"} <= from_history and "t_a" not in from_history
    reasons = {str(r.evidence["index"]): r for r in advice.advice.recommendations
               if r.kind == "drop_index"}
    assert reasons["t_b"].evidence["source"] == "store history"
    assert reasons["t_b"].evidence["period_days"] == pytest.approx(3 / 24, abs=0.01)
    shown = [row["SQL"] if "SQL" in row else " ".join(map(str, row.values()))
             for row in _rows(document(report), "indexes", "index advice")]
    assert any("t_b" in text and "DROP INDEX" in text for text in shown), shown

    live = run_advisor(pg_dsn, "test")  # no store: since the statistics reset
    assert live.advice is not None, live.missing
    since_reset = _dropped(live.advice.recommendations)
    assert "t_c" in since_reset and not {"t_a", "t_b"} & since_reset


def _rows(doc: dict[str, Any], key: str, name: str) -> list[dict[str, Any]]:
    section = next(s for s in doc["sections"] if s["key"] == key)
    return list(next(t for t in section["tables"] if t["name"] == name)["rows"])
