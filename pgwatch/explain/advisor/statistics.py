"""CREATE STATISTICS for columns the planner takes as independent when they are not.

The advisor never runs a user statement, so it has no actual row counts to compare with the
plan's (``pgwatch explain --analyze`` reports those as a ``misestimate`` finding). It looks
instead at the pairs of columns a top statement compares with equality on one table, and
measures on a sample of the table's pages how many distinct pairs there are: when a value
of one column mostly fixes the other, the independence estimate (rows / (distinct a x
distinct b)) is 10x or more below the rows a pair really has, and extended statistics fix it.
A role that may not read the table gets no such advice (the sample is a read of its data).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql

from pgwatch.explain.advisor.ddl import create_statistics
from pgwatch.explain.advisor.model import STATISTICS, Analysed, Recommendation
from pgwatch.explain.advisor.sources import fetch
from pgwatch.explain.query import Table

log = logging.getLogger(__name__)
Connection = psycopg.Connection[Any]
FACTOR = 10.0
SAMPLE_PERCENT = 5.0
MAX_PAIRS = 20


def statistics_advice(conn: Connection, analysed: Mapping[str, Analysed]
                      ) -> list[Recommendation]:
    pairs: dict[tuple[Table, str, str], list[str]] = {}
    for queryid, item in analysed.items():
        for site in item.analysis.sites:
            columns = sorted({p.target for p in site.predicates if p.op == "eq"
                              and not p.expression and p.value != "join"})
            for a, b in itertools.combinations(columns, 2):
                pairs.setdefault((site.table, a, b), []).append(queryid)
    found = []
    for (table, a, b), queryids in list(pairs.items())[:MAX_PAIRS]:
        if _covered(conn, table, a, b):
            continue
        measured = _measure(conn, table, a, b)
        if measured is None:
            continue
        n, da, db, pair = measured
        estimated = max(1.0, n / max(1.0, da * db))
        actual = n / max(1.0, pair)
        if actual >= FACTOR * estimated:
            found.append(Recommendation(
                STATISTICS, create_statistics(table.schema, table.name, [a, b]),
                f"{table.qualified}: {a} and {b} are correlated ({pair} distinct pairs for "
                f"{da} and {db} distinct values in a sample): the planner expects "
                f"{estimated:.0f} row(s) per pair where there are {actual:.0f}",
                min(20.0, actual / estimated), True, tuple(dict.fromkeys(queryids)), "medium",
                {"sample_rows": n, "distinct": {a: da, b: db, "pair": pair}}))
    return found


def _covered(conn: Connection, table: Table, a: str, b: str) -> bool:
    rows = fetch(conn, "extended_statistics", {"schema": table.schema, "table": table.name})
    return any({a, b} <= set(r["columns"]) for r in rows)


def _measure(conn: Connection, table: Table, a: str, b: str
             ) -> tuple[int, int, int, int] | None:
    try:
        rows = fetch(conn, "pair_distinct", {"percent": SAMPLE_PERCENT},
                     table=sql.Identifier(table.schema, table.name), a=sql.Identifier(a),
                     b=sql.Identifier(b))
    except psycopg.Error as exc:
        log.info("%s: no sample of %s, %s: %s", table.qualified, a, b,
                 " ".join(str(exc).split())[:120])
        return None
    row = rows[0]
    if int(row["n"]) < 1000:
        return None
    return int(row["n"]), int(row["a"]), int(row["b"]), int(row["pair"])
