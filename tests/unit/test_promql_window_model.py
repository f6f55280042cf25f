"""SeriesWindow against a plain reference model, on random sequences of operations.

The model keeps every series as a list of (ts, value) and applies the same rules in the most
direct way: out-of-order samples are dropped, a repeated timestamp overwrites, a scrape marks
the series its scope returned last time and not now stale (once), trim drops older points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from pgwatch.alerting.promql import STALE_NAN, Matcher, MatchOp, SeriesWindow, is_stale

Labels = tuple[tuple[str, str], ...]
SERIES: tuple[Labels, ...] = tuple(
    (("__name__", name), ("i", str(i))) for name in ("a", "b") for i in range(3))
DAY = 86_400_000


@dataclass
class Model:
    """The reference: lists of points and each scope's last label sets."""

    points: dict[Labels, list[tuple[int, float]]] = field(default_factory=dict)
    scopes: dict[str, set[Labels]] = field(default_factory=dict)

    def add(self, labels: Labels, ts: int, value: float) -> None:
        points = self.points.setdefault(labels, [])
        if points and ts < points[-1][0]:
            return
        if points and ts == points[-1][0]:
            points[-1] = (ts, value)
        else:
            points.append((ts, value))

    def scrape(self, ts: int, samples: list[tuple[Labels, float]], scope: str) -> None:
        seen = {labels for labels, _ in samples}
        for labels, value in samples:
            self.add(labels, ts, value)
        for labels in self.scopes.get(scope, set()) - seen:
            points = self.points.get(labels)
            if points and not is_stale(points[-1][1]):
                self.add(labels, ts, STALE_NAN)
        self.scopes[scope] = seen

    def trim(self, older_than: int) -> None:
        for labels in list(self.points):
            self.points[labels] = [p for p in self.points[labels] if p[0] >= older_than]
            if not self.points[labels]:
                del self.points[labels]


# Mostly close together, sometimes weeks apart (past a 32-bit millisecond offset).
_time = st.one_of(st.integers(min_value=0, max_value=600_000),
                  st.integers(min_value=0, max_value=60 * DAY))
_value = st.sampled_from([0.0, 1.5, -2.0, math.inf, 1e300])
_samples = st.lists(st.tuples(st.sampled_from(SERIES), _value), max_size=6,
                    unique_by=lambda s: s[0])
_operation = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(SERIES), _time, _value),
    st.tuples(st.just("scrape"), _time, _samples, st.sampled_from(["s1", "s2"])),
    st.tuples(st.just("trim"), _time),
)


def _apply(window: SeriesWindow, model: Model, operation: tuple[object, ...]) -> None:
    kind, *args = operation
    getattr(window, str(kind))(*args)
    getattr(model, str(kind))(*args)


def _key(value: float) -> object:
    return "stale" if is_stale(value) else value


@settings(max_examples=400, deadline=None)
@given(st.lists(_operation, max_size=40), _time, _time)
def test_window_reads_what_the_model_holds(operations: list[tuple[object, ...]], start: int,
                                          length: int) -> None:
    window, model = SeriesWindow(), Model()
    for operation in operations:
        _apply(window, model, operation)
    assert window.series_count() == len(model.points)
    assert window.point_count() == sum(len(p) for p in model.points.values())
    end = start + length
    for name in ("a", "b"):
        got = {s.labels: [(t, _key(v)) for t, v in s.points]
               for s in window.select([Matcher.of("__name__", MatchOp.EQUAL, name)], start, end)}
        expected = {labels: [(t, _key(v)) for t, v in points if start <= t <= end]
                    for labels, points in model.points.items() if labels[0][1] == name}
        assert got == {k: v for k, v in expected.items() if v}
        latest = dict(window.latest([Matcher.of("__name__", MatchOp.EQUAL, name)], start, end))
        assert {k: _key(v) for k, v in latest.items()} == {k: v[-1][1] for k, v in
                                                           expected.items() if v}
