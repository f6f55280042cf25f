"""The hypopg path on Debian's PostgreSQL 15 (postgresql-15-hypopg): candidates validated by
the planner's cost with a hypothetical index; parameters sampled from pg_stats (15 has no
GENERIC_PLAN); nothing created for real."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from pgwatch.explain.advisor.run import AdviseOptions, advise
from tests.integration.debian_pg import debian_server
from tests.integration.test_advise import creates, run_workload, setup_orders
from tests.servers import PgServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def debian15() -> Iterator[PgServer]:
    with debian_server(15, extensions=("hypopg",)) as server:
        yield server


@pytest.fixture
def hypo_dsn(debian15: PgServer) -> Iterator[str]:
    with debian15.fresh_database() as dsn:
        yield dsn


def _indexes(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [str(r[0]) for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")]


def test_hypopg_validates_the_index_and_creates_nothing(hypo_dsn: str) -> None:
    setup_orders(hypo_dsn)
    run_workload(hypo_dsn)
    before = _indexes(hypo_dsn)
    advice = advise(hypo_dsn, AdviseOptions(top=20))
    assert advice.hypopg and advice.server_version.startswith("15.")
    [found] = creates(advice)
    assert found.validated
    assert found.sql.startswith('CREATE INDEX CONCURRENTLY "orders_customer_id_created_at_idx"')
    [reduction] = found.evidence["cost_reduction"].values()
    assert reduction >= 0.2
    assert 100_000 < found.evidence["estimated_size_bytes"] < 20_000_000  # hypopg's estimate
    assert found.impact > 0
    assert _indexes(hypo_dsn) == before


def test_hypopg_keeps_no_index_that_does_not_pay(hypo_dsn: str) -> None:
    setup_orders(hypo_dsn)
    with psycopg.connect(hypo_dsn, autocommit=True) as conn:
        for _ in range(10):
            # 98 % of the rows are DONE (the sampled most common value): no index helps.
            conn.execute("SELECT count(*) FROM public.orders WHERE status = %s", ("DONE",))
    assert creates(advise(hypo_dsn, AdviseOptions(top=20))) == []


def test_hypopg_well_served_database_gets_no_index(hypo_dsn: str) -> None:
    setup_orders(hypo_dsn, "CREATE INDEX orders_latest ON public.orders "
                           "(customer_id, created_at DESC) INCLUDE (total);")
    run_workload(hypo_dsn)
    advice = advise(hypo_dsn, AdviseOptions(top=20))
    assert advice.hypopg and advice.statements_planned >= 3
    assert creates(advice) == []


def test_jit_on_short_statements_is_advised(hypo_dsn: str) -> None:
    # Debian's build has JIT (the embedded binaries do not): compile even trivial statements.
    setup_orders(hypo_dsn)
    with psycopg.connect(hypo_dsn, autocommit=True) as conn:
        conn.execute("SET jit_above_cost = 0")
        conn.execute("SET jit_inline_above_cost = 0")
        conn.execute("SET jit_optimize_above_cost = 0")
        for n in range(5):
            conn.execute("SELECT sum(total) FROM public.orders WHERE id < %s", (n + 10,))
    advice = advise(hypo_dsn, AdviseOptions(top=20))
    [found] = [r for r in advice.recommendations if "jit_ms" in r.evidence]
    assert found.sql == "ALTER SYSTEM SET \"jit_above_cost\" = '1000000'"
    assert found.evidence["jit_ms"] > 0.1 * found.evidence["exec_ms"]
