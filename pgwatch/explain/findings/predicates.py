"""Conditions no btree index can serve: non_sargable_predicate, leading_wildcard_like."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.explain.findings import expressions
from pgwatch.explain.findings.measure import SCAN_TYPES, examined
from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.findings.scans import LARGE_TABLE_ROWS
from pgwatch.explain.plan import Node, Plan


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    for node in plan.nodes():
        if node.node_type not in SCAN_TYPES:
            continue
        finding = _non_sargable(node, context)
        if finding is not None:
            yield finding
        like = _leading_wildcard(node)
        if like is not None:
            yield like


def _large(node: Node) -> bool:
    """Whether the scan is big enough for a usable index to matter (unknown counts as big)."""
    return not node.analyzed or examined(node) >= LARGE_TABLE_ROWS


def _non_sargable(node: Node, context: Context) -> Finding | None:
    wrapped = expressions.wrapped_columns(node.filter)
    if not wrapped:
        return None
    live = context.indexes is not None
    indexed = {column for index in context.indexes_of(node.relation)
               for column in index.columns if column}
    if live:
        wrapped = tuple(w for w in wrapped if w.column in indexed)
        if not wrapped:
            return None
    first = wrapped[0]
    severity = Severity.WARNING if _large(node) else Severity.INFO
    names = [i.name for i in context.indexes_of(node.relation) if first.column in i.columns]
    index = f"the index {names[0]}" if names else f"an index on {first.column} (if any)"
    return Finding.at(
        node, "non_sargable_predicate", severity,
        f"The filter applies {first.wrapper} to {first.column} ({first.expression}), so "
        f"{index} cannot serve it.",
        f"Compare the bare column instead (move the function or cast to the constant side, "
        f"e.g. a range for a date), or CREATE INDEX CONCURRENTLY ON {node.relation} "
        f"(({first.expression})).",
        {"column": first.column, "expression": first.expression, "filter": node.filter,
         "index_checked": "yes" if live else "no", "rows_examined": examined(node) or None,
         "columns": ", ".join(dict.fromkeys(w.column for w in wrapped))},
    )


def _leading_wildcard(node: Node) -> Finding | None:
    condition = " AND ".join(c for c in (node.index_cond, node.recheck_cond, node.filter) if c)
    patterns = expressions.leading_wildcards(condition)
    if not patterns:
        return None
    column, key = expressions.like_operand(condition)
    severity = Severity.WARNING if _large(node) else Severity.INFO
    return Finding.at(
        node, "leading_wildcard_like", severity,
        f"LIKE '{patterns[0]}' starts with a wildcard: a btree index on {column} cannot "
        "serve it, so every row is compared.",
        f"CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX CONCURRENTLY ON "
        f"{node.relation} USING gin ({key} gin_trgm_ops); or anchor the pattern.",
        {"pattern": patterns[0], "column": column, "rows_examined": examined(node) or None},
    )
