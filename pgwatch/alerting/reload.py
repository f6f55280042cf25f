"""Rules reloaded on SIGHUP: the new groups' runners, with the state of unchanged rules.

A rule is unchanged when its group (name and file) and everything but its line are the same:
it keeps its runner, so its pending and firing alerts, their ``activeAt`` and its health
survive the reload, as Prometheus copies the state of an unchanged rule into the new group.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from pgwatch.alerting.model import AlertingRule, RuleGroup
from pgwatch.alerting.state import GroupRunner, RuleRunner

_Key = tuple[str, str, AlertingRule]
MIN_TICK_S = 0.1


def _key(rule: AlertingRule) -> _Key:
    return rule.group, rule.file, replace(rule, line=0)


def carry_over(old: Iterable[GroupRunner], groups: Sequence[RuleGroup], *,
               external_labels: Mapping[str, str] | None = None,
               external_url: str = "") -> tuple[list[GroupRunner], int]:
    """Runners for ``groups``; each unchanged rule keeps its old runner. Returns the runners
    and how many rules were carried over."""
    kept: dict[_Key, RuleRunner] = {_key(r.rule): r for g in old for r in g.rules}
    runners = []
    carried = 0
    for group in groups:
        runner = GroupRunner(group, external_labels=external_labels, external_url=external_url)
        for i, fresh in enumerate(runner.rules):
            previous = kept.pop(_key(fresh.rule), None)
            if previous is not None:
                previous.rule = fresh.rule  # its new line
                runner.rules[i] = previous
                carried += 1
        runners.append(runner)
    return runners, carried


def tick_interval(evaluation_interval_s: float, groups: Iterable[RuleGroup]) -> float:
    """How often the evaluator wakes: the greatest common divisor of the evaluation interval
    and every group's own (in milliseconds, at least 100 ms), so that a group evaluates at
    its interval even when it is shorter than, or not a multiple of, the global one."""
    intervals = [evaluation_interval_s, *(g.interval_s for g in groups if g.interval_s)]
    tick = 0
    for seconds in intervals:
        tick = math.gcd(tick, max(1, round(seconds * 1000)))
    return max(MIN_TICK_S, tick / 1000)
