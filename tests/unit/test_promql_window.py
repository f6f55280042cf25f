"""SeriesWindow: staleness from scrapes, trimming, the name filter, counts, range reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pgwatch.alerting.promql import (
    STALE_NAN,
    Matcher,
    MatchOp,
    SeriesWindow,
    StoredSeries,
    Vector,
    evaluate,
    is_stale,
    parse,
)

A = (("__name__", "up"), ("target", "a"))
B = (("__name__", "up"), ("target", "b"))
OTHER = (("__name__", "other"), ("target", "a"))
MIN = 60_000


def _points(window: SeriesWindow, labels: tuple[tuple[str, str], ...]) -> list[tuple[int, str]]:
    matchers = [Matcher.of(k, MatchOp.EQUAL, v) for k, v in labels]
    found = list(window.select(matchers, 0, 10**15))
    assert len(found) <= 1
    if not found:
        return []
    return [(t, "stale" if is_stale(v) else str(v)) for t, v in found[0].points]


def _value(window: SeriesWindow, expr: str, at_ms: int) -> list[tuple[str, float]]:
    result = evaluate(parse(expr), window, at_ms)
    assert isinstance(result, Vector)
    return sorted((dict(s.labels).get("target", ""), s.value) for s in result.samples)


def test_a_series_missing_from_a_scrape_gets_one_stale_marker() -> None:
    window = SeriesWindow()
    window.scrape(0, [(A, 1.0), (B, 1.0)], "up")
    window.scrape(MIN, [(A, 2.0)], "up")
    window.scrape(2 * MIN, [(A, 3.0)], "up")
    assert _points(window, B) == [(0, "1.0"), (MIN, "stale")]
    assert _points(window, A) == [(0, "1.0"), (MIN, "2.0"), (2 * MIN, "3.0")]
    assert _value(window, "up", MIN) == [("a", 2.0)]  # b is absent at once, not after 5 min
    assert _value(window, "up", MIN - 1) == [("a", 1.0), ("b", 1.0)]


def test_a_series_that_returns_is_present_again() -> None:
    window = SeriesWindow()
    window.scrape(0, [(A, 1.0), (B, 5.0)], "up")
    window.scrape(MIN, [(A, 1.0)], "up")
    window.scrape(2 * MIN, [(A, 1.0), (B, 7.0)], "up")
    assert _points(window, B) == [(0, "5.0"), (MIN, "stale"), (2 * MIN, "7.0")]
    assert _value(window, "up", 2 * MIN) == [("a", 1.0), ("b", 7.0)]
    assert _value(window, "count_over_time(up[5m])", 2 * MIN) == [("a", 3.0), ("b", 2.0)]


def test_scopes_are_independent_and_an_empty_scrape_marks_everything_stale() -> None:
    window = SeriesWindow()
    window.scrape(0, [(A, 1.0)], "first")
    window.scrape(0, [(B, 1.0)], "second")
    window.scrape(MIN, [(A, 1.0)], "first")  # "second" not scraped yet: b stays fresh
    assert _value(window, "up", MIN) == [("a", 1.0), ("b", 1.0)]
    window.scrape(2 * MIN, [], "second")
    assert _points(window, B)[-1] == (2 * MIN, "stale")
    window.scrape(3 * MIN, [], "second")
    assert len(_points(window, B)) == 2  # no second marker


def test_without_scrapes_a_series_ages_out_after_the_lookback() -> None:
    window = SeriesWindow()
    window.add(A, 0, 1.0)
    assert _value(window, "up", 5 * MIN) == [("a", 1.0)]
    assert _value(window, "up", 5 * MIN + 1) == []


def test_trim_drops_old_points_and_empty_series() -> None:
    window = SeriesWindow()
    for i in range(10):
        window.add(A, i * MIN, float(i))
    window.add(B, 0, 1.0)
    assert (window.series_count(), window.point_count()) == (2, 11)
    window.trim(4 * MIN)
    assert (window.series_count(), window.point_count()) == (1, 6)
    assert _points(window, A)[0] == (4 * MIN, "4.0")
    assert _points(window, B) == []


def test_the_name_filter_keeps_only_the_named_metrics() -> None:
    window = SeriesWindow(keep=frozenset({"up"}))
    window.scrape(0, [(A, 1.0), (OTHER, 2.0)], "s")
    window.add(OTHER, MIN, 3.0)
    assert window.series_count() == 1
    assert _points(window, OTHER) == []


def test_out_of_order_samples_are_ignored_and_a_repeated_timestamp_overwrites() -> None:
    window = SeriesWindow()
    window.add(A, MIN, 1.0)
    window.add(A, 0, 9.0)
    window.add(A, MIN, 2.0)
    assert _points(window, A) == [(MIN, "2.0")]


def test_range_reads_include_both_edges() -> None:
    window = SeriesWindow()
    for i in range(11):
        window.add(A, i * MIN, float(i))
    matchers = [Matcher.of("__name__", MatchOp.EQUAL, "up")]
    (series,) = window.select(matchers, 2 * MIN, 5 * MIN)
    assert list(series.times_ms) == [2 * MIN, 3 * MIN, 4 * MIN, 5 * MIN]
    assert list(series.values) == [2.0, 3.0, 4.0, 5.0]
    assert series.times_ms[-1] == 5 * MIN and len(series.times_ms) == 4
    assert list(window.select(matchers, 11 * MIN, 12 * MIN)) == []


def test_timestamps_far_apart_stay_exact() -> None:
    window = SeriesWindow()
    start = 1_790_000_000_000
    window.add(A, start, 1.0)
    window.add(A, start + 30 * 86_400_000, 2.0)  # beyond a 32-bit millisecond offset
    window.add(A, start + 31 * 86_400_000, 3.0)
    assert [t for t, _ in _points(window, A)] == [
        start, start + 30 * 86_400_000, start + 31 * 86_400_000]


def test_timestamps_stay_exact_when_a_trimmed_series_is_rebased() -> None:
    window = SeriesWindow()
    start = 1_790_000_000_000
    for i in range(3):
        window.add(A, start + i * 1000, float(i))
    window.trim(start + 1500)
    window.add(A, start + 20 * 86_400_000, 3.0)  # offsets counted from the oldest point again
    window.add(A, start + 50 * 86_400_000, 4.0)  # and now 64-bit
    assert [t for t, _ in _points(window, A)] == [
        start + 2000, start + 20 * 86_400_000, start + 50 * 86_400_000]


def test_stale_marker_is_one_nan_bit_pattern() -> None:
    assert is_stale(STALE_NAN)
    assert not is_stale(float("nan"))
    assert not is_stale(1.0)


class _PlainStorage:
    """A Storage with ``select`` only (no ``latest`` shortcut), over plain lists."""

    def __init__(self, window: SeriesWindow) -> None:
        self.window = window

    def select(self, matchers: Sequence[Matcher], start_ms: int,
               end_ms: int) -> Iterator[StoredSeries]:
        for series in self.window.select(matchers, start_ms, end_ms):
            yield StoredSeries.from_points(series.labels, series.points)


def test_instant_selectors_read_the_same_through_select_and_the_shortcut() -> None:
    window = SeriesWindow()
    window.scrape(0, [(A, 1.0), (B, 2.0)], "up")
    window.scrape(MIN, [(A, 3.0)], "up")
    window.scrape(2 * MIN, [(A, 4.0), (B, 5.0)], "up")
    window.add(OTHER, 0, 9.0)
    plain = _PlainStorage(window)
    for expr in ("up", "other", "up offset 1m", '{target="a"}', "up + on(target) other",
                 "count_over_time(up[2m])", "absent(other)"):
        for at in (0, MIN, MIN + 1, 2 * MIN, 6 * MIN, 7 * MIN + 1):
            assert evaluate(parse(expr), plain, at) == evaluate(parse(expr), window, at), (
                expr, at)
