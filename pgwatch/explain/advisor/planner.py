"""Plans without running anything: EXPLAIN of a statement's text, costs and scans out.

PostgreSQL 16+ plans a text with ``$n`` parameters as it is (``EXPLAIN (GENERIC_PLAN)``).
On 14 and 15 the text is prepared, so that the server infers each parameter's type, and
explained with values from the planner's own statistics (``pg_stats``: the most common value
of the column a parameter is compared with, or the middle of its histogram); a parameter
compared with no column gets a neutral value of its type.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from pgwatch.explain.advisor.model import PlanScan
from pgwatch.explain.advisor.sources import fetch
from pgwatch.explain.parse_json import from_document
from pgwatch.explain.plan import Node
from pgwatch.explain.query import (
    QueryAnalysis,
    QueryError,
    parameter_numbers,
    statement_kinds,
)

log = logging.getLogger(__name__)
Connection = psycopg.Connection[Any]
PLANNABLE = frozenset({"select", "update", "delete", "insert"})
PREPARED = "pgwatch_advise"
# A parameter compared with no column (a LIMIT, an interval): a value of its type.
NEUTRAL = {"integer": "10", "bigint": "10", "smallint": "10", "numeric": "1",
           "double precision": "1", "real": "1", "text": "", "character varying": "",
           "boolean": "false", "date": "today", "timestamp with time zone": "now",
           "timestamp without time zone": "now", "interval": "1 day"}


class PlanningError(Exception):
    """A statement could not be planned (it is skipped, with this reason logged)."""


@dataclass(frozen=True, slots=True)
class Planned:
    """The planner's estimate for one statement."""

    cost: float
    scans: tuple[PlanScan, ...]
    indexes_used: frozenset[str]


def plannable(text: str) -> bool:
    """One statement that EXPLAIN accepts and the advisor can weigh."""
    try:
        kinds = statement_kinds(text)
    except QueryError:
        return False
    return len(kinds) == 1 and kinds[0] in PLANNABLE


class Planner:
    """Plans statements on one connection (read-only, with a statement timeout)."""

    def __init__(self, conn: Connection, major: int) -> None:
        self.conn = conn
        self.generic = major >= 16
        self._samples: dict[tuple[str, str, str], tuple[str | None, str | None]] = {}

    def plan(self, text: str, analysis: QueryAnalysis) -> Planned:
        """Cost and scans of ``text``; PlanningError when the server refuses it."""
        return _read(self.document(text, analysis))

    def document(self, text: str, analysis: QueryAnalysis) -> Any:
        """The ``EXPLAIN (FORMAT JSON)`` document of ``text`` (never executed), planned as
        above; PlanningError when the server refuses it."""
        if not plannable(text):
            raise PlanningError("not a single SELECT, UPDATE, DELETE or INSERT")
        try:
            if self.generic or not parameter_numbers(text):
                option = "GENERIC_PLAN, " if self.generic else ""
                query = sql.SQL(f"EXPLAIN ({option}VERBOSE, FORMAT JSON) ") + sql.SQL(text)
                document = self._explain(query)
            else:
                document = self._explain_sampled(text, analysis)
        except psycopg.Error as exc:
            raise PlanningError(" ".join(str(exc).split())[:200]) from None
        return document

    def _explain(self, query: sql.Composed) -> Any:
        row = self.conn.execute(query).fetchone()
        if row is None:
            raise PlanningError("EXPLAIN returned nothing")
        value = row[0]
        return json.loads(value) if isinstance(value, str) else value

    def _explain_sampled(self, text: str, analysis: QueryAnalysis) -> Any:
        name = sql.Identifier(PREPARED)
        self.conn.execute(sql.SQL("PREPARE {} AS ").format(name) + sql.SQL(text))
        try:
            rows = fetch(self.conn, "prepared_types", {"name": PREPARED})
            types = [str(t) for t in rows[0]["types"]] if rows else []
            values = self._values(analysis, types)
            # Untyped literals: EXECUTE casts each to its parameter's type.
            args = sql.SQL(", ").join(sql.NULL if v is None else sql.Literal(v)
                                      for v in values)
            return self._explain(sql.SQL("EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE {}({})")
                                 .format(name, args))
        finally:
            self.conn.execute(sql.SQL("DEALLOCATE {}").format(name))

    def _values(self, analysis: QueryAnalysis, types: list[str]) -> list[str | None]:
        """One value per parameter: from the column it is compared with, else neutral."""
        wanted: dict[int, tuple[tuple[str, str, str], str]] = {}
        for site in analysis.sites:
            for predicate in site.predicates:
                if len(predicate.params) == 1 and not predicate.expression:
                    where = (site.table.schema, site.table.name, predicate.target)
                    wanted.setdefault(predicate.params[0], (where, predicate.op))
        self._load_samples([w for w, _ in wanted.values()])
        values: list[str | None] = []
        for number, type_name in enumerate(types, start=1):
            if number in wanted:
                where, op = wanted[number]
                common, middle = self._samples.get(where, (None, None))
                chosen = (common or middle) if op in ("eq", "in") else (middle or common)
                if chosen is not None:
                    values.append(chosen)
                    continue
            values.append(NEUTRAL.get(type_name))
        return values

    def _load_samples(self, columns: list[tuple[str, str, str]]) -> None:
        missing = [c for c in dict.fromkeys(columns) if c not in self._samples]
        if not missing:
            return
        rows = fetch(self.conn, "column_samples", {
            "schemas": [c[0] for c in missing], "tables": [c[1] for c in missing],
            "columns": [c[2] for c in missing]})
        for column in missing:
            self._samples[column] = (None, None)
        for row in rows:
            self._samples[(row["schema"], row["table"], row["column"])] = (row["common"],
                                                                          row["middle"])


def _read(document: Any) -> Planned:
    plan = from_document(document, source="EXPLAIN")
    scans = tuple(_scan(node) for node in plan.nodes() if node.relation is not None)
    used = frozenset(n.index_name for n in plan.nodes() if n.index_name is not None)
    return Planned(plan.root.total_cost or 0.0, scans, used)


def _scan(node: Node) -> PlanScan:
    return PlanScan(node.node_type, node.schema, node.relation or "", node.index_name,
                    node.total_cost or 0.0, node.plan_rows or 0.0)
