"""Rendering snapshots as Prometheus metrics: names, types, bounds, self-metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from pgwatch.collectors.base import Snapshot, counter, gauge, label, text
from pgwatch.daemon.state import RunState
from pgwatch.exposition.cardinality import OTHER, Bound
from pgwatch.exposition.metrics import SnapshotCollector
from pgwatch.exposition.self_metrics import SelfCollector
from pgwatch.exposition.text import TextRenderer


@dataclass(frozen=True, slots=True)
class QueryRow:
    queryid: str = label("query id")
    exec_seconds_total: float = counter("time executing", "seconds")
    calls_total: int = counter("calls")
    blocks_read_total: int = counter("blocks read", "blocks")
    mean_exec_seconds: float = gauge("mean time", "seconds")
    result_bytes: int = gauge("bytes", "bytes")
    query: str = text("query text", default="")


def _rows(count: int) -> tuple[QueryRow, ...]:
    return tuple(QueryRow(str(i), exec_seconds_total=float(i), calls_total=1,
                          blocks_read_total=0 if i != 7 else 10**9,
                          mean_exec_seconds=0.5, result_bytes=10) for i in range(count))


def _state(rows: tuple[QueryRow, ...], bounds: dict[str, Bound] | None = None,
           ) -> tuple[RunState, SnapshotCollector]:
    """A state whose exposition (subscribed first, as the service wires it) saw ``rows``."""
    state = RunState()
    collector = SnapshotCollector(state, bounds or {})
    state.set_target_labels("db1", {"env": "test"})
    _feed(state, "db1", "statements", rows)
    return state, collector


def _feed(state: RunState, target: str, name: str, rows: tuple[object, ...],
          row_type: type[object] = QueryRow) -> None:
    state.register(target, name, 60)
    state.succeeded(Snapshot(target, name, datetime.now(UTC), 0.02, rows, row_type),
                    overran=False)


def _scrape(*collectors: object) -> dict[str, list[tuple[dict[str, str], float]]]:
    registry = CollectorRegistry()
    for collector in collectors:
        registry.register(collector)  # type: ignore[arg-type]
    text_out = TextRenderer(registry).render().decode()
    assert _flat(text_out) == _flat(generate_latest(registry).decode())
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    names = [family.name for family in text_string_to_metric_families(text_out)]
    assert len(names) == len(set(names)), "a family must appear once"
    for family in text_string_to_metric_families(text_out):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def _flat(text_out: str) -> list[tuple[str, str, float]]:
    """Every sample, whatever the order of families (the reference formatter repeats a family
    name once per target; ours writes it once)."""
    return sorted((s.name, repr(sorted(s.labels.items())), s.value)
                  for f in text_string_to_metric_families(text_out) for s in f.samples)


def test_families_from_several_targets_are_written_once() -> None:
    state, collector = _state(_rows(2))
    _feed(state, "db2", "statements", _rows(3))
    samples = _scrape(collector)
    targets = [labels["target"] for labels, _ in samples["pgwatch_statements_calls_total"]]
    assert sorted(targets) == ["db1", "db1", "db2", "db2", "db2"]


def test_counters_and_gauges_are_named_and_labelled() -> None:
    samples = _scrape(_state(_rows(3))[1])
    assert {"target": "db1", "env": "test", "queryid": "2"} in \
        [labels for labels, _ in samples["pgwatch_statements_exec_seconds_total"]]
    assert len(samples["pgwatch_statements_mean_exec_seconds"]) == 3
    assert "pgwatch_statements_query" not in samples  # text is not a number


def test_registering_never_collects() -> None:
    state, collector = _state(_rows(3))
    assert collector.describe() == []
    assert SelfCollector(state).describe() == []


def test_five_thousand_statements_stay_bounded() -> None:
    bound = Bound(identity=("queryid",), rank_by=("exec_seconds_total", "blocks_read_total"),
                  top_n=100, per_dimension=10)
    samples = _scrape(_state(_rows(5000), {"statements": bound})[1])
    series = samples["pgwatch_statements_exec_seconds_total"]
    ids = {labels["queryid"] for labels, _ in series}
    assert len(ids) == 102  # top 100 by time, the disk-heavy query 7, and __other__
    assert "7" in ids and "4999" in ids and "0" not in ids
    rest = next(value for labels, value in series if labels["queryid"] == OTHER)
    assert rest == sum(i for i in range(4900) if i != 7)
    folded = samples["pgwatch_exposition_objects_folded"][0][1]
    assert folded == 5000 - 101
    assert not any(labels["queryid"] == OTHER
                   for labels, _ in samples["pgwatch_statements_mean_exec_seconds"])
    total = sum(len(v) for v in samples.values())
    assert total < 20_000


def test_self_metrics() -> None:
    state, _ = _state(_rows(1))
    state.register("db1", "tables", 30)
    state.failed("db1", "tables", "canceling statement due to statement timeout", 2.0)
    state.register("db1", "pgbouncer", 30)
    state.skipped("db1", "pgbouncer", "no pgbouncer configured")
    samples = _scrape(SelfCollector(state, lambda: 4096.0))
    assert samples["pgwatch_up"] == [({"target": "db1", "env": "test"}, 1.0)]
    errors = dict((labels["collector"], value)
                  for labels, value in samples["pgwatch_collector_errors_total"])
    assert errors == {"pgbouncer": 0.0, "statements": 0.0, "tables": 1.0}
    buckets = [(labels["le"], value) for labels, value
               in samples["pgwatch_collector_duration_seconds_bucket"]
               if labels["collector"] == "tables"]
    assert ("1.0", 0.0) in buckets and ("2.5", 1.0) in buckets and ("+Inf", 1.0) in buckets
    skipped = [labels for labels, value in samples["pgwatch_collector_skipped"] if value == 1]
    assert skipped == [{"target": "db1", "env": "test", "collector": "pgbouncer",
                        "reason": "no pgbouncer configured"}]
    for name in ("pgwatch_collector_runs_total", "pgwatch_collector_duration_seconds_bucket",
                 "pgwatch_collector_interval_seconds"):
        assert all(labels["env"] == "test" for labels, _ in samples[name]), name
    assert samples["pgwatch_store_size_bytes"] == [({}, 4096.0)]


def test_long_label_values_are_truncated() -> None:
    row = QueryRow("x" * 1000, 1.0, 1, 0, 0.1, 1)
    samples = _scrape(_state((row,))[1])
    labels = samples["pgwatch_statements_calls_total"][0][0]
    assert len(labels["queryid"]) == 200 and labels["queryid"].endswith("…")


@dataclass(frozen=True, slots=True)
class SizeRow:
    queryid: str = label("object")
    total_bytes: float = gauge("size", "bytes")


def test_query_text_sent_once_is_remembered_for_the_info_metric() -> None:
    state = RunState()
    bound = Bound(identity=("queryid",), rank_by=("exec_seconds_total",), info_texts=("query",))
    collector = SnapshotCollector(state, {"statements": bound})  # as the service registers it
    state.register("db1", "statements", 60)
    for calls, text_value in ((1, "SELECT 1"), (2, None)):
        row = QueryRow("1", float(calls), calls, 0, 0.1, 1, query=text_value)  # type: ignore[arg-type]
        state.succeeded(Snapshot("db1", "statements", datetime.now(UTC), 0.01, (row,), QueryRow),
                        overran=False)
    samples = _scrape(collector)
    (labels, value), = samples["pgwatch_statements_query_info"]
    assert labels["query"] == "SELECT 1" and value == 1.0
    assert samples["pgwatch_statements_calls_total"][0][1] == 2.0


def test_rank_from_another_collector() -> None:
    bound = Bound(identity=("queryid",), rank_by=("exec_seconds_total",), top_n=10,
                  per_dimension=0, rank_from=("sizes", "total_bytes"))
    state = RunState()
    collector = SnapshotCollector(state, {"statements": bound})
    sizes = tuple(SizeRow(str(i), float(300 - i)) for i in range(300))  # small ids are big
    _feed(state, "db1", "sizes", sizes, SizeRow)
    _feed(state, "db1", "statements", _rows(300))
    ids = {labels["queryid"] for labels, _ in _scrape(collector)["pgwatch_statements_calls_total"]}
    assert ids == {str(i) for i in range(10)} | {OTHER}
    # New sizes re-rank the statements when they next report, not before.
    reversed_sizes = tuple(SizeRow(str(i), float(i)) for i in range(300))
    _feed(state, "db1", "sizes", reversed_sizes, SizeRow)
    ids = {labels["queryid"] for labels, _ in _scrape(collector)["pgwatch_statements_calls_total"]}
    assert ids == {str(i) for i in range(10)} | {OTHER}
    _feed(state, "db1", "statements", _rows(300))
    ids = {labels["queryid"] for labels, _ in _scrape(collector)["pgwatch_statements_calls_total"]}
    assert ids == {str(i) for i in range(290, 300)} | {OTHER}


def test_a_removed_target_is_no_longer_exposed() -> None:
    state, collector = _state(_rows(2))
    _feed(state, "db2", "statements", _rows(3))
    state.forget_target("db2")
    samples = _scrape(collector)["pgwatch_statements_calls_total"]
    assert {labels["target"] for labels, _ in samples} == {"db1"}
