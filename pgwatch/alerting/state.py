"""Alert life cycle, as Prometheus 2.42's AlertingRule.Eval runs it.

inactive -> pending (the expression returns the series) -> firing (after ``for``) ->
resolved (the series is gone, and ``keep_firing_for`` has passed); resolved alerts are kept
15 minutes so that receivers hear of the resolution. A rule whose expression fails keeps
its alerts untouched, with health ``err`` and the message; a rule over its group's
``limit`` drops all its alerts, as Prometheus does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from pgwatch.alerting.model import Alert, AlertingRule, AlertState, Labels, RuleGroup
from pgwatch.alerting.promql.storage import Storage
from pgwatch.alerting.recording import RecordingRunner
from pgwatch.alerting.templates import AlertData, Template, TemplateError, run
from pgwatch.alerting.templates import parse as parse_template
from pgwatch.errors import PgwatchError

log = logging.getLogger(__name__)

RESOLVED_RETENTION_MS = 15 * 60 * 1000
DUPLICATE_LABELSET = "vector contains metrics with the same labelset after applying alert labels"


class RuleEvaluationError(PgwatchError):
    """An evaluation failed; the rule's health is ``err`` with this message."""


@dataclass(slots=True)
class _Active:
    labels: Labels
    annotations: Labels
    value: float
    state: AlertState
    active_at_ms: int
    fired_at_ms: int = 0
    resolved_at_ms: int = 0
    keep_firing_since_ms: int = 0
    last_sent_at: float = 0.0


class RuleRunner:
    """One alerting rule's alerts and health across evaluations."""

    def __init__(self, rule: AlertingRule, *, external_labels: Mapping[str, str] | None = None,
                 external_url: str = "", url_functions: bool = True) -> None:
        from pgwatch.alerting.promql import parse

        self.rule = rule
        self.expr = parse(rule.expr)
        self.external_labels = dict(external_labels or {})
        self.external_url = external_url
        self.url_functions = url_functions  # False in promtool's runner, as promtool has none
        self.hold_ms = round(rule.for_s * 1000)
        self.keep_firing_ms = round(rule.keep_firing_for_s * 1000)
        self.label_templates = [(k, _parse(v, rule.name)) for k, v in rule.labels]
        self.annotation_templates = [(k, _parse(v, rule.name)) for k, v in rule.annotations]
        self.active: dict[Labels, _Active] = {}
        self._expanded: dict[tuple[Labels, float], tuple[Labels, Labels]] = {}
        self.health = "unknown"
        self.last_error = ""
        self.last_evaluation_ms = 0
        self.evaluation_duration_s = 0.0

    def evaluate(self, storage: Storage, at_ms: int, limit: int = 0) -> list[Alert]:
        """Evaluate at ``at_ms``; the alerts afterwards. Failures set health, never raise."""
        started = time.perf_counter()
        try:
            self._evaluate(storage, at_ms, limit)
        except PgwatchError as exc:
            self.health, self.last_error = "err", str(exc)
            log.warning("rule %s: evaluation failed: %s", self.rule.name, exc)
        else:
            self.health, self.last_error = "ok", ""
        self.last_evaluation_ms = at_ms
        self.evaluation_duration_s = time.perf_counter() - started
        return self.alerts()

    def alerts(self) -> list[Alert]:
        """The active alerts: pending, firing, and resolved within the last 15 minutes."""
        return [self._public(a) for a in self.active.values()]

    def series(self) -> list[tuple[Labels, float]]:
        """The ``ALERTS`` and ``ALERTS_FOR_STATE`` samples of the last evaluation, as
        Prometheus writes them: one pair per pending or firing alert; the rule's raw labels
        under the alert's (a label whose template expanded to "" shows its raw text)."""
        out: list[tuple[Labels, float]] = []
        for alert in self.active.values():
            if alert.state is AlertState.INACTIVE:
                continue
            base = {**dict(self.rule.labels), **dict(alert.labels)}
            state = {**base, "__name__": "ALERTS", "alertstate": alert.state.value}
            out.append((tuple(sorted(state.items())), 1.0))
            for_state = {**base, "__name__": "ALERTS_FOR_STATE"}
            out.append((tuple(sorted(for_state.items())), float(alert.active_at_ms // 1000)))
        return out

    def restore(self, alerts: Iterable[Alert]) -> None:
        """Take back alerts persisted before a restart, with their times and states."""
        for alert in alerts:
            if alert.rule != self.rule.name:
                continue
            self.active[alert.labels] = _Active(
                alert.labels, alert.annotations, alert.value, alert.state,
                round(alert.active_at * 1000), round(alert.fired_at * 1000),
                round(alert.resolved_at * 1000), round(alert.keep_firing_since * 1000),
                alert.last_sent_at)

    def _evaluate(self, storage: Storage, at_ms: int, limit: int) -> None:
        found = self._query(storage, at_ms)
        for labels, fresh in found.items():
            current = self.active.get(labels)
            if current is not None and current.state is not AlertState.INACTIVE:
                current.value, current.annotations = fresh.value, fresh.annotations
                continue
            self.active[labels] = fresh
        count = 0
        for labels, alert in list(self.active.items()):
            if labels not in found and not self._keeps_firing(labels, alert, at_ms):
                continue
            if labels in found:
                alert.keep_firing_since_ms = 0
            count += 1
            if alert.state is AlertState.PENDING and at_ms - alert.active_at_ms >= self.hold_ms:
                alert.state, alert.fired_at_ms = AlertState.FIRING, at_ms
        if limit > 0 and count > limit:
            self.active = {}
            raise RuleEvaluationError(f"exceeded limit of {limit} with {count} alerts")

    def _keeps_firing(self, labels: Labels, alert: _Active, at_ms: int) -> bool:
        """For an alert whose series is gone: True if keep_firing_for holds it firing."""
        keep = False
        if alert.state is AlertState.FIRING and self.keep_firing_ms > 0:
            if not alert.keep_firing_since_ms:
                alert.keep_firing_since_ms = at_ms
            keep = at_ms - alert.keep_firing_since_ms < self.keep_firing_ms
        if alert.state is AlertState.PENDING or (
                alert.resolved_at_ms and at_ms - alert.resolved_at_ms > RESOLVED_RETENTION_MS):
            del self.active[labels]
        if alert.state is not AlertState.INACTIVE and not keep:
            alert.state, alert.resolved_at_ms = AlertState.INACTIVE, at_ms
        return keep

    def _query(self, storage: Storage, at_ms: int) -> dict[Labels, _Active]:
        from pgwatch.alerting.promql import Scalar, Vector, evaluate

        result = evaluate(self.expr, storage, at_ms)
        if isinstance(result, Scalar):
            samples: list[tuple[Labels, float]] = [((), result.value)]
        elif isinstance(result, Vector):
            samples = [(s.labels, s.value) for s in result.samples]
        else:
            raise RuleEvaluationError("rule result is not a vector or scalar")
        found: dict[Labels, _Active] = {}
        previous, self._expanded = self._expanded, {}
        for series, value in samples:
            key = (series, value)  # a steady series is not expanded again
            expanded = previous.get(key) or self._expand(series, value)
            self._expanded[key] = expanded
            labels, annotations = expanded
            if labels in found:
                raise RuleEvaluationError(DUPLICATE_LABELSET)
            found[labels] = _Active(labels, annotations, value, AlertState.PENDING, at_ms)
        return found

    def _expand(self, series: Labels, value: float) -> tuple[Labels, Labels]:
        data = AlertData(dict(series), self.external_labels, self.external_url, value)
        labels = {k: v for k, v in series if k != "__name__"}
        for name, template in self.label_templates:
            text = self._run(template, data)
            if text:
                labels[name] = text
            else:
                labels.pop(name, None)  # Prometheus' label builder drops empty values
        labels["alertname"] = self.rule.name
        annotations = tuple(sorted((k, self._run(t, data)) for k, t in self.annotation_templates))
        return tuple(sorted(labels.items())), annotations

    def _run(self, template: Template | TemplateError, data: AlertData) -> str:
        try:
            if isinstance(template, TemplateError):
                raise template
            return run(template, data, url_functions=self.url_functions)
        except TemplateError as exc:
            log.warning("rule %s: expanding a template failed: %s", self.rule.name, exc)
            return f"<error expanding template: {exc}>"

    def _public(self, a: _Active) -> Alert:
        return Alert(self.rule.name, self.rule.group, a.labels, a.annotations, a.state, a.value,
                     a.active_at_ms / 1000, a.fired_at_ms / 1000, a.resolved_at_ms / 1000,
                     a.last_sent_at, a.keep_firing_since_ms / 1000)


def _parse(text: str, rule_name: str) -> Template | TemplateError:
    try:
        return parse_template(text, rule_name)
    except TemplateError as exc:
        return exc


class GroupRunner:
    """One group's rules, evaluated in order at one instant."""

    def __init__(self, group: RuleGroup, *, external_labels: Mapping[str, str] | None = None,
                 external_url: str = "", url_functions: bool = True) -> None:
        self.group = group
        self.rules = [RuleRunner(r, external_labels=external_labels, external_url=external_url,
                                 url_functions=url_functions) for r in group.rules]
        self.recording = [RecordingRunner(r) for r in group.recording]
        self.last_evaluation_ms = 0
        self.evaluation_duration_s = 0.0

    def evaluate(self, storage: Storage, at_ms: int) -> list[Alert]:
        """Evaluate every rule at ``at_ms``; every active alert of the group afterwards."""
        started = time.perf_counter()
        alerts: list[Alert] = []
        for runner in self.rules:
            alerts.extend(runner.evaluate(storage, at_ms, self.group.limit))
        self.last_evaluation_ms = at_ms
        self.evaluation_duration_s = time.perf_counter() - started
        return alerts

    def alerts(self) -> list[Alert]:
        return [a for runner in self.rules for a in runner.alerts()]

    def steps(self) -> list[RuleRunner | RecordingRunner]:
        """Alerting and recording rules in the order the file lists them."""
        return sorted([*self.rules, *self.recording], key=lambda r: r.rule.line)

    def restore(self, alerts: Iterable[Alert]) -> None:
        """Give each rule back its persisted alerts."""
        saved = [a for a in alerts if a.group == self.group.name]
        for runner in self.rules:
            runner.restore(saved)


def with_sent(alert: Alert, at: float) -> Alert:
    """The alert as last sent at ``at`` (Unix seconds)."""
    return replace(alert, last_sent_at=at)
