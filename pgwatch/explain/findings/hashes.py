"""Hash joins whose hash table did not fit in memory (hash_batches)."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Node, Plan

# Every batch past the first is written to and read back from temp files; from 16 batches
# the inner side is rewritten so often that the join is mostly I/O.
CRITICAL_BATCHES = 16


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    for node in plan.nodes():
        if node.node_type == "Hash" and (node.hash_batches or 1) > 1:
            yield _finding(node)


def _finding(node: Node) -> Finding:
    batches = node.hash_batches or 1
    memory_kb = node.peak_memory_kb or 0
    needed_mb = max(1, -(-memory_kb * batches // 1024))
    severity = Severity.CRITICAL if batches >= CRITICAL_BATCHES else Severity.WARNING
    grew = (node.original_hash_batches or batches) < batches
    return Finding.at(
        node, "hash_batches", severity,
        f"The hash table was split into {batches} batches (peak memory {memory_kb:,} kB)"
        f"{', more than planned' if grew else ''}: the inner side did not fit in memory and "
        "went through temp files.",
        f"Raise work_mem for this query to about {needed_mb} MB (or hash_mem_multiplier), or "
        "reduce the rows and columns hashed.",
        {"batches": batches, "original_batches": node.original_hash_batches,
         "buckets": node.hash_buckets, "peak_memory_kb": memory_kb,
         "suggested_work_mem_mb": needed_mb},
    )
