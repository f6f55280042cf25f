"""The alerts of the window: fired (or pending) and resolved, with how long each lasted.

The store keeps the alert state of the last evaluation: every active alert and those
resolved in the last 15 minutes (as Prometheus keeps them); an alert resolved earlier in the
window is no longer there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pgwatch.alerting.model import Alert, AlertState
from pgwatch.report.context import Context
from pgwatch.report.model import Cell, Section, Table
from pgwatch.report.units import duration_cell, instant, text_cell

COLUMNS = ("alert", "state", "severity", "labels", "since", "duration", "summary")
SHOWN_LABELS = 4


def build(ctx: Context) -> Section:
    if not ctx.source.history:
        return Section("alerts", "Alerts in the window",
                       missing="alerts are evaluated by the daemon: needs pgwatch report -c")
    found = in_window(ctx)
    rows = tuple(_row(a, ctx.until) for a in found)
    firing = sum(1 for a in found if a.state is AlertState.FIRING)
    lead = f"{len(found)} alert(s) in the window, {firing} firing now."
    return Section("alerts", "Alerts in the window", lead,
                   (Table("alerts", COLUMNS, rows, None, "no alert fired"),),
                   notes=("Alerts resolved more than 15 minutes before the report are not kept "
                          "by the daemon's alert state.",))


def in_window(ctx: Context) -> list[Alert]:
    """Alerts active in the window, firing first, then the longest."""
    since = ctx.since.timestamp()
    found = [a for a in ctx.source.alerts()
             if a.state is not AlertState.INACTIVE or a.resolved_at >= since]
    found.sort(key=lambda a: (a.state is not AlertState.FIRING, -_lasted(a, ctx.until)))
    return found


def fired(ctx: Context) -> int:
    """Alerts that fired (not just pending) in the window, for the grade."""
    if not ctx.source.history:
        return 0
    return sum(1 for a in in_window(ctx) if a.fired_at > 0)


def _lasted(alert: Alert, now: datetime) -> float:
    start = alert.fired_at or alert.active_at
    end = alert.resolved_at or now.timestamp()
    return max(0.0, end - start)


def _row(alert: Alert, now: datetime) -> tuple[Cell, ...]:
    labels = dict(alert.labels)
    notes = dict(alert.annotations)
    shown = _labels(alert.labels)
    start = alert.fired_at or alert.active_at
    return (text_cell(labels.get("alertname", alert.rule)),
            Cell(str(alert.state), None, "badge bad" if alert.state is AlertState.FIRING
                 else "badge warn"),
            text_cell(labels.get("severity", "")), text_cell(shown),
            text_cell(instant(datetime.fromtimestamp(start, UTC))),
            duration_cell(_lasted(alert, now)),
            text_cell(notes.get("summary") or notes.get("description", "")))


def _labels(labels: Sequence[tuple[str, str]]) -> str:
    kept = [f"{k}={v}" for k, v in labels if k not in ("alertname", "severity")]
    return ", ".join(kept[:SHOWN_LABELS]) + (" …" if len(kept) > SHOWN_LABELS else "")
