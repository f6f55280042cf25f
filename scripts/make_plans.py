"""Produce the plan test cases on a live server: ``tests/data/plans/<version>/<case>.*``.

Starts a throwaway PostgreSQL (embedded binaries, or a Debian tree with ``--bin-dir`` for
JIT), builds the small schema the cases need, and for each case writes:

- ``<case>.json``: ``EXPLAIN (<options>, FORMAT JSON)`` as the server printed it;
- ``<case>.txt``: the same query in the text format, as psql prints it (header, row count);
- for some cases ``<case>.psql-json.txt`` (the JSON as psql shows it, ``+`` marks and all),
  ``<case>.psql-expanded.txt`` (psql's ``\\x`` output)
  and ``<case>.auto_explain.log`` / ``<case>.auto_explain-text.log`` (the server log entry);
- ``<case>.expect.yaml``: the codes the case is built to show, and those it must not.

    python scripts/make_plans.py --version 18 --out tests/data/plans/18
    python scripts/make_plans.py --version 15 --bin-dir /usr/lib/postgresql/15/bin \
        --out tests/data/plans/15
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import yaml
from psycopg import sql
from psycopg.types.string import TextLoader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pgwatch.embedded import EmbeddedPostgres

ANALYZE = "ANALYZE, BUFFERS, SETTINGS"
NO_PARALLEL = {"max_parallel_workers_per_gather": "0"}
SMALL_MEMORY = {"work_mem": "64kB", "max_parallel_workers_per_gather": "0"}

SCHEMA = """
CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL);
INSERT INTO countries SELECT 'C' || g, 'Country ' || g FROM generate_series(1, 50) g;
UPDATE countries SET name = 'France' WHERE code = 'C7';

CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 10000) g;

CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, total numeric NOT NULL);
INSERT INTO orders SELECT g, 1 + (g * 7919) % 10000, (g % 500) / 3.0
FROM generate_series(1, 100000) g;
CREATE INDEX orders_customer_id ON orders (customer_id);

CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.com', 'user ' || g
FROM generate_series(1, 50000) g;
CREATE UNIQUE INDEX users_email ON users (email);

-- kind is clustered (an index on it reads few pages), category is scattered.
CREATE TABLE events (id bigint PRIMARY KEY, user_id int NOT NULL, kind int NOT NULL,
                     category int NOT NULL, score int NOT NULL, payload_size int NOT NULL,
                     created_at timestamptz NOT NULL, payload text NOT NULL);
INSERT INTO events
SELECT g, 1 + (g * 31) % 50000, g / 20000, (g * 7) % 10, (g::bigint * 104729) % 1000003,
       (g * 13) % 1000, timestamptz '2026-01-01 00:00+00' + g * interval '10 seconds',
       md5(g::text) || md5((g + 1)::text)
FROM generate_series(1, 200000) g;
CREATE INDEX events_kind ON events (kind);
CREATE INDEX events_category ON events (category);
CREATE INDEX events_created_at ON events (created_at);

CREATE TABLE corr (a int NOT NULL, b int NOT NULL, pad text NOT NULL);
INSERT INTO corr SELECT g % 50, g % 50, 'x' FROM generate_series(1, 200000) g;

-- Two tables whose join columns are equal to each other: joined on both, the planner
-- multiplies two selectivities of 1/20.
CREATE TABLE pair_a (a int NOT NULL, b int NOT NULL);
INSERT INTO pair_a SELECT g % 20, g % 20 FROM generate_series(1, 2000) g;
CREATE TABLE pair_b (a int NOT NULL, b int NOT NULL);
INSERT INTO pair_b SELECT g % 20, g % 20 FROM generate_series(1, 2000) g;

CREATE TABLE hf (id int NOT NULL, v int NOT NULL) WITH (autovacuum_enabled = off);
INSERT INTO hf SELECT g, (g * 7) % 100000 FROM generate_series(1, 100000) g;
CREATE INDEX hf_v ON hf (v);

CREATE TABLE small_a (x int NOT NULL);
INSERT INTO small_a SELECT g * 25 FROM generate_series(1, 200) g;
CREATE TABLE big_b (x int NOT NULL, pad text NOT NULL);
INSERT INTO big_b SELECT g, md5(g::text) FROM generate_series(1, 5000) g;

CREATE TABLE visits (user_id int NOT NULL, at timestamptz NOT NULL);
INSERT INTO visits SELECT 1 + g % 2000, timestamptz '2026-01-01 00:00+00' + g * interval '1 min'
FROM generate_series(1, 50000) g;
CREATE INDEX visits_user_id ON visits (user_id);

-- A table the planner gives four parallel workers.
CREATE TABLE counted (id int NOT NULL, pad text NOT NULL) WITH (parallel_workers = 4);
INSERT INTO counted SELECT g, md5(g::text) FROM generate_series(1, 100000) g;

CREATE TABLE measurements (at timestamptz NOT NULL, value int NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE measurements_01 PARTITION OF measurements
    FOR VALUES FROM ('2026-01-01 00:00+00') TO ('2026-02-01 00:00+00');
CREATE TABLE measurements_02 PARTITION OF measurements
    FOR VALUES FROM ('2026-02-01 00:00+00') TO ('2026-03-01 00:00+00');
CREATE TABLE measurements_03 PARTITION OF measurements
    FOR VALUES FROM ('2026-03-01 00:00+00') TO ('2026-04-01 00:00+00');
INSERT INTO measurements SELECT timestamptz '2026-01-01 00:00+00' + g * interval '3 min', g % 100
FROM generate_series(0, 40000) g;

CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO parent SELECT generate_series(1, 100);
CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent);
"""
# A ten-way join on one key: every join order is valid, so planning is exhaustive.
JOIN_TABLES = 10
VACUUMED = ("countries", "customers", "orders", "users", "events", "corr", "small_a", "big_b",
            "visits", "counted", "measurements", "parent", "child", "pair_a", "pair_b")


@dataclass(frozen=True)
class Case:
    """One plan to produce and what the analyser must (and must not) find in it."""

    name: str
    query: str
    must: tuple[str, ...] = ()
    settings: Mapping[str, str] = field(default_factory=dict)
    options: str = ANALYZE
    must_not: tuple[str, ...] = ()
    max_severity: str | None = None
    fix_contains: Mapping[str, str] = field(default_factory=dict)
    needs_jit: bool = False
    extras: tuple[str, ...] = ()  # "psql-json", "auto_explain", "auto_explain-text"
    rollback: bool = False
    note: str = ""


def _join_query() -> str:
    tables = ", ".join(f"j{i}" for i in range(1, JOIN_TABLES + 1))
    keys = " AND ".join(f"j{i}.id = j{i + 1}.id" for i in range(1, JOIN_TABLES))
    return f"SELECT j1.id FROM {tables} WHERE {keys} AND j1.id = 1"


CASES = (
    Case("healthy_pk_lookup", "SELECT * FROM orders WHERE id = 4242", max_severity="info",
         note="a primary-key lookup"),
    Case("healthy_index_join",
         "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
         "WHERE o.customer_id = 77", options=ANALYZE + ", VERBOSE", max_severity="info",
         note="an index join: each outer row finds its customer by primary key"),
    Case("healthy_small_seq_scan", "SELECT * FROM countries WHERE name = 'France'",
         max_severity="info", note="a sequential scan of a 50-row table"),
    Case("healthy_insert_fk",
         "INSERT INTO child SELECT g, 1 + g % 100 FROM generate_series(1, 1000) g",
         options=ANALYZE + ", WAL", max_severity="info", rollback=True,
         note="an insert checked by a foreign-key trigger (Triggers and WAL in the plan)"),
    Case("healthy_costs_off",
         "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.id < 50",
         options="COSTS OFF", max_severity="info", settings=NO_PARALLEL,
         note="a plan without costs, as regression tests print them"),
    Case("healthy_timing_off",
         "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.id < 50",
         options="ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF", max_severity="info",
         settings=NO_PARALLEL, note="actual rows without times, costs or summary"),
    Case("healthy_cte_initplan",
         "WITH recent AS MATERIALIZED (SELECT * FROM orders WHERE id > 99990) "
         "SELECT count(*) FROM recent WHERE total > (SELECT avg(total) FROM orders WHERE id < 100)",
         max_severity="info", settings=NO_PARALLEL,
         note="a materialized CTE and an InitPlan (their headers name the nodes below them)"),
    Case("healthy_partitioned",
         "SELECT count(*) FROM measurements WHERE at >= '2026-02-15 00:00+00' "
         "AND at < '2026-03-15 00:00+00'", max_severity="info", settings=NO_PARALLEL,
         note="an Append over the two partitions left after pruning"),
    Case("healthy_setop",
         "SELECT customer_id FROM orders WHERE id < 100 EXCEPT SELECT id FROM customers "
         "WHERE id < 50", max_severity="info", settings=NO_PARALLEL,
         note="a set operation over two index scans"),
    Case("healthy_recursive",
         "WITH RECURSIVE r(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM r WHERE n < 10) "
         "SELECT * FROM r", max_severity="info",
         note="Recursive Union, WorkTable Scan and CTE Scan"),
    Case("healthy_window",
         "SELECT id, rank() OVER (PARTITION BY customer_id ORDER BY total) FROM orders "
         "WHERE customer_id < 5", max_severity="info", settings=NO_PARALLEL,
         note="a window function over a few customers' orders"),
    Case("healthy_anti_join",
         "SELECT count(*) FROM customers c WHERE NOT EXISTS "
         "(SELECT 1 FROM orders o WHERE o.customer_id = c.id)", max_severity="info",
         settings=NO_PARALLEL, note="an anti join"),
    Case("healthy_memoize",
         "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id "
         "WHERE o.id < 2000", max_severity="info",
         settings={"enable_hashjoin": "off", "enable_mergejoin": "off", **NO_PARALLEL},
         note="a nested loop whose inner index lookups are memoized (PostgreSQL 14+)"),
    Case("healthy_project_set_unique",
         "SELECT DISTINCT customer_id, generate_series(1, 2) FROM orders WHERE id < 50 "
         "ORDER BY 1", max_severity="info", settings=NO_PARALLEL,
         note="ProjectSet under Unique and Sort"),
    Case("healthy_lock_rows", "SELECT * FROM customers WHERE id = 5 FOR UPDATE",
         max_severity="info", rollback=True, note="LockRows over a primary-key lookup"),
    Case("healthy_never_executed",
         "SELECT * FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id = -1",
         max_severity="info", settings=NO_PARALLEL,
         note="the outer side returns nothing: the inner side is never executed"),
    Case("healthy_limit", "SELECT * FROM events WHERE kind = 3 LIMIT 5", max_severity="info",
         must_not=("misestimate",),
         note="an index scan a LIMIT stops early: fewer rows than estimated is no misestimate"),
    Case("seq_scan_selective", "SELECT * FROM events WHERE user_id = 77",
         must=("seq_scan_selective",), options=ANALYZE + ", WAL",
         extras=("psql-json", "psql-expanded", "auto_explain", "auto_explain-text"),
         note="a parallel sequential scan of 200,000 rows keeping 4"),
    Case("rows_removed_by_filter",
         "SELECT * FROM events WHERE kind = 3 AND payload_size > 990",
         must=("rows_removed_by_filter",), must_not=("seq_scan_selective",),
         settings=NO_PARALLEL, note="the index on kind returns 20,000 rows, the filter keeps 1 %"),
    Case("misestimate_correlated", "SELECT * FROM corr WHERE a = 5 AND b = 5",
         must=("misestimate", "seq_scan_selective"), settings=NO_PARALLEL,
         fix_contains={"misestimate": "CREATE STATISTICS"},
         note="a and b are equal: the planner multiplies their selectivities"),
    Case("misestimate_expression", "SELECT count(*) FROM corr WHERE mod(a, 7) = 5",
         must=("misestimate",), settings=NO_PARALLEL,
         fix_contains={"misestimate": "CREATE STATISTICS ON (mod(a, 7)) FROM corr"},
         note="a function of a column: the planner assumes 0.5 % of the rows match"),
    Case("misestimate_join",
         "SELECT count(*) FROM pair_a x JOIN pair_b y ON x.a = y.a AND x.b = y.b",
         must=("misestimate",), settings=NO_PARALLEL,
         fix_contains={"misestimate": "join on one key instead"},
         note="a join on two correlated columns: 10,000 rows expected, 200,000 found"),
    Case("sort_spill", "SELECT * FROM events ORDER BY payload", must=("sort_spill",),
         settings=SMALL_MEMORY, must_not=("temp_io",), extras=("auto_explain",),
         note="a sort of 200,000 rows with 64 kB of work_mem"),
    Case("hash_batches",
         "SELECT count(*) FROM events e JOIN users u ON u.id = e.user_id",
         must=("hash_batches",), settings=SMALL_MEMORY,
         note="a hash join of 50,000 users with 64 kB of work_mem"),
    Case("nested_loop_inner_scan",
         "SELECT count(*) FROM small_a a JOIN big_b b ON b.x = a.x",
         must=("nested_loop_inner_scan",),
         settings={"enable_hashjoin": "off", "enable_mergejoin": "off", **NO_PARALLEL},
         note="200 outer rows, each compared with all 5,000 rows of big_b (no index on x)"),
    Case("heap_fetches", "SELECT v FROM hf WHERE v BETWEEN 1000 AND 6000",
         must=("heap_fetches",),
         settings={"enable_seqscan": "off", "enable_bitmapscan": "off", **NO_PARALLEL},
         note="an index-only scan of a table never vacuumed (visibility map empty)"),
    Case("bitmap_lossy", "SELECT count(*) FROM events WHERE category = 3",
         must=("bitmap_lossy",),
         settings={**SMALL_MEMORY, "enable_seqscan": "off", "enable_indexscan": "off"},
         note="a bitmap over rows on every page, with 64 kB of work_mem"),
    Case("planning_dominates", _join_query(), must=("planning_dominates",),
         settings={"join_collapse_limit": "20", "from_collapse_limit": "20", "geqo": "off"},
         note=f"a {JOIN_TABLES}-way join of one-row tables: planning is exhaustive"),
    Case("jit_dominates",
         "SELECT sum(payload_size * 2 + kind), avg(score), max(user_id - kind), "
         "count(DISTINCT category) FROM events WHERE id < 2000",
         must=("jit_dominates",), needs_jit=True,
         settings={"jit": "on", "jit_above_cost": "0", "jit_inline_above_cost": "0",
                   "jit_optimize_above_cost": "0", **NO_PARALLEL},
         note="JIT with inlining and optimization for a query of 2,000 rows"),
    Case("parallel_workers_short", "SELECT count(*) FROM counted",
         must=("parallel_workers_short",),
         settings={"max_parallel_workers_per_gather": "4", "parallel_setup_cost": "0",
                   "parallel_tuple_cost": "0"},
         note="four workers planned; the server has background-worker slots for two"),
    Case("subplan_per_row",
         "SELECT u.id, (SELECT max(v.at) FROM visits v WHERE v.user_id = u.id) AS last_visit "
         "FROM users u WHERE u.id <= 2000", must=("subplan_per_row",),
         options=ANALYZE + ", VERBOSE", settings=NO_PARALLEL,
         note="a correlated subquery run once per user"),
    Case("topn_sort_no_index", "SELECT id, score FROM events ORDER BY score DESC LIMIT 10",
         must=("topn_sort_no_index",), options=ANALYZE + ", VERBOSE",
         note="the top 10 by score, no index on score"),
    Case("non_sargable_function", "SELECT * FROM users WHERE lower(email) = 'user42@example.com'",
         must=("non_sargable_predicate", "seq_scan_selective"), settings=NO_PARALLEL,
         note="lower() on the indexed email column"),
    Case("non_sargable_cast",
         "SELECT count(*) FROM events WHERE created_at::date = date '2026-01-05'",
         must=("non_sargable_predicate",), settings=NO_PARALLEL,
         note="a cast to date on the indexed created_at column"),
    Case("leading_wildcard_like", "SELECT * FROM users WHERE email LIKE '%42@example.com'",
         must=("leading_wildcard_like",), settings=NO_PARALLEL,
         note="LIKE '%...' on the indexed email column"),
    Case("temp_io", "SELECT user_id, count(*) FROM events GROUP BY user_id",
         must=("temp_io",), settings={**SMALL_MEMORY, "enable_sort": "off"},
         note="a hash aggregate of 50,000 groups spilling with 64 kB of work_mem"),
    Case("plain_topn_sort", "SELECT id, score FROM events ORDER BY score DESC LIMIT 10",
         must=("topn_sort_no_index",), options="SETTINGS",
         note="without ANALYZE: the estimate alone shows the top-N sort"),
    Case("plain_nested_loop", "SELECT count(*) FROM small_a a JOIN big_b b ON b.x = a.x",
         must=("nested_loop_inner_scan",), options="",
         settings={"enable_hashjoin": "off", "enable_mergejoin": "off", **NO_PARALLEL},
         note="without ANALYZE: estimated rows show the quadratic loop"),
    Case("plain_leading_wildcard", "SELECT * FROM users WHERE email LIKE '%42@example.com'",
         must=("leading_wildcard_like",), options="", settings=NO_PARALLEL,
         note="without ANALYZE"),
)


@dataclass(slots=True)
class DebianPostgres(EmbeddedPostgres):
    """An embedded-style cluster from another installation's binaries (Debian's has JIT)."""

    bin_path: Path = Path("/usr/lib/postgresql/15/bin")

    @property
    def bin_dir(self) -> Path:
        return self.bin_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--version", type=int, required=True, help="PostgreSQL major version")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--bin-dir", type=Path, help="server binaries (default: embedded)")
    parser.add_argument("--case", action="append", help="only these cases (repeatable)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    chosen = [c for c in CASES if not args.case or c.name in args.case]
    with _server(args.version, args.bin_dir) as pg:
        _build(pg.dsn())
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.adapters.register_loader("json", TextLoader)
            jit = bool(_scalar(conn, "SELECT pg_jit_available()"))
            version = str(_scalar(conn, "SHOW server_version"))
            for case in chosen:
                if case.needs_jit and not jit:
                    print(f"skip {case.name}: this server has no JIT", file=sys.stderr)
                    continue
                _write_case(case, conn, pg, args.out, version)
                print(f"wrote {case.name}", file=sys.stderr)
    return 0


@contextmanager
def _server(major: int, bin_dir: Path | None) -> Iterator[EmbeddedPostgres]:
    # Three background-worker slots: the logical replication launcher takes one, leaving two
    # parallel workers however many a query plans.
    settings = {"autovacuum": "off", "log_min_duration_statement": "-1",
                "max_worker_processes": "3"}
    cluster = EmbeddedPostgres(major, settings=settings) if bin_dir is None \
        else DebianPostgres(major, settings=settings, bin_path=bin_dir)
    with cluster as pg:
        yield pg


def _build(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        # VACUUM marks pages all-visible only once the inserting commit is flushed, which
        # the cluster's asynchronous commit would delay.
        conn.execute("SET synchronous_commit = on")
        conn.execute(SCHEMA)
        for i in range(1, JOIN_TABLES + 1):
            conn.execute(f"CREATE TABLE j{i} (id int PRIMARY KEY)")
            conn.execute(f"INSERT INTO j{i} VALUES (1)")
        conn.execute(f"VACUUM ANALYZE {', '.join(VACUUMED)}")
        conn.execute("ANALYZE hf")
        conn.execute(f"ANALYZE {', '.join(f'j{i}' for i in range(1, JOIN_TABLES + 1))}")


def _write_case(case: Case, conn: psycopg.Connection[Any], pg: EmbeddedPostgres, out: Path,
                version: str) -> None:
    _apply(conn, case.settings)
    options = f"{case.options}, FORMAT JSON" if case.options else "FORMAT JSON"
    _json_plan(conn, case, options)  # warm the caches, as a rerun would
    (out / f"{case.name}.json").write_text(_json_plan(conn, case, options) + "\n")
    _reset(conn, case.settings)
    text_options = f"({case.options})" if case.options else ""
    (out / f"{case.name}.txt").write_text(_psql(pg, case, f"EXPLAIN {text_options}"))
    if "psql-json" in case.extras:
        (out / f"{case.name}.psql-json.txt").write_text(_psql(pg, case, f"EXPLAIN ({options})"))
    if "psql-expanded" in case.extras:
        (out / f"{case.name}.psql-expanded.txt").write_text(
            _psql(pg, case, f"EXPLAIN {text_options}", "-x"))
    for extra in case.extras:
        if extra.startswith("auto_explain"):
            entry = _auto_explain(conn, pg, case, "text" if extra.endswith("text") else "json")
            (out / f"{case.name}.{extra}.log").write_text(entry)
    (out / f"{case.name}.expect.yaml").write_text(_expectations(case, version))


def _json_plan(conn: psycopg.Connection[Any], case: Case, options: str) -> str:
    if case.rollback:
        conn.execute("BEGIN")
    try:
        return str(_scalar(conn, f"EXPLAIN ({options}) {case.query}"))
    finally:
        if case.rollback:
            conn.execute("ROLLBACK")


def _psql(pg: EmbeddedPostgres, case: Case, explain: str, *flags: str) -> str:
    lines = [f"SET {name} = '{value}';" for name, value in case.settings.items()]
    statement = f"{explain} {case.query};"
    lines += ["BEGIN;", statement, "ROLLBACK;"] if case.rollback else [statement]
    result = subprocess.run(
        [str(pg.bin_dir / "psql"), "-X", "-q", *flags, "-v", "ON_ERROR_STOP=1", "-d", pg.dsn()],
        input="\n".join(lines) + "\n", capture_output=True, text=True, check=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    return result.stdout


def _auto_explain(conn: psycopg.Connection[Any], pg: EmbeddedPostgres, case: Case,
                  log_format: str) -> str:
    start = pg.log_path.stat().st_size
    settings = {**case.settings, "auto_explain.log_min_duration": "0",
                "auto_explain.log_analyze": "on", "auto_explain.log_buffers": "on",
                "auto_explain.log_settings": "on", "auto_explain.log_format": log_format}
    _apply(conn, settings)
    conn.execute(case.query)
    _reset(conn, settings)
    for _ in range(50):
        text = pg.log_path.read_bytes()[start:].decode()
        entry = _entry(text, case.query)
        if entry:
            return entry
        time.sleep(0.1)
    raise RuntimeError(f"{case.name}: no auto_explain entry in {pg.log_path}")


def _entry(text: str, query: str) -> str:
    """The log entry of ``query``'s plan: its LOG line and the tab-indented lines after it."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if "LOG:  duration:" in line and "plan:" in line and \
                any(query in following for following in lines[index + 1:index + 3]):
            body = [line]
            for following in lines[index + 1:]:
                if not following.startswith("\t"):
                    break
                body.append(following)
            if len(body) > 1:
                return "\n".join(body) + "\n"
    return ""


def _expectations(case: Case, version: str) -> str:
    document: dict[str, Any] = {"case": case.name, "server_version": version,
                                "query": case.query, "shows": case.note,
                                "must": list(case.must), "must_not": list(case.must_not)}
    if case.max_severity:
        document["max_severity"] = case.max_severity
    if case.fix_contains:
        document["fix_contains"] = dict(case.fix_contains)
    if case.settings:
        document["settings"] = dict(case.settings)
    header = "# Written by scripts/make_plans.py: what this case is built to show.\n"
    return header + yaml.safe_dump(document, sort_keys=False, width=100)


def _apply(conn: psycopg.Connection[Any], settings: Mapping[str, str]) -> None:
    # SET, not set_config(): a utility statement is not planned, so auto_explain skips it.
    for name, value in settings.items():
        conn.execute(sql.SQL("SET {} = {}").format(sql.Identifier(*name.split(".")),
                                                   sql.Literal(value)))


def _reset(conn: psycopg.Connection[Any], settings: Mapping[str, str]) -> None:
    for name in settings:
        conn.execute(sql.SQL("RESET {}").format(sql.Identifier(*name.split("."))))


def _scalar(conn: psycopg.Connection[Any], query: str) -> object:
    row = conn.execute(query).fetchone()
    return None if row is None else row[0]


if __name__ == "__main__":
    sys.exit(main())
