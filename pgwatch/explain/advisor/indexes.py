"""Index advice: candidates from the top statements, consolidated, checked against the
indexes that exist, validated with hypopg when it is installed, sized and weighed.

Without hypopg a candidate is kept when the statement's plan reads its table in a way the
index would replace (a sequential scan, or a scan whose cost is a large share of the plan's)
and it is marked ``validated: false``; its impact is then the statement time of that share.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import psycopg

from pgwatch.explain.advisor.candidates import constant_predicates, site_candidate
from pgwatch.explain.advisor.coverage import consolidate, covered_by, existing_from_row
from pgwatch.explain.advisor.ddl import create_index, index_name
from pgwatch.explain.advisor.hypothetical import Hypothetical, Trial, validate
from pgwatch.explain.advisor.model import (
    CREATE_INDEX,
    Analysed,
    Candidate,
    ExistingIndex,
    Recommendation,
)
from pgwatch.explain.advisor.sources import fetch
from pgwatch.explain.query import QueryError, Table, analyse, statement_kinds

log = logging.getLogger(__name__)
Connection = psycopg.Connection[Any]
SCAN_SHARE = 0.3
# A sequential scan cheaper than this reads a small table: no index needed.
MIN_SEQ_SCAN_COST = 100.0
INDEX_TUPLE_OVERHEAD = 16


@dataclass(frozen=True, slots=True)
class IndexOptions:
    min_gain: float = 0.2
    max_indexes_per_table: int = 8


def candidates_of(analysed: Iterable[Analysed]) -> list[Candidate]:
    """One candidate per site that an index would serve, for every statement."""
    found: list[Candidate] = []
    for item in analysed:
        statement = item.statement
        examples = [_predicates(t) for t in statement.examples] or [item.analysis.predicates]
        constants = constant_predicates(examples)
        covering = statement_kinds(item.sql_planned)[:1] == ("select",)
        for site in item.analysis.sites:
            candidate = site_candidate(site, statement.queryid, constants, covering=covering)
            if candidate is not None:
                found.append(candidate)
    return found


def _predicates(text: str) -> tuple[Any, ...]:
    try:
        return analyse(text).predicates
    except QueryError:
        return ()


def existing_indexes(conn: Connection, tables: Iterable[Table]) -> list[ExistingIndex]:
    chosen = list(dict.fromkeys(tables))
    rows = fetch(conn, "existing_indexes", {"schemas": [t.schema for t in chosen],
                                            "tables": [t.name for t in chosen]})
    return [existing_from_row(r) for r in rows]


def table_stats(conn: Connection, tables: Iterable[Table]) -> dict[Table, dict[str, Any]]:
    chosen = list(dict.fromkeys(tables))
    rows = fetch(conn, "table_stats", {"schemas": [t.schema for t in chosen],
                                       "tables": [t.name for t in chosen]})
    return {Table(r["schema"], r["table"]): r for r in rows}


def advise_indexes(conn: Connection, analysed: Mapping[str, Analysed],
                   hypothetical: Hypothetical | None, options: IndexOptions,
                   stats_age_s: float) -> list[Recommendation]:
    """create_index recommendations, best first."""
    merged = consolidate(candidates_of(analysed.values()))
    tables = {c.table for c in merged}
    existing = existing_indexes(conn, tables)
    stats = table_stats(conn, tables)
    uncovered = []
    for candidate in merged:
        cover = covered_by(candidate, existing)
        if cover is not None:
            log.info("candidate on %s: served by existing index %s", candidate.table.qualified,
                     cover.name)
        else:
            uncovered.append(candidate)
    found: list[Recommendation] = []
    if hypothetical is not None:
        for candidate, trial in validate(hypothetical, uncovered, dict(analysed),
                                         options.min_gain):
            found.append(_validated(candidate, trial, stats.get(candidate.table), stats_age_s))
    else:
        for candidate in uncovered:
            share = _scan_share(candidate, analysed)
            if share:
                found.append(_unvalidated(candidate, share, analysed,
                                          stats.get(candidate.table), stats_age_s))
    return _per_table_cap(sorted(found, key=lambda r: -r.impact), options)


def _scan_share(candidate: Candidate, analysed: Mapping[str, Analysed]) -> dict[str, float]:
    """Per statement, the share of its plan's cost spent reading the candidate's table in a
    way the index would replace; only shares of at least SCAN_SHARE count."""
    shares = {}
    for queryid in candidate.queryids:
        item = analysed[queryid]
        cost = sum(s.total_cost for s in item.scans if s.relation == candidate.table.name
                   and (s.schema in (None, candidate.table.schema))
                   and (s.node_type == "Seq Scan" or s.index_name is not None
                        or s.node_type == "Bitmap Heap Scan"))
        worst = max((s.total_cost for s in item.scans if s.relation == candidate.table.name
                     and s.node_type == "Seq Scan" and s.total_cost >= MIN_SEQ_SCAN_COST),
                    default=0.0)
        share = min(1.0, max(cost, worst) / item.cost) if item.cost > 0 else 0.0
        if worst > 0 or (share >= SCAN_SHARE and cost >= MIN_SEQ_SCAN_COST):
            shares[queryid] = max(share, SCAN_SHARE)
    return shares


def _evidence(candidate: Candidate, stats: Mapping[str, Any] | None, size: float | None,
              stats_age_s: float) -> dict[str, Any]:
    writes = float(stats["writes"]) if stats else 0.0
    if size is None and stats:
        widths = stats.get("widths") or {}
        columns = [*candidate.columns, *candidate.include]
        width = INDEX_TUPLE_OVERHEAD + sum(int(widths.get(c, 8)) for c in columns)
        size = float(stats["rows"]) * width / 0.9
    return {"table": candidate.table.qualified, "index": index_name(candidate),
            "estimated_size_bytes": int(size or 0),
            "table_writes_per_second": round(writes / stats_age_s, 3) if stats_age_s else None,
            "table_rows": int(stats["rows"]) if stats else None}


def _validated(candidate: Candidate, trial: Trial, stats: Mapping[str, Any] | None,
               stats_age_s: float) -> Recommendation:
    best = max(trial.gains.values())
    evidence = {**_evidence(candidate, stats, trial.size_bytes, stats_age_s),
                "cost_reduction": {q: round(g, 3) for q, g in trial.gains.items()}}
    return Recommendation(CREATE_INDEX, create_index(candidate),
                          f"hypopg: the planner uses it for {len(trial.used_by)} statement(s) "
                          f"and cuts the estimated cost by up to {best:.0%}",
                          trial.impact_ms, True, trial.used_by, "high", evidence)


def _unvalidated(candidate: Candidate, shares: Mapping[str, float],
                 analysed: Mapping[str, Analysed], stats: Mapping[str, Any] | None,
                 stats_age_s: float) -> Recommendation:
    impact = sum(analysed[q].statement.total_ms * s for q, s in shares.items())
    evidence = {**_evidence(candidate, stats, None, stats_age_s),
                "scan_cost_share": {q: round(s, 3) for q, s in shares.items()}}
    return Recommendation(CREATE_INDEX, create_index(candidate),
                          f"the plans of {len(shares)} statement(s) read "
                          f"{candidate.table.qualified} with a scan this index would replace "
                          "(not validated: hypopg is not installed)",
                          impact, False, tuple(shares), "medium", evidence)


def _per_table_cap(found: list[Recommendation], options: IndexOptions) -> list[Recommendation]:
    """At most ``max_indexes_per_table`` new indexes per table: each one slows every write."""
    counts: dict[str, int] = {}
    kept = []
    for recommendation in found:
        table = str(recommendation.evidence["table"])
        counts[table] = counts.get(table, 0) + 1
        if counts[table] <= options.max_indexes_per_table:
            kept.append(recommendation)
    return kept
