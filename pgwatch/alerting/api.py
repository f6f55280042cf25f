"""What the alerting part shows: Prometheus' ``/api/v1/alerts`` and ``/api/v1/rules`` JSON,
and its own families on ``/metrics`` (alerts by name, state and severity; the outbox)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from pgwatch.alerting.model import Alert, AlertingRule, AlertState
from pgwatch.alerting.promql.formatting import format_float_e
from pgwatch.exposition.metrics import PREFIX, Families, MetricDoc, add_counter, add_gauge

ALERTS = MetricDoc(f"{PREFIX}_alerts", "gauge",
                   "Active alerts by name, state (pending or firing) and severity.",
                   ("alertname", "alertstate", "severity"))
OUTBOX_DEPTH = MetricDoc(f"{PREFIX}_outbox_depth", "gauge",
                         "Notifications queued for a receiver and not yet delivered.",
                         ("receiver",))
SENT = MetricDoc(f"{PREFIX}_notifications_sent_total", "counter",
                 "Notifications a receiver accepted.", ("receiver",))
FAILED = MetricDoc(f"{PREFIX}_notifications_failed_total", "counter",
                   "Delivery attempts a receiver refused or did not answer (retried).",
                   ("receiver",))
DROPPED = MetricDoc(f"{PREFIX}_outbox_dropped_total", "counter",
                    "Oldest notifications dropped because a receiver's queue was full.",
                    ("receiver",))
EVALUATION = MetricDoc(f"{PREFIX}_rule_evaluation_duration_seconds", "gauge",
                       "Time the last evaluation cycle took (sampling /metrics included).", ())
WINDOW = MetricDoc(f"{PREFIX}_rule_window_samples", "gauge",
                   "Samples the evaluator keeps in memory for the loaded rules.", ())
ALERTING_METRICS = (ALERTS, OUTBOX_DEPTH, SENT, FAILED, DROPPED, EVALUATION, WINDOW)


@dataclass(frozen=True, slots=True)
class RuleStatus:
    """One rule as ``/api/v1/rules`` shows it."""

    rule: AlertingRule
    alerts: tuple[Alert, ...]
    health: str  # ok, err or unknown
    last_error: str
    last_evaluation: float  # Unix seconds, 0 = never
    evaluation_time_s: float


@dataclass(frozen=True, slots=True)
class GroupStatus:
    name: str
    file: str
    interval_s: float
    limit: int
    rules: tuple[RuleStatus, ...]
    last_evaluation: float
    evaluation_time_s: float


@dataclass(frozen=True, slots=True)
class Outbox:
    """The delivery figures /metrics shows."""

    depth: dict[str, int]
    sent: dict[str, int]
    failed: dict[str, int]
    dropped: dict[str, int]


def go_time(ts: float) -> str:
    """A Unix time as Go's JSON encoding of time.Time writes it (RFC 3339, UTC, nanoseconds)."""
    if ts <= 0:
        return "0001-01-01T00:00:00Z"
    moment = datetime.fromtimestamp(ts, UTC)
    fraction = f"{moment.microsecond:06d}".rstrip("0")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def alert_json(alert: Alert) -> dict[str, object]:
    body: dict[str, object] = {"labels": dict(alert.labels),
                               "annotations": dict(alert.annotations),
                               "state": str(alert.state), "activeAt": go_time(alert.active_at),
                               "value": format_float_e(alert.value).replace("E", "e")}
    if alert.keep_firing_since:
        body["keepFiringSince"] = go_time(alert.keep_firing_since)
    return body


def alerts_page(groups: Sequence[GroupStatus]) -> dict[str, object]:
    """``/api/v1/alerts``: pending and firing alerts of every rule."""
    alerts = [alert_json(a) for g in groups for r in g.rules for a in r.alerts
              if a.state is not AlertState.INACTIVE]
    return {"status": "success", "data": {"alerts": alerts}}


def rules_page(groups: Sequence[GroupStatus]) -> dict[str, object]:
    """``/api/v1/rules``: every group, its rules, their health and alerts."""
    return {"status": "success", "data": {"groups": [_group_json(g) for g in groups]}}


def _group_json(group: GroupStatus) -> dict[str, object]:
    return {"name": group.name, "file": group.file, "rules": [_rule_json(r) for r in group.rules],
            "interval": group.interval_s, "limit": group.limit,
            "evaluationTime": group.evaluation_time_s,
            "lastEvaluation": go_time(group.last_evaluation)}


def _rule_json(status: RuleStatus) -> dict[str, object]:
    active = [a for a in status.alerts if a.state is not AlertState.INACTIVE]
    state = ("firing" if any(a.state is AlertState.FIRING for a in active)
             else "pending" if active else "inactive")
    rule = status.rule
    body: dict[str, object] = {
        "state": state, "name": rule.name, "query": rule.expr, "duration": rule.for_s,
        "keepFiringFor": rule.keep_firing_for_s, "labels": dict(rule.labels),
        "annotations": dict(rule.annotations), "alerts": [alert_json(a) for a in active],
        "health": status.health, "evaluationTime": status.evaluation_time_s,
        "lastEvaluation": go_time(status.last_evaluation), "type": "alerting"}
    if status.last_error:  # Prometheus leaves the key out when empty
        body["lastError"] = status.last_error
    return body


class AlertingCollector(Collector):
    """``pgwatch_alerts`` and the outbox figures, from what the last cycle left in memory."""

    def __init__(self, groups: Callable[[], Sequence[GroupStatus]], outbox: Callable[[], Outbox],
                 cycle: Callable[[], tuple[float, int]]) -> None:
        self.groups = groups
        self.outbox = outbox
        self.cycle = cycle

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        families: Families = {}
        counts: Counter[tuple[str, str, str]] = Counter()
        for group in self.groups():
            for status in group.rules:
                for alert in status.alerts:
                    if alert.state is not AlertState.INACTIVE:
                        labels = dict(alert.labels)
                        counts[(labels.get("alertname", status.rule.name), str(alert.state),
                                labels.get("severity", ""))] += 1
        for (name, state, severity), n in sorted(counts.items()):
            add_gauge(families, ALERTS.name, ALERTS.help,
                      {"alertname": name, "alertstate": state, "severity": severity}, n)
        outbox = self.outbox()
        receivers = sorted({*outbox.depth, *outbox.sent, *outbox.failed, *outbox.dropped})
        for receiver in receivers:
            labels = {"receiver": receiver}
            add_gauge(families, OUTBOX_DEPTH.name, OUTBOX_DEPTH.help, labels,
                      outbox.depth.get(receiver, 0))
            for doc, values in ((SENT, outbox.sent), (FAILED, outbox.failed),
                                (DROPPED, outbox.dropped)):
                add_counter(families, doc.name.removesuffix("_total"), doc.help, labels,
                            values.get(receiver, 0))
        duration, samples = self.cycle()
        add_gauge(families, EVALUATION.name, EVALUATION.help, {}, duration)
        add_gauge(families, WINDOW.name, WINDOW.help, {}, samples)
        yield from families.values()
