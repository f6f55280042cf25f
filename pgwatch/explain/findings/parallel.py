"""Gather nodes that got fewer workers than planned (parallel_workers_short)."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Plan


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    for node in plan.nodes():
        planned, launched = node.workers_planned, node.workers_launched
        if node.node_type not in ("Gather", "Gather Merge") or planned is None \
                or launched is None or launched >= planned:
            continue
        yield Finding.at(
            node, "parallel_workers_short", Severity.WARNING,
            f"{launched} of {planned} planned parallel workers started: the query ran with "
            f"{launched + 1} processes instead of {planned + 1}.",
            "Raise max_parallel_workers (and max_worker_processes, which needs a restart), or "
            "run fewer parallel queries at once; the pool was exhausted when this ran.",
            {"workers_planned": planned, "workers_launched": launched},
        )
