"""``pgwatch report -c`` on a target that discovers databases: the daemon sweeps three
databases with tables of their own (and one table name they all share) into a store, and
the report names the database of every table, index, bloat, size and advice row, one row
per database in its Databases section, and merges none of them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors import registry
from pgwatch.daemon import Catalog, Daemon
from pgwatch.report.build import build_report
from pgwatch.report.render import render
from pgwatch.report.store_source import open_source
from pgwatch.store import StorePolicy, open_store
from tests.cli import run_cli
from tests.integration.test_report_render import (
    HTML_NS,
    _agree,
    _chromium,
    html_tables,
    parse_html,
    texts,
)
from tests.servers import PgServer
from tests.waiting import wait_until

pytestmark = pytest.mark.one_version
COLLECTORS = ("database", "database_size", "settings", "tables", "table_size", "indexes",
              "index_flags", "index_size", "bloat", "wraparound", "statements")
CATALOG = Catalog(names=COLLECTORS,
                  create=lambda name, options: registry.create([name], {name: options})[0])


@dataclass(frozen=True)
class Fleet:
    config: Path
    databases: tuple[str, ...]  # database i holds only_in_i (i + 1 thousand dead rows)
    grown: str  # the database whose "everywhere" table grew while the daemon ran


def _create(server: PgServer, name: str, i: int) -> None:
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(server.dsn(name), autocommit=True) as conn:
        conn.execute(f"CREATE TABLE only_in_{i} (id int PRIMARY KEY, v int)"
                     " WITH (autovacuum_enabled = off)")
        conn.execute(f"CREATE INDEX only_in_{i}_v ON only_in_{i} (v)")  # never scanned
        conn.execute(f"INSERT INTO only_in_{i} SELECT g, g FROM generate_series(1, %s) g",
                     (5_000 * (i + 1),))
        conn.execute(f"DELETE FROM only_in_{i} WHERE id <= %s", (3_000 * (i + 1),))
        conn.execute(f"ANALYZE only_in_{i}")
        conn.execute("CREATE TABLE everywhere (id int PRIMARY KEY)")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        if i == 0:  # the session's server is shared: its other tests' statements go
            conn.execute("SELECT pg_stat_statements_reset()")
        # A lookup on an unindexed column, for the advisor of this database to find.
        conn.execute(f"CREATE TABLE lookup_{i} (id int PRIMARY KEY, k int, pad text)")
        conn.execute(f"INSERT INTO lookup_{i} SELECT g, g % 5000, repeat('x', 50)"
                     " FROM generate_series(1, 50000) g")
        conn.execute(f"ANALYZE lookup_{i}")
        _lookups(conn, i)


def _lookups(conn: psycopg.Connection[Any], i: int) -> None:
    for k in range(30):
        conn.execute(f"SELECT id FROM lookup_{i} WHERE k = %s", (k,))


def _write_config(path: Path, server: PgServer, tag: str, own: str) -> Path:
    """The target connects to ``own`` (pg_stat_statements is there, as in every test
    database), and watches the databases of the test."""
    params = conninfo_to_dict(server.admin_dsn)
    every = "".join(f"      {name}: {{interval: 1s}}\n" for name in COLLECTORS)
    path.write_text(
        "targets:\n"
        f"  - name: inst\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: {own}\n    user: {params['user']}\n"
        f"    password: '{params.get('password', '')}'\n"
        f"    databases: {{include: ['rep_*_{tag}'], rediscover: 1s}}\n"
        f"    collectors:\n{every}"
        f"store:\n  path: {path.parent / 'history.db'}\n")
    return path


def _runs(daemon: Daemon, collector: str) -> int:
    return next(j.runs_total for j in daemon.state.jobs() if j.collector == collector)




@pytest.fixture(scope="module")
def fleet(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    tag = uuid.uuid4().hex[:8]
    names = tuple(f"rep_{letter}_{tag}" for letter in "abc")
    for i, name in enumerate(names):
        _create(pg_server, name, i)
    folder = tmp_path_factory.mktemp("fleet")
    config = _write_config(folder / "pgwatch.yaml", pg_server, tag, names[0])
    store = open_store(folder / "history.db", StorePolicy(min_sample_interval_s=1,
                                                          object_series_interval_s=1))
    daemon = Daemon(config, CATALOG, sinks=(store.write,))
    daemon.start()
    try:
        wait_until(lambda: _runs(daemon, "table_size") >= 2, within=60)
        with psycopg.connect(pg_server.dsn(names[1]), autocommit=True) as conn:
            conn.execute("INSERT INTO everywhere SELECT generate_series(1, 20000)")
        # The lookups run in the window too: the report ranks the statements that were busy
        # in its window first, and plans the top few of them.
        for i, name in enumerate(names):
            with psycopg.connect(pg_server.dsn(name), autocommit=True) as conn:
                _lookups(conn, i)
        runs = _runs(daemon, "table_size"), _runs(daemon, "statements")
        wait_until(lambda: _runs(daemon, "table_size") >= runs[0] + 2
                   and _runs(daemon, "statements") >= runs[1] + 2, within=60)
    finally:
        daemon.stop()
        store.close()
    yield Fleet(config, names, names[1])
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))


def _table(document: dict[str, Any], section: str, name: str) -> list[dict[str, Any]]:
    found = next(s for s in document["sections"] if s["key"] == section)
    return list(next(t for t in found["tables"] if t["name"] == name)["rows"])


def _report(fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> str:
    out = tmp_path / f"report.{fmt}"
    result = run_cli(capsys, "report", "-c", str(fleet.config), "--format", fmt,
                     "-o", str(out))
    assert result.status == 0, result.err
    return out.read_text()


def test_each_database_s_tables_indexes_and_bloat_appear_under_its_name(
        fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(_report(fleet, tmp_path, capsys, "json"))
    a, b, c = fleet.databases
    keys = [s["key"] for s in document["sections"]]
    assert keys[0] == "databases"
    overview = {row["database"]: row for row in _table(document, "databases", "databases")}
    assert sorted(overview) == [a, b, c]
    for i, name in enumerate(fleet.databases):
        assert overview[name]["tables"] == 3  # only_in_i, lookup_i, everywhere
        assert overview[name]["largest table"] == f"public.lookup_{i}"
        assert overview[name]["tables with dead rows"] == 1
        assert overview[name]["index problems"] == 1
    dead = _table(document, "maintenance", "dead rows")
    assert sorted((r["database"], r["table"], r["dead rows"]) for r in dead) == [
        (name, f"public.only_in_{i}", 3_000.0 * (i + 1)) for i, name in enumerate(fleet.databases)]
    problems = _table(document, "indexes", "index problems")
    assert sorted((r["database"], r["index"], r["problem"]) for r in problems) == [
        (name, f"only_in_{i}_v", "unused") for i, name in enumerate(fleet.databases)]
    bloat = {(r["database"], r["relation"]) for r in _table(document, "maintenance", "bloat")}
    assert {(name, f"public.only_in_{i}") for i, name in enumerate(fleet.databases)} <= bloat
    # One table name in three databases: three rows, each with its own database's history.
    growth = {r["database"]: r for r in _table(document, "capacity", "growth")
              if r["object"] == "public.everywhere"}
    assert sorted(growth) == [a, b, c]
    assert growth[fleet.grown]["growth over the window"] > 100_000
    assert [growth[n]["growth over the window"] for n in (a, c)] == [0.0, 0.0]
    # The advisor ran in each database and found each one's own missing index.
    advice = _table(document, "indexes", "index advice")
    created = sorted((r["database"], r["SQL"].split(" ON ")[1].split(" ")[0])
                     for r in advice if r["action"] == "create index")
    assert created == [(name, f'"public"."lookup_{i}"') for i, name in enumerate(fleet.databases)]
    vacuums = [act["why"] for act in document["summary"]["actions"] if act["title"] == "vacuum"]
    assert vacuums and all(why.startswith(f"database {c}: ") for why in vacuums[:1]), vacuums


def test_the_html_and_markdown_show_the_same_databases(fleet: Fleet) -> None:
    # One model, three renderings, as make_report builds it.
    source = open_source(fleet.config, None, datetime.now(UTC))
    try:
        report = build_report(source, timedelta(hours=1))
    finally:
        source.close()
    tables = html_tables(parse_html(render(report, "html")))
    assert [row[0] for row in tables["databases/databases"]] == list(fleet.databases)
    dead = tables["maintenance/dead rows"]
    assert sorted((row[0], row[1]) for row in dead) == [
        (name, f"public.only_in_{i}") for i, name in enumerate(fleet.databases)]
    markdown = render(report, "md")
    for i, name in enumerate(fleet.databases):  # Markdown escapes the underscores
        assert f"| {name} | public.only_in_{i} |".replace("_", "\\_") in markdown
    _agree(json.loads(render(report, "json")), tables, markdown)


def _headers(doc: Any, key: str) -> list[str]:
    table = next(t for t in doc.iter(f"{HTML_NS}table") if t.get("data-table") == key)
    return [" ".join(texts(th).split()) for th in table.iter(f"{HTML_NS}th")]


def test_the_report_of_several_databases_in_chromium(
        fleet: Fleet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "report.html"
    page.write_text(_report(fleet, tmp_path, capsys, "html"))
    dom, log, shot = _chromium(page, tmp_path)
    assert shot.stat().st_size > 20_000
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Refused" in line
               or "Content Security Policy" in line]
    assert console == []
    rendered = parse_html(dom)
    sections = [s.get("id") for s in rendered.iter(f"{HTML_NS}section")]
    assert sections[0] == "summary" and sections[1] == "databases", sections
    tables = html_tables(rendered)
    assert [row[0] for row in tables["databases/databases"]] == list(fleet.databases)
    assert _headers(rendered, "databases/databases")[0] == "database"
    for key in ("maintenance/dead rows", "indexes/index problems", "indexes/index advice"):
        assert _headers(rendered, key)[0] == "database", key
        assert {row[0] for row in tables[key]} <= set(fleet.databases), key
    created = [row for row in tables["indexes/index advice"] if row[2].startswith("CREATE")]
    assert sorted((row[0], row[2].split(" ON ")[1].split(" ")[0]) for row in created) == [
        (name, f'"public"."lookup_{i}"') for i, name in enumerate(fleet.databases)]
    # pg_stat_statements is the instance's: each statement names its database, is planned
    # there (not in the target's own), and gets that database's advice only.
    assert _headers(rendered, "queries/top queries")[0] == "database"
    lookups = [row for row in tables["queries/top queries"] if "FROM lookup_" in row[1]]
    assert len(lookups) == len(fleet.databases), tables["queries/top queries"]
    for row in lookups:
        i = fleet.databases.index(row[0])
        assert f"FROM lookup_{i} " in row[1]
        assert "does not exist" not in row[10] and "plan: " in row[10], row[10]
        assert f"public.lookup_{i} " in row[10] and "create_index" in row[10], row


def test_advise_judges_each_database_s_indexes_on_its_own_history(
        fleet: Fleet, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "advise", "-c", str(fleet.config), "--json")
    assert result.status == 0, result.err
    document = json.loads(result.out)
    assert document["databases"] == sorted(fleet.databases)
    drops = sorted((r["database"], r["evidence"]["index"], r["evidence"]["source"])
                   for r in document["recommendations"] if r["kind"] == "drop_index")
    assert drops == [(name, f"only_in_{i}_v", "store history")
                     for i, name in enumerate(fleet.databases)]
