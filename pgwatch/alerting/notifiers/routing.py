"""Which alerts each receiver must be told about now, as Prometheus and Alertmanager decide.

Alertmanager (every configured one gets the same list): a firing alert is re-sent every
``resend_delay`` with ``endsAt`` = now + 4 × max(resend_delay, evaluation interval); a
resolved one is sent with ``endsAt`` = its resolution time, and re-sent while the rules keep
it (15 minutes). Direct receivers: a matching alert is sent when it starts firing, again
every ``repeat_interval`` while it fires, and once when it resolves (``send_resolved``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pgwatch.alerting.model import Alert, AlertState, Labels
from pgwatch.alerting.notifiers import Outgoing
from pgwatch.store.alert_rows import SentMark

ALERTMANAGER = "alertmanager"  # the key of the marks every Alertmanager shares
_MATCHER = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$')


@dataclass(frozen=True, slots=True)
class Matcher:
    """``name op value`` as Alertmanager writes matchers; regexes match the whole value."""

    name: str
    op: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Matcher:
        match = _MATCHER.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a matcher")
        value = match.group(3)
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        return cls(match.group(1), match.group(2), value)

    def matches(self, labels: Mapping[str, str]) -> bool:
        got = labels.get(self.name, "")
        if self.op == "=":
            return got == self.value
        if self.op == "!=":
            return got != self.value
        found = re.fullmatch(self.value, got) is not None
        return found if self.op == "=~" else not found


@dataclass(frozen=True, slots=True)
class Route:
    """A direct receiver's filter and timing."""

    receiver: str
    matchers: tuple[Matcher, ...]
    repeat_interval_s: float
    send_resolved: bool

    def wants(self, labels: Mapping[str, str]) -> bool:
        return all(m.matches(labels) for m in self.matchers)


@dataclass(frozen=True, slots=True)
class Decision:
    """What to tell whom after one evaluation, and the marks to remember."""

    alertmanager: tuple[Outgoing, ...]
    receivers: Mapping[str, tuple[Outgoing, ...]]
    marks: tuple[SentMark, ...]


def with_external(labels: Labels, external: Mapping[str, str]) -> Labels:
    """Alert labels win over external labels, as in Prometheus."""
    merged = {**external, **dict(labels)}
    return tuple(sorted(merged.items()))


def decide(alerts: Sequence[Alert], marks: Iterable[SentMark], routes: Sequence[Route], *,
           now: float, resend_delay_s: float, valid_for_s: float,
           external: Mapping[str, str]) -> Decision:
    """Everything each receiver must hear about ``alerts`` at ``now``."""
    known = {(m.receiver, m.fingerprint): m for m in marks}
    new_marks: list[SentMark] = []
    to_am: list[Outgoing] = []
    for alert in alerts:
        mark = known.get((ALERTMANAGER, alert.fingerprint))
        outgoing = _for_alertmanager(alert, mark, now=now, resend_delay_s=resend_delay_s,
                                     valid_for_s=valid_for_s, external=external)
        if outgoing is not None:
            to_am.append(outgoing)
            mark = SentMark(ALERTMANAGER, alert.fingerprint, now, outgoing.status == "resolved")
        if mark is not None:
            new_marks.append(mark)
    direct: dict[str, tuple[Outgoing, ...]] = {}
    for route in routes:
        told, marks_kept = _for_route(route, alerts, known, now, external)
        if told:
            direct[route.receiver] = told
        new_marks.extend(marks_kept)
    return Decision(tuple(to_am), direct, tuple(new_marks))


def _outgoing(alert: Alert, status: str, ends_at: float,
              external: Mapping[str, str]) -> Outgoing:
    return Outgoing(labels=with_external(alert.labels, external), annotations=alert.annotations,
                    status=status, starts_at=alert.fired_at or alert.active_at,
                    ends_at=ends_at, value=alert.value)


def _for_alertmanager(alert: Alert, mark: SentMark | None, *, now: float,
                      resend_delay_s: float, valid_for_s: float,
                      external: Mapping[str, str]) -> Outgoing | None:
    if alert.state is AlertState.PENDING:
        return None
    last_sent = mark.sent_at if mark is not None else 0.0
    if alert.state is AlertState.INACTIVE:
        if alert.resolved_at > last_sent or last_sent + resend_delay_s < now:
            return _outgoing(alert, "resolved", alert.resolved_at or now, external)
        return None
    if last_sent + resend_delay_s <= now or (mark is not None and mark.resolved):
        return _outgoing(alert, "firing", now + valid_for_s, external)
    return None


def _for_route(route: Route, alerts: Sequence[Alert], known: Mapping[tuple[str, str], SentMark],
               now: float, external: Mapping[str, str]
               ) -> tuple[tuple[Outgoing, ...], list[SentMark]]:
    firing: list[tuple[Alert, SentMark | None]] = []
    resolved: list[Alert] = []
    for alert in alerts:
        if not route.wants(dict(with_external(alert.labels, external))):
            continue
        mark = known.get((route.receiver, alert.fingerprint))
        if alert.state is AlertState.FIRING:
            firing.append((alert, mark))
        elif alert.state is AlertState.INACTIVE and mark is not None and not mark.resolved:
            resolved.append(alert)
    due = any(m is None or m.resolved or m.sent_at + route.repeat_interval_s <= now
              for _, m in firing) or bool(resolved)
    if not due:
        return (), [m for _, m in firing if m is not None]
    marks = [SentMark(route.receiver, a.fingerprint, now, False) for a, _ in firing]
    marks += [SentMark(route.receiver, a.fingerprint, now, True) for a in resolved]
    told = [_outgoing(a, "firing", 0.0, external) for a, _ in firing]
    if route.send_resolved:
        told += [_outgoing(a, "resolved", a.resolved_at or now, external) for a in resolved]
    return tuple(told), marks
