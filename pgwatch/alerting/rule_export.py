"""One Prometheus rule file from all of pgwatch's groups (``pgwatch rules export``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from pgwatch.alerting.durations import format_duration_ms
from pgwatch.alerting.model import AlertingRule, RuleGroup
from pgwatch.alerting.rules import RuleError, RuleProblem


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def export_prometheus(groups: Sequence[RuleGroup], sources: Sequence[str]) -> str:
    """The groups as one rule file ``promtool check rules`` accepts; group names must differ."""
    seen: dict[str, RuleGroup] = {}
    for group in groups:
        if group.name in seen:
            first = seen[group.name]
            raise RuleError([RuleProblem(group.file, group.rules[0].line if group.rules else 1,
                                         f"group name also used in {first.file}; one exported "
                                         "file needs unique group names", group=group.name)])
        seen[group.name] = group
    body = {"groups": [_group(g) for g in groups]}
    header = "# Exported by `pgwatch rules export --format prometheus` from:\n" + "".join(
        f"#   {s}\n" for s in sources)
    return header + yaml.dump(body, Dumper=_Dumper, sort_keys=False, width=100,
                              allow_unicode=True)


def _group(group: RuleGroup) -> dict[str, Any]:
    out: dict[str, Any] = {"name": group.name}
    if group.interval_s:
        out["interval"] = format_duration_ms(round(group.interval_s * 1000))
    if group.limit:
        out["limit"] = group.limit
    out["rules"] = [_rule(r) for r in group.rules]
    return out


def _rule(rule: AlertingRule) -> dict[str, Any]:
    out: dict[str, Any] = {"alert": rule.name, "expr": rule.expr}
    if rule.for_s:
        out["for"] = format_duration_ms(round(rule.for_s * 1000))
    if rule.keep_firing_for_s:
        out["keep_firing_for"] = format_duration_ms(round(rule.keep_firing_for_s * 1000))
    if rule.labels:
        out["labels"] = dict(rule.labels)
    if rule.annotations:
        out["annotations"] = dict(rule.annotations)
    return out
