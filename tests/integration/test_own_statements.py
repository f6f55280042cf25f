"""pgwatch's own statements stay out of pg_stat_statements where the role may keep them out
(a superuser; from 15 on a role granted SET on the parameter, as the printed role script
does); the application's statements stay counted; doctor says which it is and how to change
it; and what pgwatch's session SETs is read as the server's value, not the session's.
Run on 14 and 18: the privilege to SET the parameter exists from 15 on."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from pgwatch.collectors.cycle import CycleResult
from pgwatch.role_sql import ServerPlan, role_script
from tests.cli import run_cli
from tests.integration.test_collectors import cycle, dbname_of, role, snapshot
from tests.integration.test_role_sql import run_script
from tests.servers import PgServer

pytestmark = pytest.mark.edge_versions
# A fragment of the database_size collector's statement, which no test runs itself.
OWN = "pg_database_size(d.oid)::float8 AS size_bytes"
APPLICATION = "SELECT count(*) AS application_work FROM pg_catalog.pg_class"


def _recorded(dsn: str, fragment: str) -> int:
    """Calls pg_stat_statements holds, in the DSN's database, of statements containing
    ``fragment`` (read by a plain session, which is counted itself: its text has no
    ``fragment``)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(s.calls), 0)::int FROM pg_stat_statements AS s"
            " JOIN pg_database AS d ON d.oid = s.dbid"
            " WHERE d.datname = current_database() AND s.query LIKE %s",
            (f"%{fragment}%",)).fetchone()
    assert row is not None
    return int(row[0])


def _settings(result: CycleResult) -> dict[str, tuple[str, str]]:
    return {r.name: (r.setting, r.source) for r in snapshot(result, "settings").rows}


def _doctor(capsys: pytest.CaptureFixture[str], dsn: str) -> tuple[str, str]:
    """doctor's own-statements line and the line after it (its fix, if any)."""
    result = run_cli(capsys, "doctor", "--dsn", dsn)
    assert result.status in (0, 1), result.err
    lines = result.out.splitlines()
    [at] = [i for i, line in enumerate(lines) if " own statements " in line]
    return lines[at].strip(), (lines[at + 1:] or [""])[0].strip()


def test_a_superuser_session_keeps_its_statements_out_and_reads_server_values(
        pg_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    result = cycle(pg_dsn, ["database_size", "settings"])
    assert result.errors == []
    assert _recorded(pg_dsn, OWN) == 0
    # The application's sessions (plain connections) are counted as ever.
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(APPLICATION)
    assert _recorded(pg_dsn, "application_work") == 1
    # pgwatch's session SETs its timeouts and pg_stat_statements.track; the collector reads
    # what every other session starts with.
    shown = _settings(result)
    assert shown["statement_timeout"] == ("0", "session start")
    assert shown["default_transaction_read_only"] == ("off", "session start")
    assert shown["pg_stat_statements.track"][0] == "all"
    assert _doctor(capsys, pg_dsn)[0].startswith("ok    own statements ")


def test_a_monitoring_role_is_counted_until_granted_set_on_the_parameter(
        pg_server: PgServer, pg_dsn: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    dbname = dbname_of(pg_dsn)
    name = f"own_{dbname}"
    with role(pg_server.admin_dsn, name, "pg_monitor") as password:
        dsn = pg_server.dsn(dbname, user=name, password=password)
        assert cycle(dsn, ["database_size"]).errors == []
        assert _recorded(pg_dsn, OWN) == 1
        line, fix = _doctor(capsys, dsn)
        assert line.startswith("info  own statements ") and "may not SET" in line, line
        if pg_server.major < 15:
            assert fix.startswith("fix: -- on PostgreSQL 14 only a superuser may"), fix
            return
        assert fix == ("fix: GRANT SET ON PARAMETER pg_stat_statements.track, "
                       f"pg_stat_statements.track_utility TO {name};"), fix
        # The role script's server part (run by psql as a DBA would) grants it; then the
        # role's sessions keep their statements out.
        script = tmp_path / "role.sql"
        script.write_text(role_script(name, [ServerPlan(f"dsn {dbname}", ())]))
        try:
            run_script(pg_server, pg_server.admin_dsn, script)
            assert cycle(dsn, ["database_size"]).errors == []
            assert _recorded(pg_dsn, OWN) == 1  # no new call recorded
            assert _doctor(capsys, dsn)[0].startswith("ok    own statements ")
        finally:
            with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
                conn.execute(sql.SQL("REVOKE SET ON PARAMETER pg_stat_statements.track, "
                                     "pg_stat_statements.track_utility FROM {}")
                             .format(sql.Identifier(name)))
