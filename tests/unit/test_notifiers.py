"""Routing and payloads without a server: who is told what and when, matchers, masking,
the alerting configuration (the old single ``alertmanager`` key included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgwatch.alerting.model import Alert, AlertState
from pgwatch.alerting.notifiers import mask_url, rfc3339
from pgwatch.alerting.notifiers.alertmanager import alerts_url
from pgwatch.alerting.notifiers.routing import ALERTMANAGER, Matcher, Route, decide
from pgwatch.alerting.outbox import RetryPolicy
from pgwatch.config import load_config
from pgwatch.errors import ConfigError
from pgwatch.store.alert_rows import SentMark

NOW = 10_000.0


def alert(state: AlertState, name: str = "A", resolved_at: float = 0.0, **labels: str) -> Alert:
    return Alert(rule=name, group="g", labels=tuple(sorted({"alertname": name,
                                                             "severity": "warning",
                                                             **labels}.items())),
                 annotations=(), state=state, value=1.0, active_at=NOW - 100,
                 fired_at=NOW - 40 if state is not AlertState.PENDING else 0.0,
                 resolved_at=resolved_at)


def run(alerts: list[Alert], marks: list[SentMark], routes: tuple[Route, ...] = (),
        now: float = NOW) -> tuple[list[tuple[str, str, float]], dict[str, list[str]],
                                   list[SentMark]]:
    d = decide(alerts, marks, routes, now=now, resend_delay_s=60, valid_for_s=240,
               external={"cluster": "c1", "severity": "ignored"})
    return ([(o.label("alertname"), o.status, o.ends_at) for o in d.alertmanager],
            {r: [f"{o.label('alertname')}:{o.status}" for o in told]
             for r, told in d.receivers.items()}, list(d.marks))


def test_alertmanager_gets_firing_with_prometheus_ends_at_and_not_pending() -> None:
    am, _, marks = run([alert(AlertState.FIRING), alert(AlertState.PENDING, "P")], [])
    assert am == [("A", "firing", NOW + 240)]
    assert [(m.receiver, m.sent_at) for m in marks] == [(ALERTMANAGER, NOW)]


def test_alertmanager_resend_waits_for_resend_delay() -> None:
    firing = alert(AlertState.FIRING)
    mark = SentMark(ALERTMANAGER, firing.fingerprint, NOW - 30, False)
    assert run([firing], [mark])[0] == []
    assert run([firing], [mark], now=NOW + 30)[0] == [("A", "firing", NOW + 30 + 240)]


def test_a_resolution_is_sent_at_once_with_its_time_then_repeated_like_prometheus() -> None:
    gone = alert(AlertState.INACTIVE, resolved_at=NOW - 5)
    mark = SentMark(ALERTMANAGER, gone.fingerprint, NOW - 10, False)
    am, _, marks = run([gone], [mark])
    assert am == [("A", "resolved", NOW - 5)]
    assert run([gone], marks, now=NOW + 30)[0] == []
    assert run([gone], marks, now=NOW + 61)[0] == [("A", "resolved", NOW - 5)]


def test_external_labels_are_added_and_alert_labels_win() -> None:
    d = decide([alert(AlertState.FIRING)], [], (), now=NOW, resend_delay_s=60, valid_for_s=240,
               external={"cluster": "c1", "severity": "ignored"})
    assert dict(d.alertmanager[0].labels) == {"alertname": "A", "cluster": "c1",
                                              "severity": "warning"}


def test_direct_receiver_fires_once_repeats_after_its_interval_and_resolves_once() -> None:
    route = Route("r", (Matcher.parse('severity=~"warn.*"'),), 3600, True)
    firing = alert(AlertState.FIRING)
    _, told, marks = run([firing], [], (route,))
    assert told == {"r": ["A:firing"]}
    assert run([firing], marks, (route,), now=NOW + 60)[1] == {}
    assert run([firing], marks, (route,), now=NOW + 3600)[1] == {"r": ["A:firing"]}
    gone = alert(AlertState.INACTIVE, resolved_at=NOW + 100)
    _, told, marks = run([gone], marks, (route,), now=NOW + 100)
    assert told == {"r": ["A:resolved"]}
    assert run([gone], marks, (route,), now=NOW + 160)[1] == {}


def test_direct_receiver_without_send_resolved_and_non_matching_alerts() -> None:
    quiet = Route("q", (Matcher.parse('team="db"'),), 3600, False)
    db = alert(AlertState.FIRING, "DB", team="db")
    _, told, marks = run([db, alert(AlertState.FIRING, "Web", team="web")], [], (quiet,))
    assert told == {"q": ["DB:firing"]}
    assert run([alert(AlertState.INACTIVE, "DB", NOW, team="db")], marks, (quiet,))[1] == {}


@pytest.mark.parametrize(("text", "labels", "expected"), [
    ('severity="critical"', {"severity": "critical"}, True),
    ("severity=critical", {"severity": "warning"}, False),
    ('team!="db"', {}, True),
    ('severity=~"crit|warn"', {"severity": "warning"}, False),  # anchored, as Alertmanager
    ('severity=~"crit.*|warn.*"', {"severity": "warning"}, True),
    ('env!~"prod.*"', {"env": "production"}, False),
])
def test_matchers(text: str, labels: dict[str, str], expected: bool) -> None:
    assert Matcher.parse(text).matches(labels) is expected


def test_urls_are_masked_and_joined() -> None:
    assert mask_url("https://hooks.slack.com/services/T0/B0/XYZ") == "https://hooks.slack.com/…"
    assert mask_url("http://127.0.0.1:9093") == "http://127.0.0.1:9093"
    assert mask_url("http://h:1/?token=abc") == "http://h:1/…"
    assert alerts_url("http://am:9093/", "/prefix/") == "http://am:9093/prefix/api/v2/alerts"
    assert rfc3339(0.5) == "1970-01-01T00:00:00.500Z"


def test_retry_delays_grow_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(1.0, 8.0)
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)):
        delays = [policy.delay(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1


def write(tmp_path: Path, alerting: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text("targets:\n  - {name: a, host: h}\nalerting:\n" + alerting)
    return path


def test_the_single_alertmanager_key_is_still_accepted(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "  alertmanager: {url: 'http://am:9093'}\n"
                                         "  alertmanagers: [{url: 'http://am2:9093'}]\n"))
    assert [a.url for a in config.alerting.alertmanagers] == ["http://am:9093", "http://am2:9093"]
    assert config.alerting.resend_delay == 60


def test_receivers_are_validated_with_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"c\.yaml:\d+: .*exactly one of webhook, slack or "
                                          r"email"):
        load_config(write(tmp_path, "  receivers:\n    - name: r\n"))
    with pytest.raises(ConfigError, match=r"not a matcher"):
        load_config(write(tmp_path, "  receivers:\n    - name: r\n      matchers: ['sev']\n"
                                    "      webhook: {url: 'http://h/x'}\n"))


def test_secrets_come_from_the_environment_and_stay_secret(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "  receivers:\n    - name: chat\n"
                                         "      slack: {url: '${SLACK_URL}'}\n"),
                         environ={"SLACK_URL": "https://hooks.example/T/B/secret"})
    slack = config.alerting.receivers[0].slack
    assert slack is not None and slack.url is not None
    assert slack.url.get_secret_value() == "https://hooks.example/T/B/secret"
    assert "secret" not in repr(config)


def test_an_alertmanager_listed_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"alertmanager am:9093 is listed twice"):
        load_config(write(tmp_path, "  alertmanager: {url: 'http://am:9093'}\n"
                                    "  alertmanagers: [{url: 'http://am:9093/'}]\n"))
