"""team_progress and user_stats stay equal to sums over activities, whatever the writes."""

from __future__ import annotations

import random
import threading
import uuid
from typing import Any

import psycopg
import pytest

from tests.integration.test_migrations_support import connect, runner, seed, stats_mismatches

Conn = psycopg.Connection[Any]


def _prepare(dsn: str, version: int, activities: int = 3_000) -> None:
    migrate = runner(dsn)
    migrate.up(to=1)
    seed(dsn, activities)
    migrate.up(to=version)


def _targets(conn: Conn) -> tuple[list[Any], list[tuple[Any, Any]]]:
    users = [row[0] for row in conn.execute("SELECT id FROM public.users ORDER BY email")]
    goals = conn.execute("SELECT id, team_id FROM public.team_goals ORDER BY name").fetchall()
    return users, [(g[0], g[1]) for g in goals]


def _insert(conn: Conn, rng: random.Random, users: list[Any],
            goals: list[tuple[Any, Any]]) -> None:
    goal, team = rng.choice(goals)
    conn.execute(
        "INSERT INTO public.activities (user_id, team_id, team_goal_id, distance, duration, "
        "start_time, is_private) VALUES (%s, %s, %s, %s, %s, now() - %s * interval '1 hour', %s)",
        (rng.choice(users), team, goal if rng.random() < 0.8 else None,
         round(rng.uniform(100, 20_000), 2), rng.randint(60, 7200), rng.randint(-48, 2000),
         rng.random() < 0.1))


def _mixed_writes(conn: Conn, seed_value: int) -> None:
    rng = random.Random(seed_value)
    users, goals = _targets(conn)
    for _ in range(150):
        _insert(conn, rng, users, goals)
    ids = [row[0] for row in conn.execute("SELECT id FROM public.activities ORDER BY id")]
    for activity in rng.sample(ids, 40):
        conn.execute("UPDATE public.activities SET distance = distance + 7.25 WHERE id = %s",
                     (activity,))
    for activity in rng.sample(ids, 30):
        conn.execute("UPDATE public.activities SET start_time = start_time - %s * interval "
                     "'1 day' WHERE id = %s", (rng.randint(-3, 30), activity))
    for activity in rng.sample(ids, 20):
        goal = rng.choice(goals)[0] if rng.random() < 0.7 else None
        conn.execute("UPDATE public.activities SET team_goal_id = %s WHERE id = %s",
                     (goal, activity))
    for activity in rng.sample(ids, 20):
        conn.execute("UPDATE public.activities SET user_id = %s, duration = duration + 1 "
                     "WHERE id = %s", (rng.choice(users), activity))
    for activity in rng.sample(ids, 40):
        conn.execute("DELETE FROM public.activities WHERE id = %s", (activity,))
    conn.execute("UPDATE public.activities SET distance = distance * 1.5 "
                 "WHERE distance < 1500")
    conn.execute("DELETE FROM public.activities WHERE duration BETWEEN 1000 AND 1100")
    conn.execute("UPDATE public.activities SET notes = 'edited' WHERE duration < 700")


@pytest.mark.parametrize("version", [1, 3], ids=["naive", "incremental"])
def test_stats_equal_sums_after_inserts_updates_deletes(pg_dsn: str, version: int) -> None:
    _prepare(pg_dsn, version)
    assert stats_mismatches(pg_dsn) == []
    with connect(pg_dsn) as conn:
        _mixed_writes(conn, seed_value=version)
    assert stats_mismatches(pg_dsn) == []


@pytest.mark.parametrize("version", [1, 3], ids=["naive", "incremental"])
def test_concurrent_writers_on_the_same_goals(pg_dsn: str, version: int) -> None:
    _prepare(pg_dsn, version, activities=2_000)
    with connect(pg_dsn) as conn:
        users, goals = _targets(conn)
    hot_goals, hot_users = goals[:2], users[:12]
    errors: list[str] = []

    def write(worker: int) -> None:
        rng = random.Random(worker)
        with connect(pg_dsn) as conn:
            for _ in range(100):
                try:
                    _write_once(conn, rng, hot_users, hot_goals)
                except psycopg.Error as exc:
                    errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert stats_mismatches(pg_dsn) == []
    with connect(pg_dsn) as conn:
        row = conn.execute("SELECT count(*) FROM public.activities WHERE external_id LIKE "
                           "'burst-%'").fetchone()
    assert row is not None and row[0] >= 8 * 100 * 0.5


def _write_once(conn: Conn, rng: random.Random, users: list[Any],
                goals: list[tuple[Any, Any]]) -> None:
    goal, team = rng.choice(goals)
    if rng.random() < 0.8:
        conn.execute(
            "INSERT INTO public.activities (user_id, team_id, team_goal_id, distance, duration, "
            "start_time, source, external_id) VALUES (%s, %s, %s, %s, 900, "
            "now() - %s * interval '1 day', 'STRAVA', %s)",
            (rng.choice(users), team, goal, round(rng.uniform(500, 9000), 2),
             rng.randint(0, 10), f"burst-{uuid.uuid4().hex}"))
    elif rng.random() < 0.5:
        # One statement, one goal, several users in ascending order: every writer takes the
        # goal's row lock, then users' row locks in one order, so no two can wait in a cycle.
        conn.execute(
            "INSERT INTO public.activities (user_id, team_id, team_goal_id, distance, duration, "
            "start_time, source, external_id) SELECT u, %s, %s, 1000, 600, now(), 'STRAVA', "
            "'burst-' || gen_random_uuid() FROM unnest(%s::uuid[]) AS u",
            (team, goal, sorted(rng.sample(users, 3), key=str)))
    else:
        conn.execute("DELETE FROM public.activities WHERE id = (SELECT id FROM "
                     "public.activities WHERE team_goal_id = %s ORDER BY random() LIMIT 1)",
                     (goal,))


def test_only_significant_changes_fire_the_triggers(pg_dsn: str) -> None:
    _prepare(pg_dsn, 3, activities=500)
    with connect(pg_dsn) as conn:
        conn.execute("SET mile_quest.trigger_sample_rate = 1")
        conn.execute("CALL public.refresh_due_materialized_views('0 seconds', 10)")
        before = _counters(conn)
        conn.execute("UPDATE public.activities SET notes = 'nice run', updated_at = now()")
        assert _counters(conn) == before
        conn.execute("UPDATE public.activities SET distance = distance + 1 "
                     "WHERE id = (SELECT id FROM public.activities ORDER BY id LIMIT 1)")
        logged, queued, _ = _counters(conn)
        assert logged == before[0] + 1
        assert queued == 5
    assert stats_mismatches(pg_dsn) == []


def _counters(conn: Conn) -> tuple[int, int, Any]:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM public.trigger_performance_log), "
        "(SELECT count(*) FROM public.mv_refresh_queue), "
        "(SELECT max(updated_at) FROM public.user_stats)").fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), row[2]


def test_refresh_requests_are_coalesced_debounced_and_logged(pg_dsn: str) -> None:
    _prepare(pg_dsn, 3, activities=500)
    with connect(pg_dsn) as conn:
        conn.execute("CALL public.refresh_due_materialized_views('0 seconds', 10)")
        conn.execute("TRUNCATE public.mv_refresh_log")
        users, goals = _targets(conn)
        rng = random.Random(7)
        for _ in range(100):
            _insert(conn, rng, users, goals)
        assert _scalar(conn, "SELECT count(*) FROM public.mv_refresh_queue") == 5
        assert _scalar(conn, "CALL public.refresh_due_materialized_views('1 hour')") == 0
        assert _scalar(conn, "CALL public.refresh_due_materialized_views('0 seconds')") == 5
        assert _scalar(conn, "SELECT count(*) FROM public.mv_refresh_log WHERE success "
                             "AND kind = 'CONCURRENT' AND duration_ms >= 0") == 5
        assert _scalar(conn, "SELECT count(*) FROM public.mv_team_goal_progress AS v "
                             "JOIN public.team_progress AS p USING (team_goal_id) "
                             "WHERE v.total_distance <> p.total_distance") == 0
        conn.execute("INSERT INTO public.mv_refresh_queue (view_name) VALUES ('mv_missing')")
        conn.execute("LISTEN mile_quest_mv_refresh_failed")
        assert _scalar(conn, "CALL public.refresh_due_materialized_views('0 seconds')") == 0
        error = _scalar(conn, "SELECT error FROM public.mv_refresh_log "
                              "WHERE view_name = 'mv_missing' AND NOT success")
        assert "mv_missing" in str(error)
        assert [n.channel for n in conn.notifies(timeout=2.0, stop_after=1)] == [
            "mile_quest_mv_refresh_failed"]


def _scalar(conn: Conn, query: str) -> Any:
    row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def test_notify_channels_carry_realtime_cache_and_slow_trigger_events(pg_dsn: str) -> None:
    _prepare(pg_dsn, 3, activities=200)
    with connect(pg_dsn) as listener, connect(pg_dsn) as writer:
        for channel in ("mile_quest_realtime", "mile_quest_cache_invalidation",
                        "mile_quest_slow_trigger"):
            listener.execute(f"LISTEN {channel}")
        writer.execute("SET mile_quest.slow_trigger_ms = 0")
        users, goals = _targets(writer)
        writer.execute(
            "INSERT INTO public.activities (user_id, team_id, team_goal_id, distance, duration, "
            "start_time) VALUES (%s, %s, %s, 5000, 1800, now())",
            (users[0], goals[0][1], goals[0][0]))
        channels = {n.channel for n in listener.notifies(timeout=2.0, stop_after=3)}
        slow = _scalar(writer, "SELECT count(*) FROM public.trigger_performance_log WHERE slow")
    assert channels == {"mile_quest_realtime", "mile_quest_cache_invalidation",
                        "mile_quest_slow_trigger"}
    assert slow == 1


def test_writers_do_not_wait_for_a_refresh_in_progress(pg_dsn: str) -> None:
    _prepare(pg_dsn, 3, activities=300)
    with connect(pg_dsn) as holder, connect(pg_dsn) as writer:
        writer.execute("CALL public.refresh_due_materialized_views('0 seconds', 10)")
        users, goals = _targets(writer)
        _insert(writer, random.Random(1), users, goals)
        # A lock on team_members, which activity writers never touch, stops the refresh at
        # mv_team_activity_stats, after it has taken its request off the queue.
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE public.team_members IN ACCESS EXCLUSIVE MODE")
        refreshing = threading.Thread(target=_refresh_all, args=(pg_dsn,))
        refreshing.start()
        _wait_for_lock_wait(writer)
        writer.execute("SET statement_timeout = '3s'")
        _insert(writer, random.Random(2), users, goals)
        queued = _scalar(writer, "SELECT count(*) FROM public.mv_refresh_queue")
        holder.execute("COMMIT")
        refreshing.join(timeout=60)
    assert queued >= 1
    assert stats_mismatches(pg_dsn) == []


def _refresh_all(dsn: str) -> None:
    with connect(dsn) as conn:
        conn.execute("CALL public.refresh_due_materialized_views('0 seconds', 10)")


def _wait_for_lock_wait(conn: Conn) -> None:
    for _ in range(200):
        waiting = _scalar(conn, "SELECT count(*) FROM pg_catalog.pg_stat_activity "
                                "WHERE wait_event_type = 'Lock' AND query LIKE 'CALL%'")
        if waiting:
            return
        threading.Event().wait(0.05)
    raise AssertionError("the refresh never waited for the view lock")


def test_transactions_writing_several_tables_in_any_order_do_not_deadlock(pg_dsn: str) -> None:
    _prepare(pg_dsn, 3, activities=300)
    with connect(pg_dsn) as first, connect(pg_dsn) as second:
        first.execute("CALL public.refresh_due_materialized_views('0 seconds', 10)")
        users, goals = _targets(first)
        goal, team = goals[0]
        insert = ("INSERT INTO public.activities (user_id, team_id, team_goal_id, distance, "
                  "duration, start_time) VALUES (%s, %s, %s, 2500, 900, now())")
        for conn in (first, second):
            conn.execute("SET statement_timeout = '5s'")
            conn.execute("BEGIN")
        # The second writer requests refreshes through users first, then waits for the goal's
        # row that the first one locked; the first one must not wait for the second's requests.
        second.execute("UPDATE public.users SET updated_at = now() WHERE id = %s", (users[1],))
        first.execute(insert, (users[0], team, goal))
        errors: list[str] = []
        waiting = threading.Thread(target=_execute_collecting,
                                   args=(second, insert, (users[1], team, goal), errors))
        waiting.start()
        first.execute("COMMIT")
        waiting.join(timeout=30)
        second.execute("COMMIT")
        queued = _scalar(first, "SELECT count(*) FROM public.mv_refresh_queue")
    assert errors == []
    assert queued == 5
    assert stats_mismatches(pg_dsn) == []


def _execute_collecting(conn: Conn, query: str, params: tuple[Any, ...],
                        errors: list[str]) -> None:
    try:
        conn.execute(query, params)
    except psycopg.Error as exc:
        errors.append(str(exc).splitlines()[0])
