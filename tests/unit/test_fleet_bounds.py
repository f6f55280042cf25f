"""The metrics bound applies to an instance, however many databases it watches."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from pgwatch.collectors.base import Snapshot
from pgwatch.collectors.tables import TableSizeRow
from pgwatch.daemon.databases import in_database, label_rows
from pgwatch.daemon.state import RunState
from pgwatch.exposition.bounds import configured_bounds
from pgwatch.exposition.cardinality import OTHER
from pgwatch.exposition.metrics import SnapshotCollector
from pgwatch.exposition.text import TextRenderer

TOP_N = 100


def sizes(databases: int, tables: int) -> tuple[object, ...]:
    rows: list[object] = []
    for d in range(databases):
        own = tuple(TableSizeRow("public", f"t{t}", 8192.0 * (d * tables + t), 0.0, 0.0,
                                 8192.0 * (d * tables + t)) for t in range(tables))
        rows += label_rows(own, TableSizeRow, f"db{d:03d}")
    return tuple(rows)


def exposed(rows: tuple[object, ...]) -> list[dict[str, str]]:
    state = RunState()
    collector = SnapshotCollector(state, configured_bounds(100, TOP_N))
    state.register("inst", "table_size", 300)
    state.succeeded(Snapshot("inst", "table_size", datetime.now(UTC), 0.1, rows,
                             in_database(TableSizeRow)), overran=False)
    registry = CollectorRegistry()
    registry.register(collector)
    text = TextRenderer(registry).render().decode()
    return [s.labels for f in text_string_to_metric_families(text) for s in f.samples
            if s.name == "pgwatch_table_size_total_bytes"]


def test_a_hundred_databases_of_fifty_tables_expose_the_instance_top_n() -> None:
    series = exposed(sizes(100, 50))
    assert len(series) == TOP_N + 1  # the largest 100 of 5,000 tables, and the rest summed
    assert sum(s.get("datname") == OTHER for s in series) == 1
    kept = {(s["datname"], s["relname"]) for s in series if s["datname"] != OTHER}
    # The largest tables are those of the last databases: the bound ranks the whole instance.
    assert kept == {(f"db{d:03d}", f"t{t}") for d in (98, 99) for t in range(50)}


def test_the_same_table_name_in_two_databases_is_two_series() -> None:
    series = exposed(sizes(2, 3))
    assert {(s["datname"], s["relname"]) for s in series} == {
        (f"db{d:03d}", f"t{t}") for d in (0, 1) for t in range(3)}
