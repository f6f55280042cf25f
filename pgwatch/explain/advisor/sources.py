"""What the advisor reads about statements: pg_stat_statements, and literal examples.

pg_stat_statements keeps a normalised text: every constant became ``$n``, so a predicate such
as ``is_private = false`` (what a partial index would carry) or the ``'week'`` of a
``date_trunc`` (what an expression index would compute) is lost. The texts other sessions
run, in pg_stat_activity, still have them: sampled for a few seconds while the application
runs, they are matched to the statements by fingerprint (constants and parameters ignored).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from pgwatch.errors import PgwatchError
from pgwatch.explain.advisor.model import Statement
from pgwatch.explain.query import QueryError, fingerprint, statement_kinds
from pgwatch.redaction import redact
from pgwatch.sql import load_sql

log = logging.getLogger(__name__)
PACKAGE = "pgwatch.explain.advisor"
EXAMPLES_LIMIT = 5_000
Connection = psycopg.Connection[Any]


class AdvisorError(PgwatchError):
    """The target cannot be advised on (no pg_stat_statements, say)."""


def fetch(conn: Connection, name: str, params: dict[str, Any] | None = None,
          **identifiers: sql.Composable) -> list[dict[str, Any]]:
    """Rows of ``name``.sql of this package, ``{name}`` slots filled with identifiers."""
    text = load_sql(PACKAGE, name)
    query = sql.SQL(text).format(**identifiers) if identifiers else sql.SQL(text)
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)
        return cur.fetchall()


def extension_schema(conn: Connection, name: str) -> str | None:
    rows = fetch(conn, "extension", {"name": name})
    return str(rows[0]["schema"]) if rows else None


def top_statements(conn: Connection, pgss_schema: str, limit: int) -> list[Statement]:
    """The ``limit`` statements of this database with the most execution time."""
    rows = fetch(conn, "top_statements", {"limit": limit},
                 pgss=sql.Identifier(pgss_schema, "pg_stat_statements"))
    return [Statement(str(r["queryid"]), redact(str(r["query"])), int(r["calls"]),
                      float(r["total_ms"]), float(r["mean_ms"]), bool(r["toplevel"]))
            for r in rows]


def statements_info(conn: Connection, pgss_schema: str) -> dict[str, Any]:
    rows = fetch(conn, "statements_info",
                 info=sql.Identifier(pgss_schema, "pg_stat_statements_info"))
    return rows[0] if rows else {}


def sample_examples(conn: Connection, seconds: float, interval_s: float = 0.05) -> list[str]:
    """Distinct texts seen in pg_stat_activity over ``seconds`` (one read when 0)."""
    seen: dict[str, None] = {}
    deadline = time.monotonic() + seconds
    while True:
        for row in fetch(conn, "statement_examples"):
            if len(seen) < EXAMPLES_LIMIT:
                seen[redact(str(row["query"]))] = None
        if time.monotonic() >= deadline:
            return list(seen)
        time.sleep(interval_s)


def attach_examples(statements: Iterable[Statement], examples: Iterable[str]
                    ) -> list[Statement]:
    """Each statement with the literal examples whose fingerprint is its own."""
    by_print: dict[str, list[str]] = {}
    for text in examples:
        key = _fingerprint(text)
        if key is not None:
            by_print.setdefault(key, []).append(text)
    found = []
    for statement in statements:
        key = _fingerprint(statement.query)
        texts = tuple(dict.fromkeys(by_print.get(key, []))) if key else ()
        found.append(replace(statement, examples=texts) if texts else statement)
    return found


def _fingerprint(text: str) -> str | None:
    try:
        if len(statement_kinds(text)) != 1:
            return None
        return fingerprint(text)
    except QueryError:
        return None  # a text cut by track_activity_query_size, or not SQL at all
