"""Alert state and the notification outbox as the store keeps them, engine-independent.

Everything an evaluation decides (the new alert state, what each receiver has been told,
the notifications to deliver) is written by ``commit_evaluation`` in one transaction, so a
process killed at any instant leaves either the old decision or the new one, never half.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pgwatch.alerting.model import Alert, AlertState, Labels
from pgwatch.store.backend import Backend
from pgwatch.store.model import Event, epoch


@dataclass(frozen=True, slots=True)
class SentMark:
    """What one receiver was last told about one alert (by its fingerprint)."""

    receiver: str
    fingerprint: str
    sent_at: float
    resolved: bool


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A notification to queue: its receiver and the body it will send."""

    receiver: str
    payload: str


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A queued notification, with its delivery attempts so far."""

    id: int
    receiver: str
    created_at: float
    payload: str
    attempts: int
    next_attempt_at: float
    last_error: str

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> OutboxEntry:
        return cls(int(row[0]), str(row[1]), float(row[2]), str(row[3]), int(row[4]),
                   float(row[5]), str(row[6]))


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What one evaluation cycle decided, written together."""

    alerts: Sequence[Alert]
    sent: Sequence[SentMark]
    queued: Sequence[OutboxItem]
    now: float
    keep_per_receiver: int
    owner: str = ""  # the pgwatch instance, when several share one store
    events: Sequence[Event] = ()  # alert history (alert_firing, alert_resolved)


def commit_evaluation(backend: Backend, evaluation: Evaluation) -> dict[str, int]:
    """Replace alert state and sent marks, queue notifications; returns drops per receiver."""
    owner = evaluation.owner
    backend.execute("alert_state_clear", {"owner": owner})
    backend.executemany("alert_state_insert", [{**_alert_params(a), "owner": owner}
                                               for a in evaluation.alerts])
    backend.execute("alert_sent_clear", {"owner": owner})
    backend.executemany("alert_sent_insert", [
        {"owner": owner, "receiver": m.receiver, "fingerprint": m.fingerprint,
         "sent_at": m.sent_at, "resolved": m.resolved} for m in evaluation.sent])
    backend.executemany("outbox_insert", [
        {"owner": owner, "receiver": i.receiver, "payload": i.payload,
         "created_at": evaluation.now} for i in evaluation.queued])
    backend.executemany("event_insert", [
        {"target": e.target, "kind": e.kind, "subject": e.subject, "detail": e.detail,
         "at": epoch(e.at)} for e in evaluation.events])
    dropped: dict[str, int] = {}
    for receiver, depth in outbox_depths(backend, owner).items():
        if depth > evaluation.keep_per_receiver:
            backend.execute("outbox_trim", {"owner": owner, "receiver": receiver,
                                            "keep": evaluation.keep_per_receiver})
            dropped[receiver] = depth - evaluation.keep_per_receiver
    return dropped


def load_alerts(backend: Backend, owner: str | None) -> list[Alert]:
    """The alerts of ``owner`` (of every instance sharing the store when None)."""
    return [_alert_of(row) for row in backend.fetchall("alert_state_select", {"owner": owner})]


def load_sent(backend: Backend, owner: str) -> list[SentMark]:
    return [SentMark(str(r), str(f), float(s), bool(d))
            for r, f, s, d in backend.fetchall("alert_sent_select", {"owner": owner})]


def outbox_head(backend: Backend, receiver: str, limit: int, owner: str) -> list[OutboxEntry]:
    rows = backend.fetchall("outbox_head", {"owner": owner, "receiver": receiver,
                                            "limit": limit})
    return [OutboxEntry.from_row(row) for row in rows]


def outbox_depths(backend: Backend, owner: str | None) -> dict[str, int]:
    """Queued entries per receiver of ``owner`` (of every instance when None)."""
    return {str(r): int(n) for r, n in backend.fetchall("outbox_depth", {"owner": owner})}


def outbox_delivered(backend: Backend, ids: Iterable[int]) -> None:
    backend.executemany("outbox_delete", [{"id": i} for i in ids])


def outbox_retry(backend: Backend, entry_id: int, attempts: int, next_attempt_at: float,
                 error: str) -> None:
    backend.execute("outbox_retry", {"id": entry_id, "attempts": attempts,
                                     "next_attempt_at": next_attempt_at,
                                     "last_error": error[:500]})


def _labels_text(labels: Labels) -> str:
    return json.dumps(dict(labels), sort_keys=True, separators=(",", ":"))


def _labels_of(text: str) -> Labels:
    return tuple(sorted((str(k), str(v)) for k, v in json.loads(text).items()))


def _alert_params(alert: Alert) -> dict[str, Any]:
    return {"rule_group": alert.group, "rule": alert.rule, "fingerprint": alert.fingerprint,
            "labels": _labels_text(alert.labels),
            "annotations": _labels_text(alert.annotations), "state": str(alert.state),
            "value": repr(alert.value), "active_at": alert.active_at,
            "fired_at": alert.fired_at, "resolved_at": alert.resolved_at,
            "last_sent_at": alert.last_sent_at,
            "keep_firing_since": alert.keep_firing_since}


def _alert_of(row: Sequence[Any]) -> Alert:
    group, rule, labels, annotations, state, value, active, fired, resolved, sent, keep = row
    return Alert(rule=str(rule), group=str(group), labels=_labels_of(str(labels)),
                 annotations=_labels_of(str(annotations)), state=AlertState(str(state)),
                 value=float(value), active_at=float(active), fired_at=float(fired),
                 resolved_at=float(resolved), last_sent_at=float(sent),
                 keep_firing_since=float(keep))
