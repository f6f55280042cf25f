"""EXPLAIN's text format, as pasted from psql (or logged by auto_explain), into a ``Plan``.

The tree is read from indentation: a node's details and its ``->`` children are indented
past the column where the node's name starts; ``SubPlan``/``InitPlan``/``CTE`` headers name
the child that follows them. Lines at the root's column after the tree are the trailer
(Planning, Triggers, JIT, Settings, Execution Time).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pgwatch.explain import parse_text_fields as fields
from pgwatch.explain.parse_paste import Line, unwrap
from pgwatch.explain.parse_text_header import label_fields, split_header
from pgwatch.explain.plan import Buffers, Jit, Node, Plan, PlanError, Trigger, Wal

_SUBPLAN = re.compile(r"^(SubPlan \d+|InitPlan \d+(?: \(returns .*\))?|CTE \S+)$")
_WORKER = re.compile(r"^Worker \d+:")
_MEMBER_PARENTS = {"Append", "Merge Append", "BitmapAnd", "BitmapOr"}
_TRIGGER = re.compile(r"^Trigger (?P<fk>for constraint )?(?P<name>.+?)(?: on (?P<rel>\S+))?: "
                      r"time=(?P<time>[\d.]+) calls=(?P<calls>\d+)$")


@dataclass(slots=True)
class _Draft:
    """A node while its lines are read; frozen into a ``Node`` at the end."""

    column: int
    line: int
    values: dict[str, Any]
    children: list[_Draft] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)
    pending_subplan: tuple[int, str] | None = None
    worker_column: int | None = None  # inside a VERBOSE "Worker N:" block


def parse(text: str, *, source: str) -> Plan:
    """Parse a text plan; errors name ``source`` and the line."""
    return parse_lines(unwrap(text), source=source)


def parse_lines(lines: Sequence[Line], *, source: str, query_text: str | None = None,
                duration_ms: float | None = None) -> Plan:
    """Parse already unwrapped lines (auto_explain passes its entry's lines)."""
    lines = [line for line in lines if line.text.strip()]
    if lines and lines[0].text.strip().startswith("Query Text:"):
        query_text, lines = _query_text(lines)
    if not lines:
        raise PlanError(f"{source}: no plan lines")
    try:
        root, rest = _tree(lines, source)
        trailer = _trailer(rest, source)
        frozen = _freeze(root, itertools.count(), None, None)
    except RecursionError:
        raise PlanError(f"{source}: plan nested too deeply") from None
    return Plan(root=frozen, source=source, format="text", query_text=query_text,
                duration_ms=duration_ms, **trailer)


def _query_text(lines: Sequence[Line]) -> tuple[str, Sequence[Line]]:
    """auto_explain's query (possibly several lines), up to the plan's first node line."""
    parts = [lines[0].text.strip().removeprefix("Query Text:").strip()]
    for position, line in enumerate(lines[1:], start=1):
        if split_header(line.text.strip()) is not None:
            return "\n".join(parts), lines[position:]
        parts.append(line.text)
    return "\n".join(parts), ()


def _tree(lines: Sequence[Line], source: str) -> tuple[_Draft, Sequence[Line]]:
    first = lines[0]
    # A subtree pasted on its own starts with its "->".
    content = first.text.strip().removeprefix("->").lstrip()
    root = _new_node(first, len(first.text) - len(content), content, source)
    if root is None:
        raise PlanError(f"{source}: line {first.number}: not a PostgreSQL plan node: "
                        f"{_clip(first.text)}")
    stack = [root]
    for position, line in enumerate(lines[1:], start=1):
        column, content = _indent(line.text), line.text.strip()
        if column <= root.column and not content.startswith("->"):
            return root, lines[position:]
        while len(stack) > 1 and stack[-1].column >= column:
            stack.pop()
        _add_line(stack, line, column, content, source)
    return root, ()


def _add_line(stack: list[_Draft], line: Line, column: int, content: str, source: str) -> None:
    owner = stack[-1]
    if content.startswith("->"):
        body = content[2:].lstrip()
        child = _new_node(line, column + len(content) - len(body), body, source)
        if child is None:
            raise PlanError(f"{source}: line {line.number}: not a PostgreSQL plan node: "
                            f"{_clip(body)}")
        if owner.pending_subplan is not None and column > owner.pending_subplan[0]:
            kind = owner.pending_subplan[1].split()[0]
            child.values["parent_relationship"] = "InitPlan" if kind == "CTE" else kind
            child.values["subplan_name"] = owner.pending_subplan[1]
        owner.children.append(child)
        stack.append(child)
    elif _SUBPLAN.match(content):
        owner.pending_subplan = (column, content)
    elif owner.worker_column is not None and column > owner.worker_column:
        # One worker's own numbers (VERBOSE): the node's totals are on its own lines.
        owner.extra.append(("Worker detail", content))
    else:
        owner.worker_column = column if _WORKER.match(content) else None
        _add_detail(owner, line, content, source)


def _new_node(line: Line, column: int, content: str, source: str) -> _Draft | None:
    header = split_header(content)
    if header is None:
        return None
    label, values = header
    values.update(label_fields(label))
    return _Draft(column=column, line=line.number, values=values)


def _add_detail(node: _Draft, line: Line, content: str, source: str) -> None:
    where = f"{source}: line {line.number}"
    pair = fields.split_key(content)
    if pair is None:
        raise PlanError(f"{where}: not a plan line: {_clip(content)}")
    key, value = pair
    found = fields.node_fields(key, value, where)
    if found is None:
        node.extra.append((key, value))
        return
    for name, item in found.items():
        if name in ("buffers", "io", "wal"):
            merged = {**node.values.get(name, {}), **item}
            node.values[name] = merged
        else:
            node.values[name] = item


def _trailer(lines: Sequence[Line], source: str) -> dict[str, Any]:
    out: dict[str, Any] = {"settings": (), "triggers": ()}
    section = ""
    jit: dict[str, Any] = {}
    planning: dict[str, Any] = {}
    triggers: list[Trigger] = []
    extra: list[tuple[str, str]] = []
    base = _indent(lines[0].text) if lines else 0
    for line in lines:
        content, where = line.text.strip(), f"{source}: line {line.number}"
        if _indent(line.text) > base and section in ("Planning", "JIT"):
            _section_line(planning if section == "Planning" else jit, content, where)
            continue
        section = ""
        trigger = _TRIGGER.match(content)
        if trigger:
            name = trigger.group("name")
            triggers.append(Trigger(name, trigger.group("rel"), float(trigger.group("time")),
                                    int(trigger.group("calls")),
                                    name if trigger.group("fk") else None))
            continue
        section = _trailer_line(out, extra, content, where)
    out["triggers"] = tuple(triggers)
    out["extra"] = tuple(extra)
    if jit:
        out["jit"] = _jit(jit)
    if planning:
        out["planning_buffers"] = _buffers(planning)
    return out


def _trailer_line(out: dict[str, Any], extra: list[tuple[str, str]], content: str,
                  where: str) -> str:
    """Read one trailer line into ``out``; return the section it opens ("" for none)."""
    pair = fields.split_key(content)
    if pair is None:
        raise PlanError(f"{where}: not a plan line: {_clip(content)}")
    key, value = pair
    if key in ("Planning", "JIT") and not value:
        return key
    if key == "Planning Time":
        out["planning_ms"] = fields.milliseconds(value, where)
    elif key in ("Execution Time", "Total runtime"):
        out["execution_ms"] = fields.milliseconds(value, where)
    elif key == "Settings":
        out["settings"] = fields.settings(value)
    else:
        extra.append((key, value))
    return ""


def _section_line(target: dict[str, Any], content: str, where: str) -> None:
    pair = fields.split_key(content)
    if pair is None:
        raise PlanError(f"{where}: not a plan line: {_clip(content)}")
    key, value = pair
    if key == "Buffers":
        target.update(fields.buffer_counts(value, where))
    elif key == "I/O Timings":
        target.update(fields.io_times(value, where))
    elif key == "Functions":
        target["functions"] = int(value)
    elif key == "Options":
        target["options"] = dict(re.findall(r"(\w+) (true|false)", value))
    elif key == "Timing":
        target["timing"] = fields.jit_timing(value)


def _jit(raw: dict[str, Any]) -> Jit:
    timing = raw.get("timing", {})
    options = raw.get("options", {})
    return Jit(functions=int(raw.get("functions", 0)), generation_ms=timing.get("generation"),
               inlining_ms=timing.get("inlining"), optimization_ms=timing.get("optimization"),
               emission_ms=timing.get("emission"), total_ms=timing.get("total"),
               inlining=_flag(options.get("Inlining")),
               optimization=_flag(options.get("Optimization")))


def _flag(value: str | None) -> bool | None:
    return None if value is None else value == "true"


def _buffers(values: dict[str, Any]) -> Buffers | None:
    counts, times = values.get("buffers"), values.get("io")
    if counts is None and times is None:
        return None
    return Buffers(**(counts or {}), **(times or {}))


def _freeze(draft: _Draft, counter: Iterator[int], parent: _Draft | None,
            position: int | None) -> Node:
    values = dict(draft.values)
    for name in ("buffers", "io", "wal"):
        values.pop(name, None)
    extra = tuple(values.pop("extra", ())) + tuple(draft.extra)
    if parent is not None and "parent_relationship" not in values:
        values["parent_relationship"] = _relationship(parent, position or 0)
    node_id = next(counter)
    plain = [c for c in draft.children if "subplan_name" not in c.values]
    children = tuple(
        _freeze(child, counter, draft, plain.index(child) if child in plain else None)
        for child in draft.children)
    wal = draft.values.get("wal")
    return Node(node_id=node_id, buffers=_buffers(draft.values),
                wal=Wal(**wal) if wal else None, extra=extra, children=children, **values)


def _relationship(parent: _Draft, position: int) -> str:
    node_type = parent.values["node_type"]
    if node_type in _MEMBER_PARENTS or (node_type == "ModifyTable" and position > 0):
        return "Member"
    if node_type == "Subquery Scan":
        return "Subquery"
    return "Outer" if position == 0 else "Inner"


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 60 else text[:57] + "..."
