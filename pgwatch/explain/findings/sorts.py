"""Sorts: ones that spill to disk (sort_spill) and top-N sorts an index would avoid."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pgwatch.explain.findings import expressions
from pgwatch.explain.findings.measure import SCAN_TYPES, rows_out
from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Node, Plan

# A sort that fits in memory needs about twice what it wrote to disk (tuples in memory carry
# more overhead than on tape); work_mem is suggested at that, rounded up to a power of two.
SPILL_MEMORY_FACTOR = 2
# Sorting fewer rows than a small table holds is cheap, whatever the LIMIT.
TOPN_INPUT_ROWS = 10_000
_THROUGH = frozenset({"Gather Merge", "Gather", "Result"})
_EQUALITY = re.compile(r"^\(*(?:\w+\.)?(?P<col>\w+)\)* = ")


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    for node in plan.nodes():
        if node.node_type in ("Sort", "Incremental Sort") and node.sort_space_type == "Disk":
            yield _spill(node)
        if node.node_type == "Limit":
            sort = _sort_below(node)
            if sort is not None and _input_rows(sort) >= TOPN_INPUT_ROWS:
                yield _topn(sort)


def _spill(node: Node) -> Finding:
    disk_kb = node.sort_space_kb or 0
    wanted_mb = _power_of_two_mb(disk_kb * SPILL_MEMORY_FACTOR)
    return Finding.at(
        node, "sort_spill", Severity.WARNING,
        f"The sort on {', '.join(node.sort_key) or 'its key'} did not fit in work_mem and "
        f"wrote {disk_kb:,} kB to disk ({node.sort_method}).",
        f"SET work_mem = '{wanted_mb}MB' for this query (SET LOCAL in its transaction), or "
        "an index on the sort key so no sort is needed.",
        {"sort_method": node.sort_method, "disk_kb": disk_kb, "suggested_work_mem_mb": wanted_mb,
         "rows": rows_out(node) or node.plan_rows},
    )


def _sort_below(limit: Node) -> Node | None:
    node = limit.children[0] if limit.children else None
    while node is not None and node.node_type in _THROUGH and node.children:
        node = node.children[0]
    return node if node is not None and node.node_type == "Sort" else None


def _input_rows(sort: Node) -> float:
    child = sort.children[0] if sort.children else None
    if child is None:
        return 0.0
    if child.analyzed:
        return rows_out(child)
    return child.plan_rows or 0.0


def _topn(sort: Node) -> Finding:
    scan = _single_scan(sort)
    keys = [_unqualified(key) for key in sort.sort_key]
    rows = _input_rows(sort)
    if scan is not None and scan.relation is not None:
        equal = [m.group("col") for c in expressions.conjuncts(scan.filter)
                 if (m := _EQUALITY.match(c))]
        columns = ", ".join(dict.fromkeys([*equal, *keys]))
        fix = f"CREATE INDEX CONCURRENTLY ON {scan.relation} ({columns}); the index returns " \
              "rows in order and the LIMIT stops after the first ones."
    else:
        fix = "Index the sort key on the table that drives the query so rows come in order."
    return Finding.at(
        sort, "topn_sort_no_index", Severity.WARNING,
        f"ORDER BY {', '.join(sort.sort_key)} with LIMIT sorts {rows:,.0f} rows to return a "
        "few: no index delivers them in that order.",
        fix,
        {"input_rows": rows, "sort_method": sort.sort_method,
         "sort_key": ", ".join(sort.sort_key),
         "relation": scan.relation if scan is not None else None},
    )


def _single_scan(sort: Node) -> Node | None:
    node = sort.children[0] if sort.children else None
    while node is not None and node.node_type in _THROUGH and len(node.children) == 1:
        node = node.children[0]
    return node if node is not None and node.node_type in SCAN_TYPES else None


def _unqualified(key: str) -> str:
    head, _, rest = key.partition(" ")
    column = head.rsplit(".", 1)[-1]
    return f"{column} {rest}".strip()


def _power_of_two_mb(kb: int) -> int:
    mb = max(1, -(-kb // 1024))
    return 1 << (mb - 1).bit_length()
