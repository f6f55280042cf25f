"""Index advice from the advisor (create, drop, reindex, with the exact SQL), and the index
flags the collectors measure: unused, duplicate, redundant and invalid indexes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pgwatch.report.context import Context
from pgwatch.report.datnames import with_database
from pgwatch.report.model import Cell, Section, Table
from pgwatch.report.units import as_float, count_cell, size_cell, text_cell

if TYPE_CHECKING:
    from pgwatch.explain.advisor.model import Recommendation

INDEX_KINDS = ("create_index", "drop_index", "reindex")
FLAGS = ("invalid", "duplicate", "redundant", "unused")
ADVICE_COLUMNS = ("action", "SQL", "why", "estimated benefit", "size",
                  "write cost (table writes/s)",
                  "confidence")
FLAG_COLUMNS = ("index", "table", "problem", "size", "scans", "detail")
UNUSED_LIVE = ("Unused indexes are judged since the statistics reset: the daemon's history "
               "(pgwatch report -c) judges them over a period instead.")
UNUSED_HISTORY = ("The advice judges unused indexes on the store's history (no scan over its "
                  "period); the problems table shows the counters since the statistics reset.")


def build(ctx: Context) -> Section:
    result = ctx.source.advice()
    tables = []
    notes: list[str] = []
    if result.advice is None:
        notes.append(f"The advisor is unavailable for this target: {result.missing}")
    else:
        found = [r for r in result.advice.recommendations if r.kind in INDEX_KINDS]
        advised = found[:ctx.limits.indexes]
        tables.append(Table("index advice", *with_database(
            ADVICE_COLUMNS, [_advice_row(r) for r in advised], [r.evidence for r in advised]),
                            len(found), "no index to create, drop or rebuild"))
        notes += [f"Advisor: {note}" for note in result.advice.notes[:3]]
    flagged = flagged_indexes(ctx)
    shown = flagged[:ctx.limits.indexes]
    tables.append(Table("index problems", *with_database(
        FLAG_COLUMNS, [_flag_row(r, p) for r, p in shown], [r for r, _p in shown]),
                        len(flagged), "no unused, duplicate, redundant or invalid index"))
    notes.append(UNUSED_HISTORY if ctx.source.history else UNUSED_LIVE)
    lead = f"{len(flagged)} index problem(s) measured"
    if result.advice is not None:
        lead += (f"; the advisor planned {result.advice.statements_planned} of "
                 f"{result.advice.statements_read} top statements "
                 f"(hypopg {'on' if result.advice.hypopg else 'not installed'})")
    return Section("indexes", "Index advice", lead + ".", tuple(tables), notes=tuple(notes))


def flagged_indexes(ctx: Context) -> list[tuple[Mapping[str, Any], str]]:
    """Every flagged index with its worst problem, largest first."""
    found = []
    for row in ctx.source.rows("index_flags"):
        problem = next((f for f in FLAGS if row.get(f)), None)
        if problem is not None:
            found.append((row, problem))
    found.sort(key=lambda rp: (FLAGS.index(rp[1]),
                               -(as_float(rp[0].get("estimated_size_bytes")) or 0.0)))
    return found


def _advice_row(item: Recommendation) -> tuple[Cell, ...]:
    evidence = item.evidence
    size = as_float(evidence.get("estimated_size_bytes") or evidence.get("size_bytes"))
    writes = as_float(evidence.get("table_writes_per_second"))
    return (text_cell(item.kind.replace("_", " ")), text_cell(item.sql + ";", "sql"),
            text_cell(item.reason), Cell(f"{item.impact:,.1f}", round(item.impact, 3), "num"),
            size_cell(size),
            Cell("–" if writes is None else f"{writes:,.1f}", writes, "num"),
            text_cell(item.confidence))


def _flag_row(row: Mapping[str, Any], problem: str) -> tuple[Cell, ...]:
    detail = {"duplicate": f"same as {row.get('duplicate_of')}",
              "redundant": f"prefix of {row.get('redundant_to')}",
              "invalid": "failed concurrent build: REINDEX or drop",
              "unused": "no scan since the statistics reset"}[problem]
    return (text_cell(row.get("indexrelname")),
            text_cell(f"{row.get('schemaname')}.{row.get('relname')}"),
            Cell(problem, None, "badge bad" if problem == "invalid" else "badge warn"),
            size_cell(as_float(row.get("estimated_size_bytes"))),
            count_cell(_scans(row)), text_cell(detail))


def _scans(row: Mapping[str, Any]) -> float | None:
    return 0.0 if row.get("unused") else None
