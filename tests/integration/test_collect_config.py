"""``pgwatch collect --once -c FILE``: every target of a configuration, one cycle each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from tests.cli import run_cli

pytestmark = pytest.mark.one_version


def _config(tmp_path: Path, dsn: str, extra: str = "") -> Path:
    params = conninfo_to_dict(dsn)
    config = tmp_path / "pgwatch.yaml"
    config.write_text(
        "targets:\n"
        f"  - name: good\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
        f"    password: {params['password']}\n"
        "    collectors: {bloat: {enabled: false}}\n"
        f"{extra}")
    return config


def test_every_enabled_collector_of_the_target(capsys: pytest.CaptureFixture[str],
                                              pg_dsn: str, tmp_path: Path) -> None:
    result = run_cli(capsys, "collect", "--once", "--json", "-c",
                     str(_config(tmp_path, pg_dsn)))
    assert result.status == 0, result.err
    document = json.loads(result.out)
    names = {c["name"] for c in document["collectors"]} | {s["name"]
                                                          for s in document["skipped"]}
    assert "database" in names and "statements" in names
    assert "bloat" not in names
    assert not any(name.startswith("pgbouncer_") for name in names)


def test_a_target_that_is_down_does_not_stop_the_others(
        capsys: pytest.CaptureFixture[str], pg_dsn: str, tmp_path: Path) -> None:
    down = "  - name: down\n    host: 127.0.0.1\n    port: 1\n    user: nobody\n"
    config = _config(tmp_path, pg_dsn, down)
    result = run_cli(capsys, "collect", "--once", "-c", str(config))
    assert result.status == 2
    assert "database " in result.out
    assert result.err.strip() == (f"pgwatch: error: {config}: targets[1]: cannot connect to "
                                  "nobody@127.0.0.1:1/nobody: connection refused (is the "
                                  "server running and listening there?)")
