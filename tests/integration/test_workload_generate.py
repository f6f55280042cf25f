"""The data generator at a tiny scale: row counts, skew, privacy share, seasonality, consistency."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgwatch.migrations.runner import Runner
from pgwatch.workload import generate
from pgwatch.workload.generate import Scale, WorkloadError
from tests.servers import PgServer

# The generator's SQL is plain: the oldest and newest supported servers cover it.
pytestmark = pytest.mark.edge_versions

SCALE = 0.02


def _one(dsn: str, query: str) -> float:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(query.encode()).fetchone()
    assert row is not None and row[0] is not None
    return float(row[0])


@pytest.fixture
def loaded(pg_dsn: str) -> str:
    Runner(pg_dsn).up(to=1)
    generate.load(pg_dsn, SCALE)
    return pg_dsn


def test_row_counts_follow_the_scale(loaded: str) -> None:
    scale = Scale.of(SCALE)
    with psycopg.connect(loaded) as conn:
        rows = generate.row_counts(conn)
    assert rows["users"] == scale.users == 200
    assert rows["teams"] == scale.teams == 20
    assert rows["activities"] == scale.activities == 20_000
    assert rows["team_members"] >= rows["users"]
    assert rows["user_stats"] == rows["users"]


def test_ten_percent_of_activities_are_private(loaded: str) -> None:
    share = _one(loaded, "SELECT avg(is_private::int) FROM public.activities")
    assert 0.08 < share < 0.12


def test_a_few_users_and_teams_log_most_activities(loaded: str) -> None:
    top_users = _one(loaded, """
        WITH c AS (SELECT count(*) AS n FROM public.activities GROUP BY user_id)
        SELECT sum(n) FILTER (WHERE rank <= (SELECT count(*) FROM c) / 10)::float8 / sum(n)
        FROM (SELECT n, row_number() OVER (ORDER BY n DESC) AS rank FROM c) AS r""")
    top_team = _one(loaded, """
        SELECT max(n)::float8 / avg(n)
        FROM (SELECT count(*) AS n FROM public.activities GROUP BY team_id) AS t""")
    assert top_users > 0.3  # the busiest tenth of users log over 30 percent
    assert top_team > 3.0  # the busiest team has several times the average


def test_weekends_are_busiest(loaded: str) -> None:
    ratio = _one(loaded, """
        SELECT avg(n) FILTER (WHERE dow IN (0, 6)) / avg(n) FILTER (WHERE dow BETWEEN 1 AND 5)
        FROM (SELECT extract(dow FROM start_time AT TIME ZONE 'UTC') AS dow, count(*) AS n
              FROM public.activities GROUP BY 1) AS d""")
    assert ratio > 1.4


def test_activities_are_consistent(loaded: str) -> None:
    outside_teams = _one(loaded, """
        SELECT count(*) FROM public.activities AS a
        WHERE NOT EXISTS (SELECT 1 FROM public.team_members AS m
                          WHERE m.team_id = a.team_id AND m.user_id = a.user_id)""")
    wrong_goal = _one(loaded, """
        SELECT count(*) FROM public.activities AS a JOIN public.team_goals AS g
          ON g.id = a.team_goal_id
        WHERE g.team_id <> a.team_id OR g.status = 'DRAFT'""")
    future = _one(loaded, "SELECT count(*) FROM public.activities WHERE start_time > now()")
    oldest_days = _one(loaded, "SELECT extract(epoch FROM now() - min(start_time)) / 86400 "
                               "FROM public.activities")
    assert outside_teams == wrong_goal == future == 0
    assert 300 < oldest_days < 372


def test_maintained_rows_equal_the_sums_over_activities(loaded: str) -> None:
    progress_off = _one(loaded, """
        SELECT count(*) FROM public.team_goals AS g
        LEFT JOIN public.team_progress AS p ON p.team_goal_id = g.id
        LEFT JOIN (SELECT team_goal_id, sum(distance) AS d, count(*) AS n
                   FROM public.activities GROUP BY 1) AS s ON s.team_goal_id = g.id
        WHERE COALESCE(p.total_distance, 0) <> COALESCE(s.d, 0)
           OR COALESCE(p.total_activities, 0) <> COALESCE(s.n, 0)""")
    stats_off = _one(loaded, """
        SELECT count(*) FROM public.user_stats AS u,
             LATERAL public.user_streaks(u.user_id) AS k
        WHERE u.total_distance <> (SELECT COALESCE(sum(distance), 0) FROM public.activities
                                   WHERE user_id = u.user_id)
           OR (u.current_streak, u.longest_streak) <> (k.current_streak, k.longest_streak)""")
    assert progress_off == stats_off == 0


def test_triggers_work_again_after_the_load(loaded: str) -> None:
    with psycopg.connect(loaded, autocommit=True) as conn:
        conn.execute("""
            INSERT INTO public.activities (user_id, team_id, distance, duration, start_time)
            SELECT user_id, team_id, 1234, 600, '2100-01-01Z' FROM public.team_members LIMIT 1""")
    assert _one(loaded, """
        SELECT count(*) FROM public.user_stats AS u
        WHERE u.last_activity_at = '2100-01-01Z'""") == 1


def test_loading_twice_is_refused(loaded: str) -> None:
    with pytest.raises(WorkloadError, match="already hold data"):
        generate.load(loaded, SCALE)


def test_scale_bounds() -> None:
    assert Scale.of(1) == Scale(1, 10_000, 1_000, 1_000_000)
    with pytest.raises(WorkloadError, match="outside"):
        Scale.of(0)


def test_a_database_without_the_schema_is_refused(pg_dsn: str) -> None:
    with pytest.raises(WorkloadError, match="no Mile Quest schema"):
        generate.load(pg_dsn, SCALE)


def test_a_table_owner_without_superuser_can_load(pg_server: PgServer) -> None:
    role, password = f"mq_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)))
    try:
        with pg_server.fresh_database() as dsn:
            dbname = str(conninfo_to_dict(dsn)["dbname"])
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(dbname), sql.Identifier(role)))
                conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(
                    sql.Identifier(role)))
            owner_dsn = pg_server.dsn(dbname, user=role, password=password)
            Runner(owner_dsn).up(to=1)
            report = generate.load(owner_dsn, 0.01)
            assert report.rows["activities"] == 10_000
            disabled = _one(dsn, "SELECT count(*) FROM pg_catalog.pg_trigger "
                                 "WHERE tgrelid = 'public.activities'::regclass "
                                 "AND NOT tgisinternal AND tgenabled = 'D'")
            assert disabled == 0
    finally:
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
