"""Where the time went outside execution: planning_dominates, jit_dominates."""

from __future__ import annotations

from collections.abc import Iterator

from pgwatch.explain.findings.model import Context, Finding, Severity
from pgwatch.explain.plan import Plan

# Planning of a few ms is noise next to a network round trip; from 10 ms, and when it takes
# longer than executing, it is worth a prepared statement or a simpler schema.
PLANNING_MIN_MS = 10.0
# JIT pays off on long analytical queries; when compiling takes half the execution time and
# at least 10 ms, the query is too short for it.
JIT_MIN_MS = 10.0
JIT_SHARE = 0.5


def check(plan: Plan, context: Context) -> Iterator[Finding]:
    planning, execution = plan.planning_ms, plan.execution_ms
    if planning is not None and execution is not None and planning >= PLANNING_MIN_MS \
            and planning > execution:
        yield Finding.at(
            plan.root, "planning_dominates", Severity.WARNING,
            f"Planning took {planning:,.1f} ms, more than executing ({execution:,.1f} ms).",
            "Use a prepared statement (plan once, run many times); reduce the partitions the "
            "planner must consider (partition pruning on a constant), the number of joined "
            "tables (join_collapse_limit) or of indexes on them.",
            {"planning_ms": planning, "execution_ms": execution,
             "share": round(planning / (planning + execution), 3)},
        )
    jit = plan.jit
    if jit is None or jit.total_ms is None or execution is None:
        return
    if jit.total_ms >= JIT_MIN_MS and jit.total_ms >= JIT_SHARE * execution:
        yield Finding.at(
            plan.root, "jit_dominates", Severity.WARNING,
            f"JIT compilation of {jit.functions} functions took {jit.total_ms:,.1f} ms of the "
            f"{execution:,.1f} ms execution.",
            "SET jit = off for this query, or raise jit_above_cost (and "
            "jit_inline_above_cost, jit_optimize_above_cost) above its cost.",
            {"jit_ms": jit.total_ms, "execution_ms": execution, "functions": jit.functions,
             "generation_ms": jit.generation_ms, "inlining_ms": jit.inlining_ms,
             "optimization_ms": jit.optimization_ms, "emission_ms": jit.emission_ms,
             "share": round(jit.total_ms / execution, 3) if execution else None},
        )
