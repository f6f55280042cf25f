"""Correlated subqueries executed once per outer row (subplan_per_row)."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.explain.findings.measure import loops
from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Node, Plan

# A subplan run a handful of times is harmless; past 100 runs it is a join written as a loop.
SUBPLAN_LOOPS_MIN = 100
# ... and when those runs add up to a second, it is the query's main cost.
SUBPLAN_CRITICAL_MS = 1_000.0


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    for node in plan.nodes():
        if node.parent_relationship != "SubPlan":
            continue
        runs = loops(node)
        if runs >= SUBPLAN_LOOPS_MIN:
            yield _finding(node, runs)


def _finding(node: Node, runs: int) -> Finding:
    spent = node.total_actual_ms
    severity = Severity.CRITICAL if spent is not None and spent >= SUBPLAN_CRITICAL_MS \
        else Severity.WARNING
    name = node.subplan_name or "SubPlan"
    return Finding.at(
        node, "subplan_per_row", severity,
        f"{name} ran {runs:,} times, once per outer row"
        + (f", {spent:,.1f} ms in all." if spent is not None else "."),
        "Rewrite the correlated subquery as a JOIN (or LEFT JOIN LATERAL, or EXISTS for a "
        "yes/no test) so it runs once as a set; at least index its correlation column.",
        {"loops": runs, "total_ms": spent, "subplan": name,
         "rows_per_loop": node.actual_rows},
    )
