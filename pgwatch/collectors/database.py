"""pg_stat_database per database, and database sizes on a slower interval of their own.

``pg_database_size()`` walks every file of a database (tens of thousands at scale): it is
the ``database_size`` collector, read every few minutes, never on every cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pgwatch.collectors.base import counter, gauge, label
from pgwatch.collectors.query import SqlCollector


@dataclass(frozen=True, slots=True)
class DatabaseRow:
    """One database's activity counters since the last statistics reset."""

    datname: str = label("database")
    backends: int = gauge("sessions connected now")
    xact_commit_total: int = counter("transactions committed")
    xact_rollback_total: int = counter("transactions rolled back")
    blocks_read_total: int = counter("blocks read from disk or OS cache", "blocks")
    blocks_hit_total: int = counter("blocks found in shared buffers", "blocks")
    tuples_returned_total: int = counter("rows returned by sequential and index scans")
    tuples_fetched_total: int = counter("rows fetched by index scans")
    tuples_inserted_total: int = counter("rows inserted")
    tuples_updated_total: int = counter("rows updated")
    tuples_deleted_total: int = counter("rows deleted")
    conflicts_total: int = counter("queries cancelled by recovery conflicts (standby)")
    conflicts_tablespace_total: int = counter("recovery conflicts: dropped tablespace")
    conflicts_lock_total: int = counter("recovery conflicts: lock timeout")
    conflicts_snapshot_total: int = counter("recovery conflicts: old snapshot")
    conflicts_bufferpin_total: int = counter("recovery conflicts: pinned buffer")
    conflicts_deadlock_total: int = counter("recovery conflicts: deadlock")
    temp_files_total: int = counter("temporary files created")
    temp_bytes_total: float = counter("data written to temporary files", "bytes")
    deadlocks_total: int = counter("deadlocks detected")
    checksum_failures_total: int | None = counter(
        "data page checksum failures (null when checksums are off)")
    checksum_last_failure_timestamp_seconds: float | None = gauge(
        "when the last checksum failure was detected", "seconds")
    block_read_seconds_total: float = counter("time reading blocks (track_io_timing)",
                                              "seconds")
    block_write_seconds_total: float = counter("time writing blocks (track_io_timing)",
                                               "seconds")
    session_seconds_total: float = counter("time spent by sessions", "seconds")
    active_seconds_total: float = counter("time spent executing statements", "seconds")
    idle_in_transaction_seconds_total: float = counter("time idle in a transaction", "seconds")
    sessions_total: int = counter("sessions established")
    sessions_abandoned_total: int = counter("sessions ended by a lost client")
    sessions_fatal_total: int = counter("sessions ended by a fatal error")
    sessions_killed_total: int = counter("sessions ended by an operator")
    stats_reset_timestamp_seconds: float | None = gauge("when these statistics were reset",
                                                        "seconds")
    frozenxid_age: int = gauge("transactions since the oldest unfrozen xid (age(datfrozenxid))")
    minmxid_age: int = gauge("multixacts since the oldest unfrozen multixact")
    conflicts_logical_slot_total: int | None = counter(
        "recovery conflicts: logical slot invalidated (16+)", default=None)
    parallel_workers_to_launch_total: int | None = counter(
        "parallel workers planned (18+)", default=None)
    parallel_workers_launched_total: int | None = counter(
        "parallel workers launched (18+)", default=None)


@dataclass(frozen=True, slots=True)
class DatabaseSizeRow:
    """The size on disk of one database."""

    datname: str = label("database")
    size_bytes: float = gauge("size on disk (pg_database_size)", "bytes")


class DatabaseCollector(SqlCollector):
    """pg_stat_database, pg_stat_database_conflicts and freeze ages, every database."""

    name: ClassVar[str] = "database"
    default_interval_s: ClassVar[float] = 30.0
    row_type: ClassVar[type[Any]] = DatabaseRow


class DatabaseSizeCollector(SqlCollector):
    """Database sizes: expensive at scale, so on a slow interval."""

    name: ClassVar[str] = "database_size"
    default_interval_s: ClassVar[float] = 300.0
    row_type: ClassVar[type[Any]] = DatabaseSizeRow
