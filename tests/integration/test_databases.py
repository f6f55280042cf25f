"""Database discovery against a real instance: include/exclude patterns, per-database rows
labelled datname, new and dropped databases, and the per-instance connection cap."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors.base import Snapshot
from pgwatch.collectors.database import DatabaseCollector
from pgwatch.collectors.tables import TablesCollector, TableSizeCollector
from pgwatch.daemon import Catalog, Daemon
from pgwatch.store import open_store
from tests.cli import run_cli
from tests.servers import PgServer

pytestmark = pytest.mark.one_version

KINDS: dict[str, type] = {"database": DatabaseCollector, "tables": TablesCollector,
                          "table_size": TableSizeCollector}
CATALOG = Catalog(names=tuple(KINDS), create=lambda name, _options: KINDS[name]())


def wait_until(check: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


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


def write_config(path: Path, server: PgServer, tag: str) -> Path:
    params = conninfo_to_dict(server.admin_dsn)
    path.write_text(
        "targets:\n"
        f"  - name: inst\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: postgres\n    user: {params['user']}\n"
        f"    password: '{params.get('password', '')}'\n"
        "    databases:\n"
        f"      include: ['fleet_*_{tag}', '/^other_{tag}$/']\n"
        "      exclude: ['other_*']\n      rediscover: 1s\n"
        "    connection: {max_connections: 3}\n"
        "    collectors:\n"
        "      database: {interval: 1s}\n      tables: {interval: 1s}\n"
        "      table_size: {interval: 1s}\n")
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
