"""Scans that read far more rows than they keep: seq_scan_selective, rows_removed_by_filter."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.explain.findings import expressions
from pgwatch.explain.findings.measure import SCAN_TYPES, examined, removed, rows_out
from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Node, Plan

INDEXED_SCANS = SCAN_TYPES - {"Seq Scan", "Tid Scan", "Tid Range Scan", "Sample Scan"}

# Below ~10,000 rows a table is a few dozen pages: reading it whole is as cheap as an index.
LARGE_TABLE_ROWS = 10_000
# From ~a million rows a full scan costs real I/O on every execution.
HUGE_TABLE_ROWS = 1_000_000
# An index beats a sequential scan when the query keeps under a few percent of the rows.
SELECTIVE_FRACTION = 0.05
# A filter that throws away at least this many rows (and most of what it reads) is the
# sign of a condition no index serves.
REMOVED_ROWS_MIN = 1_000
REMOVED_FRACTION = 0.5


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    for node in plan.nodes():
        if _selective_seq_scan(node):
            yield _seq_scan(node)
        elif node.node_type in INDEXED_SCANS and _filter_wasteful(node):
            yield _removed(node)


def _selective_seq_scan(node: Node) -> bool:
    """A sequential scan, or an index scan with no Index Cond (a full scan), keeping few rows."""
    full_index_scan = node.node_type in INDEXED_SCANS and node.index_cond is None \
        and node.recheck_cond is None
    if (node.node_type != "Seq Scan" and not full_index_scan) or node.filter is None \
            or not node.analyzed:
        return False
    seen = examined(node)
    return seen >= LARGE_TABLE_ROWS and rows_out(node) <= SELECTIVE_FRACTION * seen


def _filter_wasteful(node: Node) -> bool:
    gone = removed(node)
    return gone >= REMOVED_ROWS_MIN and gone >= REMOVED_FRACTION * examined(node)


def _seq_scan(node: Node) -> Finding:
    seen, kept = examined(node), rows_out(node)
    shape = expressions.index_shape(node.filter)
    severity = Severity.CRITICAL if seen >= HUGE_TABLE_ROWS else Severity.WARNING
    index = shape.sql(node.relation or "?") if shape.keys else _trigram(node)
    return Finding.at(
        node, "seq_scan_selective", severity,
        f"{_scan_kind(node)} of {node.relation} read {seen:,.0f} rows to keep {kept:,.0f} "
        f"({_percent(kept, seen)}): the filter is selective but no index serves it.",
        f"{index}; then check the plan uses it.",
        {"rows_examined": seen, "rows_kept": kept, "rows_removed": removed(node),
         "kept_fraction": round(kept / seen, 5), "filter": node.filter,
         "loops": node.actual_loops},
    )


def _removed(node: Node) -> Finding:
    seen, kept, gone = examined(node), rows_out(node), removed(node)
    via = node.index_name or node.relation or node.node_type
    cols = ", ".join(expressions.columns(node.filter))
    return Finding.at(
        node, "rows_removed_by_filter", Severity.WARNING,
        f"{node.node_type} via {via} fetched {seen:,.0f} rows and its filter removed "
        f"{gone:,.0f} of them ({_percent(gone, seen)}): the index does not cover the filter.",
        f"Add the filtered columns ({cols}) to the index (after its equality columns) or create "
        f"an index that matches the whole WHERE clause.",
        {"rows_examined": seen, "rows_kept": kept, "rows_removed": gone,
         "filter": node.filter, "index_cond": node.index_cond or node.recheck_cond,
         "loops": node.actual_loops},
    )


def _trigram(node: Node) -> str:
    """Without a btree-able condition, a leading-wildcard LIKE needs a trigram index."""
    if not expressions.leading_wildcards(node.filter):
        return f"CREATE INDEX CONCURRENTLY ON {node.relation} (...)"
    _, key = expressions.like_operand(node.filter)
    return (f"CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX CONCURRENTLY ON "
            f"{node.relation} USING gin ({key} gin_trgm_ops)")


def _scan_kind(node: Node) -> str:
    if node.node_type == "Seq Scan":
        return "Sequential scan"
    return f"Full {node.node_type.lower()} (no index condition, via {node.index_name})"


def _percent(part: float, whole: float) -> str:
    share = 100 * part / whole if whole else 0.0
    if share >= 1:
        return f"{share:.0f} %"
    return f"{share:.2f} %" if share >= 0.01 else f"{share:.4f} %"
