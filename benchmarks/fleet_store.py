"""The fleet benchmark's view of the SQLite store: bytes in use, by table, and their growth.

A store file's size is no measure of what it holds: in WAL mode the ``-wal`` file keeps
every committed version of a page until a checkpoint truncates it, which pgwatch's
retention does (``wal_checkpoint(TRUNCATE)``) every 10 minutes. What is read here, from
another connection in one read transaction, is the pages in use
((page_count - freelist_count) x page_size, seen through the WAL), each table's pages with
its indexes (``dbstat``) and the row counts.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

STORE_TABLES = ("samples", "rollups", "snapshots", "texts", "series", "objects", "events")
STORE_EVERY_S = 30.0
# Bytes per roll-up row measured by docs/store.md (2.4 MB, 63,810 rows), for a run too short
# to have rolled up an hour.
ROLLUP_ROW_BYTES = 2.4e6 / 63_810
DAY_S = 86_400.0


@dataclass(frozen=True, slots=True)
class StoreSample:
    """The store as another connection sees it, ``at_s`` seconds after pgwatch started."""

    at_s: float
    file_bytes: int  # history.db
    wal_bytes: int  # history.db-wal
    used_bytes: int  # (page_count - freelist_count) x page_size, through the WAL
    table_bytes: dict[str, int]  # every table with its indexes (dbstat)
    rows: dict[str, int]
    hour_series: int  # series with a sample in the store's last hour


def read_store(path: Path, at_s: float) -> StoreSample | None:
    """One read transaction on the store; None while pgwatch has not created it yet."""
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0,
                           isolation_level=None)
    try:
        conn.execute("BEGIN")
        size, pages, free = (int(conn.execute(f"PRAGMA {name}").fetchone()[0])
                             for name in ("page_size", "page_count", "freelist_count"))
        table_bytes = {str(table): int(used) for table, used in conn.execute(
            "SELECT s.tbl_name, sum(d.pgsize) FROM dbstat AS d "
            "JOIN sqlite_schema AS s ON s.name = d.name GROUP BY s.tbl_name")}
        rows = {table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in STORE_TABLES}
        hour_series = int(conn.execute(
            "SELECT count(DISTINCT series_id) FROM samples "
            "WHERE ts >= (SELECT max(ts) FROM samples) - 3600").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return None
    finally:
        conn.close()
    wal = path.with_name(path.name + "-wal")
    return StoreSample(at_s, path.stat().st_size, wal.stat().st_size if wal.exists() else 0,
                       (pages - free) * size, table_bytes, rows, hour_series)


@dataclass(frozen=True, slots=True)
class StoreGrowth:
    """What the store samples measured, and what retention makes of it (arithmetic)."""

    used_mb: float  # bytes in use at the end
    file_mb: float  # history.db + WAL at the end
    file_max_mb: float
    used_mb_per_day: float  # linear fit of the bytes in use after the first cycles
    samples_per_day: float  # linear fit of the sample rows
    sample_bytes: float  # bytes per sample row (dbstat), at the end
    snapshot_set_mb: float  # the per-object snapshots every collector wrote once
    rollup_mb_per_day: float  # one roll-up row per series with samples in an hour

    @property
    def first_week_mb_per_day(self) -> float:
        """The fit, two snapshot sets (every 12 h) and a day's roll-ups."""
        return self.used_mb_per_day + 2 * self.snapshot_set_mb + self.rollup_mb_per_day

    def held_mb(self, days: float, minutes: float) -> float:
        """The store after ``days``: raw samples and snapshots are held 7 days, roll-ups 90."""
        raw_days = min(days, 7.0) - minutes / 1440
        sets = 2 * min(days, 7.0) - 1  # one set is in ``used_mb`` already
        return (self.used_mb + raw_days * self.used_mb_per_day + sets * self.snapshot_set_mb
                + min(days, 90.0) * self.rollup_mb_per_day)


def growth(timeline: Sequence[StoreSample], steady_s: float) -> StoreGrowth:
    last = timeline[-1]
    steady = [s for s in timeline if s.at_s >= steady_s]
    xs = [s.at_s / DAY_S for s in steady]
    used = statistics.linear_regression(xs, [s.used_bytes / 1e6 for s in steady]).slope
    rows = statistics.linear_regression(xs, [float(s.rows["samples"]) for s in steady]).slope
    rollup_rows = last.rows["rollups"]
    rollup_bytes = (last.table_bytes.get("rollups", 0) / rollup_rows if rollup_rows
                    else ROLLUP_ROW_BYTES)
    return StoreGrowth(
        last.used_bytes / 1e6, (last.file_bytes + last.wal_bytes) / 1e6,
        max(s.file_bytes + s.wal_bytes for s in timeline) / 1e6, used, rows,
        last.table_bytes.get("samples", 0) / max(1, last.rows["samples"]),
        last.table_bytes.get("snapshots", 0) / 1e6,
        last.hour_series * 24 * rollup_bytes / 1e6)


def store_timeline(timeline: Sequence[StoreSample]) -> list[str]:
    """One line a minute: the files, the bytes in use and the rows of the store."""
    lines = ["| min | history.db | WAL | bytes in use | samples | snapshots | texts | rollups "
             "| series |", "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    minute = -1
    for s in timeline:
        if int(s.at_s // 60) == minute and s is not timeline[-1]:
            continue
        minute = int(s.at_s // 60)
        lines.append(f"| {s.at_s / 60:.1f} | {s.file_bytes / 1e6:.2f} MB | "
                     f"{s.wal_bytes / 1e6:.2f} MB | {s.used_bytes / 1e6:.2f} MB | "
                     + " | ".join(f"{s.rows[t]:,}" for t in
                                  ("samples", "snapshots", "texts", "rollups", "series"))
                     + " |")
    return lines


def store_tables(sample: StoreSample) -> list[str]:
    lines = ["| table (with its indexes) | bytes | rows |", "| --- | ---: | ---: |"]
    for table, used in sorted(sample.table_bytes.items(), key=lambda item: -item[1]):
        rows = f"{sample.rows[table]:,}" if table in sample.rows else ""
        lines.append(f"| {table} | {used / 1e6:.3f} MB | {rows} |")
    return lines
