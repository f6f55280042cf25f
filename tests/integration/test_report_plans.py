"""The top queries' plan findings: normalised ``$n`` statements from pg_stat_statements are
planned (GENERIC_PLAN on 16+, sampled parameters on 14/15) and pgwatch's findings shown;
bounded by the number planned and a time budget. Run on 15 and 18."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from pgwatch.report.build import build_report
from pgwatch.report.live_source import LiveSource
from pgwatch.report.plans import QueryPlans
from pgwatch.report.render import document

LOOKUP = "SELECT id FROM accounts WHERE lower(email) = %s"


@pytest.fixture
def accounts(pg_dsn: str) -> Iterator[str]:
    """A table with an index on email, queried through lower(email) (not sargable)."""
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL)")
        conn.execute("INSERT INTO accounts SELECT g, 'user' || g || '@example.org'"
                     " FROM generate_series(1, 30000) g")
        conn.execute("CREATE INDEX accounts_email ON accounts (email)")
        conn.execute("ANALYZE accounts")
        conn.execute("SELECT pg_stat_statements_reset()")
        for n in range(40):  # bound parameters: pg_stat_statements keeps "... = $1"
            conn.execute(LOOKUP, (f"User{n}@example.org",))
    yield pg_dsn


def _top_queries(report: Any) -> list[dict[str, Any]]:
    section = next(s for s in document(report)["sections"] if s["key"] == "queries")
    return list(next(t for t in section["tables"] if t["name"] == "top queries")["rows"])


def test_normalised_top_queries_show_their_plan_findings(accounts: str) -> None:
    source = LiveSource(accounts)
    try:
        report = build_report(source, timedelta(hours=1))
    finally:
        source.close()
    [lookup] = [q for q in _top_queries(report) if "lower(email) = $1" in q["query"]]
    assert "non_sargable_predicate at " in lookup["plan findings"], lookup["plan findings"]
    assert "accounts_email" in lookup["plan findings"]  # the index it cannot use, by name
    assert source._plans.planned >= 1 and source._plans.spent_s < 30


def test_planning_is_bounded_by_its_budget_and_reads_only(accounts: str) -> None:
    plans = QueryPlans(accounts, "test", budget_s=0.0)
    try:
        assert plans.findings("SELECT id FROM accounts WHERE lower(email) = $1") == \
            "the report's planning budget (0 s) is spent"
    finally:
        plans.close()
    plans = QueryPlans(accounts, "test")
    try:
        found = plans.findings("SELECT id FROM accounts WHERE lower(email) = $1")
        assert not isinstance(found, str) and found[0].code == "non_sargable_predicate"
        planned = plans.findings("DELETE FROM accounts WHERE id = $1")  # planned, not run
        assert not isinstance(planned, str), planned
        vacuum = plans.findings("VACUUM accounts")
        assert isinstance(vacuum, str) and vacuum.startswith("not a single")
        assert plans.planned == 2
        # pg_stat_statements normalises interval '1 day' to interval $1: it cannot parse;
        # the reason is the server's message alone, fit for a table cell.
        broken = plans.findings("SELECT id FROM accounts WHERE id > $1 - interval $2")
        assert isinstance(broken, str) and "syntax error" in broken and "LINE" not in broken
    finally:
        plans.close()
    with psycopg.connect(accounts) as conn:
        assert conn.execute("SELECT count(*) FROM accounts").fetchone() == (30000,)
        explains = conn.execute("SELECT count(*) FROM pg_stat_statements"
                                " WHERE query ILIKE 'EXPLAIN%'").fetchone()
        assert explains == (0,)  # kept out of pg_stat_statements (the test role may)
