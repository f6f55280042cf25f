"""Nested loops that scan their inner side without an index (nested_loop_inner_scan)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pgwatch.explain.findings.measure import examined, loops, rows_out
from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Node, Plan

# A few loops over a small inner table is a fine plan; it becomes quadratic when the outer
# side drives many loops and each reads a whole table.
OUTER_ROWS_MIN = 100
# An inner side of a few dozen rows is scanned as fast as an index finds its match.
INNER_ROWS_MIN = 100
COMPARISONS_MIN = 100_000
COMPARISONS_CRITICAL = 10_000_000


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    for node in plan.nodes():
        if node.node_type != "Nested Loop" or len(node.children) < 2:
            continue
        outer, inner = node.children[0], node.children[1]
        scan = inner.children[0] if inner.node_type == "Materialize" and inner.children \
            else inner
        if scan.node_type != "Seq Scan":
            continue
        outer_rows, per_loop = _sizes(outer, inner, scan)
        if outer_rows >= OUTER_ROWS_MIN and per_loop >= INNER_ROWS_MIN \
                and outer_rows * per_loop >= COMPARISONS_MIN:
            yield _finding(node, scan, outer_rows, per_loop)


def _sizes(outer: Node, inner: Node, scan: Node) -> tuple[float, float]:
    if not outer.analyzed:
        return outer.plan_rows or 0.0, scan.plan_rows or 0.0
    if inner is scan:
        return rows_out(outer), examined(scan) / max(loops(scan), 1)
    return rows_out(outer), inner.actual_rows or 0.0


def _finding(node: Node, scan: Node, outer_rows: float, per_loop: float) -> Finding:
    comparisons = outer_rows * per_loop
    severity = Severity.CRITICAL if comparisons >= COMPARISONS_CRITICAL else Severity.WARNING
    columns = _inner_columns(node.join_filter, scan.alias or scan.relation)
    target = f"{scan.relation} ({', '.join(columns)})" if columns else f"{scan.relation} (...)"
    return Finding.at(
        scan, "nested_loop_inner_scan", severity,
        f"The nested loop reads all of {scan.relation} ({per_loop:,.0f} rows) for each of "
        f"{outer_rows:,.0f} outer rows: {comparisons:,.0f} row comparisons.",
        f"CREATE INDEX CONCURRENTLY ON {target} so each loop is an index lookup (or ANALYZE "
        "both tables if the planner expected far fewer outer rows).",
        {"outer_rows": outer_rows, "inner_rows_per_loop": per_loop,
         "comparisons": comparisons, "join_filter": node.join_filter,
         "materialized": scan is not node.children[1]},
    )


def _inner_columns(condition: str | None, alias: str | None) -> list[str]:
    if not condition or not alias:
        return []
    found = re.findall(rf"(?<![\w.]){re.escape(alias)}\.(\w+)", condition)
    return list(dict.fromkeys(found))
