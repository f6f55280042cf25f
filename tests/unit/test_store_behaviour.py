"""Behaviour of the history store, shared by both engines.

This module runs them on SQLite; tests/integration/test_store_postgres.py imports the same
tests and runs them on PostgreSQL by overriding the ``open_store`` fixture.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pgwatch.collectors.base import Snapshot, counter, gauge, label, text
from pgwatch.store import History, StoreError, StorePolicy
from pgwatch.store.sqlite import SQLiteStore
from pgwatch.store.sqlstore import SqlStore

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
OpenStore = Callable[..., SqlStore]


@dataclass(frozen=True, slots=True)
class DatabaseRow:
    datname: str = label()
    xact_commit_total: float = counter("transactions committed")
    numbackends: float = gauge("backends")
    stats_reset: datetime | None = text()  # noqa: RUF009 - declares a field


@dataclass(frozen=True, slots=True)
class StatementRow:
    queryid: str = label()
    calls_total: float = counter("calls")
    exec_seconds_total: float = counter("execution time", "seconds")
    shared_blks_read_total: float = counter("blocks read")
    query: str | None = text()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def snap(minutes: float, *rows: Any, target: str = "prod", collector: str = "") -> Snapshot:
    row_type = type(rows[0])
    name = collector or ("database" if row_type is DatabaseRow else "statements")
    return Snapshot(target, name, at(minutes), 0.01, tuple(rows), row_type)


def db(commits: float, backends: float = 3, reset: datetime | None = T0,
       name: str = "app") -> DatabaseRow:
    return DatabaseRow(name, commits, backends, reset)


def stmt(queryid: int, calls: float, seconds: float = 0.0, reads: float = 0.0) -> StatementRow:
    return StatementRow(str(queryid), calls, seconds, reads, f"SELECT {queryid} /* q */")


def check_upgrade_to_latest_rows(open_store: Callable[[], SqlStore],
                                 downgrade: Callable[[], None]) -> None:
    """A store written before migration 0005 (``downgrade`` makes one) reads its last
    snapshot as the newest rows once upgraded, then the rows each write stores."""
    store = open_store()
    store.write(snap(0, db(1)))
    store.write(snap(5, db(2)))  # newest rows only: snapshots are 12-hourly
    store.close()
    downgrade()
    upgraded = open_store()
    latest = upgraded.latest("prod", "database")
    assert latest is not None and latest.taken_at == at(0)
    upgraded.write(snap(10, db(3)))
    upgraded.close()
    reopened = open_store()
    latest = reopened.latest("prod", "database")
    assert latest is not None and latest.taken_at == at(10)
    reopened.close()


@pytest.fixture
def open_store(tmp_path: Path) -> Iterator[OpenStore]:
    """Opens a new store object on this test's one SQLite file."""
    opened: list[SqlStore] = []

    def factory(policy: StorePolicy | None = None) -> SqlStore:
        opened.append(SQLiteStore(tmp_path / "history.db", policy))
        return opened[-1]

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: OpenStore) -> SqlStore:
    return open_store()


def commits(store: SqlStore, labels: dict[str, str], *, rate: bool = False) -> list[float]:
    [series] = store.series("pgwatch_database_xact_commit_total", labels, at(-1), at(600),
                            rate=rate)
    return [p.value for p in series.points]


def test_counter_going_down_is_a_reset_and_never_a_negative_rate(store: SqlStore) -> None:
    for minute, value in enumerate([100, 160, 40, 100]):
        store.write(snap(minute, db(value)))
    rates = commits(store, {"datname": "app"}, rate=True)
    assert rates == [1.0, 40 / 60, 1.0]
    increase = History(store).increase("pgwatch_database_xact_commit_total",
                                       {"datname": "app"}, timedelta(minutes=10), at(3))
    assert [v.value for v in increase] == [60 + 40 + 60]


def test_moved_stats_reset_marks_a_reset_even_when_the_counter_grew(store: SqlStore) -> None:
    store.write(snap(0, db(100, reset=T0)))
    store.write(snap(1, db(130, reset=T0)))
    store.write(snap(2, db(500, reset=at(1.5))))  # reset, then 500 commits in half a minute
    [series] = store.series("pgwatch_database_xact_commit_total", {"datname": "app"}, at(0),
                            at(5))
    assert series.resets == (int(at(2).timestamp()),)
    assert commits(store, {"datname": "app"}, rate=True) == [0.5, 500 / 60]


def test_an_evicted_query_id_ends_its_series_without_a_bogus_delta(store: SqlStore) -> None:
    store.write(snap(0, stmt(1, 10), stmt(2, 1000)))
    store.write(snap(1, stmt(1, 20), stmt(2, 1100)))
    store.write(snap(2, stmt(1, 30)))                  # query 2 evicted
    store.write(snap(3, stmt(1, 40), stmt(2, 5000)))   # re-added, counters unrelated
    [series] = store.series("pgwatch_statements_calls_total", {"queryid": "2"}, at(0), at(9))
    assert [p.value for p in series.points] == [1000, 1100, 5000]
    assert series.breaks == (int(at(2).timestamp()),)
    [rates] = store.series("pgwatch_statements_calls_total", {"queryid": "2"}, at(0), at(9),
                           rate=True)
    assert [p.value for p in rates.points] == [100 / 60]
    latest = History(store).latest("pgwatch_statements_calls_total", {"queryid": "2"},
                                   timedelta(minutes=1), at(2.5))
    assert latest == []


def test_aggregate_counters_never_drop_when_objects_vanish(open_store: OpenStore) -> None:
    store = open_store(StorePolicy(small_collector_rows=0))
    store.write(snap(0, stmt(1, 10), stmt(2, 1000)))
    store.write(snap(1, stmt(1, 20), stmt(2, 1100)))
    store.write(snap(2, stmt(1, 30)))
    [total] = store.series("pgwatch_statements_calls_total", {"aggregate": "sum"}, at(0), at(9))
    assert [p.value for p in total.points] == [110, 120]  # totals start at zero, not written
    [count] = store.series("pgwatch_statements_objects", {"aggregate": "sum"}, at(0), at(9))
    assert [p.value for p in count.points] == [2, 2, 1]


def test_top_n_is_a_union_over_every_counter(open_store: OpenStore) -> None:
    store = open_store(StorePolicy(top_n=3, small_collector_rows=2))
    busy = [stmt(q, calls=1000 + q) for q in range(100)]
    disk = stmt(500, calls=1, seconds=0.1, reads=10**6)   # cheap per call, hammers the disk
    slow = stmt(501, calls=2, seconds=900.0)
    store.write(snap(0, *busy, disk, slow))
    kept = {s.label_map["queryid"] for s in store.series(
        "pgwatch_statements_calls_total", {}, at(0), at(1)) if "queryid" in s.label_map}
    assert kept == {"99", "500", "501"}


def test_large_collectors_write_objects_at_their_slower_cadence(open_store: OpenStore) -> None:
    store = open_store(StorePolicy(top_n=5, small_collector_rows=2,
                                   object_series_interval_s=300))  # every 5 minutes
    for minute in range(11):
        store.write(snap(minute, *(stmt(q, calls=(minute + 1) * q) for q in range(1, 9))))
    [one] = store.series("pgwatch_statements_calls_total", {"queryid": "8"}, at(0), at(20))
    assert [p.ts for p in one.points] == [int(at(m).timestamp()) for m in (0, 5, 10)]
    [total] = store.series("pgwatch_statements_calls_total", {"aggregate": "sum"}, at(0),
                           at(20))
    assert len(total.points) == 10  # every minute but the first, where the total is zero


def test_small_collectors_write_every_object_every_time(store: SqlStore) -> None:
    for minute in range(4):
        store.write(snap(minute, db(minute * 10, name="a"), db(minute * 20, name="b")))
    assert commits(store, {"datname": "b"}) == [0, 20, 40, 60]
    assert commits(store, {"target": "prod", "datname": "a"}) == [0, 10, 20, 30]
    assert store.series("pgwatch_database_xact_commit_total", {"target": "test"}, at(0),
                        at(9)) == []


def test_rate_of_a_gauge_is_refused(store: SqlStore) -> None:
    store.write(snap(0, db(1)))
    store.write(snap(1, db(2)))
    with pytest.raises(StoreError, match="numbackends is a gauge"):
        store.series("pgwatch_database_numbackends", {"datname": "app"}, at(0), at(2),
                     rate=True)


def test_history_rate_is_the_increase_over_the_time_covered(store: SqlStore) -> None:
    for minute, value in enumerate([0, 60, 180, 30]):
        store.write(snap(minute, db(value)))
    history = History(store)
    [rate] = history.rate("pgwatch_database_xact_commit_total", {"datname": "app"},
                          timedelta(minutes=10), at(3))
    assert rate.value == pytest.approx((60 + 120 + 30) / 180)
    [latest] = history.latest("pgwatch_database_numbackends", {"datname": "app"},
                              timedelta(minutes=5), at(3))
    assert (latest.value, latest.at) == (3, at(3))


def test_retention_rolls_up_hours_then_drops_raw_samples(open_store: OpenStore) -> None:
    store = open_store(StorePolicy(raw_retention_s=86_400, rollup_retention_s=10 * 86_400))
    values = [0, 100, 200, 50, 150, 250]           # a reset between 20 and 30 minutes
    for step, value in enumerate(values):
        store.write(snap(step * 10, db(value, backends=step)))
    store.write(snap(60, db(300, backends=9)))      # the next hour
    store.retention(at(60 * 24 + 61))               # one day later: the first hour is old
    assert store.series("pgwatch_database_xact_commit_total", {"datname": "app"}, at(0),
                        at(59)) == []
    [hourly] = store.rollups("pgwatch_database_xact_commit_total", {"datname": "app"}, at(0),
                             at(120))
    first, second = hourly.hours
    assert (first.hour, first.count, first.min, first.max, first.last) == (
        int(T0.timestamp()), 6, 0, 250, 250)
    assert first.increase == 100 + 100 + 50 + 100 + 100
    assert (second.count, second.increase) == (1, 50)
    [gauge_hours] = store.rollups("pgwatch_database_numbackends", {"datname": "app"}, at(0),
                                  at(30))
    assert (gauge_hours.hours[0].avg, gauge_hours.hours[0].increase) == (2.5, None)


def test_retention_drops_old_roll_ups_events_and_snapshots(open_store: OpenStore) -> None:
    store = open_store(StorePolicy(raw_retention_s=3_600, rollup_retention_s=86_400,
                                   snapshot_retention_s=3_600, event_retention_s=86_400))
    store.write(snap(0, db(1)))
    store.write(snap(70, db(2)))
    store.record_event("prod", "setting_changed", "work_mem", "4MB -> 64MB", at(5))
    store.retention(at(60 * 48))
    assert store.rollups("pgwatch_database_xact_commit_total", {}, at(0), at(200)) == []
    assert store.events() == []
    fresh = open_store()
    assert fresh.latest("prod", "database") is None
    assert fresh.series("pgwatch_database_xact_commit_total", {}, at(0), at(60 * 48)) == []


def test_events_are_kept_and_filtered(store: SqlStore) -> None:
    store.record_event("prod", "setting_changed", "work_mem", "4MB -> 64MB", at(1))
    store.record_event("prod", "refresh_failed", "mv_leaderboard", "lock timeout", at(2))
    store.record_event("test", "setting_changed", "shared_buffers", "1GB -> 2GB", at(3))
    kinds = [(e.target, e.subject) for e in store.events(kind="setting_changed")]
    assert kinds == [("prod", "work_mem"), ("test", "shared_buffers")]
    [failure] = store.events(target="prod", since=at(1.5))
    assert (failure.kind, failure.detail, failure.at) == ("refresh_failed", "lock timeout",
                                                          at(2))
    assert store.events(until=at(0)) == []


def test_latest_rows_survive_a_restart_with_their_long_texts(open_store: OpenStore) -> None:
    store = open_store()
    long_query = "SELECT * FROM runs WHERE athlete_id = $1 AND " + "x = 1 AND " * 20 + "true"
    row = StatementRow("7", 5, 0.5, 9, long_query)
    store.write(snap(0, row))
    store.write(snap(1, StatementRow("7", 6, 0.6, 9, None)))  # text sent once only
    store.write(snap(1.5, StatementRow("7", 7, 0.7, 9, None)))
    latest = store.latest("prod", "statements")
    assert latest is not None and latest.rows[0]["calls_total"] == 7
    assert latest.rows[0]["query"] == long_query
    store.close()
    # Another process reads the newest rows stored: they replace the previous at most once a
    # minute (the per-object snapshots are 12-hourly), so those of 10:01, not of 10:01:30.
    reopened = open_store()
    stored = reopened.latest("prod", "statements")
    assert stored is not None and stored.taken_at == at(1)
    assert stored.by_key("queryid") == {("7",): {"queryid": "7", "calls_total": 6,
                                                 "exec_seconds_total": 0.6,
                                                 "shared_blks_read_total": 9,
                                                 "query": long_query}}
    assert reopened.latest("prod", "nothing") is None


def test_concurrent_writers_lose_nothing(store: SqlStore) -> None:
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for minute in range(25):
                store.write(snap(minute, db(minute * worker), collector=f"database_{worker}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for worker in range(1, 7):
        [series] = store.series(f"pgwatch_database_{worker}_xact_commit_total",
                                {"datname": "app"}, at(0), at(30))
        assert [p.value for p in series.points] == [m * worker for m in range(25)]


def test_size_grows_with_what_is_written(store: SqlStore) -> None:
    empty = store.size_bytes()
    for minute in range(30):
        store.write(snap(minute, *(stmt(q, minute * q) for q in range(1, 40))))
    assert store.size_bytes() > empty > 0


def test_a_text_sent_once_is_in_later_stored_snapshots(open_store: OpenStore) -> None:
    store = open_store(StorePolicy(object_snapshot_interval_s=60))
    short, long_query = "SELECT 1", "SELECT * FROM leaderboard WHERE " + "a = 1 OR " * 20 + "b"
    store.write(snap(0, StatementRow("1", 1, 0, 0, short), StatementRow("2", 1, 0, 0, long_query)))
    store.write(snap(1, StatementRow("1", 2, 0, 0, None), StatementRow("2", 2, 0, 0, None)))
    store.close()
    stored = open_store().latest("prod", "statements")
    assert stored is not None and stored.taken_at == at(1)
    assert [(r["calls_total"], r["query"]) for r in stored.rows] == [(2, short), (2, long_query)]


def test_small_collectors_have_no_aggregates_large_ones_do(open_store: OpenStore) -> None:
    store = open_store(StorePolicy(small_collector_rows=2))
    store.write(snap(0, db(1, name="a"), db(2, name="b")))
    store.write(snap(0, stmt(1, 1), stmt(2, 2), stmt(3, 3)))
    aggregates = {s.metric for s in store.series("pgwatch_database_objects", {}, at(0), at(1))
                  + store.series("pgwatch_statements_objects", {}, at(0), at(1))}
    assert aggregates == {"pgwatch_statements_objects"}


def test_an_empty_snapshot_ends_every_series_of_the_collector(store: SqlStore) -> None:
    store.write(snap(0, db(1)))
    store.write(Snapshot("prod", "database", at(1), 0.01, (), DatabaseRow))
    store.write(snap(2, db(50)))
    [series] = store.series("pgwatch_database_xact_commit_total", {}, at(0), at(3))
    assert series.breaks == (int(at(1).timestamp()),)
    assert store.series("pgwatch_database_xact_commit_total", {}, at(0), at(3), rate=True)[0] \
        .points == ()
    latest = store.latest("prod", "database")
    assert latest is not None and len(latest.rows) == 1


def test_no_series_is_written_more_often_than_the_minimum_interval(store: SqlStore) -> None:
    for step in range(9):                                 # a collector every 15 seconds
        store.write(snap(step / 4, db(step * 10)))
    [series] = store.series("pgwatch_database_xact_commit_total", {}, at(0), at(3))
    assert [p.value for p in series.points] == [0, 40, 80]
    [rate] = store.series("pgwatch_database_xact_commit_total", {}, at(0), at(3), rate=True)
    assert [p.value for p in rate.points] == [40 / 60, 40 / 60]


def test_a_write_with_nothing_due_says_so(store: SqlStore) -> None:
    """Samples are kept once a minute: a write in between reaches no engine, and says so."""
    assert store.write(snap(0, db(1))) is True
    assert store.write(snap(0.25, db(2))) is False
    assert store.write(snap(1, db(3))) is True
    latest = store.latest("prod", "database")
    assert latest is not None and latest.taken_at == at(1)


def test_latest_is_the_last_written_after_the_clock_stepped_back(open_store: OpenStore) -> None:
    """After an NTP step back a snapshot is stamped before the newest stored one; the one
    written last is still the latest, in memory and once the store is opened again."""
    store = open_store()
    store.write(snap(60, db(1)))
    store.write(snap(0, db(2)))  # the wall clock went back an hour
    assert [(lt.taken_at, lt.rows[0]["xact_commit_total"]) for lt in
            [store.latest("prod", "database")] if lt is not None] == [(at(0), 2)]
    store.close()
    reopened = open_store()
    stored = reopened.latest("prod", "database")
    assert stored is not None and (stored.taken_at, stored.rows[0]["xact_commit_total"]) \
        == (at(0), 2)
