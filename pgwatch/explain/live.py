"""EXPLAIN a query on a live server, safely: read-only, rolled back, under a statement timeout.

ANALYZE executes the statement, so it is refused for anything that would write (checked by
parsing the text); the read-only transaction, always rolled back, is the backstop for what
the parser cannot see (a function that writes).
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from pgwatch.errors import PgwatchError
from pgwatch.explain.findings import Context, TableIndex
from pgwatch.explain.parse_json import from_document
from pgwatch.explain.plan import Plan
from pgwatch.sql import load_sql

log = logging.getLogger(__name__)
PACKAGE = "pgwatch.explain"
WHERE = "--query"
_WRITES = {
    "insert": "the statement is an INSERT", "update": "the statement is an UPDATE",
    "delete": "the statement is a DELETE", "merge": "the statement is a MERGE",
    "select": "the SELECT writes or locks (a data-modifying CTE, FOR UPDATE/SHARE or INTO)",
    "other": "the statement is not a query (DDL or another command)",
}


class ExplainError(PgwatchError):
    """The query cannot be explained as asked; the message names the option."""


def check_query(query: str, *, analyze: bool) -> None:
    """Refuse what must not run: several statements, EXPLAIN itself, a write under ANALYZE."""
    from pgwatch.explain.query import is_read_only, statement_kinds

    kinds = statement_kinds(query, where=WHERE)
    if len(kinds) != 1:
        raise ExplainError(f"{WHERE}: give exactly one statement (found {len(kinds)})")
    if kinds[0] == "explain":
        raise ExplainError(f"{WHERE}: give the statement itself, without EXPLAIN")
    if analyze and not is_read_only(query, where=WHERE):
        raise ExplainError(f"{WHERE}: {_WRITES.get(kinds[0], _WRITES['other'])}; --analyze "
                           "would execute it, so it is refused (drop --analyze to see its plan)")


def explain_live(dsn: str, query: str, *, analyze: bool, timeout_ms: int) -> tuple[Plan, Context]:
    """The plan of ``query`` (executed only with ``analyze``) and the indexes of its tables."""
    from pgwatch.db.session import SessionSettings, connect

    check_query(query, analyze=analyze)
    settings = SessionSettings(statement_timeout_ms=timeout_ms, read_only=True)
    with connect(dsn, settings, autocommit=False) as conn:
        try:
            conn.execute("SET TRANSACTION READ ONLY")
            plan = from_document(_explain(conn, query, analyze, timeout_ms), source=WHERE)
            context = Context(indexes=_indexes(conn, plan))
        finally:
            conn.rollback()
    log.info("explained --query (analyze=%s): %d nodes", analyze, sum(1 for _ in plan.nodes()))
    return plan, context


def _explain(conn: psycopg.Connection[Any], query: str, analyze: bool, timeout_ms: int) -> Any:
    options = "ANALYZE, BUFFERS, SETTINGS, FORMAT JSON" if analyze else "SETTINGS, FORMAT JSON"
    statement = sql.SQL("EXPLAIN ({}) ").format(sql.SQL(options)) + sql.SQL(query)
    try:
        row = conn.execute(statement).fetchone()
    except psycopg.errors.QueryCanceled:
        raise ExplainError(f"{WHERE}: canceled by the statement timeout of {timeout_ms} ms "
                           "(--timeout-ms)") from None
    except psycopg.errors.ReadOnlySqlTransaction as exc:
        raise ExplainError(f"{WHERE}: refused by the read-only transaction: "
                           f"{_first_line(exc)}") from None
    except psycopg.Error as exc:
        raise ExplainError(f"{WHERE}: the server refused it: {_first_line(exc)}") from None
    if row is None:
        raise ExplainError(f"{WHERE}: EXPLAIN returned nothing")
    return row[0]


def plan_context(conn: psycopg.Connection[Any], plan: Plan) -> Context:
    """What the findings need beside the plan: the indexes of the tables it reads."""
    return Context(indexes=_indexes(conn, plan))


def _indexes(conn: psycopg.Connection[Any], plan: Plan) -> tuple[TableIndex, ...]:
    relations = sorted({n.relation for n in plan.nodes() if n.relation is not None})
    if not relations:
        return ()
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(load_sql(PACKAGE, "live_indexes"), {"relations": relations})
        return tuple(TableIndex(relation=r["relation"], name=r["name"],
                                columns=tuple(r["columns"]), definition=r["definition"])
                     for r in cur.fetchall())


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
