"""``pgwatch doctor --print-role-sql`` run by psql as a superuser, twice; then every collector
as that role, against a superuser's run of the same collectors.

The server version does not change what the script grants (pg_monitor and its members,
pg_stats' column check and pgstattuple 1.5's grants are the same on 14 to 18).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors import registry
from pgwatch.collectors.base import Snapshot
from pgwatch.collectors.cycle import CycleResult, collect_once
from pgwatch.db import connect, probe
from pgwatch.embedded import binaries
from pgwatch.migrations.runner import Runner
from tests.cli import run_cli
from tests.integration.test_collectors import dbname_of, make_activity
from tests.servers import PgServer

pytestmark = pytest.mark.one_version

PASSWORD = "role-sql-pw-7d1e"
MILE_QUEST_LOGS = ("public.mv_refresh_log", "public.trigger_performance_log",
                   "public.mv_refresh_queue")
# psql would run the shell command after \! if the name reached it unquoted.
WEIRD_NAME = "Weird 'q' x=1\n\\! touch pwned \\connect postgres"
EVERY_COLLECTOR = {"pgstattuple": {"enabled": True}}


def psql(server: PgServer) -> str:
    if server.label.isdigit():
        return str(binaries(int(server.label)) / "psql")
    found = shutil.which("psql")
    assert found, "psql is needed to run the printed script"
    return found


def run_script(server: PgServer, dsn: str, script: Path) -> None:
    """Run the script as psql would for a DBA: stop at the first error."""
    done = subprocess.run([psql(server), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn,
                           "-f", str(script)], cwd=script.parent, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "ERROR" not in done.stderr, done.stderr


@contextmanager
def database(server: PgServer, name: str) -> Iterator[str]:
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.dsn(name)
    finally:
        with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def dropped_afterwards(server: PgServer, role: str, dsns: list[str]) -> Iterator[None]:
    """Drop the role the script creates, with its grants and default privileges."""
    try:
        yield
    finally:
        for dsn in dsns:
            with psycopg.connect(dsn, autocommit=True) as conn:
                if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                    conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def mile_quest(dsn: str) -> None:
    """Migrations applied, pgstattuple created, refreshes and trigger timings logged."""
    Runner(dsn).up()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        conn.execute("INSERT INTO public.mv_refresh_queue (view_name, requested_at)"
                     " VALUES ('mv_global_leaderboard', now() - interval '1 hour')")
        conn.execute("CALL public.refresh_due_materialized_views(interval '0 seconds', 5)")
        conn.execute("SELECT public.log_trigger_timing('trg_activity_stats', 'activities',"
                     " 'INSERT', 80.0)")
    make_activity(dsn)


def cycle(dsn: str) -> CycleResult:
    with connect(dsn) as conn:
        return collect_once(conn, probe(conn), registry.create(None, EVERY_COLLECTOR))


def by_name(result: CycleResult) -> dict[str, Snapshot]:
    return {s.collector: s for s in result.snapshots}


def keys(snapshot: Snapshot, *fields: str) -> set[tuple[Any, ...]]:
    return {tuple(getattr(row, f) for f in fields) for row in snapshot.rows}


def config(tmp_path: Path, dsn: str, include: list[str]) -> Path:
    path = tmp_path / "pgwatch.yaml"
    path.write_text(f"targets:\n  - name: mq\n    dsn: {json.dumps(dsn)}\n"
                    f"    databases: {{include: {json.dumps(include)}}}\n")
    return path


def test_the_printed_role_runs_every_collector(capsys: pytest.CaptureFixture[str],
                                               pg_server: PgServer, pg_dsn: str,
                                               tmp_path: Path) -> None:
    watched, role = dbname_of(pg_dsn), f"mon_{uuid.uuid4().hex[:10]}"
    mile_quest(pg_dsn)
    with ExitStack() as stack:
        weird = stack.enter_context(database(pg_server, WEIRD_NAME))
        other = stack.enter_context(pg_server.fresh_database())
        stack.enter_context(dropped_afterwards(pg_server, role, [pg_dsn, weird, other]))
        make_activity(other)
        printed = run_cli(capsys, "doctor", "--print-role-sql", "--role", role,
                          "-c", str(config(tmp_path, pg_dsn, [watched, "Weird*"])))
        assert printed.status == 0, printed.err
        assert f"\\connect {watched}\n" in printed.out
        assert dbname_of(other) not in printed.out
        secret = str(conninfo_to_dict(pg_dsn)["password"])  # the config's DSN has it
        assert secret not in printed.out + printed.err
        script = tmp_path / "pgwatch-role.sql"
        script.write_text(printed.out)
        run_script(pg_server, pg_dsn, script)
        run_script(pg_server, pg_dsn, script)  # idempotent
        assert not (tmp_path / "pwned").exists()
        _check_role_is_read_only(pg_dsn, role)
        _check_weird_database_granted(weird, role)
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(PASSWORD)))
        _compare_with_superuser(pg_dsn, pg_server.dsn(watched, user=role, password=PASSWORD))
        # Where the script did not grant (a database outside `databases:`), pg_monitor alone
        # gives the bloat estimate nothing: pg_stats hides the columns it may not SELECT.
        outside = cycle(pg_server.dsn(dbname_of(other), user=role, password=PASSWORD))
        assert by_name(cycle(other))["bloat"].rows
        assert by_name(outside)["bloat"].rows == ()


def _check_role_is_read_only(dsn: str, role: str) -> None:
    with psycopg.connect(dsn) as conn:
        attributes = conn.execute("SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls"
                                  " FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        assert attributes == (False, False, False, False)
        for table in MILE_QUEST_LOGS:
            row = conn.execute("SELECT has_table_privilege(%s, %s, 'SELECT'),"
                               " has_table_privilege(%s, %s, 'INSERT, UPDATE, DELETE,"
                               " TRUNCATE, REFERENCES, TRIGGER')",
                               (role, table, role, table)).fetchone()
            assert row == (True, False), table
        writable = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm', 'p')"
            " AND has_table_privilege(%s, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')",
            (role,)).fetchone()
        assert writable == (0,)


def _check_weird_database_granted(dsn: str, role: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.later (id int)")  # the owner's default privileges
        row = conn.execute("SELECT has_database_privilege(%s, current_database(), 'CONNECT'),"
                           " has_table_privilege(%s, 'public.later', 'SELECT')",
                           (role, role)).fetchone()
    assert row == (True, True)


def _compare_with_superuser(superuser_dsn: str, role_dsn: str) -> None:
    superuser, monitor = cycle(superuser_dsn), cycle(role_dsn)
    assert superuser.errors == [] and monitor.errors == [], monitor.errors
    assert {s.collector for s in monitor.skipped} == {s.collector for s in superuser.skipped}
    mine, theirs = by_name(superuser), by_name(monitor)
    assert set(theirs) == set(mine)
    empty = sorted(name for name, s in mine.items() if s.rows and not theirs[name].rows)
    assert empty == [], f"collectors with rows as superuser, none as the role: {empty}"
    for name, fields in (("bloat", ("schemaname", "relname", "kind")),
                         ("pgstattuple", ("schemaname", "relname")),
                         ("mile_quest_views", ("view_name",)),
                         ("mile_quest_triggers", ("trigger_name", "table_name"))):
        assert keys(theirs[name], *fields) == keys(mine[name], *fields) != set(), name


def test_without_table_data_the_role_reads_only_the_mile_quest_logs(
        capsys: pytest.CaptureFixture[str], pg_server: PgServer, pg_dsn: str,
        tmp_path: Path) -> None:
    role = f"mon_{uuid.uuid4().hex[:10]}"
    mile_quest(pg_dsn)
    with dropped_afterwards(pg_server, role, [pg_dsn]):
        printed = run_cli(capsys, "doctor", "--print-role-sql", "--without-table-data",
                          "--role", role, "--dsn", pg_dsn)
        assert printed.status == 0, printed.err
        assert f"\\connect {dbname_of(pg_dsn)}\n" in printed.out
        script = tmp_path / "pgwatch-role.sql"
        script.write_text(printed.out)
        run_script(pg_server, pg_dsn, script)
        run_script(pg_server, pg_dsn, script)
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(PASSWORD)))
            readable = conn.execute("SELECT has_table_privilege(%s, 'public.walks', 'SELECT')",
                                    (role,)).fetchone()
        assert readable == (False,)
        monitor = cycle(pg_server.dsn(dbname_of(pg_dsn), user=role, password=PASSWORD))
    assert monitor.errors == []
    snapshots = by_name(monitor)
    assert snapshots["mile_quest_views"].rows and snapshots["mile_quest_triggers"].rows
    assert snapshots["pgstattuple"].rows
    assert snapshots["bloat"].rows == ()
