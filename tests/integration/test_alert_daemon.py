"""``pgwatch run`` with alerting, as a user runs it: a real PostgreSQL with a session left idle
in a transaction, a real Alertmanager and a webhook receiver; the alert fires, shows in
/api/v1/alerts, /api/v1/rules, /metrics and ``pgwatch alerts``; a kill -9 and a restart keep
its state and send no storm; the transaction ends and the resolution reaches everyone."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors.registry import NAMES
from pgwatch.embedded import free_port
from pgwatch.store import open_store
from tests.cli import run_cli
from tests.integration.alert_servers import Alertmanager, HookReceiver
from tests.waiting import wait_until

pytestmark = pytest.mark.one_version  # delivery does not depend on the server version

RULES = """groups:
  - name: sessions
    rules:
      - alert: SessionIdleInTransaction
        expr: max without (state, wait_event_type, backend_type)
          (pgwatch_activity_idle_in_transaction_seconds{application_name="idler"}) > 1
        for: 2s
        labels: {severity: warning}
        annotations:
          summary: "{{ $labels.usename }} idle in transaction for {{ $value | humanizeDuration }}"
      - alert: SessionIdleForAnHour
        expr: max without (state, wait_event_type, backend_type)
          (pgwatch_activity_idle_in_transaction_seconds{application_name="idler"}) > 1
        for: 1h
        labels: {severity: info}
"""


def write_config(folder: Path, dsn: str, port: int, am: Alertmanager) -> Path:
    params = conninfo_to_dict(dsn)
    (folder / "rules.yaml").write_text(RULES)
    disabled = "".join(f"    {n}: {{enabled: false}}\n" for n in NAMES if n != "activity")
    config = folder / "pgwatch.yaml"
    config.write_text(
        "targets:\n"
        f"  - name: main\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
        f"    password: '{params.get('password', '')}'\n"
        f"defaults:\n  collectors:\n    activity: {{interval: 1s}}\n{disabled}"
        f"store:\n  path: {folder / 'history.db'}\n"
        f"http:\n  listen: 127.0.0.1:{port}\n"
        "alerting:\n  rules: [rules.yaml]\n  evaluation_interval: 1s\n  resend_delay: 1m\n"
        "  external_labels: {cluster: ci}\n"
        f"  alertmanagers:\n    - url: {am.url}\n"
        "  receivers:\n    - name: direct\n      webhook: {url: '${HOOK_URL}'}\n"
        "      matchers: ['severity=~\"warning|critical\"']\n      repeat_interval: 1h\n"
        "  outbox: {retry_initial: 200ms, retry_max: 2s}\n")
    return config


def get_json(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
        return json.loads(answer.read())


def metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        return bytes(answer.read()).decode()


def sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def pending(port: int) -> dict[str, Any]:
    alerts = get_json(port, "/api/v1/alerts")["data"]["alerts"]
    return next(a for a in alerts if a["state"] == "pending")


class Pgwatch:
    def __init__(self, config: Path, port: int, hook_url: str) -> None:
        self.config, self.port, self.hook_url = config, port, hook_url
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = {**os.environ, "HOOK_URL": self.hook_url}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pgwatch", "run", "-c", str(self.config)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        wait_until(self._answers, within=60, what="pgwatch serving")

    def _answers(self) -> bool:
        assert self.process is not None and self.process.poll() is None, \
            self.process.communicate()[1] if self.process else ""
        try:
            get_json(self.port, "/api/v1/rules")
            return True
        except OSError:
            return False

    def firing(self) -> list[dict[str, Any]]:
        alerts = get_json(self.port, "/api/v1/alerts")["data"]["alerts"]
        return [a for a in alerts if a["state"] == "firing"]

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.communicate()


@pytest.fixture
def hook() -> Iterator[HookReceiver]:
    receiver = HookReceiver()
    yield receiver
    receiver.close()


def test_an_idle_transaction_fires_survives_kill_9_and_resolves(
        pg_dsn: str, tmp_path: Path, hook: HookReceiver,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    am = Alertmanager(tmp_path, hook.url("/am"))
    am.start()
    port = free_port()
    daemon = Pgwatch(write_config(tmp_path, pg_dsn, port, am), port, hook.url("/direct"))
    idler = psycopg.connect(pg_dsn, application_name="idler")
    try:
        idler.execute("SELECT 1")  # the transaction stays open: idle in transaction
        daemon.start()
        wait_until(lambda: daemon.firing() != [], within=60, what="alert firing in pgwatch")
        fired = daemon.firing()[0]
        assert fired["labels"]["alertname"] == "SessionIdleInTransaction"
        assert fired["labels"]["target"] == "main" and "state" not in fired["labels"]
        assert re.fullmatch(r"\d\.\d+e\+\d\d", fired["value"]), fired["value"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", fired["activeAt"])
        wait_until(lambda: "SessionIdleInTransaction" in am.active(), what="alert in AM")
        assert am.active()["SessionIdleInTransaction"]["labels"]["cluster"] == "ci"
        wait_until(lambda: any(p == "/direct" for p, _ in hook.bodies), what="direct webhook")
        direct = next(b for p, b in hook.bodies if p == "/direct")
        assert direct["version"] == "4" and direct["status"] == "firing"
        assert direct["receiver"] == "direct"
        assert direct["alerts"][0]["labels"]["alertname"] == "SessionIdleInTransaction"

        rules = get_json(port, "/api/v1/rules")["data"]["groups"]
        rule = rules[0]["rules"][0]
        assert (rules[0]["name"], rule["name"], rule["state"], rule["health"], rule["type"]) \
            == ("sessions", "SessionIdleInTransaction", "firing", "ok", "alerting")
        assert rule["duration"] == 2 and rule["alerts"][0]["state"] == "firing"
        text = metrics(port)
        assert sample(text, "pgwatch_alerts", alertname="SessionIdleInTransaction",
                      alertstate="firing", severity="warning") == 1
        wait_until(lambda: sample(metrics(port), "pgwatch_outbox_depth", receiver="direct") == 0,
                   what="direct outbox empty")
        time.sleep(2)
        assert [p for p, _ in hook.bodies].count("/direct") == 1  # told once, not every cycle

        shown = run_cli(capsys, "alerts", "--url", f"http://127.0.0.1:{port}")
        assert shown.status == 0, shown.err
        header, row = shown.out.splitlines()[:2]
        assert header.split()[:3] == ["ALERTNAME", "STATE", "SEVERITY"]
        assert row.split()[:3] == ["SessionIdleInTransaction", "firing", "warning"]

        # kill -9, restart: same activeAt, nothing re-sent within resend_delay / repeat_interval.
        posts_before = len(hook.bodies)
        pending_before = pending(port)
        daemon.kill()
        daemon.start()
        wait_until(lambda: daemon.firing() != [], what="alert restored")
        assert daemon.firing()[0]["activeAt"] == fired["activeAt"]
        assert pending(port)["activeAt"] == pending_before["activeAt"]
        time.sleep(3)  # three evaluation cycles
        text = metrics(port)
        assert sample(text, "pgwatch_notifications_sent_total",
                      receiver=f"alertmanager {am.url}") in (None, 0)
        assert sample(text, "pgwatch_notifications_sent_total", receiver="direct") in (None, 0)
        assert len(hook.bodies) == posts_before

        idler.rollback()
        wait_until(lambda: daemon.firing() == [], within=30, what="alert resolved in pgwatch")
        wait_until(lambda: am.active() == {}, what="resolved in AM")
        wait_until(lambda: any(p == "/direct" and b["status"] == "resolved"
                               for p, b in hook.bodies), what="resolved at the direct webhook")
        wait_until(lambda: any(p == "/am" and b["status"] == "resolved"
                               for p, b in hook.bodies), what="resolved through AM")
        daemon.kill()
        monkeypatch.setenv("HOOK_URL", daemon.hook_url)  # the config names it
        assert_history_in_report(daemon.config, tmp_path, capsys)
    finally:
        idler.close()
        daemon.kill()
        am.stop()


def assert_history_in_report(config: Path, folder: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    """One firing and one resolved event despite the kill -9 and restart while firing; the
    report built from the store lists the alert as resolved, with its duration."""
    store = open_store(folder / "history.db")
    try:
        events = [e for e in store.events() if e.kind.startswith("alert_")]
    finally:
        store.close()
    assert [(e.kind, e.subject) for e in events] == [("alert_firing", "SessionIdleInTransaction"),
                     ("alert_resolved", "SessionIdleInTransaction")]
    detail = json.loads(events[0].detail)
    assert detail["labels"]["target"] == "main" and detail["severity"] == "warning"
    output = folder / "report.json"
    done = run_cli(capsys, "report", "-c", str(config), "--since", "1h", "--format", "json",
                   "--output", str(output))
    assert done.status == 0, done.err
    section = next(s for s in json.loads(output.read_text())["sections"]
                   if s["key"] == "alerts")
    rows = next(t for t in section["tables"] if t["name"] == "alerts")["rows"]
    fired = [r for r in rows if r["alert"] == "SessionIdleInTransaction"]
    assert len(fired) == 1 and fired[0]["state"] == "resolved", rows
    assert fired[0]["ended"] != "still firing"
    lasted = json.loads(events[1].detail)["at"] - detail["firedAt"]
    assert fired[0]["duration"] == pytest.approx(lasted) and lasted > 3  # the kill, restart


def test_an_alertmanager_down_at_start_and_kill_9s_lose_nothing(
        pg_dsn: str, tmp_path: Path, hook: HookReceiver) -> None:
    am = Alertmanager(tmp_path, hook.url("/am"))  # configured, not answering yet
    port = free_port()
    daemon = Pgwatch(write_config(tmp_path, pg_dsn, port, am), port, hook.url("/direct"))
    idler = psycopg.connect(pg_dsn, application_name="idler")
    receiver = f"alertmanager {am.url}"
    try:
        idler.execute("SELECT 1")
        daemon.start()  # not fatal: the outbox holds what Alertmanager cannot take
        wait_until(lambda: daemon.firing() != [], within=60, what="alert firing")
        wait_until(lambda: (sample(metrics(port), "pgwatch_notifications_failed_total",
                                   receiver=receiver) or 0) >= 2, what="refused deliveries")
        assert sample(metrics(port), "pgwatch_outbox_depth", receiver=receiver) == 1
        daemon.kill()
        daemon.start()
        wait_until(lambda: daemon.firing() != [], what="alert restored")
        assert sample(metrics(port), "pgwatch_outbox_depth", receiver=receiver) == 1
        am.start()
        wait_until(lambda: "SessionIdleInTransaction" in am.active(), what="delivered after all")
        wait_until(lambda: sample(metrics(port), "pgwatch_outbox_depth", receiver=receiver) == 0,
                   what="outbox drained")
        wait_until(lambda: any(p == "/am" for p, _ in hook.bodies), what="AM notified")
        time.sleep(2)
        assert [p for p, _ in hook.bodies].count("/am") == 1
        assert sample(metrics(port), "pgwatch_notifications_sent_total", receiver=receiver) == 1
        # The transaction ends while pgwatch is down: after the restart it is resolved.
        daemon.kill()
        idler.rollback()
        daemon.start()
        wait_until(lambda: am.active() == {}, within=60, what="resolved after the restart")
        wait_until(lambda: any(p == "/am" and b["status"] == "resolved"
                               for p, b in hook.bodies), what="resolution notified")
    finally:
        idler.close()
        daemon.kill()
        am.stop()
