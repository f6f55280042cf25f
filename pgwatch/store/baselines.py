"""Per-statement baselines: each query's mean execution time over the store's history.

A statement's baseline is its execution time divided by its calls over a past period (a
week by default) that ends some time before now (an hour by default), so that a regression
happening now is compared against what the statement used to cost, not against itself.
Both increases are reset-aware; complete hours come from the hourly roll-ups and only the
hours not rolled up yet from the raw points. Only statements with enough calls in the
period get a baseline, and at most ``limit`` of them (the most called first).

Nothing here writes to the store: the baselines are recomputed on a slow cadence and held
in memory by whoever exposes them (``pgwatch.exposition.baselines``).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pgwatch.collectors.naming import is_aggregate, metric_name
from pgwatch.store.base import Store
from pgwatch.store.deltas import increase_of
from pgwatch.store.model import Labels, epoch
from pgwatch.store.rollup import HOUR_S

EXEC_SECONDS = metric_name("statements", "exec_seconds_total")
CALLS = metric_name("statements", "calls_total")
_Key = tuple[str, Labels]  # (target, object labels)


@dataclass(frozen=True, slots=True)
class BaselinePolicy:
    """How baselines are computed: the period, the recent span left out, the minimum calls."""

    period: timedelta = timedelta(days=7)
    exclude_recent: timedelta = timedelta(hours=1)
    min_calls: float = 20.0
    limit: int = 1_000


@dataclass(frozen=True, slots=True)
class StatementBaseline:
    """The mean execution time of one statement over the baseline period."""

    target: str
    labels: Labels  # the statement's object labels: queryid, datname, usename, toplevel
    mean_seconds: float
    calls: float


def statement_baselines(store: Store, now: datetime,
                        policy: BaselinePolicy | None = None) -> tuple[StatementBaseline, ...]:
    """The baselines of every statement with at least ``min_calls`` calls in the period."""
    policy = policy or BaselinePolicy()
    until = now - policy.exclude_recent
    since = until - policy.period
    calls = increases(store, CALLS, since, until)
    exec_seconds = increases(store, EXEC_SECONDS, since, until)
    eligible = [(n, key) for key, n in calls.items()
                if n >= policy.min_calls and key in exec_seconds]
    chosen = heapq.nlargest(policy.limit, eligible)
    return tuple(StatementBaseline(target, labels, exec_seconds[(target, labels)] / n, n)
                 for n, (target, labels) in sorted(chosen, key=lambda c: c[1]))


def increases(store: Store, metric: str, since: datetime, until: datetime) -> dict[_Key, float]:
    """Reset-aware increase of every object's series of the counter ``metric`` in the span.

    The store's sums over all objects (its aggregate series) are not objects and are left out.
    """
    lo, hi = epoch(since), epoch(until)
    found: dict[_Key, float] = defaultdict(float)
    rolled_until: dict[_Key, int] = {}
    for rolled in store.rollups(metric, {}, since, until):
        if is_aggregate(rolled.labels):
            continue
        hours = [h for h in rolled.hours if lo <= h.hour and h.hour + HOUR_S <= hi]
        if hours:
            key = (rolled.target, rolled.labels)
            found[key] += sum(h.increase or 0.0 for h in hours)
            rolled_until[key] = hours[-1].hour + HOUR_S
    # The raw points are read only from where the roll-ups of every object end.
    raw_since = min(rolled_until.values(), default=lo)
    for series in store.series(metric, {}, datetime.fromtimestamp(raw_since, UTC), until):
        if is_aggregate(series.labels):
            continue
        key = (series.target, series.labels)
        start = rolled_until.get(key, lo)
        found[key] += increase_of(series, start, hi)
    return dict(found)
