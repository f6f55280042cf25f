"""What the alerting part shows, without a server: Go's time format, the alert JSON,
``pgwatch_alerts`` and the outbox families, and the ``pgwatch alerts`` table."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from pgwatch.alerting.api import (
    AlertingCollector,
    GroupStatus,
    Outbox,
    RuleStatus,
    alert_json,
    go_time,
)
from pgwatch.alerting.model import Alert, AlertingRule, AlertState
from pgwatch.cli.alerts_cmd import alert_rows, table

RULE = AlertingRule(name="Up", expr="pgwatch_up == 1", for_s=0, keep_firing_for_s=0,
                    labels=(("severity", "critical"),), annotations=(), group="g",
                    file="r.yaml", line=3)


def alert(state: AlertState, target: str) -> Alert:
    return Alert(rule="Up", group="g", labels=(("alertname", "Up"), ("severity", "critical"),
                                                ("target", target)),
                 annotations=(("summary", "up"),), state=state, value=0.25,
                 active_at=1_700_000_000.5)


def test_times_and_values_are_written_as_prometheus_writes_them() -> None:
    assert go_time(1_700_000_000.5) == "2023-11-14T22:13:20.5Z"
    assert go_time(1_700_000_000.0) == "2023-11-14T22:13:20Z"
    assert go_time(0) == "0001-01-01T00:00:00Z"
    body = alert_json(alert(AlertState.FIRING, "a"))
    assert body["value"] == "2.5e-01" and body["state"] == "firing"
    assert "keepFiringSince" not in body


def test_alert_families_count_alerts_by_name_state_and_severity() -> None:
    alerts = (alert(AlertState.FIRING, "a"), alert(AlertState.FIRING, "b"),
              alert(AlertState.PENDING, "c"), alert(AlertState.INACTIVE, "d"))
    group = GroupStatus("g", "r.yaml", 30, 0, (RuleStatus(RULE, alerts, "ok", "", 1, 0.01),),
                        1, 0.01)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AlertingCollector(lambda: (group,), lambda: Outbox(
        {"am": 3}, {"am": 5}, {"am": 2}, {}), lambda: (0.02, 1234)))
    text = generate_latest(registry).decode()
    assert 'pgwatch_alerts{alertname="Up",alertstate="firing",severity="critical"} 2.0' in text
    assert 'pgwatch_alerts{alertname="Up",alertstate="pending",severity="critical"} 1.0' in text
    assert "inactive" not in text
    assert 'pgwatch_outbox_depth{receiver="am"} 3.0' in text
    assert 'pgwatch_notifications_sent_total{receiver="am"} 5.0' in text
    assert 'pgwatch_outbox_dropped_total{receiver="am"} 0.0' in text
    assert "pgwatch_rule_window_samples 1234.0" in text


def test_the_alerts_table_puts_firing_first_and_says_how_long() -> None:
    found = [{"labels": {"alertname": "B", "severity": "warning", "target": "t"},
              "annotations": {"summary": "b " * 40}, "state": "pending",
              "activeAt": "2023-11-14T22:13:20Z", "value": "1e+00"},
             {"labels": {"alertname": "A", "severity": "info", "target": "t", "db": "x"},
              "annotations": {}, "state": "firing", "activeAt": "2023-11-14T22:00:00.25Z",
              "value": "3e+00"}]
    rows = alert_rows(found, 1_700_000_000 + 3 * 3600 + 5)
    assert [r[:3] for r in rows] == [("A", "firing", "info"), ("B", "pending", "warning")]
    assert rows[0][3] == "db=x,target=t" and rows[0][4] == "3h13m"
    assert rows[1][4] == "3h0m"
    assert len(rows[1][6]) == 60 and rows[1][6].endswith("…")
    lines = table(rows)
    assert lines[0].split()[:2] == ["ALERTNAME", "STATE"] and len(lines) == 3
