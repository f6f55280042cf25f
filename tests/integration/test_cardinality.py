"""At 10,000 tables (20,000 indexes) and 5,000 statements, one scrape stays under 20,000
samples with the default bounds, and every sample pgwatch names is well-formed."""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator

import psycopg
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from pgwatch.collectors import registry
from pgwatch.collectors.cycle import collect_once
from pgwatch.daemon.state import RunState
from pgwatch.db import SessionSettings, connect, probe
from pgwatch.embedded import EmbeddedPostgres
from pgwatch.exposition.bounds import DEFAULT_BOUNDS
from pgwatch.exposition.cardinality import OTHER
from pgwatch.exposition.metrics import SnapshotCollector
from pgwatch.exposition.self_metrics import SelfCollector
from pgwatch.exposition.text import TextRenderer

TABLES = 10_000
STATEMENTS = 5_000
MAKE_TABLES = """
CREATE PROCEDURE make_tables(total int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..total LOOP
    EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, v int)', i);
    EXECUTE format('CREATE INDEX t%s_v ON t%s (v)', i, i);
    IF i % 500 = 0 THEN COMMIT; END IF;
  END LOOP;
END $$"""


@pytest.fixture(scope="module")
def big_server() -> Iterator[str]:
    with EmbeddedPostgres(18, settings={"max_locks_per_transaction": "1024"}) as pg:
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_stat_statements")
            conn.execute(MAKE_TABLES)
            conn.execute("CALL make_tables(%s)", (TABLES,))
            conn.execute("INSERT INTO t1 SELECT g, g FROM generate_series(1, 1000) AS g")
            for i in range(1, STATEMENTS + 1):
                conn.execute(f"SELECT v FROM t{i} WHERE id = %s", (i,))  # a distinct query id
        yield pg.dsn()


def test_one_scrape_stays_bounded(big_server: str) -> None:
    state = RunState()
    # The bound under test is the exposition's; collection time has its own benchmark.
    with connect(big_server, SessionSettings(statement_timeout_ms=120_000)) as conn:
        server = probe(conn)
        names = [n for n in registry.NAMES if not n.startswith("pgbouncer")]
        collectors = registry.create(names)
        result = collect_once(conn, server, collectors, target="big")
    assert not result.errors, result.errors
    print("\nslowest collectors:", sorted(((round(s.duration_s, 2), s.collector)
                                           for s in result.snapshots), reverse=True)[:4])
    exposed = CollectorRegistry(auto_describe=False)
    exposed.register(SnapshotCollector(state, DEFAULT_BOUNDS))  # renders as snapshots arrive
    for snapshot in result.snapshots:
        state.register("big", snapshot.collector, 60)
        state.succeeded(snapshot, overran=False)
    rows = {s.collector: len(s.rows) for s in result.snapshots}
    assert rows["tables"] >= TABLES and rows["indexes"] >= 2 * TABLES
    assert rows["statements"] >= STATEMENTS

    exposed.register(SelfCollector(state))
    renderer = TextRenderer(exposed)
    renderer.render()  # the first scrape formats each snapshot's lines once
    began = time.perf_counter()
    body = renderer.render().decode()
    elapsed_ms = (time.perf_counter() - began) * 1000
    samples = [s for f in text_string_to_metric_families(body) for s in f.samples]
    print(f"\n{len(samples)} samples, {len(body) / 1e6:.2f} MB, rendered in {elapsed_ms:.0f} ms")
    by_collector = collections.Counter(s.name.split("_")[1] for s in samples)
    print("samples by collector:", by_collector.most_common(8))
    assert len(samples) < 20_000

    tables = {s.labels["relname"] for s in samples if s.name == "pgwatch_tables_seq_scan_total"}
    assert OTHER in tables and len(tables) <= 100 + 5 * 5 + 1
    assert "t1" in tables  # the largest table ranks first by size
    queries = {s.labels["queryid"] for s in samples
               if s.name == "pgwatch_statements_calls_total"}
    assert OTHER in queries and len(queries) <= 100 + 5 * 7 + 1
    texts = [s for s in samples if s.name == "pgwatch_statements_query_info"]
    assert texts and all(len(s.labels["query"]) <= 200 for s in texts)
