"""Figures from history: statement rows written into a real SQLite store over three hours,
then read back by the report (window totals, the p95 of interval means, a regression, the
sparkline, a growth forecast), with no server."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pgwatch.collectors.base import Kind, Snapshot, fields_of
from pgwatch.collectors.database import DatabaseSizeRow
from pgwatch.collectors.statements import StatementRow
from pgwatch.report.build import build_report
from pgwatch.report.render import document
from pgwatch.report.store_source import StoreSource
from pgwatch.store import StorePolicy, open_store

NOW = datetime.now(UTC).replace(microsecond=0)
STEP = timedelta(minutes=10)
STEPS = 18  # three hours


def statement(queryid: str, calls: int, seconds: float) -> StatementRow:
    zero: dict[str, Any] = {}
    for spec in fields_of(StatementRow):
        zero[spec.name] = "" if spec.kind in (Kind.LABEL, Kind.TEXT) else 0
    zero.update(queryid=queryid, datname="app", usename="app", toplevel=True,
                calls_total=calls, exec_seconds_total=seconds,
                mean_exec_seconds=seconds / max(1, calls), query=f"SELECT {queryid}")
    return StatementRow(**zero)


@pytest.fixture
def source(tmp_path: Path) -> StoreSource:
    store = open_store(tmp_path / "h.db", StorePolicy(min_sample_interval_s=1,
                                                      object_series_interval_s=1))
    calls = {"steady": 0, "slower": 0}
    spent = {"steady": 0.0, "slower": 0.0}
    for step in range(STEPS + 1):
        at = NOW - STEP * (STEPS - step)
        recent = at > NOW - timedelta(hours=1)
        for name, per_call in (("steady", 0.001), ("slower", 0.003 if recent else 0.001)):
            calls[name] += 100
            spent[name] += 100 * per_call
        rows = tuple(statement(n, calls[n], spent[n]) for n in calls)
        store.write(Snapshot("main", "statements", at, 0.0, rows, StatementRow))
        size = DatabaseSizeRow("app", 1e9 + step * 1e7)
        store.write(Snapshot("main", "database_size", at, 0.0, (size,), DatabaseSizeRow))
    return StoreSource(store, "main", None, where="test", now=NOW, owns_store=True)


def test_window_figures_regression_and_forecast(source: StoreSource) -> None:
    try:
        report = build_report(source, timedelta(hours=3), now=NOW)
    finally:
        source.close()
    doc = document(report)
    queries = {row["query"]: row for row in _rows(doc, "queries", "top queries")}
    slower, steady = queries["SELECT slower"], queries["SELECT steady"]
    assert slower["calls"] == steady["calls"] == STEPS * 100  # increases, not the counters
    assert steady["mean"] == pytest.approx(0.001)
    assert steady["regression"] == pytest.approx(1.0)
    assert slower["regression"] == pytest.approx(3.0)  # last hour against the earlier window
    assert slower["p95 (approx.)"] == pytest.approx(0.003)  # the slow intervals
    assert len(slower["trend"]) == STEPS
    assert report.figures["regressions"] == 1.0
    grade = {line.criterion: line.penalty for line in report.summary.grade.lines}
    assert grade["top queries slower than their baseline"] == 5
    growth = _rows(doc, "capacity", "growth")[0]
    assert growth["growth over the window"] == pytest.approx(STEPS * 1e7)
    assert growth["per day"] == pytest.approx(1e7 * 6 * 24)
    reach = datetime.fromisoformat(growth["forecast: reaches it"])
    expected = NOW + timedelta(days=(100 * 2**30 - (1e9 + STEPS * 1e7)) / (1e7 * 6 * 24))
    assert abs((reach - expected).total_seconds()) < 3600


def _rows(doc: dict[str, Any], key: str, name: str) -> list[dict[str, Any]]:
    section = next(s for s in doc["sections"] if s["key"] == key)
    return list(next(t for t in section["tables"] if t["name"] == name)["rows"])


def test_no_dsn_means_no_advisor_and_the_sections_say_why(source: StoreSource) -> None:
    try:
        report = build_report(source, timedelta(hours=3), now=NOW)
    finally:
        source.close()
    assert "DSN is not known" in " ".join(report.section("indexes").notes)
    assert dataclasses.is_dataclass(report) and report.mode == "store"
