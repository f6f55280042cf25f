"""The Mile Quest collectors read what migration 0003's refresh and trigger logging write."""

from __future__ import annotations

import psycopg

from pgwatch.collectors import registry
from pgwatch.collectors.cycle import collect_once
from pgwatch.db import connect, probe
from pgwatch.migrations.runner import Runner

NAMES = ["mile_quest_views", "mile_quest_triggers"]


def test_views_and_triggers_from_the_migration_logs(pg_dsn: str) -> None:
    Runner(pg_dsn).up()
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO public.mv_refresh_queue (view_name, requested_at)"
                     " VALUES ('mv_global_leaderboard', now() - interval '1 hour'),"
                     " ('mv_team_goal_progress', now() - interval '1 hour')")
        conn.execute("CALL public.refresh_due_materialized_views(interval '0 seconds', 5)")
        conn.execute("INSERT INTO public.mv_refresh_queue (view_name) VALUES"
                     " ('mv_user_activity_stats')")
        # Calls above the slow threshold are always logged (below it, a sample is).
        for duration_ms in (60.0, 80.0):
            conn.execute("SELECT public.log_trigger_timing('trg_activity_stats', 'activities',"
                         " 'INSERT', %s)", (duration_ms,))
    with connect(pg_dsn) as conn:
        result = collect_once(conn, probe(conn), registry.create(NAMES))
    assert result.errors == [] and result.skipped == []
    views = {r.view_name: r for r in result.snapshots[0].rows}
    assert len(views) == 5
    refreshed = views["mv_global_leaderboard"]
    assert refreshed.refreshes_total == 1 and refreshed.failures_total == 0
    assert refreshed.last_refresh_success and refreshed.last_refresh_seconds is not None
    assert refreshed.staleness_seconds is not None and refreshed.staleness_seconds >= 0
    assert views["mv_user_activity_stats"].pending_request_seconds is not None
    assert views["mv_user_activity_stats"].refreshes_total == 0
    triggers = {r.trigger_name: r for r in result.snapshots[1].rows}
    timing = triggers["trg_activity_stats"]
    assert timing.slow_calls_total == 2 and timing.sampled_calls_total == 2
    assert abs(timing.sampled_seconds_total - 0.14) < 1e-9
    assert timing.max_seconds_last_hour == 0.08


def test_skipped_without_migration_0003(pg_dsn: str) -> None:
    with connect(pg_dsn) as conn:
        result = collect_once(conn, probe(conn), registry.create(NAMES))
    assert result.errors == [] and result.snapshots == []
    assert all("migration 0003" in s.reason for s in result.skipped)
