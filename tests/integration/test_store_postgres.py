"""The PostgreSQL history store: the shared behaviour tests, plus what only it has."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

import pgwatch.store
from pgwatch.store import StoreError, StorePolicy
from pgwatch.store.backend import latest_version
from pgwatch.store.postgres import PostgresBackend, PostgresStore
from pgwatch.store.postgres.backend import PACKAGE
from pgwatch.store.sqlstore import SqlStore
from tests.unit.test_store_behaviour import (
    OpenStore,
    at,
    check_upgrade_to_latest_rows,
    db,
    snap,
    store,
    test_a_text_sent_once_is_in_later_stored_snapshots,
    test_a_write_with_nothing_due_says_so,
    test_aggregate_counters_never_drop_when_objects_vanish,
    test_an_empty_snapshot_ends_every_series_of_the_collector,
    test_an_evicted_query_id_ends_its_series_without_a_bogus_delta,
    test_concurrent_writers_lose_nothing,
    test_counter_going_down_is_a_reset_and_never_a_negative_rate,
    test_events_are_kept_and_filtered,
    test_history_rate_is_the_increase_over_the_time_covered,
    test_large_collectors_write_objects_at_their_slower_cadence,
    test_latest_is_the_last_written_after_the_clock_stepped_back,
    test_latest_rows_survive_a_restart_with_their_long_texts,
    test_moved_stats_reset_marks_a_reset_even_when_the_counter_grew,
    test_no_series_is_written_more_often_than_the_minimum_interval,
    test_rate_of_a_gauge_is_refused,
    test_retention_drops_old_roll_ups_events_and_snapshots,
    test_retention_rolls_up_hours_then_drops_raw_samples,
    test_size_grows_with_what_is_written,
    test_small_collectors_have_no_aggregates_large_ones_do,
    test_small_collectors_write_every_object_every_time,
    test_top_n_is_a_union_over_every_counter,
)

# The store's SQL is plain: the oldest and newest supported servers cover it.
pytestmark = pytest.mark.edge_versions

SHARED = (store, test_a_text_sent_once_is_in_later_stored_snapshots,
          test_a_write_with_nothing_due_says_so,
          test_latest_is_the_last_written_after_the_clock_stepped_back,
          test_aggregate_counters_never_drop_when_objects_vanish,
          test_an_empty_snapshot_ends_every_series_of_the_collector,
          test_an_evicted_query_id_ends_its_series_without_a_bogus_delta,
          test_concurrent_writers_lose_nothing,
          test_counter_going_down_is_a_reset_and_never_a_negative_rate,
          test_events_are_kept_and_filtered,
          test_history_rate_is_the_increase_over_the_time_covered,
          test_large_collectors_write_objects_at_their_slower_cadence,
          test_latest_rows_survive_a_restart_with_their_long_texts,
          test_moved_stats_reset_marks_a_reset_even_when_the_counter_grew,
          test_no_series_is_written_more_often_than_the_minimum_interval,
          test_rate_of_a_gauge_is_refused,
          test_retention_drops_old_roll_ups_events_and_snapshots,
          test_retention_rolls_up_hours_then_drops_raw_samples,
          test_size_grows_with_what_is_written,
          test_small_collectors_have_no_aggregates_large_ones_do,
          test_small_collectors_write_every_object_every_time,
          test_top_n_is_a_union_over_every_counter)


@pytest.fixture
def open_store(pg_dsn: str) -> Iterator[OpenStore]:
    """Opens a new store object on this test's own database (the shared tests use it)."""
    opened: list[SqlStore] = []

    def factory(policy: StorePolicy | None = None) -> SqlStore:
        opened.append(PostgresStore(pg_dsn, policy))
        return opened[-1]

    yield factory
    for each in opened:
        each.close()


def test_open_store_picks_postgresql_for_a_uri_or_a_conninfo(pg_dsn: str) -> None:
    opened = pgwatch.store.open_store(pg_dsn)
    assert isinstance(opened, PostgresStore)
    opened.close()


def test_an_older_schema_is_upgraded_and_keeps_its_data(pg_dsn: str) -> None:
    old = PostgresBackend(pg_dsn, schema_upto=1)
    assert old.schema_version() == 1
    with old.transaction():
        old.execute("event_insert", {"target": "prod", "kind": "setting_changed",
                                     "subject": "work_mem", "detail": "4MB -> 8MB", "at": 10})
    old.close()
    upgraded = PostgresStore(pg_dsn)
    assert isinstance(upgraded.backend, PostgresBackend)
    assert upgraded.backend.schema_version() == latest_version(PACKAGE)
    assert [e.subject for e in upgraded.events()] == ["work_mem"]
    upgraded.write(snap(0, db(1)))
    upgraded.retention(at(120))
    assert upgraded.rollups("pgwatch_database_xact_commit_total", {}, at(0), at(60)) != []
    upgraded.close()


def test_a_version_4_store_reads_its_last_snapshot_as_the_newest_rows(pg_dsn: str) -> None:
    def downgrade() -> None:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute("DROP TABLE pgwatch_history.latest_rows")
            conn.execute("DELETE FROM pgwatch_history.schema_version WHERE version = 5")

    check_upgrade_to_latest_rows(lambda: PostgresStore(pg_dsn), downgrade)


def test_a_newer_schema_is_refused_with_a_clear_error(pg_dsn: str) -> None:
    PostgresStore(pg_dsn).close()
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO pgwatch_history.schema_version VALUES (9, 0)")
    with pytest.raises(StoreError, match=r"schema pgwatch_history: schema version 9 is newer "
                                         r"than this pgwatch understands \(up to 5\)"):
        PostgresStore(pg_dsn)


def test_two_instances_share_one_store(pg_dsn: str) -> None:
    first, second = PostgresStore(pg_dsn), PostgresStore(pg_dsn)
    for minute in range(3):
        first.write(snap(minute, db(minute * 10), target="a"))
        second.write(snap(minute, db(minute * 20), target="b"))
    found = {s.target: [p.value for p in s.points] for s in second.series(
        "pgwatch_database_xact_commit_total", {"datname": "app"}, at(0), at(5))}
    assert found == {"a": [0, 10, 20], "b": [0, 20, 40]}
    first.close()
    second.close()


def test_a_store_in_another_schema_is_separate(pg_dsn: str) -> None:
    default, other = PostgresStore(pg_dsn), PostgresStore(pg_dsn, schema="history two")
    other.write(snap(0, db(5)))
    assert default.latest("prod", "database") is None
    assert other.series("pgwatch_database_xact_commit_total", {}, at(0), at(1)) != []
    default.close()
    other.close()


def test_the_store_reconnects_after_its_session_is_killed(pg_dsn: str) -> None:
    history = PostgresStore(pg_dsn)
    history.write(snap(0, db(1)))
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity"
                      " WHERE application_name = 'pgwatch' AND datname = current_database()")
    history.write(snap(1, db(2)))
    [series] = history.series("pgwatch_database_xact_commit_total", {"datname": "app"}, at(0),
                              at(2))
    assert [p.value for p in series.points] == [1, 2]
    history.close()


def test_an_unreachable_server_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot connect"):
        PostgresStore("host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2")
