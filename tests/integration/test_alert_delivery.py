"""Delivery against a real Alertmanager (Debian's 0.25) and a local webhook receiver: firing
and resolved alerts arrive; an Alertmanager that is down for two minutes while alerts fire,
change value and resolve gets every change, in order, once it is back; re-sends follow
``resend_delay`` with Prometheus' ``endsAt``."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import bcrypt
import pytest

from pgwatch.alerting.model import Alert, AlertState
from pgwatch.alerting.notifiers.alertmanager import AlertmanagerNotifier
from pgwatch.alerting.notifiers.dispatch import Dispatcher, Timing
from pgwatch.alerting.outbox import RetryPolicy
from pgwatch.embedded import free_port
from pgwatch.store.sqlite import SQLiteStore
from tests.integration.alert_servers import Alertmanager, HookReceiver
from tests.waiting import wait_until

FAST = RetryPolicy(initial_s=0.2, max_s=2.0)


def alert(name: str, state: AlertState, at: float, **labels: str) -> Alert:
    return Alert(rule=name, group="g", labels=tuple(sorted({"alertname": name,
                                                             "severity": "warning",
                                                             **labels}.items())),
                 annotations=(("summary", f"{name} summary"),), state=state, value=3.0,
                 active_at=at - 60, fired_at=at if state is not AlertState.PENDING else 0.0)


def resolved(firing: Alert, at: float) -> Alert:
    return replace(firing, state=AlertState.INACTIVE, resolved_at=at)


@pytest.fixture
def hook() -> Iterator[HookReceiver]:
    receiver = HookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def alertmanager(tmp_path: Path, hook: HookReceiver) -> Iterator[Alertmanager]:
    am = Alertmanager(tmp_path, hook.url())
    yield am
    am.stop()


def dispatcher(store: SQLiteStore, *urls: str, resend: float = 60.0) -> Dispatcher:
    return Dispatcher(store, [AlertmanagerNotifier(u, "", 5.0) for u in urls], [],
                      timing=Timing(resend, 30.0), external_labels={"cluster": "test"},
                      keep_per_receiver=1000, retry=FAST)


def notified(hook: HookReceiver) -> list[tuple[str, str]]:
    """(alertname, status) of every alert Alertmanager passed on, in arrival order."""
    return [(a["labels"]["alertname"], a["status"]) for _, body in hook.bodies
            for a in body["alerts"]]


def test_firing_then_resolved_reach_alertmanager_and_its_receiver(
        tmp_path: Path, alertmanager: Alertmanager, hook: HookReceiver) -> None:
    alertmanager.start()
    store = SQLiteStore(tmp_path / "h.db")
    sending = dispatcher(store, alertmanager.url)
    sending.start()
    try:
        now = time.time()
        firing = alert("IdleInTransaction", AlertState.FIRING, now, target="main")
        sending.dispatch([firing, alert("Pending", AlertState.PENDING, now)], now)
        wait_until(lambda: "IdleInTransaction" in alertmanager.active(), what="alert in AM")
        seen = alertmanager.active()["IdleInTransaction"]
        assert "Pending" not in alertmanager.active()
        assert seen["labels"] == {"alertname": "IdleInTransaction", "severity": "warning",
                                  "target": "main", "cluster": "test"}
        assert seen["annotations"] == {"summary": "IdleInTransaction summary"}
        ends = datetime.fromisoformat(seen["endsAt"]).timestamp()
        assert ends == pytest.approx(now + 4 * 60, abs=1)  # 4 × max(resend 60 s, interval 30 s)
        wait_until(lambda: ("IdleInTransaction", "firing") in notified(hook), what="webhook")
        later = time.time()  # a resolution in Alertmanager's future would not win its merge
        sending.dispatch([resolved(firing, later)], later)
        wait_until(lambda: alertmanager.active() == {}, what="resolved in AM")
        wait_until(lambda: ("IdleInTransaction", "resolved") in notified(hook),
                   what="resolved at the webhook")
        assert store.outbox_depths() == {}
        assert sending.stats.snapshot()["sent"] == {sending.alertmanagers[0].name: 2}
    finally:
        sending.stop()
        store.close()


def test_resend_follows_resend_delay_and_a_restart_sends_no_storm(
        tmp_path: Path, alertmanager: Alertmanager) -> None:
    alertmanager.start()
    store = SQLiteStore(tmp_path / "h.db")
    first = dispatcher(store, alertmanager.url, resend=60)
    now = time.time()
    firing = alert("A", AlertState.FIRING, now)
    assert first.dispatch([firing], now) == 1
    assert first.dispatch([firing], now + 30) == 0  # within resend_delay: nothing
    # A restart: a new dispatcher reads the marks back and does not re-send early.
    second = dispatcher(store, alertmanager.url, resend=60)
    assert second.restore() == [firing]
    assert second.dispatch([firing], now + 45) == 0
    assert second.dispatch([firing], now + 61) == 1  # resend_delay elapsed
    second.start()
    try:
        wait_until(lambda: store.outbox_depths() == {}, what="outbox drained")
        ends = datetime.fromisoformat(alertmanager.active()["A"]["endsAt"]).timestamp()
        assert ends == pytest.approx(now + 61 + 240, abs=1)
    finally:
        second.stop()
        store.close()


class RecordingProxy:
    """Passes POSTs on to the real Alertmanager and records, in arrival order, each body it
    accepted (503 while it does not answer): what reached Alertmanager, and when."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.accepted: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = proxy.forward(self.path, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def forward(self, path: str, body: bytes) -> int:
        request = urllib.request.Request(self.upstream + path, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                status = int(answer.status)
        except urllib.error.HTTPError as refused:
            status = refused.code
        except OSError:
            return 503
        if 200 <= status < 300:
            self.accepted.append(body.decode())
        return status

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


OUTAGE_S = 120.0  # the two minutes


def valued(name: str, value: float, at: float, since: float) -> Alert:
    """A firing alert whose summary shows its value, as a rule's template would."""
    return replace(alert(name, AlertState.FIRING, since), value=value, active_at=since - 60,
                   fired_at=since, annotations=(("summary", f"{name} at {value:g}"),))


def outage_alerts(elapsed: float, t: float) -> list[Alert]:
    """What the rules say ``elapsed`` s into the outage: A fires, changes value, resolves; B
    fires and changes value; C fires late."""
    alerts = [valued("A", 2 if elapsed >= 30 else 1, t, t)] if elapsed < 60 else \
        [resolved(valued("A", 2, t, t), t + 60)]
    if elapsed >= 10:
        alerts.append(valued("B", 20 if elapsed >= 80 else 10, t + 10, t + 10))
    if elapsed >= 100:
        alerts.append(valued("C", 1, t + 100, t + 100))
    return alerts


def summaries(payload: str) -> list[tuple[str, str]]:
    """(summary, firing or resolved) of each alert of an Alertmanager payload."""
    now = datetime.now().astimezone().timestamp()
    return [(a["annotations"]["summary"],
             "firing" if datetime.fromisoformat(a["endsAt"]).timestamp() > now else "resolved")
            for a in json.loads(payload)]


def test_alertmanager_down_two_minutes_gets_every_change_in_order(
        tmp_path: Path, alertmanager: Alertmanager, hook: HookReceiver,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    alertmanager.start()
    proxy = RecordingProxy(alertmanager.url)
    store = SQLiteStore(tmp_path / "h.db")
    sending = Dispatcher(store, [AlertmanagerNotifier(proxy.url, "", 5.0)], [],
                         timing=Timing(20.0, 60.0), external_labels={"cluster": "test"},
                         keep_per_receiver=1000, retry=FAST)
    receiver = sending.alertmanagers[0].name
    sending.start()
    try:
        t = time.time()
        sending.dispatch(outage_alerts(0, t), t)
        wait_until(lambda: "A" in alertmanager.active(), what="A firing in AM")
        alertmanager.stop()
        down_since = time.monotonic()
        while (elapsed := time.monotonic() - down_since) < OUTAGE_S:  # evaluated every 2 s
            sending.dispatch(outage_alerts(elapsed, t), t + elapsed)
            time.sleep(2.0)
        queued = [e.payload for e in store.outbox_head(receiver, 1000)]
        before = len(proxy.accepted)
        assert sending.stats.snapshot()["failed"][receiver] >= 10  # retried all along
        alertmanager.start()
        wait_until(lambda: store.outbox_depths() == {}, within=30, what="outbox drained")
        assert proxy.accepted[before:] == queued  # every change, once, in queue order
        told = [s for payload in queued for s in summaries(payload)]
        for change in (("A at 2", "firing"), ("A at 2", "resolved"), ("B at 10", "firing"),
                       ("B at 20", "firing"), ("C at 1", "firing")):
            assert change in told, (change, told)
        assert told.index(("A at 2", "firing")) < told.index(("A at 2", "resolved"))
        assert told.index(("B at 10", "firing")) < told.index(("B at 20", "firing"))
        wait_until(lambda: set(alertmanager.active()) == {"B", "C"}, what="AM state")
        assert alertmanager.active()["B"]["annotations"]["summary"] == "B at 20"
        wait_until(lambda: {("A", "resolved"), ("B", "firing"), ("C", "firing")}
                   <= set(notified(hook)), what="every alert's last state at the webhook")
    finally:
        sending.stop()
        proxy.close()
        store.close()
    refusals = [r.getMessage() for r in caplog.records if "notification kept" in r.getMessage()]
    assert refusals and all(r.startswith(f"{receiver}: ") for r in refusals), refusals


def test_an_alertmanager_that_never_answered_at_start_is_not_fatal(tmp_path: Path,
                                                                   hook: HookReceiver) -> None:
    am = Alertmanager(tmp_path, hook.url())  # configured, not yet started
    store = SQLiteStore(tmp_path / "h.db")
    sending = dispatcher(store, am.url)
    sending.start()
    try:
        now = time.time()
        sending.dispatch([alert("A", AlertState.FIRING, now)], now)
        wait_until(lambda: sum(sending.stats.snapshot()["failed"].values()) >= 2,
                   what="retries")
        assert store.outbox_depths() == {sending.alertmanagers[0].name: 1}
        head = store.outbox_head(sending.alertmanagers[0].name)[0]
        assert head.attempts >= 2 and "Connection refused" in head.last_error
        am.start()
        wait_until(lambda: "A" in am.active(), within=20, what="A delivered once AM is up")
    finally:
        sending.stop()
        am.stop()
        store.close()


def test_every_alertmanager_of_a_pair_gets_the_alerts(tmp_path: Path,
                                                      hook: HookReceiver) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    pair = [Alertmanager(tmp_path / n, hook.url()) for n in ("a", "b")]
    for am in pair:
        am.start()
    store = SQLiteStore(tmp_path / "h.db")
    sending = dispatcher(store, *(am.url for am in pair))
    sending.start()
    try:
        now = time.time()
        sending.dispatch([alert("A", AlertState.FIRING, now)], now)
        wait_until(lambda: all("A" in m.active() for m in pair), what="A at both")
    finally:
        sending.stop()
        for am in pair:
            am.stop()
        store.close()


def test_path_prefix_and_basic_auth_of_an_alertmanager(tmp_path: Path, hook: HookReceiver,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    digest = bcrypt.hashpw(b"am-pass", bcrypt.gensalt(rounds=4)).decode()
    am = Alertmanager(tmp_path, hook.url(), prefix="/am", users={"pgwatch": digest})
    am.start()
    am.credentials = ("pgwatch", "am-pass")
    store = SQLiteStore(tmp_path / "h.db")
    good = AlertmanagerNotifier(am.url, "/am", 5.0, ("pgwatch", "am-pass"))
    bad = AlertmanagerNotifier(am.url, "/am/", 5.0, ("pgwatch", "wrong"))
    bad.name += " (wrong password)"
    sending = Dispatcher(store, [good, bad], [], timing=Timing(60, 30), external_labels={},
                         keep_per_receiver=100, retry=FAST)
    sending.start()
    try:
        now = time.time()
        sending.dispatch([alert("Behind", AlertState.FIRING, now)], now)
        wait_until(lambda: "Behind" in am.active(), what="alert through prefix and auth")
        wait_until(lambda: sending.stats.snapshot()["failed"].get(bad.name, 0) >= 1,
                   what="wrong password refused")
        assert store.outbox_depths() == {bad.name: 1}
    finally:
        sending.stop()
        am.stop()
        store.close()
    assert "answered HTTP 401" in caplog.text and "am-pass" not in caplog.text
    assert "wrong" not in caplog.text.replace("(wrong password)", "")
