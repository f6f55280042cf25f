"""Direct receivers against real servers: aiosmtpd with STARTTLS and AUTH (a self-signed
certificate made with openssl), a refused login that keeps the message in the outbox, and a
local HTTP receiver getting the webhook and Slack payloads; secrets never in a log line."""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pgwatch.alerting.model import Alert, AlertState
from pgwatch.alerting.notifiers import Notifier
from pgwatch.alerting.notifiers.dispatch import Dispatcher, Timing
from pgwatch.alerting.notifiers.email import EmailNotifier, SmtpSettings
from pgwatch.alerting.notifiers.routing import Matcher, Route
from pgwatch.alerting.notifiers.slack import SlackNotifier
from pgwatch.alerting.notifiers.webhook import WebhookNotifier
from pgwatch.alerting.outbox import RetryPolicy
from pgwatch.embedded import free_port
from pgwatch.store import Store
from pgwatch.store.sqlite import SQLiteStore
from tests.integration.alert_servers import HookReceiver
from tests.waiting import wait_until

USER, PASSWORD = "pgwatch", "s3cret-pw"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                 data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def smtp(certificate: tuple[Path, Path]) -> Iterator[tuple[Mailbox, int]]:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, auth_required=True,
                            authenticator=authenticate)
    controller.start()
    yield mailbox, port
    controller.stop()


def alert(name: str, state: AlertState, **labels: str) -> Alert:
    now = time.time()
    return Alert(rule=name, group="g",
                 labels=tuple(sorted({"alertname": name, **labels}.items())),
                 annotations=(("summary", f"{name} on main"),
                              ("runbook_url", "https://example.invalid/runbooks#x")),
                 state=state, value=2.0, active_at=now - 120, fired_at=now - 60,
                 resolved_at=now if state is AlertState.INACTIVE else 0.0)


def dispatcher(store: Store, *receivers: tuple[Route, Notifier]) -> Dispatcher:
    return Dispatcher(store, [], list(receivers), timing=Timing(60, 30), external_labels={},
                      keep_per_receiver=100, retry=RetryPolicy(0.2, 1.0))


def route(name: str, *matchers: str) -> Route:
    return Route(name, tuple(Matcher.parse(m) for m in matchers), 3600, True)


def email(port: int, cert: Path, password: str) -> EmailNotifier:
    return EmailNotifier("mail", SmtpSettings("127.0.0.1", port, "pgwatch@example.invalid",
                                              ("oncall@example.invalid",), USER, password,
                                              True, cert, 5.0))


def test_email_over_starttls_with_login(tmp_path: Path, smtp: tuple[Mailbox, int],
                                        certificate: tuple[Path, Path]) -> None:
    mailbox, port = smtp
    with SQLiteStore(tmp_path / "h.db") as store:
        sending = dispatcher(store, (route("mail", 'severity="critical"'),
                                     email(port, certificate[0], PASSWORD)))
        sending.start()
        try:
            sending.dispatch([alert("Down", AlertState.FIRING, severity="critical"),
                              alert("Minor", AlertState.FIRING, severity="info")])
            wait_until(lambda: len(mailbox.messages) == 1, what="mail received")
            sending.dispatch([alert("Down", AlertState.INACTIVE, severity="critical")])
            wait_until(lambda: len(mailbox.messages) == 2, what="resolution mailed")
        finally:
            sending.stop()
    rcpt, raw = mailbox.messages[0]
    message = message_from_bytes(raw)
    assert rcpt == ["oncall@example.invalid"]
    assert message["Subject"] == "[FIRING:1] Down"  # Minor (info) does not match
    body = message.get_payload()
    assert isinstance(body, str) and "Down on main" in body and "Minor" not in body
    assert message_from_bytes(mailbox.messages[1][1])["Subject"] == "[RESOLVED] Down"


def test_a_refused_login_is_logged_by_receiver_and_the_mail_waits(
        tmp_path: Path, smtp: tuple[Mailbox, int], certificate: tuple[Path, Path],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    mailbox, port = smtp
    with SQLiteStore(tmp_path / "h.db") as store:
        sending = dispatcher(store, (route("mail"), email(port, certificate[0], "wrong-pw")))
        sending.start()
        try:
            sending.dispatch([alert("Down", AlertState.FIRING, severity="critical")])
            wait_until(lambda: sending.stats.snapshot()["failed"].get("mail", 0) >= 2,
                       what="refused twice")
        finally:
            sending.stop()
        assert store.outbox_depths() == {"mail": 1}
        assert store.outbox_head("mail")[0].attempts >= 2
    assert mailbox.messages == []
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(line.startswith("receiver mail: smtp 127.0.0.1:") and
               "login as 'pgwatch' refused: 535" in line for line in lines), lines
    assert not any("wrong-pw" in line for line in caplog.text.splitlines())


def test_webhook_and_slack_payloads_reach_a_local_receiver(tmp_path: Path) -> None:
    hook = HookReceiver()
    try:
        with SQLiteStore(tmp_path / "h.db") as store:
            sending = dispatcher(
                store, (route("hook"), WebhookNotifier("hook", hook.url("/hook"), 5.0)),
                (route("chat", 'severity=~"crit.*"'),
                 SlackNotifier("chat", hook.url("/services/T0/B0/tok"), 5.0)))
            sending.start()
            try:
                sending.dispatch([alert("Down", AlertState.FIRING, severity="critical",
                                        target="main")])
                wait_until(lambda: len(hook.bodies) == 2, what="both payloads")
            finally:
                sending.stop()
    finally:
        hook.close()
    bodies = dict(hook.bodies)
    webhook = bodies["/hook"]
    assert (webhook["version"], webhook["status"], webhook["receiver"]) == ("4", "firing", "hook")
    assert webhook["commonLabels"] == {"alertname": "Down", "severity": "critical",
                                       "target": "main"}
    first = webhook["alerts"][0]
    assert first["status"] == "firing" and first["endsAt"] == "0001-01-01T00:00:00Z"
    assert set(first) == {"status", "labels", "annotations", "startsAt", "endsAt",
                          "generatorURL", "fingerprint"}
    slack = bodies["/services/T0/B0/tok"]
    assert slack["text"] == "[FIRING:1] Down"
    assert slack["attachments"][0]["color"] == "danger"
    assert slack["attachments"][0]["title_link"] == "https://example.invalid/runbooks#x"


def test_a_webhook_token_never_shows_in_logs(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    hook = HookReceiver(status=500)
    secret_url = hook.url("/services/T0/B0/very-secret-token?key=abc")
    try:
        with SQLiteStore(tmp_path / "h.db") as store:
            sending = dispatcher(store, (route("chat"), SlackNotifier("chat", secret_url, 5.0)))
            sending.start()
            try:
                sending.dispatch([alert("Down", AlertState.FIRING)])
                wait_until(lambda: sending.stats.snapshot()["failed"].get("chat", 0) >= 1,
                           what="refused")
            finally:
                sending.stop()
            stored = store.outbox_head("chat")[0].last_error
    finally:
        hook.close()
    assert "very-secret-token" not in caplog.text and "very-secret-token" not in stored
    assert f"receiver chat (http://127.0.0.1:{hook.port}/…): answered HTTP 500" in caplog.text


def test_a_webhook_that_was_down_gets_every_notification_in_order(tmp_path: Path) -> None:
    hook = HookReceiver(status=503)
    try:
        with SQLiteStore(tmp_path / "h.db") as store:
            sending = dispatcher(store, (route("hook"),
                                         WebhookNotifier("hook", hook.url("/hook"), 5.0)))
            sending.start()
            try:
                a, b = alert("A", AlertState.FIRING), alert("B", AlertState.FIRING)
                sending.dispatch([a])
                sending.dispatch([a, b])
                sending.dispatch([alert("A", AlertState.INACTIVE), b])
                wait_until(lambda: sending.stats.snapshot()["failed"].get("hook", 0) >= 3,
                           what="refusals")
                assert store.outbox_depths() == {"hook": 3}
                hook.status = 200
                wait_until(lambda: len(hook.bodies) == 3, what="all three delivered")
            finally:
                sending.stop()
    finally:
        hook.close()
    told = [sorted((x["labels"]["alertname"], x["status"]) for x in body["alerts"])
            for _, body in hook.bodies]
    assert told == [[("A", "firing")], [("A", "firing"), ("B", "firing")],
                    [("A", "resolved"), ("B", "firing")]]
