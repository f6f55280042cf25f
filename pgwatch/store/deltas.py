"""Reset-aware increases and rates of stored counters.

Between two consecutive points of a counter:
- the object vanished in between (a break): no delta at all;
- a stats-reset marker changed, or the counter went down: the counter restarted from zero
  in between, so the increase is the new value;
- otherwise the increase is the difference.
A rate is never negative and never spans a break.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from pgwatch.store.model import Point, Series, SeriesKind, StoreError


@dataclass(frozen=True, slots=True)
class Interval:
    """The reset-aware increase of a counter from ``start`` to ``end`` (epoch seconds)."""

    start: int
    end: int
    increase: float

    @property
    def rate(self) -> float:
        return self.increase / (self.end - self.start)


def intervals(points: Sequence[Point], resets: Sequence[int] = (),
              breaks: Sequence[int] = ()) -> Iterator[Interval]:
    """The increases between consecutive points, skipping any that spans a break."""
    for before, now in itertools.pairwise(points):
        if now.ts <= before.ts or _any_within(breaks, before.ts, now.ts):
            continue
        reset = _any_within(resets, before.ts, now.ts) or now.value < before.value
        yield Interval(before.ts, now.ts, now.value if reset else now.value - before.value)


def series_intervals(series: Series) -> Iterator[Interval]:
    """The intervals of a counter series; a gauge has none."""
    _require_counter(series)
    return intervals(series.points, series.resets, series.breaks)


def rate_series(series: Series) -> Series:
    """Per-second rates of a counter, one point at the end of each interval."""
    points = tuple(Point(i.end, i.rate) for i in series_intervals(series))
    return replace(series, points=points)


def increase_of(series: Series, since: int | None = None, until: int | None = None) -> float:
    """Total reset-aware increase over the intervals lying within [since, until]."""
    total = 0.0
    for interval in series_intervals(series):
        if (since is None or interval.start >= since) and (until is None or interval.end <= until):
            total += interval.increase
    return total


def markers_to_resets(markers: Sequence[Sequence[Point]]) -> tuple[int, ...]:
    """Instants where any stats-reset marker of an object changed value."""
    found: set[int] = set()
    for points in markers:
        for before, now in itertools.pairwise(points):
            if now.value != before.value:
                found.add(now.ts)
    return tuple(sorted(found))


def _any_within(instants: Sequence[int], after: int, upto: int) -> bool:
    """True when some instant lies in (after, upto]; ``instants`` is sorted."""
    i = bisect.bisect_right(instants, after)
    return i < len(instants) and instants[i] <= upto


def _require_counter(series: Series) -> None:
    if series.kind is not SeriesKind.COUNTER:
        raise StoreError(f"history store: {series.metric} is a {series.kind.name.lower()}, "
                         "not a counter; rates and increases apply to counters only")
