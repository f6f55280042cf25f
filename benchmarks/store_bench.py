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

from pgwatch.collectors import registry
from pgwatch.collectors.base import Kind, Snapshot, counter, fields_of, gauge, label, text
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
    text_chars: int = 0         # the length of the row's one simulated text
    text_once: bool = False     # sent on the first cycle only (query text)
    marker: str = ""            # a stats-reset marker field


# Rows per collector on the target, and what real servers leave at zero: 10,000 tables
# with 2 indexes each, 10,000 statements, one database, a busy primary with 2 replicas.
SCENARIO: dict[str, dict[str, Any]] = {
    "statements": {"rows": 10_000, "zero_counters": 18, "text_chars": 400, "text_once": True},
    "statements_info": {"rows": 1},
    "tables": {"rows": 10_000, "zero_counters": 6},
    "table_size": {"rows": 10_000},
    "indexes": {"rows": 20_000},
    "index_flags": {"rows": 20_000, "text_chars": 80},
    "index_size": {"rows": 20_000},
    "bloat": {"rows": 30_000},
    "database": {"rows": 1, "zero_counters": 12},
    "database_size": {"rows": 1},
    "bgwriter": {"rows": 1}, "checkpointer": {"rows": 1}, "wal": {"rows": 1},
    "io": {"rows": 30, "zero_counters": 6},
    "vacuum_progress": {"rows": 3}, "wraparound": {"rows": 10}, "autovacuum": {"rows": 1},
    "activity": {"rows": 12}, "connections": {"rows": 1}, "locks": {"rows": 12},
    "replication": {"rows": 2}, "replication_slots": {"rows": 2},
    "settings": {"rows": 350, "text_chars": 20},
    "mile_quest_views": {"rows": 5}, "mile_quest_triggers": {"rows": 10},
}


def shapes() -> tuple[Shape, ...]:
    """The shape of every collector pgwatch has, at this target's row counts."""
    policy = StorePolicy()
    found = []
    for collector in registry.create(None):
        scenario = SCENARIO.get(collector.name)
        if scenario is None:
            continue  # nothing to read on this target (PgBouncer, a standby, pgstattuple)
        specs = fields_of(collector.row_type)
        markers = [s.name for s in specs if policy.is_reset_field(s.name)]
        numbers = [s for s in specs if s.kind in (Kind.COUNTER, Kind.GAUGE)
                   and s.name not in markers]
        found.append(Shape(
            collector.name, int(collector.default_interval_s), scenario["rows"],
            tuple(s.name for s in specs if s.kind is Kind.LABEL),
            sum(s.kind is Kind.COUNTER for s in numbers),
            sum(s.kind is Kind.GAUGE for s in numbers),
            scenario.get("zero_counters", 0), scenario.get("text_chars", 0),
            scenario.get("text_once", False), markers[0] if markers else ""))
    return tuple(found)


def row_type(shape: Shape) -> type[Any]:
    """A frozen row dataclass declared like the collector's."""
    fields: list[tuple[str, type[Any], Any]] = [(n, str, label(n)) for n in shape.labels]
    fields += [(f"c{i}_total", float, counter(f"counter {i}")) for i in range(shape.counters)]
    fields += [(f"g{i}", float, gauge(f"gauge {i}")) for i in range(shape.gauges)]
    if shape.marker:
        fields.append((shape.marker, float, gauge("stats reset", "seconds")))
    if shape.text_chars:
        fields.append(("query", str | None, text("a text")))  # type: ignore[arg-type]
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
            values["query"] = f"/* {rank} */ " + "x, " * (self.shape.text_chars // 3)
        return self.type(**values)

    def advance(self) -> tuple[Any, ...]:
        """This cycle's rows; then active objects move, the others keep their values."""
        current = tuple(self.rows)
        for position, row in enumerate(self.rows):
            rank = position + 1
            if self.rng.random() < 50 / rank:
                self.rows[position] = dataclasses.replace(row, **self._changes(row, rank))
            elif self.shape.text_once and row.query is not None:
                self.rows[position] = dataclasses.replace(row, query=None)  # text sent once
        return current

    def _changes(self, row: Any, rank: int) -> dict[str, Any]:
        changes: dict[str, Any] = {"query": None} if self.shape.text_once else {}
        for i in range(self.shape.zero_counters, self.shape.counters):
            name = f"c{i}_total"
            changes[name] = getattr(row, name) + self.rng.randrange(1, 2 + 10_000 // rank)
        for i in range(self.shape.gauges):
            changes[f"g{i}"] = float(self.rng.randrange(10**5))
        return changes


def simulate(path: Path, days: float, policy: StorePolicy, seed: int) -> None:
    """Write ``days`` of simulated cycles, then print what the store holds."""
    rng = random.Random(seed)
    collectors = [Simulated(shape, rng) for shape in shapes()]
    store = SQLiteStore(path, policy)
    step = min(s.shape.interval_s for s in collectors)
    began, writes, snapshots = time.perf_counter(), 0.0, 0
    hourly: dict[int, tuple[int, int]] = {}
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
            hour = (tick + step) // 3_600
            hourly[hour] = (store.size_bytes(), _table_bytes(path, "snapshots"))
            _progress(tick + step, hourly[hour][0], time.perf_counter() - began)
    store.retention(START + timedelta(days=days))
    store.close()
    _report(path, days, snapshots, writes, time.perf_counter() - began)
    _extrapolate(hourly, policy.object_snapshot_interval_s // 3_600)


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


def _table_bytes(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        found = conn.execute("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ?",
                             (table,)).fetchone()
    return int(found[0])


def _extrapolate(hourly: dict[int, tuple[int, int]], snapshot_every_h: int) -> None:
    """A week: what was measured, the steady growth after 6 hours, the snapshot sets to come.

    The first 6 hours carry the one-time costs (query texts, the series dictionary). The
    per-object snapshots come in sets every ``snapshot_every_h`` hours (the first at 0 h):
    their growth is counted per set, the rest per hour.
    """
    last = max(hourly, default=0)
    if last < 12 or 6 not in hourly:
        return
    (start_total, start_sets), (end_total, end_sets) = hourly[6], hourly[last]
    per_hour = ((end_total - end_sets) - (start_total - start_sets)) / (last - 6)
    sets_written = (last - 1) // snapshot_every_h + 1
    per_set = end_sets / sets_written
    sets_to_come = (7 * 24 - 1) // snapshot_every_h + 1 - sets_written
    week = end_total + per_hour * (7 * 24 - last) + per_set * sets_to_come
    print(f"steady growth over hours 6-{last}: {per_hour * 24 / MB:.1f} MB a day without the "
          f"per-object snapshots; {per_set / MB:.1f} MB per snapshot set")
    print(f"a week: {end_total / MB:.1f} MB measured + {7 * 24 - last} h at that rate + "
          f"{sets_to_come} more snapshot sets = {week / MB:.1f} MB")


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
