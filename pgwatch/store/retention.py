"""Retention: roll up every complete hour, then drop what the policy no longer keeps."""

from __future__ import annotations

from collections import defaultdict

from pgwatch.store.backend import Backend
from pgwatch.store.model import SeriesKind
from pgwatch.store.policy import StorePolicy
from pgwatch.store.rollup import HOUR_S, RawSeries, hour_of, roll_up

WATERMARK = "rolled_up_until"
# An hour is rolled up once it ended this long ago, so that a slow collector run stamped
# 09:59:58 and committed at 10:00:03 (or another instance sharing the store) still counts.
GRACE_S = 300


def apply_retention(backend: Backend, policy: StorePolicy, now: int) -> None:
    """One transaction: roll-ups first, so that no raw sample leaves before it is summarized."""
    with backend.transaction():
        roll_up_complete_hours(backend, now)
        for name, keep_s in (("retention_samples", policy.raw_retention_s),
                             ("retention_rollups", policy.rollup_retention_s),
                             ("retention_snapshots", policy.snapshot_retention_s),
                             ("retention_latest", policy.snapshot_retention_s),
                             ("retention_texts", policy.snapshot_retention_s),
                             ("retention_events", policy.event_retention_s)):
            backend.execute(name, {"horizon": now - keep_s})
        backend.execute("gc_series")
        backend.execute("gc_objects")


def roll_up_complete_hours(backend: Backend, now: int) -> int:
    """Summarize the hours between the last roll-up and the current hour; the rows written."""
    end = hour_of(now - GRACE_S)
    start = _start(backend)
    if start is None or start >= end:
        return 0
    written = 0
    for object_series in _series_by_object(backend).values():
        raws = [RawSeries(series_id, kind, [
            (int(ts), None if v is None else float(v)) for ts, v in backend.fetchall(
                "series_points", {"series_id": series_id, "since": start - HOUR_S,
                                  "until": end - 1})])
            for series_id, kind in object_series]
        rows = [{"series_id": sid, "hour": r.hour, "n": r.count, "min": r.min, "max": r.max,
                 "avg": r.avg, "last": r.last, "increase": r.increase}
                for sid, r in roll_up(raws, start, end)]
        backend.executemany("rollup_upsert", rows)
        written += len(rows)
    backend.execute("meta_set", {"key": WATERMARK, "value": end})
    return written


def _start(backend: Backend) -> int | None:
    found = backend.fetchall("meta_get", {"key": WATERMARK})
    if found:
        return int(found[0][0])
    oldest = backend.fetchall("oldest_sample")
    if not oldest or oldest[0][0] is None:
        return None
    return hour_of(int(oldest[0][0]))


def _series_by_object(backend: Backend) -> dict[int, list[tuple[int, SeriesKind]]]:
    grouped: dict[int, list[tuple[int, SeriesKind]]] = defaultdict(list)
    for object_id, series_id, kind in backend.fetchall("all_series"):
        grouped[int(object_id)].append((int(series_id), SeriesKind(int(kind))))
    return grouped
