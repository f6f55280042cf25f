"""Background processes: background writer, checkpointer, WAL, and pg_stat_io (16+).

PostgreSQL 17 split the checkpointer's counters out of pg_stat_bgwriter; the SQL variants
hide the split, so ``checkpointer`` has the same fields on every version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pgwatch.collectors.base import counter, gauge, label
from pgwatch.collectors.query import SqlCollector


@dataclass(frozen=True, slots=True)
class BgwriterRow:
    """The background writer (and, before 17, writes that backends did themselves)."""

    buffers_clean_total: int = counter("buffers written by the background writer", "buffers")
    maxwritten_clean_total: int = counter("rounds stopped for writing too many buffers")
    buffers_alloc_total: int = counter("buffers allocated", "buffers")
    stats_reset_timestamp_seconds: float | None = gauge("when these statistics were reset",
                                                        "seconds")
    buffers_backend_total: int | None = counter(
        "buffers written by backends (before 17; see pg_stat_io after)", "buffers", default=None)
    buffers_backend_fsync_total: int | None = counter(
        "fsync calls made by backends (before 17)", default=None)


@dataclass(frozen=True, slots=True)
class CheckpointerRow:
    """Checkpoints and restartpoints."""

    checkpoints_timed_total: int = counter("scheduled checkpoints")
    checkpoints_requested_total: int = counter("requested checkpoints")
    write_seconds_total: float = counter("time writing checkpoint files", "seconds")
    sync_seconds_total: float = counter("time syncing checkpoint files", "seconds")
    buffers_written_total: int = counter("buffers written by checkpoints", "buffers")
    stats_reset_timestamp_seconds: float | None = gauge("when these statistics were reset",
                                                        "seconds")
    checkpoints_done_total: int | None = counter("checkpoints completed (18+)", default=None)
    restartpoints_timed_total: int | None = counter("scheduled restartpoints (17+)",
                                                    default=None)
    restartpoints_requested_total: int | None = counter("requested restartpoints (17+)",
                                                        default=None)
    restartpoints_done_total: int | None = counter("restartpoints completed (17+)",
                                                   default=None)
    slru_written_total: int | None = counter("SLRU buffers written (18+)", "buffers",
                                             default=None)


@dataclass(frozen=True, slots=True)
class WalRow:
    """WAL generation and WAL buffer writes."""

    records_total: int = counter("WAL records generated")
    fpi_total: int = counter("WAL full-page images generated")
    bytes_total: float = counter("WAL generated", "bytes")
    buffers_full_total: int = counter("times WAL was written because the buffers were full")
    stats_reset_timestamp_seconds: float | None = gauge("when these statistics were reset",
                                                        "seconds")
    writes_total: int | None = counter("WAL buffer writes (before 18)", default=None)
    syncs_total: int | None = counter("WAL file syncs (before 18)", default=None)
    write_seconds_total: float | None = counter("time writing WAL (before 18)", "seconds",
                                                default=None)
    sync_seconds_total: float | None = counter("time syncing WAL (before 18)", "seconds",
                                               default=None)


@dataclass(frozen=True, slots=True)
class IoRow:
    """pg_stat_io: one backend type, object and context."""

    backend_type: str = label("backend type")
    object: str = label("relation, temp relation or wal")
    context: str = label("normal, vacuum, bulkread, bulkwrite, init")
    reads_total: int | None = counter("read operations")
    read_seconds_total: float | None = counter("time reading (track_io_timing)", "seconds")
    writes_total: int | None = counter("write operations")
    write_seconds_total: float | None = counter("time writing (track_io_timing)", "seconds")
    writebacks_total: int | None = counter("writeback requests")
    writeback_seconds_total: float | None = counter("time in writeback", "seconds")
    extends_total: int | None = counter("relation extend operations")
    extend_seconds_total: float | None = counter("time extending", "seconds")
    hits_total: int | None = counter("shared buffer hits")
    evictions_total: int | None = counter("buffers evicted")
    reuses_total: int | None = counter("ring buffers reused")
    fsyncs_total: int | None = counter("fsync calls")
    fsync_seconds_total: float | None = counter("time in fsync", "seconds")
    read_bytes_total: float | None = counter("data read", "bytes")
    write_bytes_total: float | None = counter("data written", "bytes")
    extend_bytes_total: float | None = counter("data extended", "bytes")
    stats_reset_timestamp_seconds: float | None = gauge("when these statistics were reset",
                                                        "seconds")


class BgwriterCollector(SqlCollector):
    name: ClassVar[str] = "bgwriter"
    default_interval_s: ClassVar[float] = 60.0
    row_type: ClassVar[type[Any]] = BgwriterRow


class CheckpointerCollector(SqlCollector):
    name: ClassVar[str] = "checkpointer"
    default_interval_s: ClassVar[float] = 60.0
    row_type: ClassVar[type[Any]] = CheckpointerRow


class WalCollector(SqlCollector):
    name: ClassVar[str] = "wal"
    default_interval_s: ClassVar[float] = 60.0
    row_type: ClassVar[type[Any]] = WalRow


class IoCollector(SqlCollector):
    name: ClassVar[str] = "io"
    default_interval_s: ClassVar[float] = 60.0
    row_type: ClassVar[type[Any]] = IoRow
    min_major: ClassVar[int] = 16
