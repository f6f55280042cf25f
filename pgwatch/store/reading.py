"""Reading series and roll-ups back out of a SQL store (the caller holds its lock)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from pgwatch.store.backend import Backend
from pgwatch.store.deltas import markers_to_resets, rate_series
from pgwatch.store.model import Labels, Point, Rollup, RollupSeries, Series, SeriesKind, matches

_Candidate = tuple[int, int, str, Labels]


def read_series(backend: Backend, metric: str, labels_match: Mapping[str, str], since: int,
                until: int, *, rate: bool) -> list[Series]:
    """Every series of ``metric`` whose labels match, with its resets and breaks."""
    kind, candidates = _candidates(backend, metric, labels_match)
    found = []
    for series_id, object_id, target, labels in candidates:
        raw = backend.fetchall("series_points", {"series_id": series_id, "since": since,
                                                 "until": until})
        points = tuple(Point(int(ts), float(v)) for ts, v in raw if v is not None)
        if not points:
            continue
        breaks = tuple(int(ts) for ts, v in raw if v is None)
        resets = _resets(backend, object_id, since, until) if kind is SeriesKind.COUNTER else ()
        series = Series(metric, target, labels, kind, points, resets, breaks)
        found.append(rate_series(series) if rate else series)
    return found


def read_rollups(backend: Backend, metric: str, labels_match: Mapping[str, str], since: int,
                 until: int) -> list[RollupSeries]:
    """The hourly roll-ups of every series of ``metric`` whose labels match."""
    kind, candidates = _candidates(backend, metric, labels_match)
    found = []
    for series_id, _object_id, target, labels in candidates:
        rows = backend.fetchall("rollup_points", {"series_id": series_id, "since": since,
                                                  "until": until})
        hours = tuple(Rollup(int(h), int(n), float(lo), float(hi), float(avg), float(last),
                             None if inc is None else float(inc))
                      for h, n, lo, hi, avg, last, inc in rows)
        if hours:
            found.append(RollupSeries(metric, target, labels, kind, hours))
    return found


def _candidates(backend: Backend, metric: str,
                labels_match: Mapping[str, str]) -> tuple[SeriesKind, list[_Candidate]]:
    found = backend.fetchall("metric_get", {"name": metric})
    if not found:
        return SeriesKind.GAUGE, []
    metric_id, kind = found[0]
    candidates = []
    for series_id, object_id, target, labels_text in backend.fetchall(
            "series_of_metric", {"metric_id": metric_id}):
        labels = tuple(sorted(json.loads(labels_text).items()))
        if matches(str(target), labels, labels_match):
            candidates.append((int(series_id), int(object_id), str(target), labels))
    return SeriesKind(int(kind)), candidates


def _resets(backend: Backend, object_id: int, since: int, until: int) -> tuple[int, ...]:
    markers = []
    for (marker_id,) in backend.fetchall("object_markers", {"object_id": object_id}):
        raw = backend.fetchall("series_points", {"series_id": marker_id, "since": since,
                                                 "until": until})
        markers.append([Point(int(ts), float(v)) for ts, v in raw if v is not None])
    return markers_to_resets(markers)
