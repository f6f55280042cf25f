"""How big the history store grows for a target with 10,000 tables and 10,000 statements.

Simulates the collectors at their default intervals writing into a SQLite store under the
default ``StorePolicy`` (retention run every hour, as the daemon does) and prints the
store's size, with the bytes per table of the file. The rows mirror the field counts of
pgwatch's collectors (statements: 4 labels, 37 counters, 10 gauges and the query text;
tables: 2 labels, 21 counters, 12 gauges; ...). Activity follows a Zipf-like law: the
object of rank r changes in a cycle with probability min(1, 50/r), so about 300 of
10,000 statements run in a given minute and the rest sit idle, as on a real server.

    python benchmarks/store_bench.py --days 7          # a simulated week
    python benchmarks/store_bench.py --days 1          # one day, and the week it implies
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pgwatch.collectors.base import Snapshot, counter, gauge, label, text
from pgwatch.store import StorePolicy
from pgwatch.store.sqlite import SQLiteStore

START = datetime(2026, 11, 2, tzinfo=UTC)
MB = 1_000_000


@dataclass(frozen=True, slots=True)
class Shape:
    """One simulated collector: its interval, row count and declared fields."""

    name: str
    interval_s: int
    rows: int
    labels: tuple[str, ...]
    counters: int
    gauges: int
    zero_counters: int = 0      # counters a real server leaves at 0 (JIT, local, temp ...)
    text_chars: int = 0         # a text sent on the first cycle only (query text)
    marker: str = ""            # a stats-reset marker field


SHAPES = (
    Shape("statements", 60, 10_000, ("queryid", "datname", "usename", "toplevel"), 37, 9,
          zero_counters=18, text_chars=400, marker="stats_since_timestamp_seconds"),
    Shape("statements_info", 60, 1, (), 1, 0, marker="stats_reset_timestamp_seconds"),
    Shape("tables", 60, 10_000, ("schemaname", "relname"), 21, 12, zero_counters=6),
    Shape("table_size", 300, 10_000, ("schemaname", "relname"), 0, 4),
    Shape("indexes", 60, 20_000, ("schemaname", "relname", "indexrelname"), 5, 4),
    Shape("database", 30, 1, ("datname",), 31, 4, zero_counters=12,
          marker="stats_reset_timestamp_seconds"),
    Shape("database_size", 300, 1, ("datname",), 0, 1),
    Shape("bgwriter", 60, 1, (), 5, 1),
    Shape("checkpointer", 60, 1, (), 10, 1),
    Shape("wal", 60, 1, (), 8, 1),
    Shape("io", 60, 30, ("backend_type", "object", "context"), 16, 1, zero_counters=6),
)


def row_type(shape: Shape) -> type[Any]:
    """A frozen row dataclass declared like a collector's."""
    fields: list[tuple[str, type[Any], Any]] = [(n, str, label(n)) for n in shape.labels]
    fields += [(f"c{i}_total", float, counter(f"counter {i}")) for i in range(shape.counters)]
    fields += [(f"g{i}", float, gauge(f"gauge {i}")) for i in range(shape.gauges)]
    if shape.marker:
        fields.append((shape.marker, float, gauge("stats reset", "seconds")))
    if shape.text_chars:
        fields.append(("query", str | None, text("query text")))  # type: ignore[arg-type]
    return dataclasses.make_dataclass(f"{shape.name.title()}Row", fields, frozen=True,
                                      slots=True)


class Simulated:
    """The rows of one collector, advanced cycle by cycle."""

    def __init__(self, shape: Shape, rng: random.Random) -> None:
        self.shape = shape
        self.rng = rng
        self.type = row_type(shape)
        self.rows = [self._first(rank) for rank in range(1, shape.rows + 1)]

    def _first(self, rank: int) -> Any:
        values: dict[str, Any] = {n: f"{n}_{rank}" for n in self.shape.labels}
        for i in range(self.shape.counters):
            live = i >= self.shape.zero_counters
            values[f"c{i}_total"] = float(self.rng.randrange(10**6) // rank) if live else 0.0
        for i in range(self.shape.gauges):
            values[f"g{i}"] = float(self.rng.randrange(10**5))
        if self.shape.marker:
            values[self.shape.marker] = START.timestamp() - 86_400
        if self.shape.text_chars:
            values["query"] = f"SELECT /* {rank} */ " + "x, " * (self.shape.text_chars // 3)
        return self.type(**values)

    def advance(self) -> tuple[Any, ...]:
        """This cycle's rows; then active objects move, the others keep their values."""
        current = tuple(self.rows)
        for position, row in enumerate(self.rows):
            rank = position + 1
            if self.rng.random() < 50 / rank:
                self.rows[position] = dataclasses.replace(row, **self._changes(row, rank))
            elif self.shape.text_chars and row.query is not None:
                self.rows[position] = dataclasses.replace(row, query=None)  # text sent once
        return current

    def _changes(self, row: Any, rank: int) -> dict[str, Any]:
        changes: dict[str, Any] = {"query": None} if self.shape.text_chars else {}
        for i in range(self.shape.zero_counters, self.shape.counters):
            name = f"c{i}_total"
            changes[name] = getattr(row, name) + self.rng.randrange(1, 2 + 10_000 // rank)
        for i in range(self.shape.gauges):
            changes[f"g{i}"] = float(self.rng.randrange(10**5))
        return changes


def simulate(path: Path, days: float, policy: StorePolicy, seed: int) -> None:
    """Write ``days`` of simulated cycles, then print what the store holds."""
    rng = random.Random(seed)
    collectors = [Simulated(shape, rng) for shape in SHAPES]
    store = SQLiteStore(path, policy)
    step = min(s.interval_s for s in SHAPES)
    began, writes, snapshots = time.perf_counter(), 0.0, 0
    hourly: dict[int, int] = {}
    for tick in range(0, int(days * 86_400), step):
        now = START + timedelta(seconds=tick)
        for sim in collectors:
            if tick % sim.shape.interval_s == 0:
                snapshot = Snapshot("target", sim.shape.name, now, 0.0, sim.advance(), sim.type)
                t0 = time.perf_counter()
                store.write(snapshot)
                writes += time.perf_counter() - t0
                snapshots += 1
        if tick % 3_600 == 3_600 - step:
            store.retention(now + timedelta(seconds=step))
            hourly[(tick + step) // 3_600] = store.size_bytes()
            _progress(tick + step, hourly[(tick + step) // 3_600], time.perf_counter() - began)
    store.retention(START + timedelta(days=days))
    store.close()
    _report(path, days, snapshots, writes, time.perf_counter() - began)
    _extrapolate(hourly)


def _progress(elapsed_s: int, size: int, wall: float) -> None:
    hours = elapsed_s / 3_600
    if hours % 6 == 0:
        print(f"  {hours:5.0f} h simulated: {size / MB:7.1f} MB ({wall:.0f} s)", flush=True)


def _report(path: Path, days: float, snapshots: int, writes: float, wall: float) -> None:
    size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal"))
               if p.exists())
    print(f"simulated {days:g} day(s): {snapshots} snapshots, {wall:.0f} s wall, "
          f"{writes / snapshots * 1000:.1f} ms per write on average")
    print(f"store size: {size / MB:.1f} MB")
    if days < 7:
        print(f"a week at the first days' average rate: {size / days * 7 / MB:.1f} MB "
              "(counts the one-time costs, query texts and dictionary, again every day)")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name "
                            "ORDER BY 2 DESC").fetchall()
        samples = conn.execute("SELECT count(*) FROM samples").fetchone()[0]
        series = conn.execute("SELECT count(*) FROM series").fetchone()[0]
        rollups = conn.execute("SELECT count(*) FROM rollups").fetchone()[0]
    for name, pages in rows[:8]:
        print(f"  {name:26} {pages / MB:8.1f} MB")
    print(f"  rows: {samples:,} samples, {series:,} series, {rollups:,} roll-ups; "
          f"{dict(rows)['samples'] / samples:.1f} bytes per sample")


def _extrapolate(hourly: dict[int, int]) -> None:
    """A week: what was measured, plus the steady growth after the first 6 hours.

    The first 6 hours carry the one-time costs (query texts, the series dictionary); per-object
    snapshots come every 6 hours, so the growth is measured over whole 6-hour periods.
    """
    last = max(hourly, default=0)
    periods = (last - 6) // 6
    if periods < 1 or last >= 7 * 24:
        return
    end = 6 + 6 * periods
    per_hour = (hourly[end] - hourly[6]) / (end - 6)
    week = hourly[last] + per_hour * (7 * 24 - last)
    print(f"steady growth over hours 6-{end}: {per_hour * 24 / MB:.1f} MB a day; "
          f"a week: {hourly[last] / MB:.1f} MB measured + {7 * 24 - last} h at that rate "
          f"= {week / MB:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--path", type=Path, help="store file (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--top-n", type=int, default=StorePolicy().top_n)
    parser.add_argument("--snapshot-interval", type=int,
                        default=StorePolicy().object_snapshot_interval_s)
    args = parser.parse_args()
    policy = StorePolicy(top_n=args.top_n, object_snapshot_interval_s=args.snapshot_interval)
    print(f"policy: {policy}")
    if args.path:
        simulate(args.path, args.days, policy, args.seed)
        return
    with tempfile.TemporaryDirectory() as folder:
        simulate(Path(folder) / "history.db", args.days, policy, args.seed)


if __name__ == "__main__":
    main()
