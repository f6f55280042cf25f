"""A plan and its findings for people (an indented tree) and for programs (a JSON document)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from pgwatch.explain.findings import Finding, Severity
from pgwatch.explain.plan import Node, Plan

_MARK = {Severity.CRITICAL: "!!", Severity.WARNING: "! ", Severity.INFO: "i "}
_DETAILS = (("index_cond", "Index Cond"), ("recheck_cond", "Recheck Cond"),
            ("hash_cond", "Hash Cond"), ("merge_cond", "Merge Cond"),
            ("join_filter", "Join Filter"), ("filter", "Filter"))


def summary(plan: Plan, findings: Sequence[Finding]) -> dict[str, Any]:
    """The plan's headline numbers and how many findings of each severity."""
    counts = {severity.value: 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity.value] += 1
    worst = max(findings, key=lambda f: f.severity.rank).severity.value if findings else None
    return {
        "source": plan.source, "format": plan.format, "analyzed": plan.analyzed,
        "nodes": sum(1 for _ in plan.nodes()), "planning_ms": plan.planning_ms,
        "execution_ms": plan.execution_ms, "duration_ms": plan.duration_ms,
        "jit_ms": plan.jit.total_ms if plan.jit else None,
        "total_cost": plan.root.total_cost, "findings": counts, "worst": worst,
    }


def to_document(plan: Plan, findings: Sequence[Finding]) -> dict[str, Any]:
    """``{"findings": [...], "plan": {...}, "summary": {...}}`` for ``--json``."""
    return {
        "findings": [_finding(f) for f in findings],
        "plan": _plain(plan),
        "summary": summary(plan, findings),
    }


def render_text(plan: Plan, findings: Sequence[Finding]) -> str:
    """The tree, one node a line with its conditions, each finding under its node."""
    by_node: dict[int, list[Finding]] = {}
    for finding in findings:
        by_node.setdefault(finding.node_id, []).append(finding)
    lines = [_headline(plan)]
    _node_lines(plan.root, 0, by_node, lines)
    lines.append(_footer(plan, findings))
    return "\n".join(lines)


def _headline(plan: Plan) -> str:
    kind = "EXPLAIN ANALYZE" if plan.analyzed else "EXPLAIN"
    parts = [f"{plan.source}: {kind} ({plan.format})"]
    if plan.planning_ms is not None:
        parts.append(f"planning {plan.planning_ms:,.3f} ms")
    if plan.execution_ms is not None:
        parts.append(f"execution {plan.execution_ms:,.3f} ms")
    if plan.jit is not None and plan.jit.total_ms is not None:
        parts.append(f"JIT {plan.jit.total_ms:,.3f} ms ({plan.jit.functions} functions)")
    if plan.duration_ms is not None:
        parts.append(f"logged duration {plan.duration_ms:,.3f} ms")
    return ", ".join(parts)


def _node_lines(node: Node, depth: int, by_node: dict[int, list[Finding]],
                lines: list[str]) -> None:
    pad = "  " * depth
    prefix = f"{node.subplan_name}: " if node.subplan_name else ""
    lines.append(f"{pad}[{node.node_id}] {prefix}{node.label}  {_rows(node)}")
    for detail in _details(node):
        lines.append(f"{pad}      {detail}")
    for finding in by_node.get(node.node_id, ()):
        lines.append(f"{pad}    {_MARK[finding.severity]} {finding.severity.value} "
                     f"{finding.code}: {finding.message}")
        lines.append(f"{pad}       fix: {finding.fix}")
    for child in node.children:
        _node_lines(child, depth + 1, by_node, lines)


def _details(node: Node) -> list[str]:
    """The lines under a node: its conditions, then sort, hash and worker numbers."""
    found = [f"{name}: {getattr(node, attribute)}" for attribute, name in _DETAILS
             if getattr(node, attribute)]
    if node.sort_key:
        found.append(f"Sort Key: {', '.join(node.sort_key)}")
    if node.sort_method:
        space = f", {node.sort_space_kb:,} kB ({node.sort_space_type})" \
            if node.sort_space_kb is not None else ""
        found.append(f"Sort Method: {node.sort_method}{space}")
    if node.node_type == "Hash" and node.hash_batches is not None:
        found.append(f"Batches: {node.hash_batches}, memory {node.peak_memory_kb or 0:,} kB")
    if node.workers_planned is not None:
        launched = "?" if node.workers_launched is None else node.workers_launched
        found.append(f"Workers: {launched} launched of {node.workers_planned} planned")
    return found


def _rows(node: Node) -> str:
    estimated = f"est {_count(node.plan_rows)}" if node.plan_rows is not None else "est ?"
    if node.never_executed:
        return f"({estimated}; never executed)"
    if node.actual_rows is None:
        cost = f", cost {node.total_cost:,.2f}" if node.total_cost is not None else ""
        return f"({estimated}{cost})"
    loops = node.actual_loops or 1
    actual = f"actual {_count(node.actual_rows)}"
    if loops > 1:
        actual += f" x {loops:,} loops"
    spent = f", {node.actual_total_ms:,.3f} ms" if node.actual_total_ms is not None else ""
    return f"({estimated}; {actual}{spent})"


def _count(rows: float) -> str:
    text = f"{rows:,.2f}".rstrip("0").rstrip(".")
    return f"{text} row" if rows == 1 else f"{text} rows"


def _footer(plan: Plan, findings: Sequence[Finding]) -> str:
    counts = summary(plan, findings)["findings"]
    found = ", ".join(f"{n} {severity}{'s' if n > 1 and severity == 'warning' else ''}"
                      for severity, n in counts.items() if n) or "none"
    return f"findings: {found}"


def _finding(finding: Finding) -> dict[str, Any]:
    return {"code": finding.code, "severity": finding.severity.value, "node": finding.node,
            "node_id": finding.node_id, "message": finding.message, "fix": finding.fix,
            "evidence": finding.evidence_dict()}


def _plain(value: Any) -> Any:
    """Dataclasses as dicts without the empty fields; pairs of strings as a dict."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for item in dataclasses.fields(value):
            converted = _plain(getattr(value, item.name))
            if converted is None or converted is False or converted in ([], {}):
                continue
            out[item.name] = converted
        return out
    if isinstance(value, tuple):
        if value and all(isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str)
                         for v in value):
            return {k: v for k, v in value}
        return [_plain(v) for v in value]
    return value
