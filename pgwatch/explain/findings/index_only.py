"""Index-only scans that still fetch most rows from the heap (heap_fetches)."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.explain.findings.measure import rows_out
from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Node, Plan

# An index-only scan is only that when the visibility map marks the pages all-visible; when
# a tenth of the rows go to the heap anyway, the table needs a VACUUM.
HEAP_FETCH_FRACTION = 0.1
HEAP_FETCHES_MIN = 1_000


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    for node in plan.nodes():
        if node.node_type != "Index Only Scan" or node.heap_fetches is None:
            continue
        fetches = _total_fetches(node)
        returned = rows_out(node)
        if fetches >= HEAP_FETCHES_MIN and fetches >= HEAP_FETCH_FRACTION * max(returned, 1):
            yield _finding(node, fetches, returned)


def _total_fetches(node: Node) -> float:
    # Unlike Rows Removed by Filter, EXPLAIN prints Heap Fetches summed over all loops.
    return node.heap_fetches or 0.0


def _finding(node: Node, fetches: float, returned: float) -> Finding:
    share = fetches / returned if returned else 1.0
    return Finding.at(
        node, "heap_fetches", Severity.WARNING,
        f"The index-only scan on {node.index_name} went to the heap for {fetches:,.0f} of "
        f"{returned:,.0f} rows ({share:.0%}): the visibility map is not up to date.",
        f"VACUUM (ANALYZE) {node.relation}; and make autovacuum visit it more often "
        f"(ALTER TABLE {node.relation} SET (autovacuum_vacuum_scale_factor = 0.02, "
        "autovacuum_vacuum_insert_scale_factor = 0.02)).",
        {"heap_fetches": fetches, "rows": returned, "fetch_fraction": round(share, 3)},
    )
