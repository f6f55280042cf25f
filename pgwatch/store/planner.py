"""Decide what one snapshot adds to the store: aggregates, top-N objects, markers, rows.

The planner keeps, per (target, collector), the previous snapshot's counters and reset
markers (``Previous``: two flat arrays) to rank objects by activity and to accumulate
reset-aware aggregate counters; gauges and row objects are not held in memory.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pgwatch.collectors.base import Snapshot
from pgwatch.store.encoding import EncodedSnapshot, TextMemory, encode_rows, remember_texts
from pgwatch.store.layout import RowLayout, layout_of
from pgwatch.store.model import Labels, SeriesKind, epoch
from pgwatch.store.policy import StorePolicy
from pgwatch.store.previous import Previous

AGGREGATE: Labels = (("aggregate", "sum"),)


@dataclass(frozen=True, slots=True)
class ObjectWrite:
    """The samples of one object (or of the aggregate) at the plan's instant."""

    labels: Labels
    samples: tuple[tuple[str, SeriesKind, float], ...]


@dataclass(frozen=True, slots=True)
class WritePlan:
    """Everything one snapshot writes, in one transaction."""

    target: str
    collector: str
    ts: int
    objects: tuple[ObjectWrite, ...]
    gone: tuple[Labels, ...]
    snapshot: EncodedSnapshot
    persist_snapshot: bool  # the encoded rows are also stored as a per-object snapshot
    new_texts: Mapping[str, str]
    persist_latest: bool = False  # the encoded rows replace the stored newest rows

    @property
    def sample_count(self) -> int:
        return sum(len(o.samples) for o in self.objects)

    @property
    def stores_nothing(self) -> bool:
        """Nothing of the snapshot is due (it is only kept in memory as the latest)."""
        return not (self.objects or self.gone or self.new_texts or self.persist_snapshot
                    or self.persist_latest)


@dataclass(frozen=True, slots=True)
class CollectorState:
    """What the planner remembers of one (target, collector) after a successful write."""

    prev: Previous = field(default_factory=Previous)  # counters and markers, by identity
    persisted: Mapping[str, Labels] = field(default_factory=dict)  # objects with series
    totals: tuple[float, ...] = ()
    last_object_write: int | None = None
    last_snapshot_write: int | None = None
    texts: TextMemory = field(default_factory=dict)
    last_sample_write: int | None = None


@dataclass(frozen=True, slots=True)
class _Read:
    """The numbers of one snapshot: object keys, values, and per-counter activity."""

    keys: list[str]  # ``RowLayout.ident`` of every row
    gauges: list[array[float]]  # the gauges of every row (empty when the layout has none)
    activity: list[dict[int, float]]  # per counter: object position -> increase, if any
    previous: Previous  # the counters and markers to compare the next snapshot with


class Planner:
    """Turns snapshots into write plans under a ``StorePolicy``."""

    def __init__(self, policy: StorePolicy) -> None:
        self.policy = policy
        self._layouts: dict[tuple[type[Any], str], RowLayout] = {}
        self._states: dict[tuple[str, str], CollectorState] = {}

    def layout(self, snapshot: Snapshot) -> RowLayout:
        key = (snapshot.row_type, snapshot.collector)
        if key not in self._layouts:
            self._layouts[key] = layout_of(snapshot.row_type, snapshot.collector, self.policy)
        return self._layouts[key]

    def plan(self, snapshot: Snapshot) -> tuple[WritePlan, CollectorState]:
        """The plan for ``snapshot`` and the state to keep once it is written."""
        layout = self.layout(snapshot)
        state = self._states.get((snapshot.target, snapshot.collector), CollectorState())
        ts = epoch(snapshot.taken_at)
        read = _read(snapshot.rows, layout, state.prev)
        objects: list[ObjectWrite] = []
        # Totals accumulate at every snapshot so that they stay continuous; they are written
        # only where per-object series are partial (small collectors have every object).
        totals = _accumulate(layout, read, state.totals)
        sampled = _due(state.last_sample_write, ts, self.policy.min_sample_interval_s)
        large = len(read.keys) > self.policy.small_collector_rows
        if sampled and self.policy.aggregates and large:
            objects.append(_aggregate_write(layout, read, totals))
        chosen, object_due = self._choose(layout, read, state, ts) if sampled else ([], False)
        labels = {read.keys[i]: layout.key(snapshot.rows[i]) for i in chosen}
        objects.extend(_object_write(layout, labels[read.keys[i]],
                                     layout.numbers(snapshot.rows[i]), keep_zeros=not large)
                       for i in chosen)
        current = set(read.keys)
        gone = {ident: key for ident, key in state.persisted.items() if ident not in current}
        persisted = {ident: key for ident, key in state.persisted.items() if ident not in gone}
        persisted.update(labels)
        texts, new_texts = remember_texts(snapshot.rows, read.keys, layout,
                                          self.policy.text_dedup_min_chars, state.texts)
        # Encoded at every snapshot: the compressed rows are the store's "latest" (a few
        # hundred kB where the row objects took tens of MB); stored only when due.
        encoded = encode_rows(snapshot.rows, read.keys, layout, texts)
        persist = _due(state.last_snapshot_write, ts, self.policy.object_snapshot_interval_s)
        latest = persist or sampled  # the newest rows are stored as often as samples
        new_state = CollectorState(
            read.previous, persisted, totals,
            ts if object_due else state.last_object_write,
            ts if persist else state.last_snapshot_write, texts,
            ts if sampled else state.last_sample_write)
        plan = WritePlan(snapshot.target, snapshot.collector, ts,
                         tuple(o for o in objects if o.samples), tuple(gone.values()), encoded,
                         persist, new_texts, latest)
        return plan, new_state

    def texts(self, target: str, collector: str) -> TextMemory:
        """The remembered texts of (target, collector): inline, or a digest reference."""
        state = self._states.get((target, collector))
        return state.texts if state is not None else {}

    def keep(self, target: str, collector: str, state: CollectorState) -> None:
        """Remember ``state`` once its plan is safely written."""
        self._states[(target, collector)] = state

    def _choose(self, layout: RowLayout, read: _Read, state: CollectorState,
                ts: int) -> tuple[list[int], bool]:
        count = len(read.keys)
        if count <= self.policy.small_collector_rows:
            return list(range(count)), True
        if not _due(state.last_object_write, ts, self.policy.object_series_interval_s):
            return [], False
        if count <= self.policy.top_n:
            return list(range(count)), True
        scores = read.activity or [{j: g[slot] for j, g in enumerate(read.gauges) if g[slot] > 0}
                                   for slot in range(len(layout.gauges))]
        return top_union(scores, self.policy.top_n), True


def top_union(scores: Sequence[Mapping[int, float]], n: int) -> list[int]:
    """At most ``n`` object positions: the best of every dimension in turn, best ranks first.

    A statement that is cheap per call but hammers the disk still gets in, because every
    dimension contributes its leader before any contributes its runner-up.
    """
    per_dimension = []
    for column in scores:
        ranked = (j for j, score in column.items() if score > 0)
        per_dimension.append(heapq.nlargest(n, ranked, key=column.__getitem__))
    chosen: dict[int, None] = {}
    for rank in range(n):
        for best in per_dimension:
            if rank < len(best):
                chosen.setdefault(best[rank])
            if len(chosen) >= n:
                return list(chosen)
    return list(chosen)


def _read(rows: Sequence[Any], layout: RowLayout, prev: Previous) -> _Read:
    counters = layout.counters
    markers = [i for i, v in enumerate(layout.values) if v.kind is SeriesKind.RESET]
    keys: list[str] = []
    gauges: list[array[float]] = []
    activity: list[dict[int, float]] = [{} for _ in counters]
    tracked, has_gauges = layout.tracked, bool(layout.gauges)
    hashes, numbers = array("q"), array("d")
    remembered = prev.lookup()
    # Only a row's gauges outlive its iteration (for the aggregates): a full array per row
    # of 10,000 statements would be 5 MB more at the peak of every write.
    for position, row in enumerate(rows):
        key = layout.ident(row)
        now = layout.numbers(row)
        keys.append(key)
        if has_gauges:
            gauges.append(now[tracked:])
        if not tracked:
            continue  # gauges only: nothing to compare with the previous snapshot
        counted = now[:tracked]
        hashes.append(hash(key))
        numbers.extend(counted)
        before = remembered.get(key)
        if before == counted:
            continue  # an idle object: most of them, most of the time
        reset = before is not None and any(_changed(before[m], now[m]) for m in markers)
        for slot, i in enumerate(counters):
            moved = increase(None if before is None else before[i], now[i], reset)
            if moved:
                activity[slot][position] = moved
    return _Read(keys, gauges, activity, Previous(tracked, hashes, numbers))


def increase(before: float | None, now: float, reset: bool) -> float:
    """Reset-aware increase of one counter between two reads (0 when unknown)."""
    if math.isnan(now):
        return 0.0
    if before is None or math.isnan(before) or reset or now < before:
        return now
    return now - before


def _changed(before: float, now: float) -> bool:
    return not math.isnan(before) and not math.isnan(now) and before != now


def _accumulate(layout: RowLayout, read: _Read, totals: tuple[float, ...]) -> tuple[float, ...]:
    # Aggregate counters start at zero in every process and grow by the reset-aware
    # increases of the objects: a vanished object or a reset never makes them go down.
    base = totals or (0.0,) * len(layout.counters)
    if not totals:
        return base
    return tuple(b + math.fsum(col.values()) for b, col in zip(base, read.activity, strict=True))


def _aggregate_write(layout: RowLayout, read: _Read, totals: tuple[float, ...]) -> ObjectWrite:
    samples: list[tuple[str, SeriesKind, float]] = []
    for slot, i in enumerate(layout.counters):
        if totals[slot]:
            samples.append((layout.values[i].metric, SeriesKind.COUNTER, totals[slot]))
    for slot, i in enumerate(layout.gauges):
        present = [g[slot] for g in read.gauges if not math.isnan(g[slot])]
        if present:
            samples.append((layout.values[i].metric, SeriesKind.GAUGE, math.fsum(present)))
    samples.append((f"pgwatch_{layout.collector}_objects", SeriesKind.GAUGE,
                    float(len(read.keys))))
    return ObjectWrite(AGGREGATE, tuple(samples))


def _object_write(layout: RowLayout, key: Labels, values: array[float], *,
                  keep_zeros: bool) -> ObjectWrite:
    # In a large collector a counter still at zero is not written: a missing counter reads
    # as "never moved", and the JIT, temp and local-block counters of most statements
    # stay at zero for good. Small collectors keep every value, at full resolution.
    return ObjectWrite(key, tuple((spec.metric, spec.kind, value)
                                  for spec, value in zip(layout.values, values, strict=True)
                                  if not math.isnan(value)
                                  and (keep_zeros or value or spec.kind is not SeriesKind.COUNTER)))


def _due(last: int | None, ts: int, interval_s: int) -> bool:
    return last is None or ts - last >= interval_s or ts < last
