"""Alerting rules in Prometheus' format: load them, and check them as ``rules check`` does.

``check_rules`` lists every problem (``file:line: rule NAME: message``): YAML and structure,
bad durations, PromQL that does not parse or that pgwatch does not evaluate, metrics
pgwatch does not expose, templates that do not parse, duplicate alert names, invalid label
names. ``load_rules`` returns the groups, or raises ``RuleError`` naming the first problem.
Recording rules are refused: pgwatch evaluates alerting rules only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from pgwatch.alerting.durations import DurationError, parse_duration_ms
from pgwatch.alerting.model import AlertingRule, RecordingRule, RuleGroup
from pgwatch.alerting.rule_files import RawFile, RawGroup, RawRule, RuleProblem, read_rule_file
from pgwatch.alerting.templates import TemplateError
from pgwatch.alerting.templates import parse as parse_template
from pgwatch.errors import PgwatchError

__all__ = ["RuleError", "RuleProblem", "check_rules", "default_rules_dir", "load_rules",
           "rule_files"]

LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
RULE_SUFFIXES = (".yaml", ".yml")


class RuleError(PgwatchError):
    """Rule files that cannot be loaded; the message names the first problem's file and line."""

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        more = f" (and {len(problems) - 1} more; run 'pgwatch rules check')" \
            if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")
        self.problems = tuple(problems)


def rule_files(paths: Iterable[Path | str]) -> list[Path]:
    """The rule files named: files as given, directories' ``*.yaml``/``*.yml`` sorted."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.suffix in RULE_SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def load_rules(paths: Iterable[Path | str], known_metrics: frozenset[str] | None = None, *,
               unit_tests: bool = False) -> tuple[RuleGroup, ...]:
    """Every group of every file; RuleError if any file has a problem. ``unit_tests`` accepts
    what Prometheus accepts and the daemon does not: recording rules, an alert name repeated
    in a group (promtool unit tests)."""
    groups, problems = _load(paths, known_metrics, unit_tests)
    if problems:
        raise RuleError(problems)
    return groups


def check_rules(paths: Iterable[Path | str], known_metrics: frozenset[str] | None = None, *,
                unit_tests: bool = False) -> list[RuleProblem]:
    """Every problem of every file, in file and line order."""
    return _load(paths, known_metrics, unit_tests)[1]


def _load(paths: Iterable[Path | str], known_metrics: frozenset[str] | None, unit_tests: bool
          ) -> tuple[tuple[RuleGroup, ...], list[RuleProblem]]:
    groups: list[RuleGroup] = []
    problems: list[RuleProblem] = []
    files = rule_files(paths)
    for path in files:
        if not path.exists():
            problems.append(RuleProblem(str(path), 1, "no such file or directory"))
            continue
        raw = read_rule_file(path)
        for group in raw.groups:
            groups.append(_check_group(raw, group, known_metrics, unit_tests))
        problems.extend(sorted(raw.problems, key=lambda p: p.line))
    return tuple(groups), problems


def _check_group(raw: RawFile, group: RawGroup, known: frozenset[str] | None,
                 unit_tests: bool) -> RuleGroup:
    names: dict[str, int] = {}
    rules: list[AlertingRule] = []
    records: list[RecordingRule] = []
    for rule in group.rules:
        checked = _check_rule(raw, group, rule, known, unit_tests)
        if isinstance(checked, RecordingRule):
            records.append(checked)
            continue
        if checked is None:
            continue
        if checked.name in names and not unit_tests:
            raw.problem(checked.line, f"duplicate alert name in group {group.name!r} "
                        f"(first at line {names[checked.name]})", checked.name)
        names.setdefault(checked.name, checked.line)
        rules.append(checked)
    interval_s = group.interval_ms / 1000 if group.interval_ms else None
    return RuleGroup(group.name, raw.path, interval_s, tuple(rules), group.limit, tuple(records))


def _check_rule(raw: RawFile, group: RawGroup, rule: RawRule, known: frozenset[str] | None,
                unit_tests: bool) -> AlertingRule | RecordingRule | None:
    name = rule.name or None
    if rule.values.get("alert") and rule.values.get("record"):
        raw.problem(rule.line, "only one of 'record' and 'alert' must be set", name)
    elif rule.values.get("record"):
        if unit_tests:
            return _check_recording(raw, group, rule, known)
        raw.problem(rule.line, "recording rules are not supported by pgwatch's evaluator "
                    "(alerting rules only)", name)
        return None
    elif not rule.values.get("alert"):
        raw.problem(rule.line, "one of 'record' or 'alert' must be set")
        return None
    assert name is not None
    _check_common(raw, rule, name, known)
    return AlertingRule(
        name=name, expr=rule.values.get("expr", ""), for_s=_seconds(rule.values.get("for")),
        keep_firing_for_s=_seconds(rule.values.get("keep_firing_for")),
        labels=_pairs(rule, "labels"), annotations=_pairs(rule, "annotations"),
        group=group.name, file=raw.path, line=rule.line)


def _pairs(rule: RawRule, key: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v, _ in rule.maps.get(key, [])))


def _check_common(raw: RawFile, rule: RawRule, name: str, known: frozenset[str] | None) -> None:
    expr = rule.values.get("expr", "")
    if not expr.strip():
        raw.problem(rule.lines.get("expr", rule.line), "field 'expr' must be set in rule", name)
    else:
        _check_expr(raw, rule, name, expr, known)
    _check_labels(raw, rule, name)


def _check_recording(raw: RawFile, group: RawGroup, rule: RawRule,
                     known: frozenset[str] | None) -> RecordingRule:
    """Prometheus' checks of a recording rule (rulefmt), its messages."""
    name = rule.values["record"]
    if not METRIC_NAME.fullmatch(name):
        raw.problem(rule.line, f"invalid recording rule name: {name}", name)
    for key in ("annotations", "for", "keep_firing_for"):
        if rule.maps.get(key) or (key != "annotations" and _seconds(rule.values.get(key))):
            raw.problem(rule.lines.get(key, rule.line),
                        f"invalid field '{key}' in recording rule", name)
    _check_common(raw, rule, name, known)
    return RecordingRule(name, rule.values.get("expr", ""), _pairs(rule, "labels"), group.name,
                         raw.path, rule.line)


def _seconds(text: str | None) -> float:
    try:
        return parse_duration_ms(text) / 1000 if text else 0.0
    except DurationError:
        return 0.0  # already reported by the reader


def _check_expr(raw: RawFile, rule: RawRule, name: str, expr: str,
                known: frozenset[str] | None) -> None:
    from pgwatch.alerting.promql import PromQLError, metric_names, parse
    from pgwatch.alerting.promql.ast import ValueType, value_type

    line = rule.lines.get("expr", rule.line)
    try:
        tree = parse(expr)
    except PromQLError as exc:
        if rule.expr_literal and exc.position is not None:
            line += 1 + expr.count("\n", 0, exc.position)
        raw.problem(line, f"expr: {exc}", name)
        return
    kind = value_type(tree)
    if kind in (ValueType.MATRIX, ValueType.STRING):
        what = "a range vector" if kind is ValueType.MATRIX else "a string"
        raw.problem(line, f"expr: the expression gives {what}; a rule needs an instant "
                    "vector or a scalar", name)
    if known is None:
        return
    for metric in sorted(metric_names(tree) - known):
        raw.problem(line, f"expr: metric {metric} is not exposed by pgwatch "
                    "(see docs/metrics.md)", name)


def _check_labels(raw: RawFile, rule: RawRule, name: str) -> None:
    for what in ("labels", "annotations"):
        for key, value, line in rule.maps.get(what, []):
            if not LABEL_NAME.fullmatch(key) or (what == "labels" and key == "__name__"):
                raw.problem(line, f"invalid {what[:-1]} name: {key}", name)
            if rule.values.get("alert"):  # recording rules' labels are not templates
                _check_template(raw, line, name, f'{what[:-1]} "{key}"', value)


def _check_template(raw: RawFile, line: int, name: str, what: str, text: str) -> None:
    try:
        template = parse_template(text, name)
    except TemplateError as exc:
        reason = str(exc).removeprefix(f"error parsing template __alert_{name}: ")
        raw.problem(line, f"{what}: {reason}", name)
        return
    for function in template.unsupported():
        raw.problem(line, f"{what}: template function {function} is not supported by "
                    "pgwatch's evaluator", name)


def default_rules_dir() -> Path:
    """The default rules: ``$PGWATCH_RULES_DIR``, else the package's ``rules/`` (installed),
    else the source checkout's top-level ``rules/``."""
    override = os.environ.get("PGWATCH_RULES_DIR")
    if override:
        return Path(override)
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "rules", package.parent / "rules"):
        if candidate.is_dir():
            return candidate
    return package.parent / "rules"
