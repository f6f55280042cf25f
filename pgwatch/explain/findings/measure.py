"""Per-node totals the findings share: rows over every loop, rows a scan examined."""

from __future__ import annotations

from pgwatch.explain.plan import Node

SCAN_TYPES = frozenset({"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan",
                        "Tid Scan", "Tid Range Scan", "Sample Scan"})


def loops(node: Node) -> int:
    return node.actual_loops or 0


def rows_out(node: Node) -> float:
    """Rows the node returned over all its loops (0 without ANALYZE)."""
    # Per-loop averages times loops: round back to the whole rows they came from.
    return float(round(node.total_actual_rows or 0.0))


def removed(node: Node) -> float:
    """Rows a node's Filter threw away, over all loops (EXPLAIN prints a per-loop average)."""
    return float(round((node.rows_removed_by_filter or 0.0) * max(loops(node), 1)))


def examined(node: Node) -> float:
    """Rows a scan looked at: those it returned plus those its Filter removed."""
    return rows_out(node) + removed(node)


def own_temp_blocks(node: Node) -> int:
    """Temp blocks read and written by this node itself (EXPLAIN's counts include children)."""
    if node.buffers is None:
        return 0
    below = sum(child.buffers.temp_blocks for child in node.children if child.buffers)
    return max(node.buffers.temp_blocks - below, 0)


def ratio(a: float, b: float) -> float:
    """a / b, with 0 rows counted as 1 (a misestimate of 0 vs 1,000 is 1,000x)."""
    return max(a, 1.0) / max(b, 1.0)


def mb(blocks: float, block_kb: int = 8) -> float:
    return round(blocks * block_kb / 1024, 1)
