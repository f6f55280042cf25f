"""Hourly roll-ups: min, max, average and last per series, and the increase of counters."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pgwatch.store.deltas import intervals, markers_to_resets
from pgwatch.store.model import Point, Rollup, SeriesKind

HOUR_S = 3_600
RawPoint = tuple[int, float | None]


@dataclass(frozen=True, slots=True)
class RawSeries:
    """The stored points of one series of an object, a NULL value marking a break."""

    series_id: int
    kind: SeriesKind
    points: Sequence[RawPoint]

    def values(self) -> list[Point]:
        return [Point(ts, v) for ts, v in self.points if v is not None]

    def breaks(self) -> list[int]:
        return [ts for ts, v in self.points if v is None]


def hour_of(ts: int) -> int:
    return ts - ts % HOUR_S


def roll_up(object_series: Sequence[RawSeries], lo: int, hi: int) -> Iterator[tuple[int, Rollup]]:
    """Roll-ups of the hours in [lo, hi) for the series of one object.

    The points may start an hour before ``lo`` so that the first interval of a counter
    has its baseline; its stats-reset markers apply to all its counters.
    """
    resets = markers_to_resets([s.values() for s in object_series if s.kind is SeriesKind.RESET])
    for raw in object_series:
        points = raw.values()
        by_hour: dict[int, list[Point]] = defaultdict(list)
        for p in points:
            if lo <= p.ts < hi:
                by_hour[hour_of(p.ts)].append(p)
        increases: dict[int, float] = defaultdict(float)
        if raw.kind is SeriesKind.COUNTER:
            for interval in intervals(points, resets, raw.breaks()):
                increases[hour_of(interval.end)] += interval.increase
        for hour, in_hour in sorted(by_hour.items()):
            values = [p.value for p in in_hour]
            increase = increases.get(hour, 0.0) if raw.kind is SeriesKind.COUNTER else None
            yield raw.series_id, Rollup(hour, len(values), min(values), max(values),
                                        math.fsum(values) / len(values), values[-1], increase)
