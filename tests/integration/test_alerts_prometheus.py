"""The shipped rules in a real Prometheus (Debian's 2.42) and in pgwatch's own evaluator,
both over a live PostgreSQL 18 in which a scenario provokes eleven different alerts.

Prometheus scrapes ``pgwatch run`` (the in-process ``Service``, collectors every 2 s) and
evaluates a copy of ``rules/`` every 2 s; pgwatch evaluates the same copy. The copy differs
from the shipped files in two ways only, so that the test takes a minute or two and not
hours (``_test_rules`` asserts each change applies exactly once):

- every ``for`` is dropped (an alert fires at its first true evaluation); ``keep_firing_for``
  is kept;
- the thresholds that are durations or volumes the scenario cannot wait for or produce are
  lowered (``THRESHOLDS``): idle in transaction, long query and lock wait from 300/300/60 s
  to 3 s, temp files from 1 GiB to 1 MiB in 10 min, an inactive slot's WAL from 1 GiB to
  any.

Every other expression, label and annotation is the shipped one. The alerts firing in
Prometheus must include the eleven, and the alerts firing in pgwatch must be the same, with
the same names and labels (Prometheus' ``job`` and ``instance``, which pgwatch as the scraped
side does not have, are left out of the comparison).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors import registry
from pgwatch.embedded import EmbeddedPostgres, free_port
from pgwatch.migrations.runner import Runner
from pgwatch.service import Service

ROOT = Path(__file__).parent.parent.parent
PROMETHEUS = "/usr/bin/prometheus"
INTERVAL_S = 2
MAX_CONNECTIONS = 20  # usable: 17 (superuser_reserved_connections = 3)
THRESHOLDS = {
    "PostgresIdleInTransaction": ("> 300", "> 3"),
    "PostgresLongRunningQuery": ("> 300", "> 3"),
    "PostgresSessionsBlocked": ("> 60", "> 3"),
    "PostgresTempFilesSpike": ("> 1073741824", "> 1048576"),
    "PostgresReplicationSlotInactive": ("> 1073741824", "> 0"),
}
EXPECTED = {"PgwatchTargetDown", "PostgresIdleInTransaction", "PostgresSessionsBlocked",
            "PostgresConnectionsHigh", "MileQuestViewRefreshFailed", "PostgresInvalidIndex",
            "PostgresDeadlocks", "PostgresTempFilesSpike", "PostgresLongRunningQuery",
            "PostgresReplicationSlotInactive", "PostgresSettingPendingRestart"}
SCRAPE_ONLY = ("job", "instance")
AlertKey = tuple[str, tuple[tuple[str, str], ...]]


def _test_rules(folder: Path) -> Path:
    """The copy of rules/ described in the module docstring."""
    out = folder / "rules"
    out.mkdir()
    applied = set()
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for group in document["groups"]:
            for rule in group["rules"]:
                rule.pop("for", None)
                if rule["alert"] in THRESHOLDS:
                    old, new = THRESHOLDS[rule["alert"]]
                    assert rule["expr"].count(old) == 1, rule["alert"]
                    rule["expr"] = rule["expr"].replace(old, new)
                    applied.add(rule["alert"])
        (out / path.name).write_text(yaml.safe_dump(document, sort_keys=False),
                                     encoding="utf-8")
    assert applied == set(THRESHOLDS)
    return out


def _pgwatch_config(folder: Path, dsn: str, rules: Path, port: int) -> Path:
    params = conninfo_to_dict(dsn)
    collectors = "".join(f"    {name}: {{interval: {INTERVAL_S}s}}\n"
                         for name in registry.NAMES if name != "pgstattuple")
    target = (f"    host: 127.0.0.1\n    dbname: {params['dbname']}\n"
              f"    user: {params['user']}\n    password: {params['password']}\n")
    disabled = ", ".join(f"{name}: {{enabled: false}}" for name in registry.NAMES
                         if name != "database")
    config = folder / "pgwatch.yaml"
    config.write_text(
        "targets:\n"
        f"  - name: mq\n    port: {params['port']}\n    labels: {{env: test}}\n{target}"
        # Nothing listens there. One collector only: the jobs of a target take turns on
        # their first run, and each would wait for its connection attempt to time out.
        f"  - name: gone\n    port: {free_port()}\n{target}"
        f"    collectors: {{{disabled}}}\n"
        f"defaults:\n  collectors:\n{collectors}"
        f"store:\n  path: {folder / 'history.db'}\n"
        f"http:\n  listen: 127.0.0.1:{port}\n"
        f"alerting:\n  rules: [{rules}]\n  evaluation_interval: {INTERVAL_S}s\n",
        encoding="utf-8")
    return config


def _start_prometheus(folder: Path, rules: Path, target_port: int,
                      port: int) -> subprocess.Popen[bytes]:
    config = folder / "prometheus.yml"
    config.write_text(
        f"global: {{scrape_interval: {INTERVAL_S}s, evaluation_interval: {INTERVAL_S}s}}\n"
        f"rule_files: ['{rules}/*.yaml']\n"
        "scrape_configs:\n  - job_name: pgwatch\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{target_port}']}}]\n", encoding="utf-8")
    return subprocess.Popen(
        [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={folder / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=(folder / "prometheus.log").open("wb"))


def _get(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
        return json.loads(answer.read())


def _firing(port: int) -> set[AlertKey]:
    body = _get(port, "/api/v1/alerts")
    assert body["status"] == "success", body
    return {(a["labels"]["alertname"],
             tuple(sorted((k, v) for k, v in a["labels"].items() if k not in SCRAPE_ONLY)))
            for a in body["data"]["alerts"] if a["state"] == "firing"}


def _wait(what: str, check: Callable[[], bool], within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        with suppress(OSError):
            if check():
                return
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


class Scenario:
    """The sessions that provoke the alerts, held open until ``close``."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.sessions: list[psycopg.Connection[Any]] = []
        self.threads: list[threading.Thread] = []

    def connect(self, name: str, *, autocommit: bool = True) -> psycopg.Connection[Any]:
        conn = psycopg.connect(self.dsn, autocommit=autocommit, application_name=name)
        self.sessions.append(conn)
        return conn

    def background(self, conn: psycopg.Connection[Any], statement: str) -> None:
        def run() -> None:
            with suppress(psycopg.Error):
                conn.execute(statement)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    def close(self) -> None:
        """Cancel what runs, end every session (a second call does nothing)."""
        for conn in self.sessions:
            with suppress(psycopg.Error):
                conn.cancel_safe(timeout=5)
        for thread in self.threads:
            thread.join(timeout=10)
        for conn in self.sessions:
            conn.close()
        self.sessions.clear()


def _prepare(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pg_stat_statements")
    Runner(dsn).up()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.held (id int PRIMARY KEY, v int)")
        conn.execute("INSERT INTO public.held VALUES (1, 0), (2, 0)")
        conn.execute("CREATE TABLE public.dup (x int)")
        conn.execute("INSERT INTO public.dup VALUES (1), (1)")


def _provoke(scenario: Scenario) -> None:
    admin = scenario.connect("scenario-admin")
    # Idle in transaction; it also holds the row the next session waits for.
    holder = scenario.connect("scenario-holder", autocommit=False)
    holder.execute("UPDATE public.held SET v = v + 1 WHERE id = 1")
    scenario.background(scenario.connect("scenario-waiter"),
                        "UPDATE public.held SET v = v + 1 WHERE id = 1")
    scenario.background(scenario.connect("scenario-sleeper"), "SELECT pg_catalog.pg_sleep(600)")
    _deadlock(scenario)
    # A sort that spills ~30 MB to temporary files.
    admin.execute("SET work_mem = '64kB'")
    admin.execute("SELECT count(*) FROM (SELECT g FROM pg_catalog.generate_series(1, 1500000)"
                  " AS g ORDER BY g DESC) AS s")
    # A unique index built concurrently over duplicates stays behind, invalid.
    with suppress(psycopg.errors.UniqueViolation):
        admin.execute("CREATE UNIQUE INDEX CONCURRENTLY dup_x ON public.dup (x)")
    # A concurrent refresh without the unique index it needs fails, and is logged.
    [(schema, index)] = admin.execute(
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_index AS i"
        " JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid"
        " JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace"
        " WHERE i.indrelid = 'public.mv_global_leaderboard'::regclass AND i.indisunique"
    ).fetchall()
    admin.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(schema, index)))
    admin.execute("INSERT INTO public.mv_refresh_queue (view_name)"
                  " VALUES ('mv_global_leaderboard')")
    admin.execute("CALL public.refresh_due_materialized_views(interval '0 seconds', 5)")
    admin.execute("SELECT pg_catalog.pg_create_physical_replication_slot('lost_standby', true)")
    admin.execute("ALTER SYSTEM SET shared_buffers = '64MB'")
    admin.execute("SELECT pg_catalog.pg_reload_conf()")
    _saturate(scenario, admin)


def _deadlock(scenario: Scenario) -> None:
    first = scenario.connect("scenario-deadlock-1", autocommit=False)
    second = scenario.connect("scenario-deadlock-2", autocommit=False)
    first.execute("UPDATE public.held SET v = v + 1 WHERE id = 2")
    second.execute("UPDATE public.dup SET x = 1")
    scenario.background(first, "UPDATE public.dup SET x = 1")
    with suppress(psycopg.errors.DeadlockDetected):
        second.execute("UPDATE public.held SET v = v + 1 WHERE id = 2")
    second.rollback()
    scenario.threads[-1].join(timeout=10)
    first.rollback()


def _saturate(scenario: Scenario, admin: psycopg.Connection[Any]) -> None:
    """Client backends up to 15 of the 17 usable slots (88 %; pgwatch's second pooled
    connection, if it opens one, makes 94 %)."""
    [(clients,)] = admin.execute("SELECT count(*) FROM pg_catalog.pg_stat_activity"
                                 " WHERE backend_type = 'client backend'").fetchall()
    for _ in range(14 - int(clients)):
        scenario.connect("scenario-filler")


@pytest.fixture(scope="module")
def alerting_stack() -> Iterator[tuple[int, int, Scenario]]:
    """PostgreSQL, pgwatch and Prometheus running, the scenario provoked; yields the
    Prometheus and pgwatch ports and the scenario."""
    folder = Path(tempfile.mkdtemp(prefix="pgwatch-alerts-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        pg = stack.enter_context(EmbeddedPostgres(18, settings={
            "max_connections": str(MAX_CONNECTIONS), "superuser_reserved_connections": "3"}))
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE mq")
        dsn = pg.dsn("mq")
        _prepare(dsn)
        rules = _test_rules(folder)
        pgwatch_port, prometheus_port = free_port(), free_port()
        service = Service.from_config(_pgwatch_config(folder, dsn, rules, pgwatch_port))
        service.start()
        stack.callback(service.stop)
        prometheus = _start_prometheus(folder, rules, pgwatch_port, prometheus_port)
        stack.callback(prometheus.wait, 30)
        stack.callback(prometheus.terminate)
        _wait("prometheus ready", lambda: prometheus.poll() is None and bool(
            _get(prometheus_port, "/api/v1/status/runtimeinfo")), 60)
        time.sleep(3 * INTERVAL_S)  # counters are scraped before the scenario moves them
        scenario = Scenario(dsn)
        stack.callback(scenario.close)
        _provoke(scenario)
        yield prometheus_port, pgwatch_port, scenario


def test_prometheus_fires_every_provoked_alert(
        alerting_stack: tuple[int, int, Scenario]) -> None:
    prometheus_port, _, _ = alerting_stack
    _wait("the provoked alerts in Prometheus",
          lambda: {name for name, _ in _firing(prometheus_port)} >= EXPECTED, 120)
    firing: dict[str, list[dict[str, str]]] = {}
    for name, labels in _firing(prometheus_port):
        firing.setdefault(name, []).append(dict(labels))

    def values(alertname: str, label: str) -> set[str]:
        return {labels.get(label, "") for labels in firing[alertname]}

    assert values("PgwatchTargetDown", "target") == {"gone"}
    assert values("PostgresIdleInTransaction", "application_name") == {"scenario-holder"}
    assert values("PostgresIdleInTransaction", "env") == {"test"}
    assert values("PostgresLongRunningQuery", "application_name") >= {"scenario-sleeper"}
    assert values("MileQuestViewRefreshFailed", "view_name") == {"mv_global_leaderboard"}
    assert values("PostgresInvalidIndex", "indexrelname") == {"dup_x"}
    assert values("PostgresReplicationSlotInactive", "slot_name") == {"lost_standby"}
    assert "shared_buffers" in values("PostgresSettingPendingRestart", "name")


def test_pgwatch_fires_the_same_alerts_with_the_same_labels(
        alerting_stack: tuple[int, int, Scenario]) -> None:
    """Every firing alert, the provoked ones and any other (two long queries, two settings
    pending a restart), is in both with the same labels."""
    prometheus_port, pgwatch_port, _ = alerting_stack
    _wait("the provoked alerts in Prometheus",
          lambda: {name for name, _ in _firing(prometheus_port)} >= EXPECTED, 120)
    with suppress(AssertionError):
        _wait("the same alerts in pgwatch",
              lambda: _firing(pgwatch_port) == _firing(prometheus_port), 60)
    in_prometheus, in_pgwatch = _firing(prometheus_port), _firing(pgwatch_port)
    assert in_pgwatch == in_prometheus, (
        f"only in Prometheus: {sorted(in_prometheus - in_pgwatch)}; "
        f"only in pgwatch: {sorted(in_pgwatch - in_prometheus)}")
    assert {name for name, _ in in_pgwatch} >= EXPECTED


def test_alerts_of_ended_sessions_resolve_in_both(
        alerting_stack: tuple[int, int, Scenario]) -> None:
    """The sessions end: the alerts they caused resolve in Prometheus and in pgwatch, but
    PostgresSessionsBlocked, held by its keep_firing_for (1m), and the lasting ones (an
    invalid index, a failed refresh, a slot, a setting) keep firing."""
    prometheus_port, pgwatch_port, scenario = alerting_stack
    _wait("the provoked alerts in Prometheus",
          lambda: {name for name, _ in _firing(prometheus_port)} >= EXPECTED, 120)
    scenario.close()
    ended = {"PostgresIdleInTransaction", "PostgresLongRunningQuery", "PostgresConnectionsHigh"}
    lasting = {"PostgresSessionsBlocked", "PostgresInvalidIndex", "MileQuestViewRefreshFailed",
               "PostgresReplicationSlotInactive", "PostgresSettingPendingRestart"}
    for port in (prometheus_port, pgwatch_port):
        with suppress(AssertionError):
            _wait("the ended sessions' alerts to resolve",
                  partial(_quiet, port, ended), 60)
        firing = {name for name, _ in _firing(port)}
        assert not ended & firing, f"port {port}: still firing {sorted(ended & firing)}"
        assert lasting <= firing


def _quiet(port: int, names: set[str]) -> bool:
    return not names & {name for name, _ in _firing(port)}
