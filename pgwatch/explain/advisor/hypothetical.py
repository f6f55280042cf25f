"""Validation of candidate indexes with hypopg: the planner's cost with and without each.

hypopg's indexes live in this session's memory only and are seen by EXPLAIN alone; every
one is forgotten (``hypopg_reset``) as soon as it has been tried. A candidate is kept when
the planner uses it and it cuts a statement's estimated cost by at least ``min_gain``; its
impact is the statements' total execution time weighted by the cut of each.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from pgwatch.explain.advisor.ddl import create_index
from pgwatch.explain.advisor.model import Analysed, Candidate
from pgwatch.explain.advisor.planner import Planner, PlanningError
from pgwatch.explain.advisor.sources import fetch

log = logging.getLogger(__name__)
Connection = psycopg.Connection[Any]


@dataclass(frozen=True, slots=True)
class Trial:
    """What the planner thought of one hypothetical index."""

    used_by: tuple[str, ...]
    gains: dict[str, float]
    impact_ms: float
    size_bytes: int | None
    error: str | None = None

    def clear_win(self, min_gain: float) -> bool:
        return self.error is None and any(g >= min_gain for g in self.gains.values())


class Hypothetical:
    """Tries candidates as hypopg indexes on one session."""

    def __init__(self, conn: Connection, schema: str, planner: Planner) -> None:
        self.conn = conn
        self.planner = planner
        self.names = {f: sql.Identifier(schema, f"hypopg_{f}")
                      for f in ("create_index", "relation_size", "reset")}

    def reset(self) -> None:
        fetch(self.conn, "hypopg_reset", reset=self.names["reset"])

    def trial(self, candidate: Candidate, statements: dict[str, Analysed]) -> Trial:
        """Create ``candidate`` hypothetically, re-plan its statements, forget it."""
        try:
            created = fetch(self.conn, "hypopg_create",
                            {"definition": create_index(candidate, concurrently=False)},
                            create=self.names["create_index"])
        except psycopg.Error as exc:
            return Trial((), {}, 0.0, None, " ".join(str(exc).split())[:200])
        try:
            oid, name = int(created[0]["oid"]), str(created[0]["name"])
            size = fetch(self.conn, "hypopg_size", {"oid": oid},
                         size=self.names["relation_size"])[0]["bytes"]
            return self._replan(candidate, statements, name, int(size))
        finally:
            self.reset()

    def _replan(self, candidate: Candidate, statements: dict[str, Analysed], name: str,
                size: int) -> Trial:
        gains: dict[str, float] = {}
        impact = 0.0
        for queryid in candidate.queryids:
            analysed = statements[queryid]
            try:
                after = self.planner.plan(analysed.sql_planned, analysed.analysis)
            except PlanningError as exc:
                log.info("statement %s: not planned with a hypothetical index: %s", queryid, exc)
                continue
            if name not in after.indexes_used or analysed.cost <= 0:
                continue
            gain = max(0.0, 1.0 - after.cost / analysed.cost)
            gains[queryid] = gain
            impact += gain * analysed.statement.total_ms
        return Trial(tuple(gains), gains, impact, size)
