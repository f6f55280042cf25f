"""``pgwatch advise -c`` on a target with ``databases:``: the advisor runs in every watched
database of a real instance, each of three databases with its own missing index on one table
name they share; every recommendation is under its own database, none mixed."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from tests.cli import run_cli
from tests.servers import PgServer

pytestmark = pytest.mark.one_version
COLUMNS = ("email", "kind", "zone")  # database i looks up shared.COLUMNS[i], unindexed


@dataclass(frozen=True)
class Instance:
    config: Path
    databases: tuple[str, ...]  # database i misses an index on shared (COLUMNS[i])
    dsns: tuple[str, ...]


def _create(server: PgServer, name: str, i: int) -> None:
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    column = sql.Identifier(COLUMNS[i])
    with psycopg.connect(server.dsn(name), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("CREATE TABLE public.shared (id int PRIMARY KEY, email text, kind int,"
                     " zone int, pad text)")
        conn.execute("INSERT INTO public.shared SELECT g, 'u' || g, g % 3000, g % 4000,"
                     " repeat('x', 60) FROM generate_series(1, 60000) g")
        conn.execute("ANALYZE public.shared")
        # Sorts that spill to temporary files: each database's run finds work_mem small.
        conn.execute("SET work_mem = '64kB'")
        conn.execute("SELECT count(*) FROM (SELECT md5(g::text) FROM generate_series(1,"
                     " 300000) g ORDER BY 1 OFFSET 1) s")
        conn.execute("RESET work_mem")
        value = "u17" if i == 0 else 17
        for _ in range(30):
            conn.execute(sql.SQL("SELECT id FROM public.shared WHERE {} = %s").format(column),
                         (value,))


def _config(path: Path, server: PgServer, tag: str) -> Path:
    params = conninfo_to_dict(server.admin_dsn)
    path.write_text(
        "targets:\n"
        f"  - name: inst\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: postgres\n    user: {params['user']}\n"
        f"    password: '{params.get('password', '')}'\n"
        f"    databases: {{include: ['adv_*_{tag}']}}\n")
    return path


@pytest.fixture(scope="module")
def instance(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Instance]:
    tag = uuid.uuid4().hex[:8]
    names = tuple(f"adv_{letter}_{tag}" for letter in "abc")
    for i, name in enumerate(names):
        _create(pg_server, name, i)
    config = _config(tmp_path_factory.mktemp("advise") / "pgwatch.yaml", pg_server, tag)
    yield Instance(config, names, tuple(pg_server.dsn(n) for n in names))
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))


def _advise(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    result = run_cli(capsys, "advise", "--top", "10", "--json", *args)
    assert result.status == 0, result.err
    document: dict[str, Any] = json.loads(result.out)
    return document


def _created(document: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(database, indexed column) of each index the advice creates."""
    return sorted((r["database"], r["sql"].split('"public"."shared" ("')[1].split('"')[0])
                  for r in document["recommendations"] if r["kind"] == "create_index")


def test_every_watched_database_is_advised_under_its_name(
        instance: Instance, capsys: pytest.CaptureFixture[str]) -> None:
    document = _advise(capsys, "-c", str(instance.config))
    assert document["databases"] == list(instance.databases)
    assert _created(document) == list(zip(instance.databases, COLUMNS, strict=True))
    for item in document["recommendations"]:
        assert "database" in item
        if item["kind"] == "setting":  # ALTER SYSTEM is the instance's, once
            assert item["database"] is None and item["sql"].startswith("ALTER SYSTEM")
        else:
            assert item["database"] in instance.databases
            assert item["evidence"]["datname"] == item["database"]
    settings = [r["sql"].split(" = ")[0] for r in document["recommendations"]
                if r["kind"] == "setting"]
    assert settings.count('ALTER SYSTEM SET "work_mem"') == 1  # found in all three, once
    assert len(settings) == len(set(settings))
    impacts = [r["impact"] for r in document["recommendations"]]
    assert impacts == sorted(impacts, reverse=True)


def test_text_names_the_database_and_the_connect_to_run_first(
        instance: Instance, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "advise", "-c", str(instance.config), "--top", "10")
    assert result.status == 0, result.err
    lines = result.out.splitlines()
    assert ", 3 databases (" + ", ".join(instance.databases) + ")" in lines[0]
    assert any(line.startswith("rank  database ") for line in lines)
    for name, column in zip(instance.databases, COLUMNS, strict=True):
        [row] = [i for i, line in enumerate(lines)
                 if line.split()[1:2] == [name] and "create_index" in line]
        assert lines[row + 1] == f"      \\connect {name}"
        assert f'"public"."shared" ("{column}")' in lines[row + 2]


def test_one_database_picked(instance: Instance, capsys: pytest.CaptureFixture[str]) -> None:
    second = instance.databases[1]
    document = _advise(capsys, "-c", str(instance.config), "--database", second)
    assert document["databases"] == [second]
    assert _created(document) == [(second, COLUMNS[1])]
    assert {r["database"] for r in document["recommendations"]} <= {second, None}


def test_dsn_stays_one_database(instance: Instance, capsys: pytest.CaptureFixture[str]) -> None:
    document = _advise(capsys, "--dsn", instance.dsns[2])
    assert "databases" not in document
    assert all("database" not in r for r in document["recommendations"])
    [index] = [r for r in document["recommendations"] if r["kind"] == "create_index"]
    assert f'"public"."shared" ("{COLUMNS[2]}")' in index["sql"]


def _one_line_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    result = run_cli(capsys, "advise", *args)
    assert result.status == 2 and result.out == "", result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pgwatch: error: "), lines
    return lines[0]


def test_a_database_not_watched_is_refused(
        instance: Instance, capsys: pytest.CaptureFixture[str]) -> None:
    error = _one_line_error(capsys, "-c", str(instance.config), "--database", "postgres")
    assert "--database: no target of" in error and "'postgres'" in error
    assert "(watched: " + ", ".join(instance.databases) + ")" in error
    error = _one_line_error(capsys, "--dsn", instance.dsns[0], "--database",
                            instance.databases[0])
    assert "--database" in error and "only with --config" in error


PSQL = "/usr/lib/postgresql/15/bin/psql"  # Debian's postgresql-15 client


@pytest.mark.parametrize("odd", ["Shop DB", "it's", "a=b c", "back\\slash 'n' = x",
                                 "postgresql://x"])
def test_the_connect_line_reaches_the_database_in_psql(pg_server: PgServer, odd: str) -> None:
    from pgwatch.explain.advisor.render import psql_connect

    name = f"{odd} {uuid.uuid4().hex[:6]}"
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        shown = subprocess.run(
            [PSQL, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", pg_server.admin_dsn,
             "-c", psql_connect(name), "-c", "SELECT pg_catalog.current_database()"],
            capture_output=True, text=True, timeout=60, check=False)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.splitlines()[-1] == name
    finally:
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
