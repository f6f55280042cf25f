"""Database discovery against a real instance: include/exclude patterns, per-database rows
labelled datname, new and dropped databases, and the per-instance connection cap."""

from __future__ import annotations

import logging
import re
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors.base import Snapshot
from pgwatch.collectors.database import DatabaseCollector
from pgwatch.collectors.tables import TablesCollector, TableSizeCollector
from pgwatch.daemon import Catalog, Daemon
from pgwatch.daemon.state import JobStatus
from pgwatch.embedded import free_port
from pgwatch.exposition.self_metrics import SelfCollector
from pgwatch.exposition.text import TextRenderer
from pgwatch.service import Service
from pgwatch.store import open_store
from tests.cli import run_cli
from tests.servers import PgServer
from tests.waiting import wait_until

pytestmark = pytest.mark.one_version
PROMTOOL = "/usr/bin/promtool"

KINDS: dict[str, type] = {"database": DatabaseCollector, "tables": TablesCollector,
                          "table_size": TableSizeCollector}
CATALOG = Catalog(names=tuple(KINDS), create=lambda name, _options: KINDS[name]())




@pytest.fixture
def instance(pg_server: PgServer) -> Iterator[tuple[PgServer, str, Callable[[str], None]]]:
    """A tag naming this test's databases, and a way to create one with a table in it."""
    tag = uuid.uuid4().hex[:8]
    made: list[str] = []

    def create(name: str) -> None:
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        with psycopg.connect(pg_server.dsn(name), autocommit=True) as conn:
            conn.execute("CREATE TABLE t_in_every_db (id int PRIMARY KEY)")

    yield pg_server, tag, create
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
        for name in made:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))


def drop(server: PgServer, name: str) -> None:
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def write_config(path: Path, server: PgServer, tag: str, *, table_size: str = "interval: 1s",
                 connection: str = "max_connections: 3", databases: str = "",
                 top: str = "") -> Path:
    params = conninfo_to_dict(server.admin_dsn)
    path.write_text(
        top + "targets:\n"
        f"  - name: inst\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: postgres\n    user: {params['user']}\n"
        f"    password: '{params.get('password', '')}'\n"
        "    databases:\n"
        f"      include: ['fleet_*_{tag}', '/^other_{tag}$/']\n"
        f"      exclude: ['other_*']\n      rediscover: 1s\n{databases}"
        f"    connection: {{{connection}}}\n"
        "    collectors:\n"
        "      database: {interval: 1s}\n      tables: {interval: 1s}\n"
        f"      table_size: {{{table_size}}}\n")
    return path


def pgwatch_sessions(server: PgServer) -> int:
    with psycopg.connect(server.admin_dsn) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity "
                           "WHERE application_name = 'pgwatch'").fetchone()
    assert row is not None
    return int(row[0])


def test_discovered_databases_come_and_go_within_the_connection_cap(
        instance: tuple[PgServer, str, Callable[[str], None]], tmp_path: Path) -> None:
    server, tag, create = instance
    for name in (f"fleet_a_{tag}", f"fleet_b_{tag}", f"other_{tag}"):
        create(name)
    latest: dict[str, Snapshot] = {}
    store = open_store(tmp_path / "history.db")
    daemon = Daemon(write_config(tmp_path / "pgwatch.yaml", server, tag), CATALOG,
                    sinks=[lambda s: latest.__setitem__(s.collector, s), store.write])
    sessions: list[int] = []
    watching = threading.Event()

    def watch() -> None:
        while not watching.wait(0.2):
            sessions.append(pgwatch_sessions(server))

    watcher = threading.Thread(target=watch, daemon=True)
    daemon.start()
    watcher.start()
    try:
        def seen() -> set[str]:
            snapshot = latest.get("tables")
            return {r.datname for r in snapshot.rows} if snapshot else set()
        wait_until(lambda: seen() == {f"fleet_a_{tag}", f"fleet_b_{tag}"})
        rows = [r for r in latest["tables"].rows if r.relname == "t_in_every_db"]
        assert sorted(r.datname for r in rows) == [f"fleet_a_{tag}", f"fleet_b_{tag}"]
        assert {r.datname for r in latest["table_size"].rows} == seen()
        # database is instance-wide: one run, its own datname rows for every database.
        assert f"other_{tag}" in {r.datname for r in latest["database"].rows}
        drop(server, f"fleet_b_{tag}")
        create(f"fleet_c_{tag}")
        wait_until(lambda: seen() == {f"fleet_a_{tag}", f"fleet_c_{tag}"})
    finally:
        watching.set()
        watcher.join()
        daemon.stop()
    # The instance's pool and the lanes to its databases, never more than the cap.
    assert sessions and 2 <= max(sessions) <= 3, sessions
    # The dropped database's history stays in the store, its series ended by a break.
    now = datetime.now(UTC)
    gone = store.series("pgwatch_table_size_total_bytes", {"datname": f"fleet_b_{tag}"},
                        now - timedelta(minutes=10), now)
    store.close()
    assert gone and all(s.points and s.breaks for s in gone), gone


def test_doctor_and_collect_once_show_discovered_and_excluded_databases(
        instance: tuple[PgServer, str, Callable[[str], None]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    server, tag, create = instance
    for name in (f"fleet_a_{tag}", f"fleet_b_{tag}", f"other_{tag}"):
        create(name)
    config = write_config(tmp_path / "pgwatch.yaml", server, tag)
    doctor = run_cli(capsys, "doctor", "-c", str(config))
    assert doctor.status in (0, 1), doctor.err
    assert "  databases: watching 2 of " in doctor.out
    assert f": fleet_a_{tag}, fleet_b_{tag}\n" in doctor.out
    assert f"  excluded: other_{tag} (matches an exclude pattern)\n" in doctor.out
    assert "  excluded: template1 (a template (databases.templates: false))\n" in doctor.out
    collect = run_cli(capsys, "collect", "--once", "-c", str(config), "--only",
                      "database,tables")
    assert collect.status == 0, collect.err
    lines = collect.out.splitlines()
    assert f"excluded: other_{tag} (matches an exclude pattern)" in lines
    # The instance-wide collector runs once; the per-database one in each watched database.
    headers = [line for line in lines if line.startswith("target ")]
    assert [h.split(":")[0] for h in headers] == [
        "target inst", f"target inst database fleet_a_{tag}",
        f"target inst database fleet_b_{tag}"]
    assert sum(line.startswith("tables ") for line in lines) == 2
    assert sum(line.startswith("database ") for line in lines) == 1


def job_status(daemon: Daemon, collector: str) -> JobStatus:
    return next(j for j in daemon.state.jobs() if j.collector == collector)


def test_a_collector_over_its_timeout_in_one_database_fails_there_and_the_sweep_goes_on(
        instance: tuple[PgServer, str, Callable[[str], None]], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    server, tag, create = instance
    slow, fast = f"fleet_a_{tag}", f"fleet_b_{tag}"
    create(slow)
    create(fast)
    holder = psycopg.connect(server.dsn(slow))
    holder.execute("LOCK TABLE t_in_every_db IN ACCESS EXCLUSIVE MODE")  # sizes wait there
    latest: dict[str, Snapshot] = {}
    # The lock wait would outlast the session's lock_timeout too: only table_size's 1 s ends it.
    config = write_config(tmp_path / "pgwatch.yaml", server, tag,
                          table_size="interval: 1s, timeout: 1s",
                          connection="max_connections: 3, lock_timeout: 10s")
    daemon = Daemon(config, CATALOG, sinks=[lambda s: latest.__setitem__(s.collector, s)])
    caplog.set_level(logging.DEBUG, logger="pgwatch.daemon.sweep")
    daemon.start()
    try:
        wait_until(lambda: job_status(daemon, "table_size").errors_total >= 2)
        during = dict(latest)
        status = job_status(daemon, "table_size")
        metrics = TextRenderer(self_registry(daemon)).render().decode()
        holder.close()
        wait_until(lambda: {r.datname for r in latest["table_size"].rows} == {slow, fast})
        after = job_status(daemon, "table_size")
    finally:
        holder.close()
        daemon.stop()
    # The other database's sizes, and every database's tables, are fresh all along.
    assert {r.datname for r in during["table_size"].rows} == {fast}
    assert {r.datname for r in during["tables"].rows} == {slow, fast}
    assert status.last_error.startswith(f"database {slow}: ")
    assert "statement timeout" in status.last_error, status.last_error
    assert status.runs_total >= status.errors_total >= 2 and status.last_success_at > 0
    assert job_status(daemon, "tables").errors_total == 0
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
              and r.name == "pgwatch.daemon.sweep"]
    assert any(m.startswith(f"target inst: database {slow}: collector table_size failed: ")
               and "statement timeout" in m for m in logged), logged
    assert not any(fast in m for m in logged), logged
    errors = re.findall(r'^pgwatch_collector_database_errors_total\{target="inst",'
                        r'collector="table_size",datname="(\w+)"\} (\d+)', metrics, re.M)
    assert [(d, int(n) >= 2) for d, n in errors] == [(slow, True)], metrics
    # Each sweep waited about the timeout in the slow database, and no more.
    paces = [float(m.group(1)) for r in caplog.records
             if (m := re.search(r"database\(s\) swept in ([0-9.]+) s \(every 1 s: table",
                                r.getMessage()))]
    assert len(paces) >= 3 and max(paces) < 3.0 and sorted(paces)[-2] >= 0.9, paces
    assert min(paces) < 0.5, paces  # once the lock is gone
    assert after.last_error == ""


def self_registry(daemon: Daemon) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SelfCollector(daemon.state))
    return registry


def discovery_gauges(port: int) -> dict[tuple[str, str], float]:
    body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    gauges: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(body):
        if family.name.startswith("pgwatch_discovery"):
            for sample in family.samples:
                key = sample.labels.get("state", sample.name), sample.labels.get("reason", "")
                gauges[key] = sample.value
    return gauges


def test_discovery_metrics_follow_new_and_dropped_databases(
        instance: tuple[PgServer, str, Callable[[str], None]], tmp_path: Path) -> None:
    server, tag, create = instance
    for name in (f"fleet_a_{tag}", f"fleet_b_{tag}", f"other_{tag}"):
        create(name)
    port = free_port()
    config = write_config(tmp_path / "pgwatch.yaml", server, tag, databases="      max: 3\n",
                          top=f"http: {{listen: '127.0.0.1:{port}'}}\n"
                              f"store: {{path: '{tmp_path / 'history.db'}'}}\n")
    service = Service.from_config(config, CATALOG)
    service.start()
    seen: list[dict[tuple[str, str], float]] = []

    def counts(watched: int, over_max: int) -> bool:
        gauges = discovery_gauges(port)
        seen.append(gauges)
        return (gauges.get(("watched", "")), gauges.get(("excluded", "max"))) \
            == (watched, over_max)
    try:
        wait_until(lambda: counts(2, 0))
        first = seen[-1]
        create(f"fleet_c_{tag}")
        create(f"fleet_d_{tag}")
        wait_until(lambda: counts(3, 1))
        grown = seen[-1]
        body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).content
        drop(server, f"fleet_a_{tag}")
        wait_until(lambda: counts(3, 0))
        shrunk = seen[-1]
    finally:
        service.stop()
    databases = all_databases(server)
    for gauges in (first, grown, shrunk):
        assert gauges[("excluded", "template")] == 1  # template1; template0 allows no connections
        assert gauges[("excluded", "no_connections")] == 1
        assert gauges[("pgwatch_discovery_errors_total", "")] == 0
    # other_ (excluded), postgres and every other test's database match no pattern.
    assert shrunk[("excluded", "pattern")] == len(databases) - 5
    assert first[("excluded", "pattern")] == shrunk[("excluded", "pattern")]
    stamps = [g[("pgwatch_discovery_last_success_timestamp_seconds", "")]
              for g in (first, grown, shrunk)]
    assert stamps == sorted(stamps) and stamps[0] < stamps[2] <= time.time(), stamps
    check = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                           check=False)
    assert check.returncode == 0 and not check.stdout and not check.stderr, check


def all_databases(server: PgServer) -> list[str]:
    with psycopg.connect(server.admin_dsn) as conn:
        return [str(r[0]) for r in conn.execute("SELECT datname FROM pg_database")]
