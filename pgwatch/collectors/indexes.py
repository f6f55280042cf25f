"""User indexes: usage and I/O counters, the flags the advisor and report act on, sizes.

Three collectors, because their costs differ: ``indexes`` (counters, every minute) costs
about what pg_stat_user_indexes does; ``index_flags`` compares definitions and
``index_size`` opens every index's files, both on slower intervals. Flags are computed in SQL
from pg_index so that every consumer agrees on them: ``unused``
(no scan since the statistics reset and enforcing no constraint), ``duplicate`` (an
identical index exists that is preferred), ``redundant`` (a btree prefix of another index
with the same predicate) and ``invalid`` (a failed concurrent build).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pgwatch.collectors.base import counter, gauge, label, text
from pgwatch.collectors.kinds import Scope
from pgwatch.collectors.query import SqlCollector


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One user index's usage and I/O counters."""

    schemaname: str = label("schema")
    relname: str = label("table")
    indexrelname: str = label("index")
    scans_total: int = counter("index scans")
    tuples_read_total: int = counter("index entries returned by scans")
    tuples_fetched_total: int = counter("live rows fetched by simple index scans")
    blocks_read_total: int = counter("index blocks read from disk or OS cache", "blocks")
    blocks_hit_total: int = counter("index blocks found in shared buffers", "blocks")
    last_scan_timestamp_seconds: float | None = gauge("last scan (16+)", "seconds",
                                                      default=None)


@dataclass(frozen=True, slots=True)
class IndexFlagsRow:
    """One user index's definition flags."""

    schemaname: str = label("schema")
    relname: str = label("table")
    indexrelname: str = label("index")
    estimated_size_bytes: float = gauge(
        "size from pg_class.relpages, as of the last VACUUM, ANALYZE or build", "bytes")
    is_unique: bool = gauge("1 when the index is unique")
    is_primary: bool = gauge("1 when the index is the primary key")
    enforces_constraint: bool = gauge("1 when the index enforces a constraint or uniqueness")
    invalid: bool = gauge("1 when the index is invalid (failed concurrent build)")
    unused: bool = gauge("1 when never scanned since the reset and enforcing nothing")
    duplicate: bool = gauge("1 when an identical, preferred index exists (duplicate_of)")
    redundant: bool = gauge("1 when its keys are a prefix of another index (redundant_to)")
    duplicate_of: str | None = text("the identical index that is kept")
    redundant_to: str | None = text("the index whose leading keys cover this one")


@dataclass(frozen=True, slots=True)
class IndexSizeRow:
    """One user index's exact size on disk."""

    schemaname: str = label("schema")
    relname: str = label("table")
    indexrelname: str = label("index")
    size_bytes: float = gauge("size on disk (pg_relation_size)", "bytes")


class IndexSizeCollector(SqlCollector):
    name: ClassVar[str] = "index_size"
    scope: ClassVar[Scope] = Scope.DATABASE
    default_interval_s: ClassVar[float] = 300.0
    row_type: ClassVar[type[Any]] = IndexSizeRow


class IndexesCollector(SqlCollector):
    name: ClassVar[str] = "indexes"
    scope: ClassVar[Scope] = Scope.DATABASE
    default_interval_s: ClassVar[float] = 60.0
    row_type: ClassVar[type[Any]] = IndexRow


class IndexFlagsCollector(SqlCollector):
    name: ClassVar[str] = "index_flags"
    scope: ClassVar[Scope] = Scope.DATABASE
    default_interval_s: ClassVar[float] = 300.0
    row_type: ClassVar[type[Any]] = IndexFlagsRow
