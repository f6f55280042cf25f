"""What the evaluator reads series from, and the in-memory window pgwatch keeps for it.

``SeriesWindow`` keeps each series as two flat arrays: timestamps as 32-bit offsets from a
per-series base (milliseconds) and values as float64, so 10,000 series of 120 points take
about 12 bytes a point (see benchmarks/promql_window.py).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, Protocol, overload

from pgwatch.alerting.promql.matchers import Matcher, MatchOp, matches_all
from pgwatch.alerting.promql.values import METRIC_NAME, STALE_NAN, Labels, is_stale

_MAX_OFFSET = 2**31 - 1


class StoredSeries(NamedTuple):
    """One series' points in a requested time range, oldest first (stale markers included).

    A named tuple rather than a dataclass: the evaluator builds one per series it reads.
    """

    labels: Labels
    times_ms: Sequence[int]
    values: Sequence[float]

    @classmethod
    def from_points(cls, labels: Labels, points: Iterable[tuple[int, float]]) -> StoredSeries:
        """A series from ``(ts_ms, value)`` pairs, oldest first."""
        pairs = list(points)
        return cls(labels, [t for t, _ in pairs], [v for _, v in pairs])

    @property
    def points(self) -> list[tuple[int, float]]:
        """The points as ``(ts_ms, value)`` pairs."""
        return list(zip(self.times_ms, self.values, strict=True))


class Storage(Protocol):
    """Where selectors read from: every series matching all matchers with a point in range."""

    def select(self, matchers: Sequence[Matcher], start_ms: int,
               end_ms: int) -> Iterable[StoredSeries]:
        """Series with at least one point in ``[start_ms, end_ms]``, only those points."""
        ...


class _Times(Sequence[int]):
    """Timestamps of a slice of a series, computed from its offsets only when read: the
    evaluator mostly reads the first and the last."""

    __slots__ = ("_base", "_offsets")

    def __init__(self, base: int, offsets: array[int]) -> None:
        self._base = base
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...

    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return _Times(self._base, self._offsets[index])
        return self._base + self._offsets[index]

    def __iter__(self) -> Iterator[int]:
        base = self._base
        return (base + o for o in self._offsets)


class _Series:
    __slots__ = ("base", "labels", "offsets", "values")

    def __init__(self, labels: Labels, base: int) -> None:
        self.labels = labels
        self.base = base
        self.offsets = array("i")
        self.values = array("d")

    def append(self, ts_ms: int, value: float) -> None:
        offset = ts_ms - self.base
        if self.offsets and offset <= self.offsets[-1]:
            if offset == self.offsets[-1]:
                self.values[-1] = value  # same timestamp: the newer value wins
            return  # older than the newest point: Prometheus rejects it too
        if offset > _MAX_OFFSET and self.offsets.typecode == "i":
            self._rebase(ts_ms)
            offset = ts_ms - self.base
        self.offsets.append(offset)
        self.values.append(value)

    def _rebase(self, ts_ms: int) -> None:
        """Count from the oldest point again; 64-bit offsets if the span still needs them."""
        first = self.offsets[0] if self.offsets else ts_ms - self.base
        self.base += first
        typecode = "i" if ts_ms - self.base <= _MAX_OFFSET else "q"
        self.offsets = array(typecode, (o - first for o in self.offsets))

    def window(self, start_ms: int, end_ms: int) -> tuple[int, int]:
        offsets, base = self.offsets, self.base
        # Rules read up to "now": past the newest point, no search is needed.
        hi = len(offsets) if end_ms - base >= offsets[-1] else bisect.bisect_right(
            offsets, end_ms - base)
        lo = bisect.bisect_left(offsets, start_ms - base, 0, hi)
        return lo, hi

    def trim(self, older_than_ms: int) -> None:
        cut = bisect.bisect_left(self.offsets, older_than_ms - self.base)
        if cut:
            del self.offsets[:cut]
            del self.values[:cut]

    def last_is_stale(self) -> bool:
        return bool(self.values) and is_stale(self.values[-1])


class SeriesWindow:
    """The recent series the rules read, at their collection times (implements Storage).

    ``keep``, when given, is the set of metric names kept: samples of other metrics are
    dropped on arrival. Labels must be sorted by name and include ``__name__``.
    """

    def __init__(self, keep: frozenset[str] | None = None) -> None:
        self.keep = keep
        self._by_name: dict[str, dict[Labels, _Series]] = {}
        self._scopes: dict[str, set[Labels]] = {}

    def add(self, labels: Labels, ts_ms: int, value: float) -> None:
        """Append one sample (a stale marker too, as STALE_NAN)."""
        name = _name_of(labels)
        if self.keep is None or name in self.keep:
            self._add(name, labels, ts_ms, value)

    def _add(self, name: str, labels: Labels, ts_ms: int, value: float) -> Labels:
        """Append a sample; the label set the window keeps (the first one it saw)."""
        family = self._by_name.get(name)
        if family is None:
            family = self._by_name[name] = {}
        series = family.get(labels)
        if series is None:
            series = family[labels] = _Series(labels, ts_ms)
        series.append(ts_ms, value)
        return series.labels

    def scrape(self, ts_ms: int, samples: Iterable[tuple[Labels, float]], scope: str) -> None:
        """One scrape of ``scope``: every sample at ``ts_ms``, and a stale marker for each
        series ``scope`` returned last time and not now (Prometheus' staleness).

        A failed scrape is ``scrape(ts_ms, [], scope)``: Prometheus then marks every series
        of the target stale, and so does this.
        """
        seen: set[Labels] = set()
        keep = self.keep
        for labels, value in samples:
            name = _name_of(labels)
            if keep is not None and name not in keep:
                continue
            # Remember the window's own label set, so the scraped one can be freed.
            seen.add(self._add(name, labels, ts_ms, value))
        for labels in self._scopes.get(scope, set()) - seen:
            family = self._by_name.get(_name_of(labels), {})
            series = family.get(labels)
            if series is not None and not series.last_is_stale():
                series.append(ts_ms, STALE_NAN)
        self._scopes[scope] = seen

    def retain(self, keep: frozenset[str] | None) -> None:
        """Keep ``keep`` from now on (None: every metric) and forget the metrics it drops."""
        self.keep = keep
        if keep is not None:
            for name in [n for n in self._by_name if n not in keep]:
                del self._by_name[name]

    def trim(self, older_than_ms: int) -> None:
        """Forget every point older than ``older_than_ms`` and series left without points."""
        for name in list(self._by_name):
            family = self._by_name[name]
            emptied = []
            for labels, series in family.items():
                if series.offsets[0] < older_than_ms - series.base:
                    series.trim(older_than_ms)
                    if not series.offsets:
                        emptied.append(labels)
            for labels in emptied:
                del family[labels]
            if not family:
                del self._by_name[name]

    def series_count(self) -> int:
        """How many series the window holds."""
        return sum(len(family) for family in self._by_name.values())

    def point_count(self) -> int:
        """How many points (stale markers included) the window holds."""
        return sum(len(s.offsets) for family in self._by_name.values() for s in family.values())

    def select(self, matchers: Sequence[Matcher], start_ms: int,
               end_ms: int) -> Iterator[StoredSeries]:
        """Series matching every matcher with a point in ``[start_ms, end_ms]``."""
        candidates, rest = self._candidates(tuple(matchers))
        for series in candidates:
            if rest and not matches_all(rest, series.labels):
                continue
            lo, hi = series.window(start_ms, end_ms)
            if lo < hi:
                times = _Times(series.base, series.offsets[lo:hi])
                yield StoredSeries(series.labels, times, series.values[lo:hi])

    def latest(self, matchers: Sequence[Matcher], start_ms: int,
               end_ms: int) -> Iterator[tuple[Labels, float]]:
        """Each matching series' newest point in ``[start_ms, end_ms]`` (stale markers too):
        what an instant selector reads, without building the range."""
        candidates, rest = self._candidates(tuple(matchers))
        for series in candidates:
            if rest and not matches_all(rest, series.labels):
                continue
            offsets, base = series.offsets, series.base
            end = end_ms - base
            hi = len(offsets) if end >= offsets[-1] else bisect.bisect_right(offsets, end)
            if hi and offsets[hi - 1] >= start_ms - base:
                yield series.labels, series.values[hi - 1]

    def _candidates(self, matchers: tuple[Matcher, ...]
                    ) -> tuple[Iterable[_Series], tuple[Matcher, ...]]:
        """The series to check (one metric's when a matcher names it) and the matchers
        left to check on each."""
        for i, m in enumerate(matchers):
            if m.name == METRIC_NAME and m.op is MatchOp.EQUAL:
                family = self._by_name.get(m.value, {})
                return family.values(), matchers[:i] + matchers[i + 1:]
        everything = [s for family in self._by_name.values() for s in family.values()]
        return everything, matchers


def _name_of(labels: Labels) -> str:
    if labels and labels[0][0] == METRIC_NAME:
        return labels[0][1]
    for key, value in labels:
        if key == METRIC_NAME:
            return value
    return ""
