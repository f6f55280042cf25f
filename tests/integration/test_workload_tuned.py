"""Tuned forms answer the same question as their live forms, from an index, on fresh data."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from pgwatch.migrations.runner import Runner
from pgwatch.workload import bench, catalog, generate

SCALE = 0.02
TUNED = [s for s in catalog.load_catalog() if s.tuned is not None]
Rows = list[tuple[object, ...]]


@pytest.fixture
def tuned_db(pg_dsn: str) -> str:
    """Scale 0.02, fully migrated, a top user of last week soft-deleted, views refreshed."""
    Runner(pg_dsn).up(to=1)
    generate.load(pg_dsn, SCALE)
    Runner(pg_dsn).up()
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        # Live leaderboards rank every user with public activity, deleted or not; so must the
        # view, and the all-time rank must still leave the deleted user out.
        conn.execute("""
            UPDATE public.users SET deleted_at = now()
            WHERE id = (SELECT a.user_id FROM public.activities AS a
                        WHERE NOT a.is_private
                          AND public.utc_week_start(a.start_time)
                              = public.utc_week_start(now()) - 7
                        GROUP BY a.user_id ORDER BY sum(a.distance) DESC LIMIT 1)""")
    bench.refresh_views(pg_dsn, catalog.plan(tuple(TUNED), {"public.mv_global_leaderboard"}))
    return pg_dsn


def _rows(conn: psycopg.Connection[tuple[object, ...]], text: str,
          params: dict[str, object]) -> Rows:
    return conn.execute(text.encode(), params).fetchall()


def _users(conn: psycopg.Connection[tuple[object, ...]]) -> list[object]:
    """Users to ask about: ranked this month or not, deleted, and one that does not exist."""
    found = [row[0] for row in conn.execute(
        "SELECT id FROM public.users ORDER BY deleted_at IS NULL, id LIMIT 40").fetchall()]
    return [*found, uuid.uuid4()]


def test_the_four_global_period_leaderboards_have_tuned_forms() -> None:
    assert {s.name for s in TUNED} == {
        "leaderboard.global_weekly", "leaderboard.global_monthly",
        "leaderboard.user_percentile", "leaderboard.rank_movement"}


def test_each_tuned_form_returns_the_rows_of_its_live_form(tuned_db: str) -> None:
    with psycopg.connect(tuned_db, autocommit=True) as conn:
        for scenario in TUNED:
            assert scenario.tuned is not None
            calls = ([{"user_id": user} for user in _users(conn)]
                     if "user_id" in scenario.params else [{}])
            for params in calls:
                live = _rows(conn, scenario.sql, params)
                tuned = _rows(conn, scenario.tuned.sql, params)
                assert live, scenario.name
                assert sorted(map(repr, tuned)) == sorted(map(repr, live)), scenario.name
        deleted = conn.execute(
            "SELECT count(*), count(rank_all_time), count(rank_last_week)"
            " FROM public.mv_global_leaderboard AS l JOIN public.users AS u ON u.id = l.user_id"
            " WHERE u.deleted_at IS NOT NULL").fetchone()
    assert deleted is not None and deleted[0] >= 1 and deleted[1] == 0 and deleted[2] >= 1


def _plan(conn: psycopg.Connection[tuple[object, ...]], text: str) -> str:
    row = conn.execute(b"EXPLAIN (FORMAT JSON) " + text.encode(),
                       {"user_id": uuid.uuid4()}).fetchone()
    assert row is not None
    return json.dumps(row[0])


def test_every_tuned_read_is_an_index_scan_without_a_sort(tuned_db: str) -> None:
    with psycopg.connect(tuned_db, autocommit=True) as conn:
        # The tiny view fits a page, where a scan and a sort are cheapest; forbidding them
        # shows that an index serves each ORDER BY ... LIMIT (without one, a Sort remains).
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_sort = off")
        for scenario in TUNED:
            assert scenario.tuned is not None
            plan = _plan(conn, scenario.tuned.sql)
            assert '"Sort"' not in plan and "Seq Scan" not in plan, (scenario.name, plan)
            assert "Index" in plan, scenario.name
