"""Collector declarations and SQL variant selection, without a server."""

from __future__ import annotations

import dataclasses
from importlib import resources
from types import MappingProxyType

import pytest

from pgwatch.cli.collect import render_json, render_table
from pgwatch.collectors import registry
from pgwatch.collectors.base import BouncerInfo, Kind, Snapshot, fields_of
from pgwatch.collectors.cycle import CollectorError, CycleResult
from pgwatch.collectors.query import PACKAGE
from pgwatch.collectors.statements import StatementsCollector, _columns_version
from pgwatch.db.probe import ServerInfo
from pgwatch.errors import PgwatchError
from pgwatch.sql import load_sql, variants


def server(major: int, *, roles: frozenset[str] = frozenset(), superuser: bool = False,
           installed: dict[str, str] | None = None) -> ServerInfo:
    return ServerInfo(version_num=major * 10_000 + 1, version=f"{major}.1", in_recovery=False,
                      database="app", role="watcher", superuser=superuser, member_of=roles,
                      settings=MappingProxyType({"shared_preload_libraries":
                                                 "pg_stat_statements"}),
                      installed=MappingProxyType(installed or {}))


def sql_files() -> list[str]:
    return sorted(e.name for e in resources.files(PACKAGE).iterdir()
                  if e.name.endswith(".sql"))


@pytest.mark.parametrize("name", sql_files())
def test_every_sql_file_starts_with_a_comment(name: str) -> None:
    text = resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")
    assert text.startswith("-- "), name


@pytest.mark.parametrize(("name", "major", "expected"), [
    ("statements", 14, "statements.sql"), ("statements", 15, "statements.pg15.sql"),
    ("statements", 16, "statements.pg15.sql"), ("statements", 17, "statements.pg17.sql"),
    ("statements", 18, "statements.pg18.sql"),
    ("checkpointer", 16, "checkpointer.sql"), ("checkpointer", 17, "checkpointer.pg17.sql"),
    ("checkpointer", 18, "checkpointer.pg18.sql"),
    ("bgwriter", 16, "bgwriter.sql"), ("bgwriter", 17, "bgwriter.pg17.sql"),
    ("wal", 17, "wal.sql"), ("wal", 18, "wal.pg18.sql"),
    ("io", 16, "io.sql"), ("io", 18, "io.pg18.sql"),
    ("tables", 15, "tables.sql"), ("tables", 16, "tables.pg16.sql"),
    ("tables", 18, "tables.pg18.sql"),
    ("database", 14, "database.sql"), ("database", 16, "database.pg16.sql"),
    ("database", 18, "database.pg18.sql"),
    ("vacuum_progress", 16, "vacuum_progress.sql"),
    ("vacuum_progress", 17, "vacuum_progress.pg17.sql"),
    ("replication_slots", 15, "replication_slots.sql"),
    ("replication_slots", 16, "replication_slots.pg16.sql"),
    ("replication_slots", 18, "replication_slots.pg17.sql"),
])
def test_variant_for_each_version(name: str, major: int, expected: str) -> None:
    text = load_sql(PACKAGE, name, major * 10_000)
    assert text == resources.files(PACKAGE).joinpath(expected).read_text(encoding="utf-8")


def test_the_checkpointer_split_of_17_is_in_the_sql() -> None:
    assert "pg_stat_bgwriter" in load_sql(PACKAGE, "checkpointer", 160_000)
    assert "pg_stat_checkpointer" in load_sql(PACKAGE, "checkpointer", 170_000)
    assert "blk_read_time" in load_sql(PACKAGE, "statements", 160_000)
    assert "shared_blk_read_time" in load_sql(PACKAGE, "statements", 170_000)


def test_statements_columns_follow_the_extension_version() -> None:
    upgraded = server(17, installed={"pg_stat_statements": "1.10"})
    assert _columns_version(upgraded).version_num == 150_000
    assert _columns_version(server(18, installed={"pg_stat_statements": "1.12"})
                            ).version_num == 180_000


@pytest.mark.parametrize("name", registry.NAMES)
def test_row_declarations(name: str) -> None:
    collector = registry.create([name])[0]
    row_type = collector.row_type
    assert dataclasses.is_dataclass(row_type)
    assert row_type.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert hasattr(row_type, "__slots__")
    assert collector.default_interval_s > 0
    specs = fields_of(row_type)
    assert specs and all(s.help or s.kind is Kind.LABEL for s in specs)
    for spec in specs:
        if spec.kind is Kind.COUNTER:
            assert spec.name.endswith("_total"), spec.name
        else:
            assert not spec.name.endswith("_total"), spec.name
        if spec.unit == "seconds" and spec.kind is not Kind.LABEL:
            assert "seconds" in spec.name, spec.name
        if spec.unit == "bytes":
            assert "bytes" in spec.name, spec.name


def test_sql_files_belong_to_a_collector() -> None:
    helpers = {"extension_schema", "statements_text", "statements_info", "mile_quest_check"}
    bases = {name.split(".")[0] for name in sql_files()}
    assert bases - helpers <= set(registry.NAMES)
    for name in bases:
        assert variants(PACKAGE, name).get(0), f"{name} has no base .sql"


def test_expensive_reads_have_slower_intervals() -> None:
    fast = registry.default_interval("tables")
    for name in ("database_size", "table_size", "index_flags", "index_size", "bloat",
                 "pgstattuple"):
        assert registry.default_interval(name) >= 5 * fast


def test_statements_runs_last() -> None:
    assert registry.NAMES[-1] == "statements"


def test_unknown_collector_is_named() -> None:
    with pytest.raises(PgwatchError, match="--only: unknown collector nope"):
        registry.create(["tables", "nope"])


def test_missing_capabilities_are_worded() -> None:
    reasons = {s.collector: s.reason for s in registry.missing(server(14))}
    assert "GRANT pg_monitor TO watcher" in reasons["activity"]
    assert "CREATE EXTENSION pg_stat_statements" in reasons["statements"] or \
        "pg_read_all_stats" in reasons["statements"]
    assert "PostgreSQL 16" in reasons["io"]
    assert "tables" not in reasons
    monitor = server(16, roles=frozenset({"pg_read_all_stats", "pg_read_all_settings",
                                          "pg_stat_scan_tables"}),
                     installed={"pg_stat_statements": "1.10"})
    assert {s.collector for s in registry.missing(monitor)} == {
        "pgstattuple", "pgbouncer_pools", "pgbouncer_stats", "pgbouncer_clients",
        "pgbouncer_servers"}
    bouncer = {s.collector for s in registry.missing(BouncerInfo("1.18.0"))}
    assert "tables" in bouncer and "pgbouncer_pools" not in bouncer


def test_known_ids_are_bounded() -> None:
    collector = StatementsCollector(known_ids_limit=3)
    for queryid in ("1", "2", "3", "4"):
        collector._remember(queryid)
    assert list(collector._known) == ["2", "3", "4"]


def test_outputs() -> None:
    from datetime import UTC, datetime

    from pgwatch.collectors.settings import SettingRow

    row = SettingRow(name="work_mem", setting="4096", unit="kB", vartype="integer",
                     source="default", context="user", value=4194304.0, base_unit="bytes",
                     pending_restart=False)
    snap = Snapshot("t", "settings", datetime(2026, 1, 1, tzinfo=UTC), 0.004, (row,),
                    SettingRow)
    result = CycleResult([snap], [], [CollectorError("tables", "statement timeout", 0.3)])
    table = render_table("t", result)
    assert "settings" in table and "error" in table and "statement timeout" in table
    assert '"work_mem"' in render_json("t", result)
    samples = list(snap.samples())
    assert {s.metric for s in samples} == {"pgwatch_settings_value",
                                           "pgwatch_settings_pending_restart"}
