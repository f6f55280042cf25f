"""A real Prometheus scrapes pgwatch, which watches an embedded PostgreSQL (behind a real
PgBouncer) under the Mile Quest workload; every dashboard panel's query must return data,
except the few whose description says they wait for a rare event."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors import registry
from pgwatch.embedded import EmbeddedPostgres, free_port
from pgwatch.grafana.dashboards import DASHBOARDS
from pgwatch.migrations.runner import Runner
from pgwatch.service import Service
from pgwatch.workload.generate import load
from pgwatch.workload.traffic import Traffic
from tests.integration.pgbouncer_fixture import PgBouncer, running_pgbouncer

PROMETHEUS = "/usr/bin/prometheus"
SCRAPE_S = 1
SETTLE_S = 60
PANELS = [(d.uid, p, q) for d in DASHBOARDS for p, q in d.queries()]
# The panels that wait for a rare event, as their descriptions say; they may be empty here.
RARE = {"Latency regressions", "Vacuum progress", "Blocked sessions"}


def _config(folder: Path, dsn: str, bouncer: PgBouncer, port: int) -> Path:
    params = conninfo_to_dict(dsn)
    collectors = "".join(f"    {name}: {{interval: {SCRAPE_S}s}}\n" for name in registry.NAMES
                         if name != "pgstattuple")
    config = folder / "pgwatch.yaml"
    config.write_text(
        "targets:\n"
        f"  - name: mq\n    host: 127.0.0.1\n    port: {params['port']}\n"
        f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
        f"    password: {params['password']}\n"
        f"    pgbouncer: {{dsn: '{bouncer.admin_dsn}'}}\n"
        f"defaults:\n  collectors:\n{collectors}"
        f"store:\n  path: {folder / 'history.db'}\n"
        f"http:\n  listen: 127.0.0.1:{port}\n")
    return config


@pytest.fixture(scope="module")
def prometheus_over_pgwatch() -> Iterator[int]:
    """Everything running; yields the Prometheus port once data has accumulated."""
    folder = Path(tempfile.mkdtemp(prefix="pgwatch-prom-"))
    with EmbeddedPostgres(18) as pg, running_pgbouncer(pg.dsn()) as bouncer:
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_stat_statements")
        Runner(pg.dsn()).up(to=1)
        load(pg.dsn(), 0.01)
        Runner(pg.dsn()).up()
        pgwatch_port, prometheus_port = free_port(), free_port()
        service = Service.from_config(_config(folder, pg.dsn(), bouncer, pgwatch_port))
        traffic = Traffic(pg.dsn())
        stop = threading.Event()
        pooled = threading.Thread(target=_through_pgbouncer, args=(bouncer, stop), daemon=True)
        prometheus = _start_prometheus(folder, pgwatch_port, prometheus_port)
        try:
            service.start()
            traffic.start()
            pooled.start()
            _wait_ready(prometheus_port, prometheus)
            _wait_for_panels(prometheus_port)
            yield prometheus_port
        finally:
            stop.set()
            traffic.stop()
            prometheus.terminate()
            prometheus.wait(timeout=30)
            service.stop()
            pooled.join(timeout=10)
            shutil.rmtree(folder, ignore_errors=True)


def _through_pgbouncer(bouncer: PgBouncer, stop: threading.Event) -> None:
    with psycopg.connect(bouncer.pooled_dsn("postgres"), autocommit=True,
                         prepare_threshold=None) as conn:
        while not stop.wait(0.05):
            conn.execute("SELECT count(*) FROM pg_catalog.pg_class")


def _start_prometheus(folder: Path, target_port: int, port: int) -> subprocess.Popen[bytes]:
    config = folder / "prometheus.yml"
    config.write_text(
        f"global: {{scrape_interval: {SCRAPE_S}s, evaluation_interval: {SCRAPE_S}s}}\n"
        "scrape_configs:\n  - job_name: pgwatch\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{target_port}']}}]\n")
    return subprocess.Popen(
        [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={folder / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=(folder / "prometheus.log").open("wb"))


def _wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "prometheus exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("prometheus never became ready")


def _wait_for_panels(port: int) -> None:
    """Until every panel that waits for no rare event has data, or SETTLE_S passed (then the
    test of each panel says which has none)."""
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        if all(query(port, q.expr) for _, panel, q in PANELS if not panel.rare):
            return
        time.sleep(2)


def query(port: int, expr: str) -> list[dict[str, object]]:
    grafana_free = expr.replace("$__rate_interval", "1m").replace("$target", ".*") \
        .replace("$datname", ".*")
    url = (f"http://127.0.0.1:{port}/api/v1/query?"
           + urllib.parse.urlencode({"query": grafana_free}))
    with urllib.request.urlopen(url, timeout=30) as answer:
        body = json.loads(answer.read())
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def test_prometheus_scrapes_pgwatch(prometheus_over_pgwatch: int) -> None:
    up = query(prometheus_over_pgwatch, 'up{job="pgwatch"}')
    assert [sample["value"][1] for sample in up] == ["1"]  # type: ignore[index]


@pytest.mark.parametrize(("uid", "panel", "promql"), PANELS,
                         ids=[f"{u}:{p.title}" for u, p, _ in PANELS])
def test_every_panel_returns_data(prometheus_over_pgwatch: int, uid: str, panel: object,
                                  promql: object) -> None:
    from pgwatch.grafana.model import Panel, Query

    assert isinstance(panel, Panel) and isinstance(promql, Query)
    result = query(prometheus_over_pgwatch, promql.expr)
    assert bool(panel.rare) == (panel.title in RARE)
    if panel.rare:
        return  # the query ran; the event it waits for may not have happened
    assert result, f"{uid} / {panel.title}: no data for {promql.expr}"
