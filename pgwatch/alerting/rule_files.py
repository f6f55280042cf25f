"""Reading rule files in Prometheus' format, keeping the line of every group, rule and key.

Structural problems (YAML errors, unknown keys, wrong types, bad durations, missing fields)
are collected, not raised, so that ``rules check`` can list every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pgwatch.alerting.durations import DurationError, parse_duration_ms

GROUP_KEYS = ("name", "interval", "limit", "rules")
RULE_KEYS = ("alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations")


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One problem of one rule file: ``file:line: rule NAME: message``."""

    file: str
    line: int
    message: str
    rule: str | None = None
    group: str | None = None

    def __str__(self) -> str:
        where = (f"rule {self.rule}: " if self.rule else
                 f"group {self.group}: " if self.group else "")
        return f"{self.file}:{self.line}: {where}{self.message}"


@dataclass(slots=True)
class RawRule:
    """One entry of ``rules:`` as written, with the line of each key."""

    line: int
    values: dict[str, str] = field(default_factory=dict)
    maps: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    expr_literal: bool = False  # a ``|`` block: positions map to lines

    @property
    def name(self) -> str:
        return self.values.get("alert") or self.values.get("record") or ""


@dataclass(slots=True)
class RawGroup:
    """One entry of ``groups:`` as written."""

    name: str
    line: int
    interval_ms: int | None = None
    limit: int = 0
    rules: list[RawRule] = field(default_factory=list)


@dataclass(slots=True)
class RawFile:
    """A rule file's groups and the problems found reading it."""

    path: str
    groups: list[RawGroup] = field(default_factory=list)
    problems: list[RuleProblem] = field(default_factory=list)

    def problem(self, line: int, message: str, rule: str | None = None,
                group: str | None = None) -> None:
        self.problems.append(RuleProblem(self.path, line, message, rule, group))


def read_rule_file(path: Path) -> RawFile:
    """Read one file; every problem goes into ``problems``."""
    raw = RawFile(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raw.problem(1, f"cannot read: {getattr(exc, 'strerror', None) or exc}")
        return raw
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raw.problem(line, f"invalid YAML: {exc.problem or exc.context}")
        return raw
    except yaml.YAMLError as exc:
        raw.problem(1, f"invalid YAML: {exc}")
        return raw
    if node is None:
        return raw  # an empty file has no groups, as in Prometheus
    _read_top(raw, node)
    return raw


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _pairs(raw: RawFile, node: yaml.Node, what: str, allowed: tuple[str, ...], *,
           rule: str | None = None, group: str | None = None
           ) -> list[tuple[str, yaml.Node, int]]:
    """A mapping's (key, value, line), with unknown and repeated keys reported."""
    if not isinstance(node, yaml.MappingNode):
        raw.problem(_line(node), f"{what} must be a mapping", rule, group)
        return []
    seen: dict[str, int] = {}
    out = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = _line(key_node)
        if key in seen:
            raw.problem(line, f'mapping key "{key}" already defined at line {seen[key]}',
                        rule, group)
            continue
        seen[key] = line
        if key not in allowed:
            raw.problem(line, f"unknown key {key!r} in {what}; allowed: {', '.join(allowed)}",
                        rule, group)
            continue
        out.append((key, value_node, line))
    return out


def _read_top(raw: RawFile, node: yaml.Node) -> None:
    for key, value, line in _pairs(raw, node, "the file", ("groups",)):
        del key
        if _is_null(value):
            return
        if not isinstance(value, yaml.SequenceNode):
            raw.problem(line, "groups must be a list")
            return
        names: dict[str, int] = {}
        for item in value.value:
            group = _read_group(raw, item)
            if group is None:
                continue
            if group.name in names:
                raw.problem(group.line, f'groupname: "{group.name}" is repeated in the same '
                            f"file (first at line {names[group.name]})", group=group.name)
            names.setdefault(group.name, group.line)
            raw.groups.append(group)


def _peek(node: yaml.Node, *keys: str) -> str | None:
    """A mapping's first scalar value under one of ``keys``, to name it in messages."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value in keys and isinstance(value_node, yaml.ScalarNode):
                return str(value_node.value) or None
    return None


def _read_group(raw: RawFile, node: yaml.Node) -> RawGroup | None:
    group = RawGroup("", _line(node))
    pairs = _pairs(raw, node, "a group", GROUP_KEYS, group=_peek(node, "name"))
    for key, value, line in pairs:
        if key == "name":
            group.name = _scalar(raw, value, "name") or ""
            group.line = line
    if not group.name and isinstance(node, yaml.MappingNode):
        raw.problem(group.line, "Groupname must not be empty")
    name = group.name or None
    for key, value, line in pairs:
        if key == "interval":
            text = _scalar(raw, value, "interval", group=name)
            group.interval_ms = _duration(raw, text, "interval", line, group=name) or None
        elif key == "limit":
            group.limit = _integer(raw, value, line, name)
        elif key == "rules":
            group.rules = _read_rules(raw, value, name)
    return group if isinstance(node, yaml.MappingNode) else None


def _integer(raw: RawFile, node: yaml.Node, line: int, group: str | None) -> int:
    text = _scalar(raw, node, "limit", group=group)
    try:
        return int(text or "0")
    except ValueError:
        raw.problem(line, f"limit: cannot unmarshal {text!r} into an integer", group=group)
        return 0


def _read_rules(raw: RawFile, node: yaml.Node, group: str | None) -> list[RawRule]:
    if _is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raw.problem(_line(node), "rules must be a list", group=group)
        return []
    return [_read_rule(raw, item) for item in node.value]


def _read_rule(raw: RawFile, node: yaml.Node) -> RawRule:
    rule = RawRule(_line(node))
    pairs = _pairs(raw, node, "a rule", RULE_KEYS, rule=_peek(node, "alert", "record"))
    for key, value, line in pairs:  # the name first, so every problem can name the rule
        if key in ("alert", "record"):
            rule.values[key] = _scalar(raw, value, key) or ""
            rule.lines[key] = line
    name = rule.name or None
    for key, value, line in pairs:
        rule.lines[key] = line
        if key in ("labels", "annotations"):
            rule.maps[key] = _string_map(raw, value, key, name)
        elif key not in ("alert", "record"):
            rule.values[key] = _scalar(raw, value, key, name) or ""
            if key == "expr" and isinstance(value, yaml.ScalarNode) and value.style == "|":
                rule.expr_literal = True
                rule.lines["expr"] = _line(value)
            elif key in ("for", "keep_firing_for"):
                _duration(raw, rule.values[key], key, line, rule=name)
    if "alert" in rule.lines:
        rule.line = rule.lines["alert"]
    elif "record" in rule.lines:
        rule.line = rule.lines["record"]
    return rule


def _string_map(raw: RawFile, node: yaml.Node, what: str,
                rule: str | None) -> list[tuple[str, str, int]]:
    if _is_null(node):
        return []
    if not isinstance(node, yaml.MappingNode):
        raw.problem(_line(node), f"{what} must be a mapping of names to strings", rule)
        return []
    out: list[tuple[str, str, int]] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key, line = str(key_node.value), _line(key_node)
        if key in seen:
            raw.problem(line, f'{what}: mapping key "{key}" already defined at line '
                        f"{seen[key]}", rule)
            continue
        seen[key] = line
        value = _scalar(raw, value_node, f"{what}.{key}", rule)
        out.append((key, value or "", line))
    return out


def _scalar(raw: RawFile, node: yaml.Node, what: str, rule: str | None = None,
            group: str | None = None) -> str | None:
    if _is_null(node):
        return None
    if not isinstance(node, yaml.ScalarNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
        raw.problem(_line(node), f"{what} must be a string, not {kind}", rule, group)
        return None
    return str(node.value)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _duration(raw: RawFile, text: str | None, key: str, line: int, *,
              rule: str | None = None, group: str | None = None) -> int:
    if text is None:
        return 0
    try:
        return parse_duration_ms(text)
    except DurationError as exc:
        raw.problem(line, f"{key}: {exc}", rule, group)
        return 0
