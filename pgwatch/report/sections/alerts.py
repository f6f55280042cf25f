"""The alerts of the window: every alert that fired, with its start, end and duration.

The daemon records an ``alert_firing`` and an ``alert_resolved`` event at each transition
(pgwatch.alerting.history), so an alert resolved hours before the report is still listed;
the current alert state adds what is pending now and what fired before the window and
still fires.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pgwatch.alerting.history import AlertSpan, spans
from pgwatch.alerting.model import Alert, AlertState
from pgwatch.report.context import Context
from pgwatch.report.model import Cell, Section, Table
from pgwatch.report.units import duration_cell, instant, text_cell

COLUMNS = ("alert", "state", "severity", "labels", "started", "ended", "duration", "summary")
SHOWN_LABELS = 4
STILL_FIRING = "still firing"


def build(ctx: Context) -> Section:
    if not ctx.source.history:
        return Section("alerts", "Alerts in the window",
                       missing="alerts are evaluated by the daemon: needs pgwatch report -c")
    fired_spans = in_window(ctx)
    now = ctx.until.timestamp()
    rows = [_row(s, now) for s in fired_spans] + [_pending_row(a, now) for a in pending(ctx)]
    firing = sum(1 for s in fired_spans if s.end is None)
    lead = (f"{len(fired_spans)} alert(s) fired in the window, {firing} still firing, "
            f"{len(rows) - len(fired_spans)} pending now.")
    return Section("alerts", "Alerts in the window", lead,
                   (Table("alerts", COLUMNS, tuple(rows), None, "no alert fired"),))


def in_window(ctx: Context) -> list[AlertSpan]:
    """Alerts that fired in the window, those still firing first, then the longest."""
    now = ctx.until.timestamp()
    found = spans(ctx.source.alert_events(ctx.since, ctx.until), ctx.source.alerts(),
                  ctx.since.timestamp(), now)
    found.sort(key=lambda s: (s.end is not None, -s.lasted(now), s.alertname))
    return found


def pending(ctx: Context) -> list[Alert]:
    return [a for a in ctx.source.alerts() if a.state is AlertState.PENDING]


def fired(ctx: Context) -> int:
    """Alerts that fired (not just pending) in the window, for the grade."""
    if not ctx.source.history:
        return 0
    return len(in_window(ctx))


def _row(span: AlertSpan, now: float) -> tuple[Cell, ...]:
    still = span.end is None
    return (text_cell(span.alertname),
            Cell("firing" if still else "resolved", None, "badge bad" if still else "badge"),
            text_cell(span.severity), text_cell(_labels(span.labels)),
            text_cell(_at(span.start)),
            text_cell(STILL_FIRING if span.end is None else _at(span.end)),
            duration_cell(span.lasted(now)), text_cell(span.summary))


def _pending_row(alert: Alert, now: float) -> tuple[Cell, ...]:
    notes = dict(alert.annotations)
    return (text_cell(alert.rule), Cell("pending", None, "badge warn"),
            text_cell(dict(alert.labels).get("severity", "")), text_cell(_labels(alert.labels)),
            text_cell(_at(alert.active_at)), text_cell("–"),
            duration_cell(max(0.0, now - alert.active_at)),
            text_cell(notes.get("summary") or notes.get("description", "")))


def _at(seconds: float) -> str:
    return instant(datetime.fromtimestamp(seconds, UTC))


def _labels(labels: Sequence[tuple[str, str]]) -> str:
    kept = [f"{k}={v}" for k, v in labels if k not in ("alertname", "severity")]
    return ", ".join(kept[:SHOWN_LABELS]) + (" …" if len(kept) > SHOWN_LABELS else "")
