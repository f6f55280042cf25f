"""High availability as the scale-out docs lay it out: two pgwatch replicas of one shard,
each with its own store, both evaluating and sending to an Alertmanager cluster of two on
loopback; the receiver gets one notification per alert."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from pgwatch.collectors.registry import NAMES
from pgwatch.embedded import free_port
from tests.integration.alert_servers import ALERTMANAGER, HookReceiver
from tests.waiting import wait_until

pytestmark = pytest.mark.one_version
PEER_TIMEOUT_S = 2
RULES = """groups:
  - name: ha
    rules:
      - alert: FleetHasCommits
        expr: max(pgwatch_database_xact_commit_total) > 0
        labels: {severity: warning}
        annotations: {summary: "commits seen"}
"""


class ClusteredAlertmanager:
    """One member of a two-node Alertmanager cluster on loopback."""

    def __init__(self, folder: Path, hook_url: str, cluster_port: int, peer_port: int) -> None:
        folder.mkdir()
        self.folder, self.port = folder, free_port()
        self.cluster_port, self.peer_port = cluster_port, peer_port
        self.config = folder / "alertmanager.yml"
        self.config.write_text(
            "route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 1s\n"
            "  group_interval: 1s\n  repeat_interval: 1h\n"
            "receivers:\n  - name: hook\n    webhook_configs:\n"
            f"      - url: {hook_url}\n        send_resolved: false\n")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [ALERTMANAGER, f"--config.file={self.config}",
             f"--storage.path={self.folder / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}",
             f"--cluster.listen-address=127.0.0.1:{self.cluster_port}",
             f"--cluster.advertise-address=127.0.0.1:{self.cluster_port}",
             f"--cluster.peer=127.0.0.1:{self.peer_port}",
             f"--cluster.peer-timeout={PEER_TIMEOUT_S}s", "--cluster.settle-timeout=2s",
             "--cluster.gossip-interval=100ms", "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=(self.folder / "alertmanager.log").open("ab"))

    def status(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/api/v2/status", timeout=2) as answer:
            return dict(json.loads(answer.read()))

    def clustered(self) -> bool:
        assert self.process is not None and self.process.poll() is None, "alertmanager died"
        try:
            cluster = self.status()["cluster"]
        except OSError:
            return False
        return cluster.get("status") == "ready" and len(cluster.get("peers", [])) == 2

    def alerts(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/api/v2/alerts", timeout=5) as answer:
            return list(json.loads(answer.read()))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[HookReceiver, list[ClusteredAlertmanager]]]:
    hook = HookReceiver()
    ports = [free_port(), free_port()]
    members = [ClusteredAlertmanager(tmp_path / f"am{i}", hook.url(), ports[i], ports[1 - i])
               for i in (0, 1)]
    try:
        for member in members:
            member.start()
        for member in members:
            wait_until(member.clustered, within=30, what="alertmanager cluster of two")
        yield hook, members
    finally:
        for member in members:
            member.stop()
        hook.close()


def write_replica(folder: Path, dsn: str, port: int,
                  members: list[ClusteredAlertmanager]) -> Path:
    folder.mkdir()
    (folder / "rules.yaml").write_text(RULES)
    disabled = "".join(f"    {n}: {{enabled: false}}\n" for n in NAMES if n != "database")
    managers = "".join(f"    - url: {m.url}\n" for m in members)
    config = folder / "pgwatch.yaml"
    config.write_text(
        f"targets:\n  - name: main\n    dsn: '{dsn}'\n"
        f"defaults:\n  collectors:\n    database: {{interval: 1s}}\n{disabled}"
        f"store:\n  path: {folder / 'history.db'}\n"
        f"http:\n  listen: 127.0.0.1:{port}\n"
        "alerting:\n  rules: [rules.yaml]\n  evaluation_interval: 1s\n  resend_delay: 2s\n"
        "  external_labels: {cluster: ci}\n"
        f"  alertmanagers:\n{managers}")
    return config


def firing(port: int) -> list[str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/alerts", timeout=5) as answer:
        page = json.loads(answer.read())
    return [a["labels"]["alertname"] for a in page["data"]["alerts"] if a["state"] == "firing"]


def test_two_replicas_and_a_clustered_alertmanager_notify_once(
        pg_dsn: str, tmp_path: Path,
        cluster: tuple[HookReceiver, list[ClusteredAlertmanager]]) -> None:
    hook, members = cluster
    ports = [free_port(), free_port()]
    replicas = [subprocess.Popen(
        [sys.executable, "-m", "pgwatch", "run", "-c",
         str(write_replica(tmp_path / f"replica{i}", pg_dsn, ports[i], members))],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
        for i in (0, 1)]
    try:
        for port in ports:  # both replicas evaluate the rule and fire it
            wait_until(partial(_firing_or_not, port), within=60, what="firing")
        wait_until(lambda: bool(hook.bodies), within=30, what="a notification")
        for member in members:  # both members received the alert from the replicas
            wait_until(partial(_has_alert, member), what="alert in member")
        # A second notification would come one peer timeout after the first, or at the next
        # resend of either replica: wait for several of both.
        time.sleep(4 * PEER_TIMEOUT_S)
    finally:
        for replica in replicas:
            replica.terminate()
        for replica in replicas:
            replica.communicate(timeout=60)
    notified = [alert for _, body in hook.bodies for alert in body["alerts"]
                if alert["labels"]["alertname"] == "FleetHasCommits"]
    assert len(hook.bodies) == 1, hook.bodies
    assert len(notified) == 1 and notified[0]["status"] == "firing"
    assert notified[0]["labels"]["cluster"] == "ci"


def _has_alert(member: ClusteredAlertmanager) -> bool:
    return any(a["labels"]["alertname"] == "FleetHasCommits" for a in member.alerts())


def _firing_or_not(port: int) -> bool:
    try:
        return "FleetHasCommits" in firing(port)
    except OSError:
        return False
