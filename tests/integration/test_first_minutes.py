"""What a new user meets against a real server: pending settings, target names, headers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgwatch.collectors.cycle import collect_dsn
from pgwatch.daemon.state import RunState
from pgwatch.exposition.metrics import SnapshotCollector
from pgwatch.exposition.text import TextRenderer
from tests.cli import run_cli

PENDING = "pgwatch_settings_pending_restart"


def _exposed_settings(dsn: str) -> dict[str, dict[str, float]]:
    """The settings collector's samples as /metrics renders them: metric -> {name: value}."""
    _, result = collect_dsn(dsn, ["settings"])
    state = RunState()
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(state, {}))
    for snapshot in result.snapshots:
        state.register(snapshot.target, snapshot.collector, 60)
        state.succeeded(snapshot, overran=False)
    exposed: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(TextRenderer(registry).render().decode()):
        for sample in family.samples:
            exposed.setdefault(sample.name, {})[sample.labels["name"]] = sample.value
    return exposed


def _pending(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT name FROM pg_catalog.pg_settings WHERE pending_restart")
        return {str(row[0]) for row in rows}


@pytest.fixture
def shared_buffers_pending(pg_dsn: str) -> Iterator[str]:
    """shared_buffers changed with ALTER SYSTEM and reloaded, so that it waits for a restart."""
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        row = conn.execute("SELECT setting::int FROM pg_catalog.pg_settings "
                           "WHERE name = 'shared_buffers'").fetchone()
        assert row is not None
        conn.execute(sql.SQL("ALTER SYSTEM SET shared_buffers = {}")
                     .format(sql.Literal(str(int(row[0]) + 128))))
        conn.execute("SELECT pg_catalog.pg_reload_conf()")
        try:
            deadline = time.monotonic() + 10
            while "shared_buffers" not in _pending(pg_dsn) and time.monotonic() < deadline:
                time.sleep(0.1)
            yield pg_dsn
        finally:
            conn.execute("ALTER SYSTEM RESET shared_buffers")
            conn.execute("SELECT pg_catalog.pg_reload_conf()")


@pytest.mark.one_version
def test_only_pending_settings_have_a_pending_restart_series(pg_dsn: str) -> None:
    exposed = _exposed_settings(pg_dsn)
    assert set(exposed.get(PENDING, {})) == _pending(pg_dsn)
    assert len(exposed["pgwatch_settings_value"]) > 200  # every numeric setting still shows


@pytest.mark.one_version
def test_a_pending_setting_is_exposed_as_1(shared_buffers_pending: str) -> None:
    assert "shared_buffers" in _pending(shared_buffers_pending)
    exposed = _exposed_settings(shared_buffers_pending)
    assert exposed[PENDING] == {name: 1.0 for name in _pending(shared_buffers_pending)}
    assert exposed[PENDING]["shared_buffers"] == 1.0


@pytest.mark.one_version
def test_collect_with_a_config_names_each_target(pg_dsn: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    params = conninfo_to_dict(pg_dsn)
    config = tmp_path / "pgwatch.yaml"
    config.write_text(f"targets:\n  - name: orders-db\n    host: {params['host']}\n"
                      f"    port: {params['port']}\n    dbname: {params['dbname']}\n"
                      f"    user: {params['user']}\n    password: {params.get('password', '')}\n")
    table = run_cli(capsys, "collect", "--once", "-c", str(config), "--only", "database")
    assert table.status == 0, table.err
    first = table.out.splitlines()[0]
    assert first == (f"target orders-db: {params['user']}@{params['host']}:{params['port']}/"
                     f"{params['dbname']}")
    as_json = run_cli(capsys, "collect", "--once", "-c", str(config), "--only", "database",
                      "--json")
    assert '"target": "orders-db"' in as_json.out
    assert str(params.get("password") or "never-set") not in table.out + as_json.out


@pytest.mark.one_version
def test_migrate_status_prints_a_header(pg_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "migrate", "status", "--dsn", pg_dsn)
    assert result.status == 0, result.err
    header, *rows = result.out.splitlines()
    assert header.split() == ["migration", "state", "applied", "at"]
    assert rows and all("pending" in row for row in rows)
