"""Faults of a monitored server while ``pgwatch run`` watches it: the role loses its
privileges, pg_stat_statements is dropped, PgBouncer stops, and the wall clock steps."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgwatch.collectors import registry
from pgwatch.daemon import Catalog, Daemon
from pgwatch.db.pool import TargetPool
from pgwatch.db.session import SessionSettings
from pgwatch.embedded import free_port
from pgwatch.errors import PoolBusyError, TargetError
from pgwatch.store import open_store
from tests.integration.daemon_process import DaemonProcess, running_daemon, target_yaml
from tests.integration.pgbouncer_fixture import running_pgbouncer
from tests.servers import PgServer
from tests.waiting import wait_until

pytestmark = pytest.mark.one_version
ROLE_PASSWORD = "watcher-pw-2f9c"
FAST = ("defaults:\n  collectors:\n    database: {interval: 1s}\n    tables: {interval: 1s}\n"
        "    statements: {interval: 1s}\n    statements_info: {interval: 1s}\n"
        "    activity: {interval: 1s}\n    wal: {interval: 1s}\n    settings: {interval: 1s}\n"
        "    connections: {interval: 1s}\n")


@pytest.fixture
def watcher_dsn(pg_dsn: str) -> Iterator[str]:
    """A LOGIN role with pg_monitor and nothing else, on the test's database."""
    role = f"w_{conninfo_to_dict(pg_dsn)['dbname']}"
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(ROLE_PASSWORD)))
        admin.execute(sql.SQL("GRANT pg_monitor TO {}").format(sql.Identifier(role)))
    params = conninfo_to_dict(pg_dsn)
    params.update(user=role, password=ROLE_PASSWORD)
    yield make_conninfo("", **params)
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                      (role,))
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _jobs(daemon: DaemonProcess) -> dict[str, tuple[float, float]]:
    """collector -> (runs, errors) from /metrics."""
    status, body = daemon.get("/metrics")
    assert status == 200
    runs: dict[str, float] = {}
    errors: dict[str, float] = {}
    for line in body.decode().splitlines():
        for prefix, into in (("pgwatch_collector_runs_total{", runs),
                             ("pgwatch_collector_errors_total{", errors)):
            if line.startswith(prefix):
                collector = line.split('collector="', 1)[1].split('"', 1)[0]
                into[collector] = float(line.rsplit(" ", 1)[1])
    return {c: (runs[c], errors.get(c, 0.0)) for c in runs}


def _grant(dsn: str, *statements: sql.Composable | str) -> None:
    with psycopg.connect(dsn, autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)  # type: ignore[arg-type]


def _more_runs(daemon: DaemonProcess, collector: str, by: float, within: float = 30) -> None:
    start = _jobs(daemon)[collector][0]
    daemon.wait_for(lambda: _jobs(daemon)[collector][0] >= start + by,
                    f"{collector} runs again", within)


def test_a_role_losing_its_privileges_fails_what_needs_them_and_recovers(
        pg_dsn: str, watcher_dsn: str, tmp_path: Path) -> None:
    body = "targets:\n" + target_yaml(watcher_dsn) + FAST + f"store:\n  path: {tmp_path / 'h.db'}\n"
    database = sql.Identifier(str(conninfo_to_dict(pg_dsn)["dbname"]))
    role = conninfo_to_dict(watcher_dsn)["user"]
    with running_daemon(tmp_path, body, ROLE_PASSWORD) as daemon:
        daemon.wait_ready()
        _grant(pg_dsn, "REVOKE ALL ON FUNCTION pg_stat_statements(boolean) FROM PUBLIC")
        daemon.wait_for(lambda: _jobs(daemon)["statements"][1] >= 2, "statements failing")
        errors = _jobs(daemon)["database"][1]
        _more_runs(daemon, "database", 2)
        assert _jobs(daemon)["database"][1] == errors
        assert daemon.metric("pgwatch_up", target="main") == 1.0
        # Then it may not even connect: the target is down, the daemon goes on serving.
        _grant(pg_dsn, sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(database),
               sql.SQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE usename = {}").format(sql.Literal(role)))
        daemon.wait_for(lambda: daemon.metric("pgwatch_up", target="main") == 0.0, "down")
        assert daemon.get("/readyz")[0] == 503
        _grant(pg_dsn, sql.SQL("GRANT CONNECT ON DATABASE {} TO PUBLIC").format(database),
               "GRANT EXECUTE ON FUNCTION pg_stat_statements(boolean) TO PUBLIC")
        daemon.wait_for(lambda: daemon.metric("pgwatch_up", target="main") == 1.0, "up", 60)
        daemon.wait_ready(within=30)
        failed = _jobs(daemon)["statements"][1]
        _more_runs(daemon, "statements", 3)
        assert _jobs(daemon)["statements"][1] == failed
        assert daemon.stop() == 0
    messages = daemon.messages()
    assert "collector statements failed: permission denied for function pg_stat_statements" \
        in messages
    assert any(m.startswith("target main is down: ") and "permission denied for database" in m
               for m in messages), [m for m in messages if " is down: " in m]
    assert any(m.startswith("target main is back") for m in messages)


def test_pg_stat_statements_dropped_while_running_is_skipped_then_back(
        pg_dsn: str, watcher_dsn: str, tmp_path: Path) -> None:
    body = "targets:\n" + target_yaml(watcher_dsn) + FAST + f"store:\n  path: {tmp_path / 'h.db'}\n"
    with running_daemon(tmp_path, body, ROLE_PASSWORD) as daemon:
        daemon.wait_ready()
        _grant(pg_dsn, "DROP EXTENSION pg_stat_statements")
        daemon.wait_for(lambda: daemon.metric("pgwatch_collector_skipped",
                                              collector="statements") == 1.0, "skipped")
        _, body_ = daemon.get("/metrics")
        skipped = [line for line in body_.decode().splitlines()
                   if line.startswith('pgwatch_collector_skipped{') and 'collector="statements"'
                   in line and line.endswith(" 1.0")]
        assert skipped and "pg_stat_statements" in skipped[0], skipped
        assert daemon.get("/readyz")[0] == 200  # a skipped collector is not a late one
        _more_runs(daemon, "database", 2)
        assert _jobs(daemon)["statements"][1] == 0
        _grant(pg_dsn, "CREATE EXTENSION pg_stat_statements")
        _more_runs(daemon, "statements", 2)
        assert daemon.metric("pgwatch_collector_skipped", collector="statements") == 0.0
        assert _jobs(daemon)["statements"][1] == 0
        assert daemon.stop() == 0


def test_a_target_refusing_connections_is_reported_with_the_server_reason(
        pg_dsn: str, tmp_path: Path) -> None:
    """Nothing listens on one target's port; the other's server rejects the password. The
    log, /readyz and doctor say so for each, never "pool exhausted"."""
    params = conninfo_to_dict(pg_dsn)
    nothing = make_conninfo("", **{**params, "port": str(free_port())})
    wrong = target_yaml(pg_dsn, "wrongpw").replace("${TEST_PG_PASSWORD}", "not-the-password")
    body = ("targets:\n" + target_yaml(nothing, "nothing") + wrong + FAST
            + f"store:\n  path: {tmp_path / 'h.db'}\n")
    with running_daemon(tmp_path, body, str(params.get("password", ""))) as daemon:
        for target in ("nothing", "wrongpw"):
            daemon.wait_for(partial(_failing, daemon, target), f"{target} down and failing")
        assert daemon.get("/readyz")[0] == 503
        assert daemon.stop() == 0
    down = {m.split()[1]: m for m in daemon.messages() if m.startswith("target ")
            and " is down: " in m}
    assert "connection refused" in down["nothing"], down
    assert "password authentication failed" in down["wrongpw"], down
    assert "pool exhausted" not in daemon.log_text()
    doctor = subprocess.run([sys.executable, "-m", "pgwatch", "doctor", "-c", str(daemon.config)],
                            check=False, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TEST_PG_PASSWORD": str(params["password"])})
    said = doctor.stdout + doctor.stderr
    assert "connection refused" in said and "password authentication failed" in said, said


def test_the_pool_says_what_the_server_answered_or_that_it_is_all_in_use(pg_dsn: str) -> None:
    wrong = make_conninfo(pg_dsn, password="not-the-password")
    refused = TargetPool("wrongpw", wrong, SessionSettings(connect_timeout_s=2))
    refused.open()
    try:
        with pytest.raises(TargetError, match=r"^target 'wrongpw' \(postgres@.*\): password "
                                              r"authentication failed for user"), \
                refused.connection(timeout=1):
            pass
    finally:
        refused.close()
    busy = TargetPool("main", pg_dsn, min_size=1, max_size=1)
    busy.open()
    try:
        with busy.connection(timeout=10), pytest.raises(
                PoolBusyError, match=r"^target 'main' .*: all 1 connections of its pool stayed "
                                     r"in use for 0.5 s$"), busy.connection(timeout=0.5):
            pass
    finally:
        busy.close()


def test_a_pool_kept_busy_fails_the_run_but_the_target_stays_up(pg_dsn: str,
                                                                tmp_path: Path) -> None:
    """Every connection of the pool in use (pgwatch's own runs too many or too long) is the
    collector's failure: the target answers, so it is neither marked down nor backed off."""
    config = tmp_path / "pgwatch.yaml"
    config.write_text("targets:\n" + target_yaml(pg_dsn).replace(
        "${TEST_PG_PASSWORD}", str(conninfo_to_dict(pg_dsn).get("password", "")))
        + "defaults:\n  connection: {pool_size: 1, connect_timeout: 1s}\n"
        "  collectors:\n    database: {interval: 1s}\n", encoding="utf-8")
    daemon = Daemon(config, Catalog(names=("database",), create=lambda name, options:
                                    registry.create([name])[0]), workers=2)
    daemon.start()
    try:
        wait_until(lambda: _runs(daemon, "database")[0] >= 1, what="a first run")
        pool = daemon.targets["main"].pool
        assert pool is not None
        with pool.connection(timeout=10):  # the pool's only connection, held
            failed = _runs(daemon, "database")[1]
            wait_until(lambda: _runs(daemon, "database")[1] >= failed + 2, what="runs failing")
            assert daemon.state.targets_up() == {"main": True}
            assert not daemon.targets["main"].backoff.down
            status = next(j for j in daemon.state.jobs() if j.collector == "database")
            assert "all 1 connections of its pool stayed in use" in status.last_error
        ran = _runs(daemon, "database")[0]
        wait_until(lambda: _runs(daemon, "database")[0] > ran, what="runs again once free")
    finally:
        daemon.stop()


def _runs(daemon: Daemon, collector: str) -> tuple[int, int]:
    """(successful runs, errors) of one collector's job."""
    status = next(j for j in daemon.state.jobs() if j.collector == collector)
    return status.runs_total, status.errors_total




def _failing(daemon: DaemonProcess, target: str) -> bool:
    """``target`` is down and its jobs failed twice or more."""
    errors = sum(e for (t, _), (_, e) in _jobs_of(daemon).items() if t == target)
    return daemon.metric("pgwatch_up", target=target) == 0.0 and errors >= 2


def _jobs_of(daemon: DaemonProcess) -> dict[tuple[str, str], tuple[float, float]]:
    """(target, collector) -> (runs, errors) from /metrics."""
    status, body = daemon.get("/metrics")
    assert status == 200
    found: dict[tuple[str, str], list[float]] = {}
    for line in body.decode().splitlines():
        for slot, prefix in enumerate(("pgwatch_collector_runs_total{",
                                       "pgwatch_collector_errors_total{")):
            if line.startswith(prefix):
                target = line.split('target="', 1)[1].split('"', 1)[0]
                collector = line.split('collector="', 1)[1].split('"', 1)[0]
                found.setdefault((target, collector), [0.0, 0.0])[slot] = \
                    float(line.rsplit(" ", 1)[1])
    return {key: (runs, errors) for key, (runs, errors) in found.items()}


FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


def test_the_wall_clock_stepping_back_and_forth_does_not_stall_collection(
        pg_dsn: str, tmp_path: Path) -> None:
    """libfaketime moves the process's wall clock (its monotonic clock stays real), as an NTP
    step does; the scheduler plans on the wall clock."""
    assert FAKETIME.exists(), "Debian's faketime package is needed"
    offset = tmp_path / "offset"
    offset.write_text("+0\n")
    env = {"LD_PRELOAD": str(FAKETIME), "FAKETIME_TIMESTAMP_FILE": str(offset),
           "FAKETIME_NO_CACHE": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    store = tmp_path / "h.db"
    body = "targets:\n" + target_yaml(pg_dsn) + FAST + f"store:\n  path: {store}\n"
    password = str(conninfo_to_dict(pg_dsn).get("password", ""))
    with running_daemon(tmp_path, body, password, env=env) as daemon:
        daemon.wait_ready()
        for seen, step in enumerate(("+1h", "+0", "-1h"), start=1):
            _step(offset, step)
            # Each step is seen on its own (the watch looks every few seconds; a step and
            # its reverse inside one look would cancel out).
            daemon.wait_for(partial(_stepped, daemon, seen), f"step {step} seen", 20)
            _more_runs(daemon, "database", 3, within=20)
            assert daemon.metric("pgwatch_up", target="main") == 1.0
        assert daemon.stop() == 0
    stepped = _steps(daemon)
    assert [m.split(" s:")[0].rsplit(" ", 1)[1] for m in stepped] == ["+3600", "-3600", "-3600"]
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        row = conn.execute("SELECT max(taken_at) FROM snapshots WHERE target = 'main' "
                           "AND collector = 'database'").fetchone()
    # The snapshot written after the step back is stamped an hour earlier than one written
    # before it; the store's latest is still the one written last.
    reopened = open_store(store)
    try:
        latest = reopened.latest("main", "database")
    finally:
        reopened.close()
    assert latest is not None
    assert latest.taken_at.timestamp() < time.time() - 3000, "not the one after the step back"
    assert row is not None and row[0] > latest.taken_at.timestamp() + 3000, row


def _stepped(daemon: DaemonProcess, times: int) -> bool:
    return len(_steps(daemon)) >= times


def _steps(daemon: DaemonProcess) -> list[str]:
    return [m for m in daemon.messages() if m.startswith("the wall clock stepped by ")]


def _step(offset: Path, step: str) -> None:
    """Replace libfaketime's offset file at once: it is read on every clock call, and a
    half-written one would be read as some other offset."""
    staged = offset.with_name(offset.name + ".new")
    staged.write_text(step + "\n")
    staged.replace(offset)


def _restart_pgbouncer(directory: Path) -> int:
    """Start PgBouncer again from the fixture's files; returns its pid (read from its pidfile)."""
    pidfile = directory / "pgbouncer.pid"
    subprocess.run(["/usr/sbin/pgbouncer", "-d", str(directory / "pgbouncer.ini")], check=True,
                   user="nobody" if os.geteuid() == 0 else None)
    deadline = time.monotonic() + 15
    while not pidfile.exists():
        assert time.monotonic() < deadline, "pgbouncer wrote no pidfile"
        time.sleep(0.1)
    return int(pidfile.read_text().split()[0])


def _stop_pgbouncer(directory: Path) -> None:
    pidfile = directory / "pgbouncer.pid"
    pid = int(pidfile.read_text().split()[0])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while _alive(pid):
        assert time.monotonic() < deadline, "pgbouncer did not stop"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    """Running, not a zombie (the fixture's Popen reaps its child only at the end)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_pgbouncer_stopped_fails_only_its_collectors_and_they_resume(
        pg_server: PgServer, pg_dsn: str, tmp_path: Path) -> None:
    with running_pgbouncer(pg_server.admin_dsn) as bouncer:
        extra = (f"    pgbouncer:\n      dsn: '{bouncer.admin_dsn}'\n"
                 "    collectors:\n      pgbouncer_pools: {interval: 1s}\n"
                 "      pgbouncer_stats: {interval: 1s}\n")
        body = "targets:\n" + target_yaml(pg_dsn, extra=extra) + FAST + \
            f"store:\n  path: {tmp_path / 'h.db'}\n"
        password = str(conninfo_to_dict(pg_dsn).get("password", ""))
        directory = bouncer.log_path.parent
        with running_daemon(tmp_path, body, password) as daemon:
            daemon.wait_ready()
            _more_runs(daemon, "pgbouncer_pools", 1)
            _stop_pgbouncer(directory)
            # The pooler's back-off lets one of its collectors try at a time: either may fail.
            daemon.wait_for(lambda: _jobs(daemon)["pgbouncer_pools"][1]
                            + _jobs(daemon)["pgbouncer_stats"][1] >= 1, "pgbouncer failing")
            errors = _jobs(daemon)["database"][1]
            _more_runs(daemon, "database", 3)
            assert _jobs(daemon)["database"][1] == errors
            assert daemon.metric("pgwatch_up", target="main") == 1.0
            pid = _restart_pgbouncer(directory)
            try:
                failed = _jobs(daemon)["pgbouncer_pools"][1]
                daemon.wait_for(lambda: (daemon.metric(
                    "pgwatch_collector_last_success_timestamp_seconds",
                    collector="pgbouncer_pools") or 0) > time.time() - 2, "pools back", 60)
                assert _jobs(daemon)["pgbouncer_pools"][1] <= failed + 1
                assert daemon.stop() == 0
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
    # Whichever pgbouncer collector failed first reports the pooler down, once.
    failures = [m for m in daemon.messages()
                if m.startswith("target main is down: target 'main': pgbouncer: ")]
    assert len(failures) == 1, daemon.messages()[-20:]
