"""Validation of candidate indexes with hypopg: the planner's cost with and without each.

hypopg's indexes live in this session's memory only and are seen by EXPLAIN alone; every
one is forgotten (``hypopg_drop_index``) once it has been tried. A candidate is kept when
the planner uses it and it cuts a statement's estimated cost by at least ``min_gain``; its
impact is the statements' total execution time weighted by the cut of each.

Candidates are tried alone first, then those that did not pay are tried again with the clear
wins in place: an index whose statement is dominated by another table's scan pays only once
that scan is fixed (a join's small inner table, say).
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
                      for f in ("create_index", "relation_size", "reset", "drop_index")}

    def reset(self) -> None:
        fetch(self.conn, "hypopg_reset", reset=self.names["reset"])

    def trial(self, candidate: Candidate, statements: dict[str, Analysed],
              baseline: dict[str, float] | None = None, *,
              keep_if: float | None = None) -> Trial:
        """Create ``candidate`` hypothetically and re-plan its statements.

        The gain of each is against ``baseline`` (statement costs with the indexes already
        kept) or its cost today; the index is forgotten unless it cuts a cost by ``keep_if``.
        """
        try:
            created = fetch(self.conn, "hypopg_create",
                            {"definition": create_index(candidate, concurrently=False)},
                            create=self.names["create_index"])
        except psycopg.Error as exc:
            return Trial((), {}, 0.0, None, " ".join(str(exc).split())[:200])
        oid, name = int(created[0]["oid"]), str(created[0]["name"])
        found: Trial | None = None
        try:
            size = fetch(self.conn, "hypopg_size", {"oid": oid},
                         size=self.names["relation_size"])[0]["bytes"]
            found = self._replan(candidate, statements, name, int(size), baseline or {})
            return found
        finally:
            if keep_if is None or found is None or not found.clear_win(keep_if):
                fetch(self.conn, "hypopg_drop", {"oid": oid}, drop=self.names["drop_index"])

    def cost(self, analysed: Analysed) -> float:
        """A statement's cost with the hypothetical indexes kept so far."""
        try:
            return self.planner.plan(analysed.sql_planned, analysed.analysis).cost
        except PlanningError:
            return analysed.cost

    def _replan(self, candidate: Candidate, statements: dict[str, Analysed], name: str,
                size: int, baseline: dict[str, float]) -> Trial:
        gains: dict[str, float] = {}
        impact = 0.0
        for queryid in candidate.queryids:
            analysed = statements[queryid]
            try:
                after = self.planner.plan(analysed.sql_planned, analysed.analysis)
            except PlanningError as exc:
                log.info("statement %s: not planned with a hypothetical index: %s", queryid, exc)
                continue
            before = baseline.get(queryid, analysed.cost)
            if name not in after.indexes_used or before <= 0:
                continue
            gain = max(0.0, 1.0 - after.cost / before)
            gains[queryid] = gain
            impact += gain * analysed.statement.total_ms
        return Trial(tuple(gains), gains, impact, size)


def validate(hypothetical: Hypothetical, candidates: list[Candidate],
             statements: dict[str, Analysed], min_gain: float) -> list[tuple[Candidate, Trial]]:
    """The candidates that are clear wins, alone or on top of the others' wins."""
    first = [(c, hypothetical.trial(c, statements)) for c in candidates]
    won = [(c, t) for c, t in first if t.clear_win(min_gain)]
    rest = [c for c, t in first if not t.clear_win(min_gain) and t.error is None]
    if not won or not rest:
        return won
    try:
        for candidate, _ in won:
            hypothetical.trial(candidate, statements, keep_if=0.0)
        baseline: dict[str, float] = {}
        for candidate in rest:
            for queryid in candidate.queryids:
                baseline.setdefault(queryid, hypothetical.cost(statements[queryid]))
            trial = hypothetical.trial(candidate, statements, baseline, keep_if=min_gain)
            if trial.clear_win(min_gain):
                won.append((candidate, trial))
                for queryid in candidate.queryids:
                    baseline[queryid] = hypothetical.cost(statements[queryid])
    finally:
        hypothetical.reset()
    return won
