"""The alerting part of ``pgwatch demo``: provoke alerts, and say when they fire and resolve.

Two provocations: a session left idle in a transaction for 40 s (a demo rule with a
shorter threshold than the default rule's 5 minutes, so a newcomer does not wait), and one
deadlock, which the default ``PostgresDeadlocks`` rule catches at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import psycopg

from pgwatch.alerting.model import Alert, AlertState
from pgwatch.alerting.service import AlertingService

log = logging.getLogger(__name__)
Echo = Callable[[str], None]
IDLE_APP = "pgwatch-demo-idle"
IDLE_HOLD_S = 40.0
DEMO_RULES = f"""# Written by pgwatch demo: the default idle-in-transaction rule, with demo thresholds.
groups:
  - name: demo
    rules:
      - alert: DemoIdleInTransaction
        expr: |
          max without (state, wait_event_type, backend_type)
            (pgwatch_activity_idle_in_transaction_seconds{{application_name="{IDLE_APP}"}}) > 10
        for: 10s
        labels:
          severity: warning
        annotations:
          summary: "A session of {{{{ $labels.usename }}}} is idle in a transaction on {{{{ $labels.target }}}}"
          description: "Idle in a transaction for {{{{ $value | humanizeDuration }}}} (the demo holds it {IDLE_HOLD_S:g} s)."
          runbook_url: https://github.com/pgwatch-project/pgwatch/blob/main/docs/runbooks.md#postgresidleintransaction
"""  # noqa: E501 - templates read best on one line


def write_demo_rules(folder: Path) -> Path:
    path = folder / "demo-rules.yaml"
    path.write_text(DEMO_RULES, encoding="utf-8")
    return path


class Provocations:
    """Runs the provocations on their own threads; ``stop()`` ends them early."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._idle, daemon=True, name="demo-idle"),
                         threading.Thread(target=self._deadlock, daemon=True,
                                          name="demo-deadlock")]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def _idle(self) -> None:
        try:
            with psycopg.connect(self.dsn, application_name=IDLE_APP) as conn:
                conn.execute("SELECT 1")  # opens the transaction, then nothing: idle in it
                self._stop.wait(IDLE_HOLD_S)
                conn.rollback()
        except psycopg.Error as exc:
            log.warning("demo: idle session failed: %s", exc)

    def _deadlock(self) -> None:
        try:
            with psycopg.connect(self.dsn, autocommit=True) as setup:
                setup.execute("CREATE TABLE IF NOT EXISTS pgwatch_demo_deadlock (id int)")
                setup.execute("TRUNCATE pgwatch_demo_deadlock")
                setup.execute("INSERT INTO pgwatch_demo_deadlock VALUES (1), (2)")
            with psycopg.connect(self.dsn) as first, psycopg.connect(self.dsn) as second:
                first.execute("UPDATE pgwatch_demo_deadlock SET id = id WHERE id = 1")
                second.execute("UPDATE pgwatch_demo_deadlock SET id = id WHERE id = 2")
                crossing = threading.Thread(target=_quietly, args=(
                    first, "UPDATE pgwatch_demo_deadlock SET id = id WHERE id = 2"))
                crossing.start()
                _quietly(second, "UPDATE pgwatch_demo_deadlock SET id = id WHERE id = 1")
                crossing.join(timeout=10)
        except psycopg.Error as exc:
            log.warning("demo: deadlock provocation failed: %s", exc)


def _quietly(conn: psycopg.Connection[tuple[object, ...]], statement: str) -> None:
    """Run ``statement``; one of the two is PostgreSQL's deadlock victim, as intended."""
    try:
        conn.execute(statement)
        conn.commit()
    except psycopg.errors.DeadlockDetected:
        conn.rollback()


class AlertWatcher:
    """Prints a line when an alert starts firing and when it resolves."""

    def __init__(self, alerting: AlertingService, echo: Echo) -> None:
        self.alerting = alerting
        self.echo = echo
        self._firing: dict[str, Alert] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="demo-alerts")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.check()

    def check(self) -> None:
        now = {a.fingerprint: a for a in self.alerting.alerts() if a.state is AlertState.FIRING}
        for key, alert in now.items():
            if key not in self._firing:
                self.echo(f"alert FIRING:   {_describe(alert)}")
        for key, alert in self._firing.items():
            if key not in now:
                self.echo(f"alert RESOLVED: {_describe(alert)}")
        self._firing = now


class AlertTour:
    """The provocations and the watcher, started together and stopped together."""

    def __init__(self, dsn: str, alerting: AlertingService | None, echo: Echo) -> None:
        self.provocations = Provocations(dsn)
        self.watcher = AlertWatcher(alerting, echo) if alerting is not None else None

    def start(self) -> None:
        if self.watcher is not None:
            self.watcher.start()
        self.provocations.start()

    def stop(self) -> None:
        self.provocations.stop()
        if self.watcher is not None:
            self.watcher.stop()


def _describe(alert: Alert) -> str:
    labels = dict(alert.labels)
    name = labels.pop("alertname", alert.rule)
    summary = dict(alert.annotations).get("summary", "")
    where = ", ".join(f"{k}={v}" for k, v in labels.items() if k in ("severity", "datname",
                                                                     "target", "usename"))
    return f"{name} ({where}) {summary}".rstrip()
