"""``pgwatch run`` reloads its rule files on SIGHUP: a broken file is logged with its file and
line and the running rules go on; a good one replaces them, and an unchanged rule keeps its
alerts (a pending alert its ``activeAt``). Receivers and the evaluation interval are reloaded
too; a receiver that cannot be built keeps the running ones. A group whose ``interval`` is
shorter than ``evaluation_interval`` is evaluated at its own interval."""

from __future__ import annotations

import json
import signal
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict

from pgwatch.alerting.model import RuleGroup
from pgwatch.alerting.reload import tick_interval
from pgwatch.collectors.registry import NAMES
from tests.integration.alert_servers import HookReceiver
from tests.integration.daemon_process import DaemonProcess, running_daemon, target_yaml
from tests.waiting import wait_until

pytestmark = pytest.mark.one_version  # rule handling does not depend on the server version

RULES = """groups:
  - name: fast
    interval: 1s
    rules:
      - alert: TargetUp
        expr: pgwatch_up == 1
        labels: {severity: info}
      - alert: TargetUpForAnHour
        expr: pgwatch_up == 1
        for: 1h
        labels: {severity: warning}
"""
BROKEN = """groups:
  - name: fast
    rules:
      - alert: Broken
        expr: rate(pgwatch_up[5m]
"""
CHANGED = """groups:
  - name: fast
    interval: 1s
    rules:
      - alert: NewRule
        expr: pgwatch_up == 1
        for: 1h
      - alert: TargetUp
        expr: pgwatch_up == 1
        labels: {severity: critical}
      - alert: TargetUpForAnHour
        expr: pgwatch_up == 1
        for: 1h
        labels: {severity: warning}
"""


def _config(dsn: str) -> str:
    disabled = "".join(f"    {n}: {{enabled: false}}\n" for n in NAMES if n != "database")
    return (f"targets:\n{target_yaml(dsn)}"
            f"defaults:\n  collectors:\n    database: {{interval: 1s}}\n{disabled}"
            "store:\n  path: history.db\n"
            "alerting:\n  rules: [rules.yaml]\n  evaluation_interval: 5s\n")


def _group(daemon: DaemonProcess) -> dict[str, Any]:
    status, body = daemon.get("/api/v1/rules")
    assert status == 200, body
    groups = json.loads(body)["data"]["groups"]
    assert [g["name"] for g in groups] == ["fast"]
    return dict(groups[0])


def _active_at(daemon: DaemonProcess) -> dict[str, str]:
    return {r["name"]: a["activeAt"] for r in _group(daemon)["rules"] for a in r["alerts"]}


def _evaluations(daemon: DaemonProcess, seconds: float) -> int:
    """How many times the group was evaluated in ``seconds``."""
    seen = {_group(daemon)["lastEvaluation"]}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.add(_group(daemon)["lastEvaluation"])
        time.sleep(0.1)
    return len(seen) - 1


def _hangup(daemon: DaemonProcess, rules: Path, text: str, logged: str) -> None:
    rules.write_text(text)
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for(lambda: any(logged in m for m in daemon.messages()), logged, within=20)


def test_sighup_reloads_rules_keeping_unchanged_state(pg_dsn: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    password = str(conninfo_to_dict(pg_dsn).get("password", ""))
    with running_daemon(tmp_path, _config(pg_dsn), password) as daemon:
        daemon.wait_ready()
        daemon.wait_for(lambda: set(_active_at(daemon)) == {"TargetUp", "TargetUpForAnHour"},
                        "both alerts active")
        group = _group(daemon)
        assert group["interval"] == 1
        assert _evaluations(daemon, 4.0) >= 3  # every second, not every 5 s
        before = _active_at(daemon)

        _hangup(daemon, rules, BROKEN, "rules reload refused")
        refused = next(m for m in daemon.messages() if "rules reload refused" in m)
        assert f"{rules}:5: rule Broken: expr:" in refused, refused
        assert [r["name"] for r in _group(daemon)["rules"]] == ["TargetUp", "TargetUpForAnHour"]
        assert _active_at(daemon) == before
        assert _evaluations(daemon, 2.5) >= 1  # the running rules go on

        time.sleep(1.1)  # a changed rule starts over: its new activeAt is later
        _hangup(daemon, rules, CHANGED, "rules reloaded")
        daemon.wait_for(lambda: set(_active_at(daemon)) == {"NewRule", "TargetUp",
                                                            "TargetUpForAnHour"},
                        "the new rule's alert")
        after = _active_at(daemon)
        assert after["TargetUpForAnHour"] == before["TargetUpForAnHour"]  # unchanged: kept
        assert _when(after["TargetUp"]) > _when(before["TargetUp"])  # its labels changed
        assert [r["name"] for r in _group(daemon)["rules"]] == ["NewRule", "TargetUp",
                                                               "TargetUpForAnHour"]
        assert daemon.stop() == 0


def test_sighup_reloads_receivers_and_the_evaluation_interval(pg_dsn: str,
                                                             tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.replace("    interval: 1s\n", ""))
    password = str(conninfo_to_dict(pg_dsn).get("password", ""))
    hook = HookReceiver()
    try:
        with running_daemon(tmp_path, _config(pg_dsn), password) as daemon:
            daemon.wait_ready()
            daemon.wait_for(lambda: "TargetUp" in _active_at(daemon), "TargetUp firing")
            assert _group(daemon)["interval"] == 5
            body = daemon.config.read_text()
            receiver = (f"  receivers:\n    - name: oncall\n      webhook: {{url: "
                        f"'{hook.url()}'}}\n      matchers: ['alertname=\"TargetUp\"']\n"
                        "  outbox: {retry_initial: 200ms, retry_max: 1s}\n")
            daemon.config.write_text(body.replace("evaluation_interval: 5s\n",
                                                  "evaluation_interval: 1s\n" + receiver))
            daemon.process.send_signal(signal.SIGHUP)
            wait_until(lambda: any(path == "/hook" for path, _ in hook.bodies), 30,
                       "a notification to the receiver added by SIGHUP")
            sent = next(b for path, b in hook.bodies if path == "/hook")
            assert sent["receiver"] == "oncall" and sent["status"] == "firing"
            assert [a["labels"]["alertname"] for a in sent["alerts"]] == ["TargetUp"]
            assert _group(daemon)["interval"] == 1
            assert any("receiver oncall: added" in m for m in daemon.messages())

            # A receiver whose secret file is missing: refused, the running ones kept.
            broken = daemon.config.read_text().replace(
                f"url: '{hook.url()}'", f"url_file: {tmp_path / 'missing'}")
            daemon.config.write_text(broken)
            _hangup(daemon, rules, rules.read_text(), "receivers reload refused")
            refused = next(m for m in daemon.messages() if "receivers reload refused" in m)
            assert "alerting.receivers.oncall" in refused and "missing" in refused, refused
            assert _group(daemon)["interval"] == 1
            assert daemon.stop() == 0
    finally:
        hook.close()


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(("global_s", "groups", "tick"), [
    (15.0, (None,), 15.0), (15.0, (1.0,), 1.0), (5.0, (2.0, 3.0), 1.0), (1.0, (0.5,), 0.5),
    (1.0, (1.001,), 0.1)])
def test_the_evaluator_wakes_at_every_group_interval(global_s: float,
                                                     groups: tuple[float | None, ...],
                                                     tick: float) -> None:
    made = [RuleGroup(f"g{i}", "f", s, ()) for i, s in enumerate(groups)]
    assert tick_interval(global_s, made) == tick
