"""The query API the alert evaluator and the report read history through.

``History`` wraps any ``Store``: series by metric and labels over a time range, and the
three questions asked of them — the per-second ``rate`` over a window, the ``increase``
over a window (both reset-aware: a counter that went down or whose stats_reset moved
restarted from zero; a vanished object ends its series), and the ``latest`` value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pgwatch.store.base import Store
from pgwatch.store.deltas import increase_of, series_intervals
from pgwatch.store.model import Labels, Series, epoch


@dataclass(frozen=True, slots=True)
class Value:
    """One number for one series (a rate, an increase or a latest value)."""

    metric: str
    target: str
    labels: Labels
    value: float
    at: datetime


class History:
    """Questions about history, answered from a ``Store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def series(self, metric: str, labels_match: Mapping[str, str], since: datetime,
               until: datetime) -> list[Series]:
        """Raw points of every matching series."""
        return self.store.series(metric, labels_match, since, until)

    def rate(self, metric: str, labels_match: Mapping[str, str], window: timedelta,
             now: datetime) -> list[Value]:
        """Average per-second rate of each matching counter over ``window`` before ``now``.

        Like PromQL's ``rate()``, but never extrapolated: the reset-aware increase over the
        intervals inside the window divided by the time those intervals cover.
        """
        found = []
        for series in self.store.series(metric, labels_match, now - window, now):
            spans = list(series_intervals(series))
            covered = sum(i.end - i.start for i in spans)
            if covered > 0:
                total = sum(i.increase for i in spans)
                found.append(Value(metric, series.target, series.labels, total / covered, now))
        return found

    def increase(self, metric: str, labels_match: Mapping[str, str], window: timedelta,
                 now: datetime) -> list[Value]:
        """Reset-aware increase of each matching counter over ``window`` before ``now``."""
        found = []
        for series in self.store.series(metric, labels_match, now - window, now):
            if len(series.points) > 1:
                found.append(Value(metric, series.target, series.labels,
                                   increase_of(series, epoch(now - window), epoch(now)), now))
        return found

    def latest(self, metric: str, labels_match: Mapping[str, str], lookback: timedelta,
               now: datetime) -> list[Value]:
        """The newest value of each matching series within ``lookback`` before ``now``.

        A series whose object vanished after its last point has no latest value.
        """
        found = []
        for series in self.store.series(metric, labels_match, now - lookback, now):
            last = series.last()
            if last is not None and not any(b > last.ts for b in series.breaks):
                found.append(Value(metric, series.target, series.labels, last.value, last.at))
        return found
