"""``pgwatch advise`` on a target with 10,000 statements: how long a run takes.

Builds, on an embedded PostgreSQL (18 by default), ``--tables`` tables and 50 distinct
statement shapes per table (over 10,000 pg_stat_statements entries at 210 tables), each run once,
then times ``advise`` (read-only session, no hypopg: the unvalidated path) for several
``--top`` values and reports the statements read and planned and the recommendations.
Prints Markdown; asserts nothing.

    python -m benchmarks.advise_bench [--tables 210] [--rows 10000] [--major 18]
                                      [--tops 50,500,2000,10000]
"""

from __future__ import annotations

import argparse
import itertools
import time

import psycopg
from psycopg import sql

from pgwatch.embedded import EmbeddedPostgres
from pgwatch.explain.advisor.run import AdviseOptions, advise

SELECTS = ("count(*)", "max(w)", "min(ts)", "sum(v)", "avg(w)")
WHERES = ("v = %s", "w = %s", "v = %s AND w > %s", "ts > %s", "w BETWEEN %s AND %s",
          "v = %s AND ts > %s", "v IN (%s, %s)", "w = %s AND v = %s", "id > %s AND v = %s",
          "ts < %s AND w = %s")


def build(dsn: str, tables: int, rows: int) -> int:
    """Tables of ``rows`` rows each, then every statement shape once: the entries made."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        for i in range(tables):
            name = sql.Identifier(f"t{i}")
            conn.execute(sql.SQL("CREATE TABLE {} (id int PRIMARY KEY, v int, w int, "
                                 "ts timestamptz)").format(name))
            conn.execute(sql.SQL("INSERT INTO {} SELECT g, g %% 50, g %% 7, now() - g * "
                                 "interval '1 hour' FROM generate_series(1, %s) g")
                         .format(name), (rows,))
        conn.execute("ANALYZE")
        conn.execute("SELECT pg_stat_statements_reset()")
        shapes = 0
        for i, (select, where) in itertools.product(range(tables),
                                                    itertools.product(SELECTS, WHERES)):
            text = sql.SQL("SELECT {} FROM {} WHERE {}").format(
                sql.SQL(select), sql.Identifier(f"t{i}"), sql.SQL(where))
            values = [1 if "ts" not in where else None] * where.count("%s")
            conn.execute(text, values)
            shapes += 1
        row = conn.execute("SELECT count(*) FROM pg_stat_statements").fetchone()
    return int(row[0]) if row else shapes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=210)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--major", type=int, default=18)
    parser.add_argument("--tops", default="50,500,2000,10000")
    args = parser.parse_args()
    with EmbeddedPostgres(args.major) as pg:
        dsn = pg.dsn()
        began = time.monotonic()
        entries = build(dsn, args.tables, args.rows)
        print(f"built {args.tables} tables of {args.rows} rows, {entries} pg_stat_statements "
              f"entries in "
              f"{time.monotonic() - began:.1f} s (PostgreSQL {args.major})\n")
        print("| --top | statements read | planned | recommendations | create_index | "
              "seconds |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for top in (int(t) for t in args.tops.split(",")):
            began = time.monotonic()
            advice = advise(dsn, AdviseOptions(top=top, statement_timeout_ms=60_000))
            took = time.monotonic() - began
            indexes = sum(1 for r in advice.recommendations if r.kind == "create_index")
            print(f"| {top} | {advice.statements_read} | {advice.statements_planned} | "
                  f"{len(advice.recommendations)} | {indexes} | {took:.2f} |")


if __name__ == "__main__":
    main()
