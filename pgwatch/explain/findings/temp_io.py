"""Nodes that wrote and read temp files not already explained by a sort or hash (temp_io)."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.explain.findings.measure import mb, own_temp_blocks
from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Node, Plan

# 128 blocks is 1 MB: less than that is a rounding error next to the query's own I/O.
TEMP_MIN_BLOCKS = 128
# From 1 GB of temp files the query's disk traffic is the problem in itself.
TEMP_CRITICAL_BLOCKS = 131_072


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    for node in plan.nodes():
        if _explained_elsewhere(node):
            continue
        blocks = own_temp_blocks(node)
        spilled_kb = node.disk_usage_kb or 0
        if blocks >= TEMP_MIN_BLOCKS or spilled_kb >= TEMP_MIN_BLOCKS * 8:
            yield _finding(node, blocks, spilled_kb)


def _explained_elsewhere(node: Node) -> bool:
    """A sort that spilled and a batched hash have their own findings."""
    if node.node_type in ("Sort", "Incremental Sort") and node.sort_space_type == "Disk":
        return True
    if node.node_type == "Hash" and (node.hash_batches or 1) > 1:
        return True
    return node.node_type == "Hash Join" and any(
        child.node_type == "Hash" and (child.hash_batches or 1) > 1 for child in node.children)


def _finding(node: Node, blocks: int, spilled_kb: int) -> Finding:
    size_mb = mb(blocks) if blocks else round(spilled_kb / 1024, 1)
    severity = Severity.CRITICAL if blocks >= TEMP_CRITICAL_BLOCKS else Severity.WARNING
    buffers = node.buffers
    return Finding.at(
        node, "temp_io", severity,
        f"{node.label} went through {size_mb:,} MB of temp files: its working set did not "
        "fit in work_mem.",
        f"Raise work_mem for this query (SET LOCAL work_mem = '{max(4, int(size_mb * 2))}MB'), "
        "or reduce the rows it must hold (filter earlier, fewer columns).",
        {"temp_read_blocks": buffers.temp_read if buffers else None,
         "temp_written_blocks": buffers.temp_written if buffers else None,
         "temp_mb": size_mb, "disk_usage_kb": node.disk_usage_kb or None,
         "hash_batches": node.hash_batches if node.node_type == "Aggregate" else None},
    )
