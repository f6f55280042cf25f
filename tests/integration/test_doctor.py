"""``pgwatch doctor`` against real servers: superuser, pg_monitor only, no privileges, and a
server without pg_stat_statements preloaded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from pgwatch.embedded import EmbeddedPostgres
from tests.cli import Run, run_cli
from tests.servers import PgServer

PASSWORD = "Sup3r-secret-pw"


@pytest.fixture
def role(pg_server: PgServer, pg_dsn: str) -> Iterator[str]:
    """A login role with a password, dropped after the test (roles are cluster-wide)."""
    name = f"r_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(PASSWORD)))
    yield name
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def _dbname(dsn: str) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"])


def _doctor(capsys: pytest.CaptureFixture[str], dsn: str) -> Run:
    result = run_cli(capsys, "doctor", "--dsn", dsn)
    assert PASSWORD not in result.out + result.err
    return result


def _line(result: Run, check: str) -> str:
    lines = [line for line in result.out.splitlines() if f" {check} " in line]
    assert lines, f"no {check} line in:\n{result.out}"
    return lines[0]


def test_superuser_is_all_well_with_a_least_privilege_note(
        capsys: pytest.CaptureFixture[str], pg_dsn: str) -> None:
    result = _doctor(capsys, pg_dsn)
    assert result.status == 0, result.out + result.err
    assert _line(result, "privileges").lstrip().startswith("info")
    assert "GRANT pg_monitor TO pgwatch;" in result.out
    assert _line(result, "pg_stat_statements").lstrip().startswith("ok")
    assert "0 warning(s)" in result.out
    assert "skip  collector statements " not in result.out


def test_pg_monitor_role_is_enough(capsys: pytest.CaptureFixture[str], pg_server: PgServer,
                                   pg_dsn: str, role: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT pg_monitor TO {}").format(sql.Identifier(role)))
    dsn = pg_server.dsn(_dbname(pg_dsn), user=role,
                        password=PASSWORD)
    result = _doctor(capsys, dsn)
    assert result.status == 0, result.out + result.err
    assert _line(result, "privileges").lstrip().startswith("ok")
    assert f"role {role} has pg_monitor" in result.out
    assert _line(result, "pg_stat_statements").lstrip().startswith("ok")


def test_role_without_privileges_gets_the_grant(capsys: pytest.CaptureFixture[str],
                                                pg_server: PgServer, pg_dsn: str,
                                                role: str) -> None:
    dsn = pg_server.dsn(_dbname(pg_dsn), user=role,
                        password=PASSWORD)
    result = _doctor(capsys, dsn)
    assert result.status == 1, result.out + result.err
    assert _line(result, "privileges").lstrip().startswith("warn")
    assert f"fix: GRANT pg_monitor TO {role};" in result.out


def test_server_without_pg_stat_statements_preloaded(capsys: pytest.CaptureFixture[str],
                                                     pg_server: PgServer) -> None:
    with EmbeddedPostgres(pg_server.major, settings={"shared_preload_libraries": ""}) as bare:
        result = _doctor(capsys, bare.dsn())
    assert result.status == 1, result.out + result.err
    assert "pg_stat_statements is not in shared_preload_libraries" in result.out
    assert "fix: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';" in result.out
    assert "-- then restart PostgreSQL" in result.out
    assert "fix: CREATE EXTENSION IF NOT EXISTS pg_stat_statements;" in result.out
    skipped = [line for line in result.out.splitlines() if "skip  collector statements " in line]
    assert skipped and "pg_stat_statements" in skipped[0]


def test_settings_gaps_get_their_fix(capsys: pytest.CaptureFixture[str],
                                     pg_server: PgServer) -> None:
    settings = {"track_io_timing": "off", "compute_query_id": "off"}
    with EmbeddedPostgres(pg_server.major, settings=settings) as cluster:
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_stat_statements")
        result = _doctor(capsys, cluster.dsn())
    assert result.status == 1
    assert "fix: ALTER SYSTEM SET track_io_timing = on; SELECT pg_catalog.pg_reload_conf();" \
        in result.out
    assert "fix: ALTER SYSTEM SET compute_query_id = 'auto';" in result.out


@pytest.mark.parametrize(("change", "reason"), [
    ({"password": "wrong-" + PASSWORD}, 'password authentication failed for user "postgres"'),
    ({"dbname": "no_such_db"}, 'database "no_such_db" does not exist'),
    ({"port": "1"}, "connection refused"),
])
def test_connection_failures_are_one_line(capsys: pytest.CaptureFixture[str],
                                          pg_server: PgServer, change: dict[str, str],
                                          reason: str) -> None:
    result = run_cli(capsys, "doctor", "--dsn", pg_server.dsn(**change))
    assert result.status == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and reason in result.err
    assert "wrong-" + PASSWORD not in result.err


def test_doctor_with_a_config_file(capsys: pytest.CaptureFixture[str], pg_server: PgServer,
                                   pg_dsn: str, role: str, tmp_path: Path
                                   ) -> None:
    params = psycopg.conninfo.conninfo_to_dict(pg_dsn)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT pg_monitor TO {}").format(sql.Identifier(role)))
    folder = tmp_path
    (folder / "pw").write_text(PASSWORD + "\n")
    config = folder / "pgwatch.yaml"
    config.write_text(
        "targets:\n"
        f"  - name: good\n    host: 127.0.0.1\n    port: {params['port']}\n"
        f"    dbname: {params['dbname']}\n    user: {role}\n    password_file: pw\n"
        "  - name: down\n    host: 127.0.0.1\n    port: 1\n    user: nobody\n")
    result = run_cli(capsys, "doctor", "-c", str(config))
    assert result.status == 2
    assert f"target good: {role}@127.0.0.1:{params['port']}" in result.out
    assert "targets[1]: cannot connect" in result.err and "connection refused" in result.err
    assert PASSWORD not in result.out + result.err
