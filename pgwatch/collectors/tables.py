"""User tables: scans, tuples, vacuum and analyze, heap I/O, freeze age; sizes separately.

Sizes open every relation's files: ``table_size`` is its own collector on a slower interval,
so the frequent ``tables`` read costs no more than pg_stat_user_tables itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pgwatch.collectors.base import counter, gauge, label, text
from pgwatch.collectors.kinds import Scope
from pgwatch.collectors.query import SqlCollector


@dataclass(frozen=True, slots=True)
class TableRow:
    """One user table's statistics since the last reset."""

    schemaname: str = label("schema")
    relname: str = label("table")
    seq_scan_total: int = counter("sequential scans")
    seq_tuples_read_total: int = counter("rows read by sequential scans")
    idx_scan_total: int | None = counter("index scans on the table's indexes")
    idx_tuples_fetched_total: int | None = counter("rows fetched by index scans")
    tuples_inserted_total: int = counter("rows inserted")
    tuples_updated_total: int = counter("rows updated")
    tuples_deleted_total: int = counter("rows deleted")
    tuples_hot_updated_total: int = counter("rows HOT-updated (no index update)")
    live_tuples: int = gauge("estimated live rows")
    dead_tuples: int = gauge("estimated dead rows")
    modified_since_analyze: int = gauge("rows modified since the last analyze")
    inserted_since_vacuum: int = gauge("rows inserted since the last vacuum")
    last_vacuum_timestamp_seconds: float | None = gauge("last manual vacuum", "seconds")
    last_autovacuum_timestamp_seconds: float | None = gauge("last autovacuum", "seconds")
    last_analyze_timestamp_seconds: float | None = gauge("last manual analyze", "seconds")
    last_autoanalyze_timestamp_seconds: float | None = gauge("last autoanalyze", "seconds")
    vacuum_total: int = counter("manual vacuums")
    autovacuum_total: int = counter("autovacuums")
    analyze_total: int = counter("manual analyzes")
    autoanalyze_total: int = counter("autoanalyzes")
    heap_blocks_read_total: int = counter("heap blocks read from disk or OS cache", "blocks")
    heap_blocks_hit_total: int = counter("heap blocks found in shared buffers", "blocks")
    toast_blocks_read_total: int = counter("TOAST blocks read", "blocks")
    toast_blocks_hit_total: int = counter("TOAST blocks found in shared buffers", "blocks")
    frozenxid_age: int = gauge("transactions since relfrozenxid (wraparound distance)")
    minmxid_age: int = gauge("multixacts since relminmxid")
    autovacuum_options: str = text("per-table autovacuum reloptions, comma-separated")
    tuples_newpage_updated_total: int | None = counter(
        "updates that moved the row to a new page (16+)", default=None)
    last_seq_scan_timestamp_seconds: float | None = gauge("last sequential scan (16+)",
                                                          "seconds", default=None)
    last_idx_scan_timestamp_seconds: float | None = gauge("last index scan (16+)", "seconds",
                                                          default=None)
    vacuum_seconds_total: float | None = counter("time in manual vacuum (18+)", "seconds",
                                                 default=None)
    autovacuum_seconds_total: float | None = counter("time in autovacuum (18+)", "seconds",
                                                     default=None)
    analyze_seconds_total: float | None = counter("time in manual analyze (18+)", "seconds",
                                                  default=None)
    autoanalyze_seconds_total: float | None = counter("time in autoanalyze (18+)", "seconds",
                                                      default=None)


@dataclass(frozen=True, slots=True)
class TableSizeRow:
    """One user table's size on disk, by part."""

    schemaname: str = label("schema")
    relname: str = label("table")
    heap_bytes: float = gauge("main fork", "bytes")
    toast_bytes: float = gauge("TOAST table and its index", "bytes")
    indexes_bytes: float = gauge("all indexes", "bytes")
    total_bytes: float = gauge("heap + TOAST + indexes", "bytes")


class TablesCollector(SqlCollector):
    name: ClassVar[str] = "tables"
    scope: ClassVar[Scope] = Scope.DATABASE
    default_interval_s: ClassVar[float] = 60.0
    row_type: ClassVar[type[Any]] = TableRow


class TableSizeCollector(SqlCollector):
    name: ClassVar[str] = "table_size"
    scope: ClassVar[Scope] = Scope.DATABASE
    default_interval_s: ClassVar[float] = 300.0
    row_type: ClassVar[type[Any]] = TableSizeRow
