"""``pgwatch advise`` on live servers: generic plans (16+), sampled parameters (14, 15), index
hygiene, statistics and settings advice; the suggested SQL is run afterwards to prove it."""

from __future__ import annotations

import time
from collections.abc import Iterable

import psycopg
import pytest

from pgwatch.explain.advisor.model import CREATE_INDEX, Recommendation
from pgwatch.explain.advisor.planner import Planner
from pgwatch.explain.advisor.run import Advice, AdviseOptions, advise
from pgwatch.explain.query import analyse
from tests.servers import PgServer

ORDERS = """
CREATE TABLE public.orders (
    id bigint PRIMARY KEY, customer_id integer NOT NULL, status text NOT NULL,
    created_at timestamptz NOT NULL, total numeric NOT NULL, note text);
INSERT INTO public.orders
SELECT g, g % 2000, CASE WHEN g % 50 = 0 THEN 'OPEN' ELSE 'DONE' END,
       now() - g * interval '1 minute', g % 100, 'n' || g
  FROM generate_series(1, 100000) AS g;
CREATE TABLE public.countries (code text PRIMARY KEY, name text NOT NULL);
INSERT INTO public.countries VALUES ('fr', 'France'), ('de', 'Germany'), ('it', 'Italy');
ANALYZE public.orders;
ANALYZE public.countries;
"""
LATEST = ("SELECT id, total FROM public.orders WHERE customer_id = %s "
          "ORDER BY created_at DESC LIMIT 10")
BY_ID = "SELECT * FROM public.orders WHERE id = %s"
COUNTRY = "SELECT name FROM public.countries WHERE name = %s"


def setup_orders(dsn: str, extra: str = "") -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(ORDERS + extra)
        conn.execute("SELECT pg_stat_statements_reset()")


def run_workload(dsn: str, calls: int = 20) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for n in range(calls):
            conn.execute(LATEST, (n * 37 % 2000,))
            conn.execute(BY_ID, (n + 1,))
            conn.execute(COUNTRY, ("France",))


def creates(advice: Advice) -> list[Recommendation]:
    return [r for r in advice.recommendations if r.kind == CREATE_INDEX]


def apply(dsn: str, statements: Iterable[str]) -> None:
    """Run suggested SQL on the throwaway database: it must be valid as printed."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())


def test_missing_index_is_advised_and_the_sql_runs(pg_server: PgServer, pg_dsn: str) -> None:
    setup_orders(pg_dsn)
    run_workload(pg_dsn)
    advice = advise(pg_dsn, AdviseOptions(top=20))
    [found] = creates(advice)
    assert found.sql == ('CREATE INDEX CONCURRENTLY "orders_customer_id_created_at_idx" ON '
                         '"public"."orders" ("customer_id", "created_at" DESC) '
                         'INCLUDE ("id", "total")')
    assert not found.validated and found.impact > 0
    assert found.evidence["estimated_size_bytes"] > 0
    assert found.evidence["table_rows"] == 100000
    assert len(found.queryids) == 1
    with psycopg.connect(pg_dsn) as conn:  # the advisor's EXPLAINs are not recorded
        explains = conn.execute("SELECT count(*) FROM pg_stat_statements "
                                "WHERE query ILIKE 'EXPLAIN%'").fetchone()
    assert explains == (0,)
    apply(pg_dsn, [found.sql])
    run_workload(pg_dsn, 1)
    assert creates(advise(pg_dsn, AdviseOptions(top=20))) == []


def test_plans_generic_on_16_and_sampled_before(pg_server: PgServer, pg_dsn: str) -> None:
    setup_orders(pg_dsn)
    text = "SELECT id FROM public.orders WHERE customer_id = $1 AND status = $2 LIMIT $3"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        planner = Planner(conn, pg_server.major)
        planned = planner.plan(text, analyse(text))
        assert planner.generic is (pg_server.major >= 16)
        assert planned.cost > 0
        assert [s.relation for s in planned.scans] == ["orders"]
        left = conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()
    assert left == (0,)


def test_well_served_statements_get_no_index(pg_server: PgServer, pg_dsn: str) -> None:
    setup_orders(pg_dsn, "CREATE INDEX orders_latest ON public.orders "
                         "(customer_id, created_at DESC) INCLUDE (total);")
    run_workload(pg_dsn)
    advice = advise(pg_dsn, AdviseOptions(top=20))
    assert advice.statements_planned >= 3
    assert creates(advice) == []


HYGIENE = """
CREATE TABLE public.items (id bigint PRIMARY KEY, d int, e int, f int, g int, u int);
INSERT INTO public.items
SELECT g, g % 7, g % 11, g % 13, g % 17, g % 10 FROM generate_series(1, 1000) g;
CREATE INDEX items_d_1 ON public.items (d);
CREATE INDEX items_d_2 ON public.items (d);
CREATE INDEX items_e ON public.items (e);
CREATE INDEX items_e_f ON public.items (e, f);
CREATE INDEX items_g ON public.items (g);
"""


@pytest.mark.one_version
def test_duplicate_redundant_invalid_and_unused_indexes(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(HYGIENE)
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY items_u ON public.items (u)")
        conn.execute("SELECT count(*) FROM public.items WHERE g = 3 AND id > 0")
    advice = advise(pg_dsn, AdviseOptions(top=5))
    by_index = {r.evidence.get("index"): r for r in advice.recommendations
                if r.kind in ("drop_index", "reindex")}
    assert by_index["items_u"].sql == 'REINDEX INDEX CONCURRENTLY "public"."items_u"'
    assert by_index["items_d_2"].reason == "index items_d_2 duplicates items_d_1"
    assert by_index["items_e"].evidence["redundant_to"] == "items_e_f"
    assert by_index["items_e"].sql == 'DROP INDEX CONCURRENTLY "public"."items_e"'
    unused = by_index["items_e_f"]
    assert unused.confidence == "low" and unused.evidence["period_days"] < 1
    assert "since the statistics reset" in unused.reason
    assert "items_pkey" not in by_index  # backs the primary key, never dropped
    # Without the duplicates that failed the build, the rebuild succeeds.
    apply(pg_dsn, ["DELETE FROM public.items WHERE id > 10", *(r.sql for r in
                                                                by_index.values())])


@pytest.mark.one_version
def test_correlated_columns_get_create_statistics(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.places (id int PRIMARY KEY, city int, region int);"
                     "INSERT INTO public.places SELECT g, g % 200, (g % 200) / 10 "
                     "FROM generate_series(1, 100000) g; ANALYZE public.places;"
                     "SELECT pg_stat_statements_reset()")
        for n in range(5):
            conn.execute("SELECT id FROM public.places WHERE city = %s AND region = %s",
                         (n, n // 10))
    advice = advise(pg_dsn, AdviseOptions(top=5))
    [found] = [r for r in advice.recommendations if r.kind == "statistics"]
    assert found.sql == ('CREATE STATISTICS "public"."places_city_region_stats" '
                         '(dependencies, ndistinct) ON "city", "region" FROM "public"."places"')
    apply(pg_dsn, [found.sql])
    assert [r for r in advise(pg_dsn, AdviseOptions(top=5)).recommendations
            if r.kind == "statistics"] == []


@pytest.mark.one_version
def test_temporary_files_advise_work_mem(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("SET work_mem = '64kB'")
        conn.execute("SELECT sum(x) FROM (SELECT g AS x FROM generate_series(1, 2000000) g "
                     "ORDER BY g DESC) AS s")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            row = conn.execute("SELECT temp_files FROM pg_stat_database "
                               "WHERE datname = current_database()").fetchone()
            if row and row[0]:
                break
            time.sleep(0.2)
    advice = advise(pg_dsn, AdviseOptions(top=5))
    [found] = [r for r in advice.recommendations if r.evidence.get("work_mem_kb")]
    assert found.kind == "setting" and found.sql.startswith('ALTER SYSTEM SET "work_mem" = ')
    assert found.evidence["temp_files"] >= 1
