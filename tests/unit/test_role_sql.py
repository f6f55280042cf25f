"""The role script's text: quoting, its guarded blocks, and the errors of its options."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pgwatch.embedded import free_port
from pgwatch.role_sql import RoleNameError, ServerPlan, check_role_name, role_script
from pgwatch.role_sql.psql import connect_command
from pgwatch.sql import load_sql
from tests.cli import run_cli

DO_BODY = re.compile(r"^DO (\$\w+\$)\n(.*?)^\1;$", re.S | re.M)


def _tables(text: str) -> set[str]:
    return set(re.findall(r"'(public\.\w+)'", text))


def test_the_mile_quest_grants_cover_what_its_collectors_check() -> None:
    checked = _tables(load_sql("pgwatch.collectors", "mile_quest_check"))
    assert checked and _tables(load_sql("pgwatch.role_sql", "database")) == checked


@pytest.mark.parametrize("role", ['we"ird', "o'k", "Mixed Case", "Select", "a$role$b"])
def test_a_role_name_is_quoted_and_never_inside_a_do_block(role: str) -> None:
    script = role_script(role, [ServerPlan("target t", ("app",))])
    identifier = '"' + role.replace('"', '""') + '"'
    literal = "'" + role.replace("'", "''") + "'"
    assert f"GRANT pg_monitor TO {identifier};" in script
    assert script.count(f"SET pgwatch.grantee = {literal};") == 2
    bodies = DO_BODY.findall(script)
    assert len(bodies) == 6  # the role, SET on the parameters, four per database
    assert not any(role in body for _, body in bodies)


def test_no_database_named_prints_the_part_to_run_in_each() -> None:
    script = role_script("pgwatch", [ServerPlan("any server", None)])
    assert "\\connect" not in script.replace("psql: \\connect", "")
    assert "run what follows in each database" in script
    assert "GRANT SELECT ON ALL TABLES" in script
    assert "GRANT SELECT ON ALL TABLES" not in role_script(
        "pgwatch", [ServerPlan("any server", None)], table_data=False)


def test_each_further_database_gets_the_statements_without_the_comments() -> None:
    script = role_script("pgwatch", [ServerPlan("target t", ("a", "b", "c"))])
    first, second, third = script.split("\\connect ")[1:]
    assert "-- mile_quest_views" in first and "--" not in second + third
    assert second.startswith("b\n") and third.startswith("c\n")
    assert second[2:].strip() == third[2:].strip()


def test_a_database_name_stays_one_psql_argument() -> None:
    command = connect_command("x' \\! touch pwned\nq=1")
    assert "\n" not in command and command.startswith("\\connect -reuse-previous=on '")
    assert command == ("\\connect -reuse-previous=on 'dbname=\\'x\\\\\\' \\\\\\\\! touch pwned"
                       "\\012q=1\\''")
    assert connect_command("mile_quest") == "\\connect mile_quest"


@pytest.mark.parametrize(("name", "reason"), [
    ("", "empty"), ("pg_watch", "reserved for PostgreSQL"), ("public", "reserved role name"),
    ("a\nb", "control character"), ("x" * 64, "64 bytes long"),
])
def test_bad_role_names(name: str, reason: str) -> None:
    with pytest.raises(RoleNameError, match=reason):
        check_role_name(name)


@pytest.mark.parametrize(("args", "message"), [
    (["--role", "pg_x"], "doctor --role: 'pg_x': names starting with pg_ are reserved"),
    (["--dsn", "x", "-c", "y.yaml"], "give at most one of --dsn or --config"),
])
def test_bad_options_are_one_line(capsys: pytest.CaptureFixture[str], args: list[str],
                                  message: str) -> None:
    result = run_cli(capsys, "doctor", "--print-role-sql", *args)
    assert result.status == 2 and result.out == ""
    assert result.err.startswith("pgwatch: error: ") and message in result.err
    assert result.err.count("\n") == 1


def test_role_without_print_role_sql(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "doctor", "--role", "mon", "--dsn", "host=127.0.0.1")
    assert result.status == 2
    assert result.err == ("pgwatch: error: doctor: --role and --without-table-data go with "
                          "--print-role-sql\n")


def test_an_unreachable_server_prints_no_script(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    port = free_port()
    result = run_cli(capsys, "doctor", "--print-role-sql", "--dsn",
                     f"host=127.0.0.1 port={port} dbname=app user=pgwatch connect_timeout=2")
    assert result.status == 2 and result.out == ""
    assert result.err == (f"pgwatch: error: --dsn: cannot connect to pgwatch@127.0.0.1:{port}"
                          "/app: connection refused (is the server running and listening "
                          "there?)\n")
