"""The daemon against real servers: collection into the store, a target down at start and
back, a restart mid-run, a collector over its time budget, and reloads good and broken."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors.base import TargetInfo
from pgwatch.collectors.database import DatabaseCollector
from pgwatch.collectors.tables import TablesCollector, TableSizeCollector
from pgwatch.daemon import Catalog, Daemon, JobStatus
from pgwatch.embedded import EmbeddedPostgres
from pgwatch.store import open_store
from tests.servers import PgServer
from tests.waiting import wait_until

# The daemon is the same on every version; the collectors it runs are tested on each.
pytestmark = pytest.mark.one_version

KINDS: dict[str, type] = {"database": DatabaseCollector, "tables": TablesCollector,
                          "table_size": TableSizeCollector}
CATALOG = Catalog(names=tuple(KINDS), create=lambda name, _options: KINDS[name]())


def write_config(path: Path, dsn: str, collectors: str = "", extra: str = "") -> Path:
    params = conninfo_to_dict(dsn)
    path.write_text(
        "targets:\n"
        f"  - name: main\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
        f"    password: {params.get('password', '')}\n"
        "    collectors:\n"
        "      database: {interval: 1s}\n      tables: {interval: 1s}\n"
        "      table_size: {interval: 1s}\n"
        f"{collectors}"
        "defaults:\n  connection: {connect_timeout: 2s}\n"
        f"{extra}")
    return path




def job(daemon: Daemon, collector: str) -> JobStatus:
    return next(j for j in daemon.state.jobs() if j.collector == collector)


@pytest.fixture
def running() -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def start(config: Path, catalog: Catalog = CATALOG) -> Daemon:
        daemon = Daemon(config, catalog)
        daemon.start()
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.stop()


def test_collects_into_the_store(pg_dsn: str, tmp_path: Path,
                                 running: Callable[..., Daemon]) -> None:
    store = open_store(tmp_path / "history.db")
    daemon = Daemon(write_config(tmp_path / "c.yaml", pg_dsn), CATALOG, sinks=(store.write,))
    daemon.start()
    try:
        wait_until(lambda: all(j.runs_total >= 2 for j in daemon.state.jobs()))
    finally:
        daemon.stop()
    latest = store.latest("main", "database")
    assert latest is not None and any(row["datname"] for row in latest.rows)
    assert daemon.state.targets_up() == {"main": True}
    assert {j.collector for j in daemon.state.jobs()} == set(KINDS)
    store.close()


def test_target_down_at_start_then_back(pg_server: PgServer, tmp_path: Path,
                                        running: Callable[..., Daemon],
                                        caplog: pytest.LogCaptureFixture) -> None:
    with EmbeddedPostgres(pg_server.major) as cluster:
        cluster.pause()
        daemon = running(write_config(tmp_path / "c.yaml", cluster.dsn()))
        wait_until(lambda: daemon.state.targets_up().get("main") is False)
        wait_until(lambda: job(daemon, "database").errors_total >= 1)
        assert "connection refused" in job(daemon, "database").last_error
        assert any("target main is down" in r.getMessage() for r in caplog.records)
        assert daemon.targets["main"].backoff.failures >= 1
        cluster.resume()
        wait_until(lambda: daemon.state.targets_up().get("main") is True, within=40)
        wait_until(lambda: job(daemon, "database").last_success_at > 0)
        assert daemon.targets["main"].backoff.failures == 0


def test_server_restart_mid_run(pg_server: PgServer, tmp_path: Path,
                                running: Callable[..., Daemon]) -> None:
    with EmbeddedPostgres(pg_server.major) as cluster:
        daemon = running(write_config(tmp_path / "c.yaml", cluster.dsn()))
        wait_until(lambda: job(daemon, "database").runs_total >= 1)
        cluster.pause()
        time.sleep(1.5)
        cluster.resume()
        before = job(daemon, "database").last_success_at
        wait_until(lambda: job(daemon, "database").last_success_at > before, within=40)
        assert daemon.state.targets_up()["main"] is True


def test_collector_over_its_budget_does_not_stop_the_others(
        pg_dsn: str, tmp_path: Path, running: Callable[..., Daemon]) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as setup:
        setup.execute("CREATE TABLE locked (id int)")
    holder = psycopg.connect(pg_dsn)
    holder.execute("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE")  # sizes wait behind it
    try:
        config = write_config(tmp_path / "c.yaml", pg_dsn,
                              extra="  # lock waits outlast the collector's budget\n")
        text = config.read_text().replace("table_size: {interval: 1s}",
                                          "table_size: {interval: 1s, timeout: 1s}")
        config.write_text(text.replace("{connect_timeout: 2s}",
                                       "{connect_timeout: 2s, lock_timeout: 10s}"))
        daemon = running(config)
        wait_until(lambda: job(daemon, "table_size").errors_total >= 1)
        wait_until(lambda: job(daemon, "database").runs_total >= 3)
    finally:
        holder.close()
    assert "statement timeout" in job(daemon, "table_size").last_error
    assert job(daemon, "database").errors_total == 0
    assert daemon.state.targets_up()["main"] is True


def test_reload_applies_a_good_config_and_keeps_running_on_a_broken_one(
        pg_dsn: str, tmp_path: Path, running: Callable[..., Daemon],
        caplog: pytest.LogCaptureFixture) -> None:
    config = write_config(tmp_path / "c.yaml", pg_dsn)
    daemon = running(config)
    wait_until(lambda: job(daemon, "tables").runs_total >= 1)
    config.write_text(config.read_text().replace("tables: {interval: 1s}",
                                                 "tables: {interval: 7s}"))
    assert daemon.reload() is True
    assert job(daemon, "tables").interval_s == 7.0
    config.write_text(config.read_text() + "bogus_section: 1\n")
    with caplog.at_level(logging.ERROR):
        assert daemon.reload() is False
    assert any("reload refused" in r.getMessage() and "bogus_section" in r.getMessage()
               for r in caplog.records)
    runs = job(daemon, "database").runs_total
    wait_until(lambda: job(daemon, "database").runs_total > runs)


def test_jobs_never_overlap(pg_dsn: str, tmp_path: Path,
                            running: Callable[..., Daemon]) -> None:
    seen: list[int] = []
    active = threading.Semaphore(1)

    class Slow(DatabaseCollector):
        def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
            assert active.acquire(blocking=False), "two runs of one job at once"
            try:
                time.sleep(1.5)  # longer than the 1 s interval
                seen.append(1)
                return super().collect(conn, server)
            finally:
                active.release()

    catalog = Catalog(names=("database",), create=lambda _n, _o: Slow())
    daemon = running(write_config(tmp_path / "c.yaml", pg_dsn), catalog)
    wait_until(lambda: len(seen) >= 3, within=30)
    assert job(daemon, "database").overruns_total >= 1



def test_large_reads_of_one_target_take_turns(pg_dsn: str, tmp_path: Path,
                                              running: Callable[..., Daemon]) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as setup:
        setup.execute("DO $$ BEGIN FOR i IN 1..1100 LOOP "
                      "EXECUTE format('CREATE TABLE t%s (id int)', i); END LOOP; END $$")
    spans: list[tuple[str, float, float]] = []

    def timed(kind: type[Any]) -> type[Any]:
        class Timed(kind):  # type: ignore[misc]
            def collect(self, conn: psycopg.Connection[Any], server: TargetInfo
                        ) -> Sequence[Any]:
                began = time.monotonic()
                rows: Sequence[Any] = super().collect(conn, server)
                time.sleep(0.3)  # long enough for two unserialized reads to meet
                spans.append((self.name, began, time.monotonic()))
                return rows
        return Timed

    kinds = {"tables": timed(TablesCollector), "table_size": timed(TableSizeCollector)}
    catalog = Catalog(names=tuple(kinds), create=lambda name, _options: kinds[name]())
    running(write_config(tmp_path / "c.yaml", pg_dsn), catalog)
    wait_until(lambda: len(spans) >= 8, within=40)
    assert {name for name, _, _ in spans} == {"tables", "table_size"}
    ordered = sorted(spans, key=lambda span: span[1])
    overlaps = [(a, b) for a, b in itertools.pairwise(ordered) if b[1] < a[2]]
    assert overlaps == [], "two reads of 1,100 rows ran at once on one target"
