"""Alert history: one store event when an alert starts firing and one when it resolves.

The store's alert state is the last evaluation only (resolved alerts leave it after 15
minutes); these events are what the DBA report reads for "the alerts of the window". The
events of an evaluation are committed with its state, and the firing set they are computed
against starts from the restored state, so a restart neither repeats nor loses one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pgwatch.alerting.model import Alert, AlertState
from pgwatch.store.model import Event

ALERT_FIRING = "alert_firing"
ALERT_RESOLVED = "alert_resolved"
KINDS = (ALERT_FIRING, ALERT_RESOLVED)
_Key = tuple[str, str]  # rule, fingerprint


def _key(alert: Alert) -> _Key:
    return alert.rule, alert.fingerprint


class AlertHistory:
    """The alerts firing as of the last committed evaluation, and the events a new one adds."""

    def __init__(self, alerts: Iterable[Alert] = ()) -> None:
        self.firing: dict[_Key, Alert] = {}
        self.commit(alerts)

    def transitions(self, alerts: Sequence[Alert], at: float) -> list[Event]:
        """The events from the last committed firing set to ``alerts`` at ``at``."""
        now = {_key(a): a for a in alerts if a.state is AlertState.FIRING}
        events = [event(ALERT_FIRING, a, a.fired_at or at)
                  for k, a in now.items() if k not in self.firing]
        current = {_key(a): a for a in alerts}
        for key, was in self.firing.items():
            if key in now:
                continue
            gone = current.get(key)
            end = gone.resolved_at if gone is not None and gone.resolved_at else at
            events.append(event(ALERT_RESOLVED, gone or was, end, fired_at=was.fired_at))
        return events

    def commit(self, alerts: Iterable[Alert]) -> None:
        """The evaluation of ``alerts`` is in the store: it is the new baseline."""
        self.firing = {_key(a): a for a in alerts if a.state is AlertState.FIRING}


def event(kind: str, alert: Alert, at: float, *, fired_at: float = 0.0) -> Event:
    """The store event of ``alert`` (its labels, severity, value and times as JSON)."""
    labels = dict(alert.labels)
    detail = {"labels": labels, "severity": labels.get("severity", ""), "value": alert.value,
              "activeAt": alert.active_at, "firedAt": fired_at or alert.fired_at or at,
              "at": at, "summary": dict(alert.annotations).get("summary", "")}
    return Event(labels.get("target", ""), kind, alert.rule,
                 json.dumps(detail, sort_keys=True), datetime.fromtimestamp(at, UTC))


@dataclass(frozen=True, slots=True)
class AlertSpan:
    """One alert that fired in a window: from ``start`` to ``end`` (None: still firing)."""

    alertname: str
    labels: tuple[tuple[str, str], ...]
    severity: str
    value: float
    start: float
    end: float | None
    summary: str = ""

    def lasted(self, now: float) -> float:
        return max(0.0, (self.end if self.end is not None else now) - self.start)


def spans(events: Iterable[Event], current: Iterable[Alert], since: float,
          until: float) -> list[AlertSpan]:
    """Every alert that fired in [since, until]: the events' spans, plus what the current
    state shows firing (an alert that began firing before the window and still fires)."""
    found: dict[tuple[str, str, float], AlertSpan] = {}
    for e in sorted(events, key=lambda e: e.at):
        if e.kind not in KINDS:
            continue
        detail = json.loads(e.detail)
        labels = tuple(sorted(detail["labels"].items()))
        start = float(detail["firedAt"])
        key = (e.subject, json.dumps(labels), start)
        end = float(detail["at"]) if e.kind == ALERT_RESOLVED else None
        found[key] = AlertSpan(e.subject, labels, str(detail["severity"]),
                               float(detail["value"]), start, end, str(detail.get("summary", "")))
    for alert in current:
        if alert.state is not AlertState.FIRING or alert.fired_at > until:
            continue
        key = (alert.rule, json.dumps(alert.labels), alert.fired_at)
        found.setdefault(key, AlertSpan(
            alert.rule, alert.labels, dict(alert.labels).get("severity", ""), alert.value,
            alert.fired_at, None, dict(alert.annotations).get("summary", "")))
    return [s for s in found.values()
            if s.start <= until and (s.end is None or s.end >= since)]
