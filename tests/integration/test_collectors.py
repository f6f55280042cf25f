"""Every collector against every PostgreSQL version, with real activity made by the test."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgwatch.cli import main
from pgwatch.collectors import registry
from pgwatch.collectors.base import Kind, Snapshot, fields_of
from pgwatch.collectors.cycle import CycleResult, collect_once
from pgwatch.collectors.statements import StatementsCollector
from pgwatch.db import SessionSettings, connect, probe
from tests.servers import PgServer

ALWAYS_SKIPPED = {"pgstattuple", "pgbouncer_pools", "pgbouncer_stats", "pgbouncer_clients",
                  "pgbouncer_servers", "mile_quest_views", "mile_quest_triggers"}
MAY_BE_EMPTY = {"vacuum_progress", "blocking", "replication", "wal_receiver",
                "replication_slots"}


def dbname_of(dsn: str) -> str:
    return str(conninfo_to_dict(dsn)["dbname"])


def cycle(dsn: str, names: list[str] | None = None,
          settings: SessionSettings | None = None) -> CycleResult:
    """One cycle of fresh collectors over a monitoring session."""
    with connect(dsn, settings) as conn:
        return collect_once(conn, probe(conn), registry.create(names), target="test")


def snapshot(result: CycleResult, name: str) -> Snapshot:
    found = [s for s in result.snapshots if s.collector == name]
    assert found, f"{name}: not collected; skipped={result.skipped} errors={result.errors}"
    return found[0]


def wait_for(check: Callable[[], Any], timeout_s: float = 15.0) -> Any:
    """Poll ``check`` until it returns something truthy (statistics are flushed lazily)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def make_activity(dsn: str) -> None:
    """Tables, indexes, rows, scans and a few distinct statements."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.walks (id int PRIMARY KEY, user_id int, km numeric,"
                     " note text) WITH (autovacuum_vacuum_scale_factor = 0.01)")
        conn.execute("INSERT INTO public.walks SELECT g, g % 100, g / 10.0, repeat('x', 50)"
                     " FROM generate_series(1, 5000) AS g")
        conn.execute("CREATE INDEX walks_user ON public.walks (user_id)")
        conn.execute("DELETE FROM public.walks WHERE id <= 500")
        conn.execute("ANALYZE public.walks")
        for i in range(5):
            conn.execute("SELECT count(*) FROM public.walks WHERE user_id = %s", (i,))
        conn.execute("SELECT sum(km) FROM public.walks")


def test_every_collector_runs_and_yields_declared_rows(pg_server: PgServer, pg_dsn: str
                                                        ) -> None:
    make_activity(pg_dsn)
    result = cycle(pg_dsn)
    expected_skips = ALWAYS_SKIPPED | ({"io"} if pg_server.major < 16 else set())
    assert result.errors == []
    assert {s.collector for s in result.skipped} == expected_skips
    assert {s.collector for s in result.snapshots} == set(registry.NAMES) - expected_skips
    for snap in result.snapshots:
        assert all(isinstance(row, snap.row_type) for row in snap.rows)
        if snap.collector not in MAY_BE_EMPTY:
            assert snap.rows, f"{snap.collector} returned no row"
        numeric = {f.name for f in fields_of(snap.row_type)
                   if f.kind in (Kind.COUNTER, Kind.GAUGE)}
        for sample in snap.samples():
            assert sample.metric.removeprefix(f"pgwatch_{snap.collector}_") in numeric
    tables = {r.relname: r for r in snapshot(result, "tables").rows}
    assert tables["walks"].autovacuum_options == "autovacuum_vacuum_scale_factor=0.01"
    sizes = {r.relname: r for r in snapshot(result, "table_size").rows}
    assert sizes["walks"].heap_bytes > 0 and sizes["walks"].indexes_bytes > 0
    databases = {r.datname for r in snapshot(result, "database").rows}
    assert dbname_of(pg_dsn) in databases
    settings = {r.name: r for r in snapshot(result, "settings").rows}
    assert settings["work_mem"].value == float(settings["work_mem"].setting) * 1024
    assert settings["statement_timeout"].base_unit == "seconds"


def test_table_statistics_follow_the_workload(pg_dsn: str) -> None:
    make_activity(pg_dsn)

    def walks() -> Any:
        rows = [r for r in cycle(pg_dsn, ["tables"]).snapshots[0].rows if r.relname == "walks"]
        return rows[0] if rows and rows[0].tuples_deleted_total == 500 else None

    row = wait_for(walks)
    assert row is not None, "table statistics never showed the 500 deletes"
    assert row.tuples_inserted_total == 5000
    assert row.live_tuples > 0 and row.analyze_total == 1
    assert row.frozenxid_age > 0


def test_index_flags_unused_duplicate_redundant_invalid(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.runs (id int PRIMARY KEY, a int, b int, c int)")
        conn.execute("INSERT INTO public.runs SELECT g, g % 50, g % 7, g % 3"
                     " FROM generate_series(1, 3000) AS g")
        conn.execute("CREATE INDEX runs_a ON public.runs (a)")
        conn.execute("CREATE INDEX runs_a_again ON public.runs (a)")
        conn.execute("CREATE INDEX runs_a_b ON public.runs (a, b)")
        conn.execute("CREATE INDEX runs_a_partial ON public.runs (a) WHERE b > 3")
        conn.execute("CREATE UNIQUE INDEX runs_id_a ON public.runs (id, a)")
        # The failed concurrent build leaves an INVALID index behind, as intended.
        with contextlib.suppress(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY runs_c_unique ON public.runs (c)")
        conn.execute("SET enable_seqscan = off")
        conn.execute("SELECT * FROM public.runs WHERE a = 3 AND b = 2").fetchall()

    def indexes() -> Any:
        result = cycle(pg_dsn, ["indexes", "index_flags"])
        scans = {r.indexrelname: r.scans_total for r in snapshot(result, "indexes").rows}
        flags = {r.indexrelname: r for r in snapshot(result, "index_flags").rows}
        return flags if scans["runs_a_b"] > 0 and scans["runs_a"] == 0 else None

    rows = wait_for(indexes)
    assert rows is not None, "the index scan never reached the statistics"
    assert rows["runs_a_again"].duplicate and rows["runs_a_again"].duplicate_of == "runs_a"
    assert not rows["runs_a"].duplicate
    assert rows["runs_a"].redundant and rows["runs_a"].redundant_to == "runs_a_b"
    assert not rows["runs_a_b"].redundant and not rows["runs_a_b"].unused
    assert not rows["runs_a_partial"].redundant, "a different predicate is not redundant"
    assert rows["runs_a"].unused and rows["runs_a_partial"].unused
    assert not rows["runs_pkey"].unused and rows["runs_pkey"].enforces_constraint
    assert not rows["runs_id_a"].unused and not rows["runs_id_a"].redundant
    assert rows["runs_c_unique"].invalid and not rows["runs_c_unique"].unused
    assert not rows["runs_a"].invalid
    assert rows["runs_a"].estimated_size_bytes > 0
    sizes = {r.indexrelname: r for r in cycle(pg_dsn, ["index_size"]).snapshots[0].rows}
    assert sizes["runs_a"].size_bytes > 0


def test_bloat_estimate_sees_a_bloated_table(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.bloated (id int PRIMARY KEY, v text)"
                     " WITH (autovacuum_enabled = false)")
        conn.execute("INSERT INTO public.bloated SELECT g, md5(g::text)"
                     " FROM generate_series(1, 20000) AS g")
        conn.execute("DELETE FROM public.bloated WHERE id % 10 <> 0")
        conn.execute("VACUUM ANALYZE public.bloated")
    rows = {(r.relname, r.kind): r for r in cycle(pg_dsn, ["bloat"]).snapshots[0].rows}
    table = rows[("bloated", "table")]
    assert table.method == "estimate"
    assert table.bloat_ratio > 0.5, table
    assert ("bloated_pkey", "index") in rows


def test_pgstattuple_when_enabled(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pgstattuple")
        conn.execute("CREATE TABLE public.small AS SELECT g AS id FROM generate_series(1, 1000) g")
        conn.execute("DELETE FROM public.small WHERE id > 100")
    with connect(pg_dsn) as conn:
        server = probe(conn)
        enabled = registry.create(["pgstattuple"], {"pgstattuple": {"enabled": True}})
        result = collect_once(conn, server, enabled)
        assert result.errors == [] and result.skipped == []
        row = next(r for r in result.snapshots[0].rows if r.relname == "small")
        assert row.method == "pgstattuple" and row.bloat_ratio > 0.3
        limited = registry.create(["pgstattuple"], {"pgstattuple": {"enabled": True,
                                                                     "max_bytes": 1}})
        assert collect_once(conn, server, limited).snapshots[0].rows == ()


@contextmanager
def blocked_session(dsn: str) -> Iterator[int]:
    """A session holding an exclusive lock and another waiting on it; yields the holder pid."""
    holder = psycopg.connect(dsn)
    holder.execute("CREATE TABLE IF NOT EXISTS public.locked (id int)")
    holder.commit()
    holder.execute("LOCK TABLE public.locked IN ACCESS EXCLUSIVE MODE")
    row = holder.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None

    def wait() -> None:
        with psycopg.connect(dsn, autocommit=True) as waiter:
            waiter.execute("SELECT count(*) FROM public.locked")

    thread = threading.Thread(target=wait)
    thread.start()
    try:
        yield int(row[0])
    finally:
        holder.rollback()
        holder.close()
        thread.join(timeout=30)


def test_blocked_session_locks_and_activity(pg_dsn: str) -> None:
    with blocked_session(pg_dsn) as holder_pid:
        def blocked() -> Any:
            # The three collectors read one after the other: wait for a cycle in which each
            # of them saw the waiting session.
            result = cycle(pg_dsn, ["blocking", "locks", "activity"])
            mine = [r for r in snapshot(result, "blocking").rows
                    if "public.locked" in (r.query or "")]
            waits = [r for r in snapshot(result, "activity").rows
                     if r.wait_event_type == "Lock" and r.connections >= 1]
            return (result, mine[0]) if mine and waits else None

        found = wait_for(blocked)
        assert found is not None, "the waiting session never showed as blocked and waiting"
        result, waiting = found
        assert str(holder_pid) in waiting.blocking_pids.split(","), waiting
        assert waiting.blockers == 1, waiting
        locks = snapshot(result, "locks").rows
        assert any(r.mode == "AccessExclusiveLock" and r.granted for r in locks), locks
        assert any(r.mode == "AccessShareLock" and not r.granted for r in locks), locks
        groups = snapshot(result, "activity").rows
        assert any(r.wait_event_type == "Lock" and r.connections >= 1 for r in groups), groups
        assert any(r.state == "idle in transaction" and r.idle_in_transaction_seconds
                   is not None for r in groups), groups


def test_replication_slot_retains_wal(pg_dsn: str) -> None:
    slot = f"pgwatch_test_{dbname_of(pg_dsn)}"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_create_physical_replication_slot(%s, true)", (slot,))
        try:
            conn.execute("CREATE TABLE public.wal_maker AS"
                         " SELECT g FROM generate_series(1, 20000) AS g")
            result = cycle(pg_dsn, ["replication_slots"])
            rows = {r.slot_name: r for r in result.snapshots[0].rows}
        finally:
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
    assert rows[slot].slot_type == "physical" and not rows[slot].active
    assert rows[slot].retained_wal_bytes is not None and rows[slot].retained_wal_bytes > 0


def test_second_cycle_reads_no_query_text(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        # The session's server serves every test: by now its pg_stat_statements may be full,
        # and a full one evicts new entries. This throwaway server may be reset.
        admin.execute("SELECT pg_stat_statements_reset()")
    make_activity(pg_dsn)
    collectors = registry.create()
    statements = collectors[-1]
    assert isinstance(statements, StatementsCollector)
    with connect(pg_dsn) as conn:
        server = probe(conn)
        first = collect_once(conn, server, collectors)
        fetches = statements.text_fetches
        assert fetches == 1
        texts = [r.query for r in snapshot(first, "statements").rows if r.query]
        assert any("public.walks" in t for t in texts)
        second = collect_once(conn, server, collectors)
        assert statements.text_fetches == fetches, "second cycle read query text"
        # Texts read in the first cycle for ids that showed up after its numbers (pgwatch's
        # own statements) travel with their first row now; no id repeats a text.
        first_ids = {r.queryid for r in snapshot(first, "statements").rows}
        assert all(r.queryid not in first_ids
                   for r in snapshot(second, "statements").rows if r.query is not None)
        with psycopg.connect(pg_dsn, autocommit=True) as other:
            # Run often enough that a full pg_stat_statements (the session's server serves
            # every test) evicts others first: a new entry starts at the median usage.
            for _ in range(20):
                other.execute("SELECT 42 AS brand_new_statement")
        third = collect_once(conn, server, collectors)
        assert statements.text_fetches == fetches + 1
        new = [r.query for r in snapshot(third, "statements").rows if r.query]
        assert any("brand_new_statement" in t for t in new)
        info = snapshot(third, "statements_info").rows[0]
        assert info.dealloc_total >= 0


@contextmanager
def role(admin_dsn: str, name: str, grant: str | None) -> Iterator[str]:
    """A login role (optionally granted a predefined role); dropped afterwards."""
    password = "role-secret"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(password)))
        if grant:
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(grant),
                                                         sql.Identifier(name)))
    try:
        yield password
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def test_pg_monitor_role_collects_everything(pg_server: PgServer, pg_dsn: str) -> None:
    make_activity(pg_dsn)
    dbname = dbname_of(pg_dsn)
    with role(pg_server.admin_dsn, f"mon_{dbname}", "pg_monitor") as password:
        result = cycle(pg_server.dsn(dbname, user=f"mon_{dbname}", password=password))
    expected_skips = ALWAYS_SKIPPED | ({"io"} if pg_server.major < 16 else set())
    assert result.errors == []
    assert {s.collector for s in result.skipped} == expected_skips
    texts = [r.query for r in snapshot(result, "statements").rows if r.query]
    assert any("public.walks" in t for t in texts), "pg_monitor must see others' query text"


def test_unprivileged_role_skips_with_reasons(pg_server: PgServer, pg_dsn: str) -> None:
    dbname = dbname_of(pg_dsn)
    with role(pg_server.admin_dsn, f"nobody_{dbname}", None) as password:
        result = cycle(pg_server.dsn(dbname, user=f"nobody_{dbname}", password=password))
    reasons = {s.collector: s.reason for s in result.skipped}
    assert result.errors == []
    for name in ("statements", "activity", "blocking", "settings", "replication"):
        assert "GRANT pg_monitor" in reasons[name], reasons[name]
    assert "tables" in {s.collector for s in result.snapshots}


def test_dropped_pg_stat_statements_does_not_stop_the_cycle(pg_dsn: str) -> None:
    with connect(pg_dsn) as conn:
        server = probe(conn)
        assert server.statements_usable
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            admin.execute("DROP EXTENSION pg_stat_statements")
        result = collect_once(conn, server, registry.create())
    troubled = {s.collector for s in result.skipped} | {e.collector for e in result.errors}
    assert {"statements", "statements_info"} <= troubled
    assert {"database", "tables", "indexes", "activity"} <= {s.collector
                                                              for s in result.snapshots}


def test_statement_timeout_fails_one_collector_only(pg_dsn: str) -> None:
    with blocked_session(pg_dsn):
        settings = SessionSettings(statement_timeout_ms=300, lock_timeout_ms=0)
        result = cycle(pg_dsn, ["database", "table_size", "tables", "indexes"], settings)
    assert [e.collector for e in result.errors] == ["table_size"]
    assert "statement timeout" in result.errors[0].reason
    assert {s.collector for s in result.snapshots} == {"database", "tables", "indexes"}


def test_collect_refuses_a_writable_session(pg_dsn: str) -> None:
    with connect(pg_dsn, SessionSettings(read_only=False)) as conn:
        server = probe(conn)
        try:
            collect_once(conn, server, registry.create(["database"]))
        except Exception as exc:
            assert "read-only" in str(exc)
        else:
            raise AssertionError("a writable session was accepted")


def test_collect_once_cli(pg_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    make_activity(pg_dsn)
    with pytest.raises(SystemExit) as done:
        main(["collect", "--once", "--dsn", pg_dsn, "--json", "--only", "tables,indexes,io"])
    assert done.value.code in (0, None)
    document = json.loads(capsys.readouterr().out)
    collected = {c["name"]: c["rows"] for c in document["collectors"]}
    assert any(r["relname"] == "walks" for r in collected["tables"])
    assert any(r["indexrelname"] == "walks_user" for r in collected["indexes"])
    assert "password" not in document["target"]
    with pytest.raises(SystemExit) as done:
        main(["collect", "--once", "--dsn", pg_dsn])
    table = capsys.readouterr().out
    assert "statements" in table and "mile_quest_views" in table and "skipped" in table
    with pytest.raises(SystemExit) as done:
        main(["collect", "--once", "--dsn", pg_dsn, "--only", "nope"])
    assert done.value.code == 2
    assert "unknown collector nope" in capsys.readouterr().err
