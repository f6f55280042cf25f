"""Findings on a plan: one module per family, each a ``check(plan, context)`` generator."""

from __future__ import annotations

from pgwatch.explain.findings import (
    bitmaps,
    estimates,
    hashes,
    index_only,
    joins,
    parallel,
    predicates,
    scans,
    sorts,
    subplans,
    temp_io,
    timing,
)
from pgwatch.explain.findings.model import Context, Finding, Severity, TableIndex
from pgwatch.explain.plan import Plan

__all__ = ["CODES", "Context", "Finding", "Severity", "TableIndex", "analyse"]

_FAMILIES = (scans, estimates, sorts, hashes, joins, index_only, bitmaps, timing, parallel,
             subplans, predicates, temp_io)

CODES = (
    "seq_scan_selective", "rows_removed_by_filter", "misestimate", "sort_spill",
    "hash_batches", "nested_loop_inner_scan", "heap_fetches", "bitmap_lossy",
    "planning_dominates", "jit_dominates", "parallel_workers_short", "subplan_per_row",
    "topn_sort_no_index", "non_sargable_predicate", "leading_wildcard_like", "temp_io",
)


def analyse(plan: Plan, context: Context | None = None) -> tuple[Finding, ...]:
    """Every finding on ``plan``, the most severe first, then in plan order."""
    context = context or Context()
    found = [finding for family in _FAMILIES for finding in family.check(plan, context)]
    return tuple(sorted(found, key=lambda f: (-f.severity.rank, f.node_id, f.code)))
