"""``pgwatch advise`` from the command line: text, JSON, and bad input (one line, exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.integration.test_advise import run_workload, setup_orders

pytestmark = pytest.mark.one_version


def _pgwatch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pgwatch", "advise", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def _one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pgwatch: error: "), lines
    assert fragment in lines[0]


def test_json_and_text(pg_dsn: str) -> None:
    setup_orders(pg_dsn)
    run_workload(pg_dsn)
    result = _pgwatch("--dsn", pg_dsn, "--json", "--top", "10")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    [index] = [r for r in document["recommendations"] if r["kind"] == "create_index"]
    assert set(index) >= {"kind", "sql", "validated", "impact", "queryids", "reason"}
    assert index["validated"] is False and index["queryids"]
    impacts = [r["impact"] for r in document["recommendations"]]
    assert impacts == sorted(impacts, reverse=True)
    text = _pgwatch("--dsn", pg_dsn, "--top", "10")
    assert text.returncode == 0 and index["sql"] + ";" in text.stdout


def test_server_without_pg_stat_statements(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP EXTENSION pg_stat_statements")
    _one_line_error(_pgwatch("--dsn", pg_dsn), "pg_stat_statements is not available")


def test_bad_dsn_and_options(tmp_path: Path) -> None:
    _one_line_error(_pgwatch("--dsn", "host=127.0.0.1 port=1 connect_timeout=2"),
                    "--dsn: cannot connect")
    _one_line_error(_pgwatch("--dsn", "nonsense"), "--dsn")
    _one_line_error(_pgwatch(), "exactly one of --dsn or --config")
    _one_line_error(_pgwatch("-c", str(tmp_path / "missing.yaml")), "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("targets:\n  - name: a\n    dsnn: x\n")
    _one_line_error(_pgwatch("-c", str(bad)), "bad.yaml:3")


def test_config_targets(pg_dsn: str, tmp_path: Path) -> None:
    setup_orders(pg_dsn)
    run_workload(pg_dsn)
    config = tmp_path / "pgwatch.yaml"
    config.write_text(f"targets:\n  - name: app\n    dsn: \"{pg_dsn}\"\n")
    result = _pgwatch("-c", str(config), "--json")
    assert result.returncode == 0, result.stderr
    assert any(r["kind"] == "create_index" for r in json.loads(result.stdout)["recommendations"])
    assert not (tmp_path / "pgwatch.db").exists()  # no store was created by reading


def test_config_judges_unused_indexes_on_the_store_history(pg_dsn: str, tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from pgwatch.collectors.cycle import collect_dsn
    from pgwatch.store import StorePolicy
    from pgwatch.store.sqlite import SQLiteStore

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.items (id int PRIMARY KEY, v int);"
                     "INSERT INTO public.items SELECT g, g % 10 FROM generate_series(1, 1000) g;"
                     "CREATE INDEX items_v ON public.items (v); ANALYZE public.items;"
                     "SET enable_seqscan = off; SELECT count(*) FROM public.items WHERE v = 3")
    _, cycle = collect_dsn(pg_dsn, ["indexes"])
    [snapshot] = cycle.snapshots
    store = SQLiteStore(tmp_path / "pgwatch.db", StorePolicy(min_sample_interval_s=1))
    now = datetime.now(UTC)
    for ago in (timedelta(days=6), timedelta(minutes=1)):  # scanned before, not since
        store.write(replace(snapshot, target="app", taken_at=now - ago))
    store.close()
    config = tmp_path / "pgwatch.yaml"
    config.write_text(f"targets:\n  - name: app\n    dsn: \"{pg_dsn}\"\n")
    since_reset = _pgwatch("--dsn", pg_dsn, "--json")
    assert not [r for r in json.loads(since_reset.stdout)["recommendations"]
                if r["evidence"].get("index") == "items_v"]  # it had a scan since the reset
    result = _pgwatch("-c", str(config), "--json", "--unused-days", "5")
    assert result.returncode == 0, result.stderr
    [drop] = [r for r in json.loads(result.stdout)["recommendations"]
              if r["evidence"].get("index") == "items_v"]
    assert drop["sql"] == 'DROP INDEX CONCURRENTLY "public"."items_v"'
    assert drop["evidence"]["source"] == "store history" and drop["confidence"] == "high"
    assert drop["evidence"]["period_days"] >= 5
