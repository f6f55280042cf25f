"""Pure parts of the store: deltas, top-N union, field classification, snapshot encoding."""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from pgwatch.collectors.base import Snapshot, counter, gauge, label, text
from pgwatch.store.deltas import increase_of, intervals, markers_to_resets, rate_series
from pgwatch.store.encoding import decode_rows, encode_rows, remember_texts, text_refs
from pgwatch.store.layout import layout_of, number
from pgwatch.store.model import Point, Series, SeriesKind, StoreError
from pgwatch.store.planner import AGGREGATE, Planner, increase, top_union
from pgwatch.store.policy import StorePolicy
from pgwatch.store.rollup import RawSeries, roll_up


def points(*pairs: tuple[int, float]) -> tuple[Point, ...]:
    return tuple(Point(ts, v) for ts, v in pairs)


def test_intervals_skip_breaks_and_restart_after_resets() -> None:
    got = [(i.start, i.end, i.increase) for i in intervals(
        points((0, 10), (60, 30), (120, 5), (180, 50), (240, 70), (300, 90)),
        resets=(240,), breaks=(270,))]
    assert got == [(0, 60, 20), (60, 120, 5), (120, 180, 45), (180, 240, 70)]


def test_rates_are_never_negative() -> None:
    series = Series("m", "t", (), SeriesKind.COUNTER,
                    points((0, 100), (10, 50), (20, 40), (30, 41)))
    assert [p.value for p in rate_series(series).points] == [5.0, 4.0, 0.1]
    assert increase_of(series) == 50 + 40 + 1
    assert increase_of(series, since=10) == 41


def test_rate_of_a_gauge_raises() -> None:
    with pytest.raises(StoreError, match="m is a gauge"):
        rate_series(Series("m", "t", (), SeriesKind.GAUGE, points((0, 1), (1, 2))))


def test_marker_changes_are_resets() -> None:
    markers = [list(points((0, 5), (60, 5), (120, 9), (180, 9))), list(points((60, 1), (180, 2)))]
    assert markers_to_resets(markers) == (120, 180)


def test_planner_increase_is_reset_aware() -> None:
    assert increase(None, 7, reset=False) == 7
    assert increase(10, 7, reset=False) == 7
    assert increase(10, 17, reset=True) == 17
    assert increase(10, 17, reset=False) == 7
    assert increase(10, math.nan, reset=False) == 0


def test_top_union_takes_each_dimensions_leader_first() -> None:
    calls = {0: 100.0, 1: 90.0, 2: 80.0}
    reads = {3: 5.0}
    temp = {4: 1.0, 0: 0.0}
    assert top_union([calls, reads, temp], 3) == [0, 3, 4]
    assert top_union([calls, reads, temp], 10) == [0, 3, 4, 1, 2]
    assert top_union([{0: 0.0, 1: -1.0}], 5) == []


@dataclass(frozen=True, slots=True)
class TableRow:
    schemaname: str = label()
    relname: str = label()
    seq_scan_total: int = counter("sequential scans")
    n_dead_tup: int = gauge("dead tuples")
    stats_reset_seconds: float = gauge("stats reset", "seconds")
    reloptions: str | None = text()


def test_the_planner_remembers_counters_only_in_two_flat_arrays() -> None:
    planner = Planner(StorePolicy(small_collector_rows=0, top_n=1))
    first = tuple(TableRow("public", f"t{i}", i, 5, 1.0, None) for i in range(3))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    plan, state = planner.plan(Snapshot("prod", "tables", start, 0.1, first, TableRow))
    planner.keep("prod", "tables", state)
    # The counter and the reset marker of each table; the gauge is not remembered.
    assert (state.prev.width, len(state.prev), len(state.prev.numbers)) == (2, 3, 6)
    assert state.prev.lookup().get("public\x1ft2") == array("d", [2.0, 1.0])
    assert state.prev.lookup().get("public\x1fgone") is None
    later = (TableRow("public", "t0", 0, 5, 1.0, None), TableRow("public", "t1", 1, 5, 1.0, None),
             TableRow("public", "t2", 9, 5, 1.0, None))
    later_at = start + timedelta(seconds=700)
    plan, _ = planner.plan(Snapshot("prod", "tables", later_at, 0.1, later, TableRow))
    written = [o.labels for o in plan.objects if o.labels != AGGREGATE]
    assert written == [(("schemaname", "public"), ("relname", "t2"))]  # the one that moved


def test_reset_fields_become_markers_and_texts_stay_out_of_series() -> None:
    layout = layout_of(TableRow, "tables", StorePolicy())
    assert layout.label_fields == ("schemaname", "relname")
    assert [(v.metric, v.kind) for v in layout.values] == [
        ("pgwatch_tables_seq_scan_total", SeriesKind.COUNTER),
        ("pgwatch_tables_stats_reset_seconds", SeriesKind.RESET),
        ("pgwatch_tables_n_dead_tup", SeriesKind.GAUGE)]
    assert layout.tracked == 2  # what the planner remembers: the counter and the marker
    assert layout.text_fields == {"reloptions"}


def test_numbers_from_every_type_a_row_carries() -> None:
    moment = datetime(2026, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1)))
    assert number(moment) == datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    assert number("2026-01-01T00:00:00+00:00") == number(moment)
    assert number(date(2026, 1, 1)) == number(moment)
    assert (number(True), number(Decimal("1.5")), number(3)) == (1.0, 1.5, 3.0)
    assert math.isnan(number(None)) and math.isnan(number("n/a"))


def test_snapshots_round_trip_with_long_texts_kept_apart() -> None:
    layout = layout_of(TableRow, "tables", StorePolicy())
    options = "autovacuum_vacuum_scale_factor=0.01," * 4
    rows = [TableRow("public", "runs", 3, 10, 1.5, options), TableRow("public", "x", 1, 0, 2, None)]
    keys = [layout.ident(row) for row in rows]
    memory, new = remember_texts(rows, keys, layout, 64, {})
    assert list(new.values()) == [options]
    encoded = encode_rows(rows, keys, layout, memory)
    assert options.encode() not in encoded.body
    fields, raw, refs = text_refs(encoded.body)
    assert refs == set(new) == encoded.refs
    decoded = decode_rows(fields, raw, new)
    assert decoded[0]["reloptions"] == options and decoded[1]["relname"] == "x"


def test_a_text_sent_once_is_remembered_until_its_object_goes() -> None:
    layout = layout_of(TableRow, "tables", StorePolicy())
    first = [TableRow("public", "runs", 3, 10, 1.5, "fillfactor=90")]
    memory, new = remember_texts(first, [layout.ident(first[0])], layout, 64, {})
    assert new == {}
    later = [TableRow("public", "runs", 4, 10, 1.5, None), TableRow("public", "y", 1, 0, 2, None)]
    keys = [layout.ident(row) for row in later]
    memory, _ = remember_texts(later, keys, layout, 64, memory)
    fields, raw, _ = text_refs(encode_rows(later, keys, layout, memory).body)
    assert [row["reloptions"] for row in decode_rows(fields, raw, {})] == ["fillfactor=90", None]
    memory, _ = remember_texts(later[1:], keys[1:], layout, 64, memory)
    assert memory == {}


def test_roll_up_of_a_counter_uses_the_previous_hour_as_baseline() -> None:
    counter_points = [(3000, 10.0), (3700, 20.0), (5000, 5.0), (7300, 9.0)]
    marker_points = [(3000, 1.0), (3700, 1.0), (5000, 1.0), (7300, 2.0)]
    rolled = list(roll_up([RawSeries(1, SeriesKind.COUNTER, counter_points),
                           RawSeries(2, SeriesKind.RESET, marker_points)], 3600, 10_800))
    by_series = {(sid, r.hour): r for sid, r in rolled}
    assert by_series[(1, 3600)].increase == 10 + 5
    assert by_series[(1, 7200)].increase == 9        # marker moved: 9 since the reset
    assert (by_series[(1, 3600)].min, by_series[(1, 3600)].last) == (5, 5)
    assert (2, 3600) in by_series and by_series[(2, 3600)].increase is None
