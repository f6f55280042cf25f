"""What every section builder receives: the source, the window and the size limits."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pgwatch.collectors.naming import is_aggregate
from pgwatch.report.source import ReportSource
from pgwatch.store.deltas import series_intervals
from pgwatch.store.model import Series, SeriesKind, epoch

NO_HISTORY = ("needs the daemon's history: run pgwatch run, then pgwatch report -c CONFIG "
              "(a live database gives only its counters since the last statistics reset)")


@dataclass(frozen=True, slots=True)
class Limits:
    """How many rows each table shows; the rest is counted, not listed."""

    queries: int = 25
    tables: int = 20
    indexes: int = 40
    findings_planned: int = 10


@dataclass(frozen=True, slots=True)
class Forecast:
    """The sizes the capacity forecast measures against (bytes)."""

    database_bytes: float = 100 * 2**30
    table_bytes: float = 10 * 2**30


@dataclass(frozen=True, slots=True)
class Context:
    source: ReportSource
    since: datetime
    until: datetime
    limits: Limits = Limits()
    forecast: Forecast = Forecast()

    def series(self, metric: str, **labels: str) -> list[Series]:
        """The target's series of ``metric`` in the window, aggregates left out."""
        found = self.source.series(metric, labels, self.since, self.until)
        return [s for s in found if not is_aggregate(s.labels)]

    def aggregate(self, metric: str) -> Series | None:
        """The store's sum over all objects of ``metric`` in the window, when it keeps one."""
        found = self.source.series(metric, {"aggregate": "sum"}, self.since, self.until)
        return found[0] if found else None


def window_increase(series: Series | None) -> float | None:
    """Reset-aware increase of a counter over its points; None without two points."""
    if series is None or series.kind is not SeriesKind.COUNTER or len(series.points) < 2:
        return None
    return sum(i.increase for i in series_intervals(series))


def interval_rates(series: Series | None) -> list[float]:
    if series is None or series.kind is not SeriesKind.COUNTER:
        return []
    return [i.rate for i in series_intervals(series)]


def interval_means(numerator: Series, denominator: Series) -> list[tuple[int, float, float]]:
    """(end, increase of numerator, increase of denominator) per shared interval."""
    calls = {i.end: i.increase for i in series_intervals(denominator)}
    return [(i.end, i.increase, calls[i.end]) for i in series_intervals(numerator)
            if calls.get(i.end, 0) > 0]


def percentile(values: Sequence[float], fraction: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[max(0, min(98, round(fraction * 100) - 1))]


def since_epoch(ctx: Context) -> int:
    return epoch(ctx.since)
