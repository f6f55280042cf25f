"""Row estimates off by 10x or more (misestimate), with the likely cause and its fix."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.explain.findings import expressions
from pgwatch.explain.findings.measure import ratio
from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Node, Plan

# An estimate off by 10x is where the planner starts choosing the wrong join and scan.
MISESTIMATE_FACTOR = 10.0
# ... but 3 rows estimated as 40 changes nothing: the error must be worth this many rows.
MISESTIMATE_MIN_ROWS = 1_000
CRITICAL_FACTOR = 1_000.0
CRITICAL_ROWS = 100_000
# Nodes whose estimate is their input's (or a LIMIT's count): the error is reported below.
_PASS_THROUGH = frozenset({"Limit", "Hash", "Materialize", "Sort", "Incremental Sort",
                           "Gather", "Gather Merge", "Memoize", "Unique", "LockRows",
                           "Result", "Subquery Scan", "ProjectSet"})
# Below these, a node may stop before reading everything, so fewer rows than estimated is no
# error: a LIMIT, a semi/anti join's inner side, a merge join's exhausted side, EXISTS.
_EARLY_STOP = frozenset({"Limit", "Merge Join"})
_JOINS = frozenset({"Nested Loop", "Hash Join", "Merge Join"})
CREATE_STATISTICS_MAX_COLUMNS = 8


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    yield from _visit(plan.root, stops_early=False)


def _visit(node: Node, *, stops_early: bool, rescanned: bool = False) -> Iterator[Finding]:
    below = False
    # A merge join re-reads its inner rows (mark and restore): a child's count is no estimate.
    child_rescanned = node.node_type == "Merge Join"
    for child in node.children:
        child_stops = stops_early or node.node_type in _EARLY_STOP or \
            node.join_type in ("Semi", "Anti", "Right Semi", "Right Anti") or \
            child.parent_relationship == "SubPlan"
        found = list(_visit(child, stops_early=child_stops, rescanned=child_rescanned))
        off = not child_rescanned and _is_off(child, child_stops)
        below = below or bool(found) or off
        yield from found
    if not below and not rescanned and _is_off(node, stops_early) \
            and node.node_type not in _PASS_THROUGH:
        yield _finding(node)


def _is_off(node: Node, stops_early: bool) -> bool:
    if node.actual_rows is None or node.plan_rows is None or node.never_executed:
        return False
    actual, estimated = node.actual_rows, node.plan_rows
    if actual < estimated and stops_early:
        return False
    gap = abs(actual - estimated) * max(node.actual_loops or 1, 1)
    off_by = max(ratio(actual, estimated), ratio(estimated, actual))
    return off_by >= MISESTIMATE_FACTOR and gap >= MISESTIMATE_MIN_ROWS


def _finding(node: Node) -> Finding:
    actual, estimated = node.actual_rows or 0.0, node.plan_rows or 0.0
    off_by = max(ratio(actual, estimated), ratio(estimated, actual))
    gap = abs(actual - estimated) * max(node.actual_loops or 1, 1)
    severity = Severity.CRITICAL if off_by >= CRITICAL_FACTOR and gap >= CRITICAL_ROWS \
        else Severity.WARNING
    cause, fix = _cause(node)
    direction = "under" if actual > estimated else "over"
    return Finding.at(
        node, "misestimate", severity,
        f"The planner {direction}estimated {node.label}: {estimated:,.0f} rows expected, "
        f"{actual:,.0f} returned per loop ({off_by:,.0f}x); likely cause: {cause}.",
        fix,
        {"estimated_rows": estimated, "actual_rows": actual, "factor": round(off_by, 1),
         "loops": node.actual_loops, "cause": cause,
         "condition": node.filter or node.index_cond or node.hash_cond or node.merge_cond},
    )


def _cause(node: Node) -> tuple[str, str]:
    condition = " AND ".join(c for c in (node.index_cond, node.recheck_cond, node.filter) if c)
    relation = _qualified(node)
    wrapped = expressions.wrapped_columns(condition)
    if node.node_type in _JOINS:
        return _join_cause(node)
    if wrapped and relation:
        expression = wrapped[0].expression
        return (f"an expression the planner estimates with a default selectivity ({expression})",
                f"CREATE STATISTICS ON ({expression}) FROM {relation}; ANALYZE {relation}; "
                "(PostgreSQL 14+), or an expression index on it.")
    cols = list(expressions.equality_columns(condition))
    if len(cols) >= 2 and relation:
        chosen = cols[:CREATE_STATISTICS_MAX_COLUMNS]
        name = "_".join([node.relation or "t", *chosen, "stats"])[:63]
        return (f"correlated columns ({', '.join(chosen)}): the planner multiplies their "
                "selectivities as if independent",
                f"CREATE STATISTICS {name} (dependencies, ndistinct, mcv) ON {', '.join(chosen)} "
                f"FROM {relation}; ANALYZE {relation};")
    if relation:
        mentioned = expressions.columns(condition)
        column = mentioned[0] if mentioned else None
        target = f" ALTER TABLE {relation} ALTER COLUMN {column} SET STATISTICS 1000;" \
            if column else ""
        return ("stale or too coarse statistics",
                f"ANALYZE {relation};{target} then ANALYZE again if it persists.")
    return ("the estimates of the node's inputs",
            "ANALYZE the tables this node reads and check the estimates below it.")


def _join_cause(node: Node) -> tuple[str, str]:
    keys = node.hash_cond or node.merge_cond or node.join_filter
    parts = expressions.conjuncts(keys)
    if len(parts) >= 2:
        return (f"a join on {len(parts)} conditions ({' AND '.join(parts)}) whose "
                "selectivities the planner multiplies as if independent",
                "Extended statistics do not reach join estimates: join on one key instead (a "
                "generated column combining the joined columns, on both tables), so the "
                "planner estimates one condition.")
    return (f"the join's selectivity on {keys or 'the join condition'}",
            "ANALYZE the joined tables; if the estimate stays off, raise the statistics "
            "target of the join columns (ALTER TABLE ... ALTER COLUMN ... SET STATISTICS "
            "1000) and ANALYZE again.")


def _qualified(node: Node) -> str | None:
    if node.relation is None:
        return None
    return f"{node.schema}.{node.relation}" if node.schema else node.relation
