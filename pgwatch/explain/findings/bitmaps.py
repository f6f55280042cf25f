"""Bitmap heap scans whose bitmap became lossy (bitmap_lossy)."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.explain.findings.measure import loops
from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Node, Plan


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    for node in plan.nodes():
        # Any lossy block means every row on it was rechecked: the bitmap outgrew work_mem.
        if node.node_type == "Bitmap Heap Scan" and (node.lossy_heap_blocks or 0) > 0:
            yield _finding(node)


def _finding(node: Node) -> Finding:
    lossy = node.lossy_heap_blocks or 0.0
    exact = node.exact_heap_blocks or 0.0
    rechecked = (node.rows_removed_by_index_recheck or 0.0) * max(loops(node), 1)
    return Finding.at(
        node, "bitmap_lossy", Severity.WARNING,
        f"The bitmap scan of {node.relation} outgrew work_mem: {lossy:,.0f} of "
        f"{lossy + exact:,.0f} heap blocks were lossy and every row on them was rechecked "
        f"({rechecked:,.0f} rows removed by the recheck).",
        "Raise work_mem for this query so the bitmap stays exact, or make the condition more "
        "selective (a better index returns fewer blocks).",
        {"lossy_heap_blocks": lossy, "exact_heap_blocks": exact,
         "rows_removed_by_index_recheck": rechecked, "recheck_cond": node.recheck_cond},
    )
