"""A text plan's node line (``Hash Left Join  (cost=...) (actual ...)``) as JSON's fields."""

from __future__ import annotations

import re
from typing import Any

_NUM = r"-?[\d.]+(?:e[+-]?\d+)?"
_COST = re.compile(rf"\s*\(cost=({_NUM})\.\.({_NUM}) rows=({_NUM}) width=(\d+)\)")
_ACTUAL = re.compile(
    rf"\s*\(actual (?:time=({_NUM})\.\.({_NUM}) )?rows=({_NUM}) loops=(\d+)\)")
_NEVER = re.compile(r"\s*\(never executed\)")

# Text names of nodes whose JSON "Node Type" differs, with the field the text encodes.
_AGGREGATES = {"HashAggregate": "Hashed", "GroupAggregate": "Sorted",
               "MixedAggregate": "Mixed", "Aggregate": "Plain"}
_SETOPS = {"HashSetOp": "Hashed", "SetOp": "Sorted"}
_JOINS = ("Nested Loop", "Hash Join", "Merge Join")
_JOIN_KINDS = ("Left", "Right", "Full", "Semi", "Anti", "Right Semi", "Right Anti")
# Node types that name a target after " on " / " using " (the rest is matched by prefix).
NODE_TYPES = (
    "Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan",
    "BitmapAnd", "BitmapOr", "Tid Scan", "Tid Range Scan", "Subquery Scan", "Function Scan",
    "Table Function Scan", "Values Scan", "CTE Scan", "Named Tuplestore Scan",
    "WorkTable Scan", "Foreign Scan", "Custom Scan", "Sample Scan", "Nested Loop", "Merge Join",
    "Hash Join", "Hash", "Materialize", "Memoize", "Sort", "Incremental Sort", "Group",
    "Aggregate", "WindowAgg", "Unique", "SetOp", "LockRows", "Limit", "Gather",
    "Gather Merge", "Append", "Merge Append", "Recursive Union", "Result", "ProjectSet",
    "Insert", "Update", "Delete", "Merge", "Window Aggregate",
)
_ALL_NAMES = (*NODE_TYPES, *_AGGREGATES, *_SETOPS)


def split_header(text: str) -> tuple[str, dict[str, Any]] | None:
    """(label, cost and actual fields) when ``text`` is a node line, else None."""
    fields: dict[str, Any] = {}
    label = text
    match = _COST.search(label)
    if match:
        fields.update(startup_cost=float(match.group(1)), total_cost=float(match.group(2)),
                      plan_rows=float(match.group(3)), plan_width=int(match.group(4)))
        label = label[:match.start()] + label[match.end():]
    actual = _ACTUAL.search(label)
    if actual:
        if actual.group(1) is not None:
            fields.update(actual_startup_ms=float(actual.group(1)),
                          actual_total_ms=float(actual.group(2)))
        fields.update(actual_rows=float(actual.group(3)), actual_loops=int(actual.group(4)))
        label = label[:actual.start()] + label[actual.end():]
    elif _NEVER.search(label):
        fields.update(never_executed=True, actual_loops=0, actual_rows=0.0)
        label = _NEVER.sub("", label)
    label = label.strip()
    # A "(cost=" or "(actual" left over is a cut or altered line, not a node.
    if not _known(label) or "(cost=" in label or "(actual " in label:
        return None
    return label, fields


def _known(label: str) -> bool:
    words = label.removeprefix("Parallel ").removeprefix("Partial ").removeprefix("Finalize ")
    return any(words == name or words.startswith(name + " ") for name in _ALL_NAMES)


def label_fields(label: str) -> dict[str, Any]:
    """Node type, relation, alias, index, join type and strategy from a node's label."""
    fields: dict[str, Any] = {}
    if label.startswith("Parallel "):
        fields["parallel_aware"] = True
        label = label.removeprefix("Parallel ")
    for mode in ("Partial", "Finalize"):
        if label.startswith(mode + " "):
            fields["partial_mode"] = mode
            label = label.removeprefix(mode + " ")
    head, on, target = label.partition(" on ")
    head, using, index = head.partition(" using ")
    if head.endswith(" Backward"):
        fields["scan_direction"] = "Backward"
        head = head.removesuffix(" Backward")
    fields.update(_node_type(head))
    if fields["node_type"] == "Aggregate":
        fields.setdefault("partial_mode", "Simple")
    if using:
        fields["index_name"] = index.strip()
    if on:
        fields.update(_target(fields["node_type"], target.strip()))
    return fields


def _node_type(head: str) -> dict[str, Any]:
    if head in _AGGREGATES:
        return {"node_type": "Aggregate", "strategy": _AGGREGATES[head]}
    kind, _, command = head.partition(" ")
    if kind in _SETOPS:
        found: dict[str, Any] = {"node_type": "SetOp", "strategy": _SETOPS[kind]}
        if command:
            found["extra"] = (("Command", command),)
        return found
    for join in _JOINS:
        if head == join:
            return {"node_type": join, "join_type": "Inner"}
        base = join.removesuffix(" Join")
        for kind in _JOIN_KINDS:
            if head == f"{base} {kind} Join":
                return {"node_type": join, "join_type": kind}
    if head in ("Insert", "Update", "Delete", "Merge"):
        return {"node_type": "ModifyTable", "extra": (("Operation", head),)}
    return {"node_type": head}


_PART = r'(?:"(?:[^"]|"")+"|[^\s".]+)'
_TARGET = re.compile(rf"^(?P<first>{_PART})(?:\.(?P<second>{_PART}))?(?:\s+(?P<alias>{_PART}))?$")


def _target(node_type: str, target: str) -> dict[str, Any]:
    match = _TARGET.match(target)
    if match is None:
        return {"relation": target}
    first, second, alias = (_unquote(match.group(g)) for g in ("first", "second", "alias"))
    schema, name = (first, second) if second is not None else (None, first)
    assert name is not None
    if node_type == "Bitmap Index Scan":
        return {"index_name": name}
    key = {"CTE Scan": "cte_name", "Function Scan": "function_name",
           "WorkTable Scan": "cte_name", "Subquery Scan": "alias",
           "Values Scan": "alias"}.get(node_type, "relation")
    fields: dict[str, Any] = {key: name}
    if schema is not None and key in ("relation", "function_name"):
        fields["schema"] = schema
    if alias is not None:
        fields["alias"] = alias
    elif key in ("relation", "cte_name", "function_name"):
        fields["alias"] = name
    return fields


def _unquote(part: str | None) -> str | None:
    if part is None or not part.startswith('"'):
        return part
    return part[1:-1].replace('""', '"')
