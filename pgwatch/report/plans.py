"""Plan findings of the top queries: each statement's text explained, never executed.

A normalised text (``$n`` parameters, as pg_stat_statements keeps it) is planned the way the
advisor plans it (``pgwatch.explain.advisor.planner``): on PostgreSQL 16+ with
``EXPLAIN (GENERIC_PLAN)``, on 14 and 15 with parameter values sampled from ``pg_stats``.
The plan goes through pgwatch's plan findings. One session per report, read-only (every
statement in a read-only transaction), under a statement timeout; its EXPLAINs are kept out
of pg_stat_statements when the role may. The section asks for the top few statements only,
and all of them together get ``budget_s`` seconds: past it, the rest say so. A target that
watches several databases plans each statement in its own database (one session each).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.conninfo import make_conninfo

from pgwatch.errors import PgwatchError

if TYPE_CHECKING:
    from pgwatch.explain.advisor.planner import Planner
    from pgwatch.explain.findings.model import Finding

log = logging.getLogger(__name__)
BUDGET_S = 30.0
STATEMENT_TIMEOUT_MS = 5_000
NOT_PLANNABLE = "not a single SELECT, UPDATE, DELETE or INSERT"


class QueryPlans:
    """Plans statements of one target on demand, within one time budget."""

    def __init__(self, dsn: str, where: str, *, budget_s: float = BUDGET_S,
                 timeout_ms: int = STATEMENT_TIMEOUT_MS) -> None:
        self.dsn = dsn
        self.where = where
        self.budget_s = budget_s
        self.timeout_ms = timeout_ms
        self.spent_s = 0.0
        self.planned = 0
        # One session per database planned in (None: the DSN's own), or why none opened.
        self._sessions: dict[str | None, tuple[psycopg.Connection[Any], Planner]] = {}
        self._broken: dict[str | None, str] = {}

    def findings(self, query: str, datname: str | None = None) -> tuple[Finding, ...] | str:
        """The findings of ``query``'s plan in ``datname`` (else the DSN's database), or why
        it was not planned."""
        from pgwatch.explain.advisor.planner import PlanningError, plannable

        if not plannable(query):
            return NOT_PLANNABLE
        if self.spent_s >= self.budget_s:
            return f"the report's planning budget ({self.budget_s:g} s) is spent"
        began = time.monotonic()
        try:
            return self._findings(query, datname)
        except (PlanningError, PgwatchError, psycopg.Error) as exc:
            return _reason(exc)
        except Exception as exc:  # one statement's plan never stops the report
            log.info("%s: plan findings failed: %s", self.where, exc)
            return f"{type(exc).__name__}: {exc}"[:200]
        finally:
            self.spent_s += time.monotonic() - began

    def _findings(self, query: str, datname: str | None) -> tuple[Finding, ...]:
        from pgwatch.explain.findings import analyse
        from pgwatch.explain.live import plan_context
        from pgwatch.explain.parse_json import from_document
        from pgwatch.explain.query import analyse as analyse_query

        conn, planner = self._open(datname)
        plan = from_document(planner.document(query, analyse_query(query)), source="EXPLAIN")
        self.planned += 1
        return analyse(plan, plan_context(conn, plan))

    def _open(self, datname: str | None) -> tuple[psycopg.Connection[Any], Planner]:
        if datname in self._broken:
            raise PgwatchError(self._broken[datname])
        session = self._sessions.get(datname)
        if session is None:
            from pgwatch.db import connect, probe
            from pgwatch.db.session import SessionSettings
            from pgwatch.explain.advisor.planner import Planner

            settings = SessionSettings(statement_timeout_ms=self.timeout_ms, read_only=True)
            dsn = self.dsn if datname is None else make_conninfo(self.dsn, dbname=datname)
            where = self.where if datname is None else f"{self.where}: database {datname!r}"
            try:
                conn = connect(dsn, settings, where=where)
            except PgwatchError as exc:
                self._broken[datname] = str(exc)
                raise
            session = self._sessions[datname] = (conn, Planner(conn, probe(conn).major))
        return session

    def close(self) -> None:
        for conn, _planner in self._sessions.values():
            conn.close()
        self._sessions.clear()


def _reason(exc: BaseException) -> str:
    """The server's message without its LINE/caret/HINT lines: a table cell, not a log.
    A normalised text may not parse or type-check as it is (pg_stat_statements turned a
    typed literal such as ``interval '1 day'`` into ``interval $9``)."""
    text = " ".join(str(exc).split())
    for cut in (" LINE ", " HINT: ", " DETAIL: "):
        text = text.split(cut)[0]
    return text[:160]
