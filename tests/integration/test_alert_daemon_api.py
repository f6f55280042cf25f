"""/api/v1/alerts and /api/v1/rules beside Prometheus 2.42's own: the same rule file loaded by
both, Prometheus scraping the pgwatch that evaluates it; the JSON has the same keys, the
alerts the same labels (less the job/instance a scrape adds), annotations, states, values."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors.registry import NAMES
from pgwatch.embedded import free_port
from pgwatch.service import Service
from tests.waiting import wait_until

pytestmark = pytest.mark.one_version
PROMETHEUS = "/usr/bin/prometheus"
RULES = """groups:
  - name: api
    rules:
      - alert: TargetUp
        expr: pgwatch_up == 1
        labels: {severity: info}
        annotations:
          summary: "{{ $labels.target }} answers ({{ $value }})"
      - alert: TargetUpForAnHour
        expr: pgwatch_up == 1
        for: 1h
        labels: {severity: warning}
        annotations: {summary: "pending for an hour"}
"""


def get(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
        return json.loads(answer.read())


@pytest.fixture
def both(pg_dsn: str, tmp_path: Path) -> Iterator[tuple[int, int]]:
    params = conninfo_to_dict(pg_dsn)
    (tmp_path / "rules.yaml").write_text(RULES)
    port, prom_port = free_port(), free_port()
    disabled = "".join(f"    {n}: {{enabled: false}}\n" for n in NAMES if n != "database")
    config = tmp_path / "pgwatch.yaml"
    config.write_text(
        f"targets:\n  - name: main\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
        f"    password: '{params.get('password', '')}'\n"
        f"defaults:\n  collectors:\n    database: {{interval: 1s}}\n{disabled}"
        f"store:\n  path: {tmp_path / 'h.db'}\nhttp:\n  listen: 127.0.0.1:{port}\n"
        "alerting:\n  rules: [rules.yaml]\n  evaluation_interval: 1s\n")
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: [{tmp_path / 'rules.yaml'}]\n"
        "scrape_configs:\n  - job_name: pgwatch\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
    service = Service.from_config(config)
    service.start()
    prometheus = subprocess.Popen(
        [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{prom_port}",
         "--log.level=warn"], stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "prometheus.log").open("wb"))
    try:
        yield port, prom_port
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=30)
        service.stop()


def alerts(port: int) -> dict[str, dict[str, Any]]:
    return {a["labels"]["alertname"]: a for a in get(port, "/api/v1/alerts")["data"]["alerts"]}


def test_the_api_answers_as_prometheus_does(both: tuple[int, int]) -> None:
    ours, theirs = both
    wait_until(lambda: len(alerts(ours)) == 2, within=60, what="pgwatch alerts")
    wait_until(lambda: _reachable(theirs) and len(alerts(theirs)) == 2, within=60,
               what="Prometheus alerts")
    time.sleep(1.5)
    mine, reference = alerts(ours), alerts(theirs)
    for name in ("TargetUp", "TargetUpForAnHour"):
        a, b = mine[name], reference[name]
        assert set(a) == set(b), name
        scraped = {k: v for k, v in b["labels"].items() if k not in ("job", "instance")}
        assert (a["labels"], a["annotations"], a["state"], a["value"]) == (
            scraped, b["annotations"], b["state"], b["value"])
    assert mine["TargetUp"]["state"] == "firing"
    assert mine["TargetUpForAnHour"]["state"] == "pending"
    group, reference_group = (get(p, "/api/v1/rules")["data"]["groups"][0] for p in both)
    assert set(group) - {"file"} == set(reference_group) - {"file"}
    assert (group["name"], group["interval"], group["limit"]) == (
        reference_group["name"], reference_group["interval"], reference_group["limit"])
    for rule, expected in zip(group["rules"], reference_group["rules"], strict=True):
        assert set(rule) == set(expected)
        same = ("name", "query", "duration", "labels", "annotations", "health", "type",
                "state")
        assert {k: rule[k] for k in same} == {k: expected[k] for k in same}
        assert [set(a) for a in rule["alerts"]] == [set(a) for a in expected["alerts"]]


def _reachable(port: int) -> bool:
    try:
        get(port, "/api/v1/alerts")
        return True
    except OSError:
        return False
