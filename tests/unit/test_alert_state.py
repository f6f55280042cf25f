"""The alert life cycle over the real engine and a SeriesWindow, step by step.

Each expectation follows Prometheus 2.42's AlertingRule.Eval (rules/alerting.go); the
promtool corpus (tests/data/promtool) checks the same behaviour against promtool itself.
"""

from __future__ import annotations

from dataclasses import replace

from pgwatch.alerting.model import Alert, AlertingRule, AlertState, RuleGroup
from pgwatch.alerting.promql import SeriesWindow
from pgwatch.alerting.state import DUPLICATE_LABELSET, GroupRunner, RuleRunner

MIN = 60_000


def _rule(expr: str = "lag > 10", **changes: object) -> AlertingRule:
    rule = AlertingRule(name="Lag", expr=expr, for_s=120.0, keep_firing_for_s=0.0,
                        labels=(("severity", "warning"),),
                        annotations=(("summary", "lag {{ $value }} on {{ $labels.db }}"),),
                        group="g", file="rules.yaml", line=1)
    return replace(rule, **changes)  # type: ignore[arg-type]


def _window(values: dict[str, list[float | None]], name: str = "lag") -> SeriesWindow:
    window = SeriesWindow()
    for db, points in values.items():
        for i, value in enumerate(points):
            if value is not None:
                window.add((("__name__", name), ("db", db)), i * MIN, value)
    return window


def _states(runner: RuleRunner, window: SeriesWindow, minutes: range) -> list[str]:
    out = []
    for minute in minutes:
        alerts = runner.evaluate(window, minute * MIN)
        out.append(",".join(a.state.value for a in alerts) or "-")
    return out


def test_pending_then_firing_after_for() -> None:
    runner = RuleRunner(_rule())
    window = _window({"a": [0, 20, 20, 20, 20]})
    assert _states(runner, window, range(5)) == ["-", "pending", "pending", "firing", "firing"]
    (alert,) = runner.alerts()
    assert (alert.active_at, alert.fired_at, alert.value) == (60.0, 180.0, 20.0)
    assert alert.labels == (("alertname", "Lag"), ("db", "a"), ("severity", "warning"))
    assert alert.annotations == (("summary", "lag 20 on a"),)


def test_pending_that_vanishes_is_dropped_at_once() -> None:
    runner = RuleRunner(_rule())
    window = _window({"a": [20, 0, 0]})
    assert _states(runner, window, range(3)) == ["pending", "-", "-"]


def test_resolved_alert_is_kept_15_minutes() -> None:
    runner = RuleRunner(_rule(for_s=0.0))
    window = _window({"a": [20, 20, *[0] * 20]})
    states = _states(runner, window, range(20))
    assert states[:3] == ["firing", "firing", "inactive"]
    assert states[17] == "inactive" and states[18] == "-"  # resolved at 2m, > 15m at 18m
    window = _window({"a": [20, 20, 0]})
    runner = RuleRunner(_rule(for_s=0.0))
    _states(runner, window, range(3))
    assert runner.alerts()[0].resolved_at == 120.0


def test_keep_firing_for_holds_then_resolves() -> None:
    runner = RuleRunner(_rule(for_s=0.0, keep_firing_for_s=180.0))
    window = _window({"a": [20, *[0] * 8]})
    assert _states(runner, window, range(6)) == [
        "firing", "firing", "firing", "firing", "inactive", "inactive"]


def test_a_resolved_alert_that_returns_starts_pending_again() -> None:
    runner = RuleRunner(_rule(for_s=60.0))
    window = _window({"a": [20, 20, 0, 20, 20]})
    assert _states(runner, window, range(5)) == [
        "pending", "firing", "inactive", "pending", "firing"]
    assert runner.alerts()[0].active_at == 180.0


def test_rule_labels_win_and_empty_templated_labels_go() -> None:
    rule = _rule(for_s=0.0, labels=(("alertname", "Other"), ("db", "{{ $labels.db }}-x"),
                                    ("empty", "{{ if false }}x{{ end }}")))
    runner = RuleRunner(rule)
    (alert,) = runner.evaluate(_window({"a": [20]}), 0)
    assert alert.labels == (("alertname", "Lag"), ("db", "a-x"))


def test_failing_expression_keeps_alerts_and_reports_err() -> None:
    runner = RuleRunner(_rule("lag > on(db) group_left other", for_s=0.0))
    window = _window({"a": [20, 20]})
    for i in range(2):
        window.add((("__name__", "other"), ("db", "a"), ("k", "1")), i * MIN, 1.0)
    assert runner.health == "unknown"
    (firing,) = runner.evaluate(window, 0)
    assert (runner.health, runner.last_error) == ("ok", "")
    window.add((("__name__", "other"), ("db", "a"), ("k", "2")), MIN, 1.0)
    assert runner.evaluate(window, MIN) == [firing]
    assert runner.health == "err" and "many-to-many" in runner.last_error
    assert runner.last_evaluation_ms == MIN


def test_duplicate_labelset_after_alert_labels_is_an_error() -> None:
    runner = RuleRunner(_rule(labels=(("db", "all"),)))
    assert runner.evaluate(_window({"a": [20], "b": [20]}), 0) == []
    assert runner.last_error == DUPLICATE_LABELSET


def test_group_limit_drops_every_alert() -> None:
    group = RuleGroup("g", "rules.yaml", None, (_rule(for_s=0.0),), limit=1)
    runner = GroupRunner(group)
    assert len(runner.evaluate(_window({"a": [20, 20], "b": [0, 20]}), 0)) == 1
    assert runner.evaluate(_window({"a": [20, 20], "b": [0, 20]}), MIN) == []
    assert runner.rules[0].last_error == "exceeded limit of 1 with 2 alerts"


def test_scalar_results_are_one_alert_without_labels() -> None:
    runner = RuleRunner(_rule("vector(1) > 0", for_s=0.0, annotations=()))
    (alert,) = runner.evaluate(SeriesWindow(), 0)
    assert alert.labels == (("alertname", "Lag"), ("severity", "warning"))


def _saved(state: AlertState, **times: float) -> Alert:
    return Alert(rule="Lag", group="g", state=state, value=20.0,
                 labels=(("alertname", "Lag"), ("db", "a"), ("severity", "warning")),
                 annotations=(("summary", "lag 20 on a"),), active_at=60.0, **times)


def test_restore_keeps_active_at_and_does_not_refire() -> None:
    runner = RuleRunner(_rule())
    runner.restore([_saved(AlertState.FIRING, fired_at=180.0, last_sent_at=200.0)])
    (alert,) = runner.evaluate(_window({"a": [20] * 11}), 10 * MIN)
    assert (alert.state, alert.active_at, alert.fired_at, alert.last_sent_at) == (
        AlertState.FIRING, 60.0, 180.0, 200.0)


def test_restore_resolves_what_vanished() -> None:
    runner = RuleRunner(_rule())
    runner.restore([_saved(AlertState.FIRING, fired_at=180.0)])
    (alert,) = runner.evaluate(_window({"a": [0] * 11}), 10 * MIN)
    assert (alert.state, alert.resolved_at) == (AlertState.INACTIVE, 600.0)


def test_restored_pending_fires_when_for_has_passed_since_active_at() -> None:
    runner = RuleRunner(_rule())
    runner.restore([_saved(AlertState.PENDING), replace(_saved(AlertState.FIRING), rule="X")])
    window = _window({"a": [20] * 4})
    assert [a.state for a in runner.evaluate(window, 2 * MIN)] == [AlertState.PENDING]
    assert [a.state for a in runner.evaluate(window, 3 * MIN)] == [AlertState.FIRING]
