"""Statement baselines from a real SQLite store, and the series that expose them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from pgwatch.collectors.base import Snapshot, counter, label, text
from pgwatch.daemon.state import RunState
from pgwatch.exposition.baselines import BASELINE, BaselineCollector
from pgwatch.exposition.metrics import SnapshotCollector
from pgwatch.exposition.text import TextRenderer
from pgwatch.store import StorePolicy
from pgwatch.store.baselines import BaselinePolicy, statement_baselines
from pgwatch.store.sqlite import SQLiteStore

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
POLICY = StorePolicy(min_sample_interval_s=60, object_series_interval_s=60)


@dataclass(frozen=True, slots=True)
class StatementRow:
    queryid: str = label()
    datname: str = label()
    usename: str = label()
    toplevel: bool = label()
    calls_total: float = counter("calls")
    exec_seconds_total: float = counter("execution time", "seconds")
    query: str | None = text()


def _row(queryid: str, calls: float, seconds: float) -> StatementRow:
    return StatementRow(queryid, "app", "web", True, calls, seconds, None)


def _snapshot(minutes: int, *rows: StatementRow) -> Snapshot:
    return Snapshot("db1", "statements", T0 + timedelta(minutes=minutes), 0.01, rows,
                    StatementRow)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    opened = SQLiteStore(tmp_path / "history.db", POLICY)
    try:
        yield opened
    finally:
        opened.close()


def _history(store: SQLiteStore, hours: int) -> None:
    """Query 1 at 20 ms a call, 60 calls a minute; query 2 called 5 times in all (too few);
    query 1 reset its counters (pg_stat_statements entry evicted) after two hours."""
    calls = seconds = 0.0
    for minute in range(hours * 60 + 1):
        if minute == 120:
            calls = seconds = 0.0
        store.write(_snapshot(minute, _row("1", calls, seconds),
                              _row("2", min(minute, 5), min(minute, 5) * 0.5)))
        calls += 60
        seconds += 60 * 0.02


def test_baseline_is_the_mean_over_the_period_and_ignores_resets(store: SQLiteStore) -> None:
    _history(store, 5)
    now = T0 + timedelta(hours=5)
    [baseline] = statement_baselines(store, now, BaselinePolicy(period=timedelta(hours=3)))
    assert baseline.target == "db1"
    assert dict(baseline.labels) == {"queryid": "1", "datname": "app", "usename": "web",
                                     "toplevel": "true"}
    assert baseline.mean_seconds == pytest.approx(0.02)
    # Three hours before the excluded last hour, less the interval lost to the reset.
    assert 3 * 3600 - 2 * 60 <= baseline.calls <= 3 * 3600


def test_baseline_reads_rollups_for_complete_hours(store: SQLiteStore) -> None:
    _history(store, 5)
    now = T0 + timedelta(hours=5)
    before = statement_baselines(store, now, BaselinePolicy(period=timedelta(hours=3)))
    store.retention(now)  # rolls the complete hours up
    after = statement_baselines(store, now, BaselinePolicy(period=timedelta(hours=3)))
    assert [b.labels for b in after] == [b.labels for b in before]
    assert after[0].mean_seconds == pytest.approx(0.02)
    assert after[0].calls == pytest.approx(before[0].calls, rel=0.02)


def test_no_baseline_without_enough_history(store: SQLiteStore) -> None:
    _history(store, 1)
    assert statement_baselines(store, T0 + timedelta(hours=1)) == ()


def test_exposed_with_the_labels_of_the_statements_other_series(store: SQLiteStore) -> None:
    _history(store, 5)
    state = RunState()
    state.set_target_labels("db1", {"env": "prod"})
    state.register("db1", "statements", 60)
    statements = SnapshotCollector(state, {})
    state.succeeded(_snapshot(300, _row("1", 1.0, 2.0)), overran=False)
    state.target_up("db1", True)
    baselines = BaselineCollector(state, store, BaselinePolicy(period=timedelta(hours=3)),
                                  every_s=3600, clock=lambda: T0 + timedelta(hours=5))
    baselines.refresh()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(statements)
    registry.register(baselines)
    families = {f.name: f for f in
                text_string_to_metric_families(TextRenderer(registry).render().decode())}
    [calls] = families["pgwatch_statements_calls"].samples
    [baseline] = families[BASELINE.name].samples
    assert baseline.labels == calls.labels == {
        "target": "db1", "env": "prod", "queryid": "1", "datname": "app", "usename": "web",
        "toplevel": "true"}
    assert baseline.value == pytest.approx(0.02)
