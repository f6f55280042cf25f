"""``pgwatch run`` as a user runs it: a real process, real signals, a real scrape checked by
``promtool``, and a store that holds what was collected after the process is gone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from pgwatch.embedded import free_port
from pgwatch.store import open_store

PROMTOOL = "/usr/bin/promtool"
# The daemon's process behaviour is the same on every version; collectors are tested on each.
pytestmark = pytest.mark.one_version




def write_config(folder: Path, dsn: str, port: int) -> Path:
    params = conninfo_to_dict(dsn)
    config = folder / "pgwatch.yaml"
    config.write_text(
        "targets:\n"
        f"  - name: main\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
        "    password: ${TEST_PG_PASSWORD}\n    labels: {env: test}\n"
        "defaults:\n  collectors:\n"
        "    database: {interval: 1s}\n    statements: {interval: 1s}\n"
        "    tables: {interval: 1s}\n"
        f"store:\n  path: {folder / 'history.db'}\n"
        f"http:\n  listen: 127.0.0.1:{port}\n")
    return config


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return int(answer.status), bytes(answer.read())
    except urllib.error.HTTPError as refused:
        return int(refused.code), bytes(refused.read())


def wait_ready(port: int, process: subprocess.Popen[str], within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if get(port, "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("pgwatch never became ready")


@pytest.fixture
def daemon(pg_dsn: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    port = free_port()
    config = write_config(tmp_path, pg_dsn, port)
    env = {**os.environ, "TEST_PG_PASSWORD": str(conninfo_to_dict(pg_dsn).get("password", ""))}
    process = subprocess.Popen(
        [sys.executable, "-m", "pgwatch", "run", "-c", str(config), "--log-format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    yield process, port, config
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_scrape_is_valid_and_sigterm_exits_zero_after_storing(
        daemon: tuple[subprocess.Popen[str], int, Path], tmp_path: Path) -> None:
    process, port, _ = daemon
    wait_ready(port, process)
    status, body = get(port, "/metrics")
    assert status == 200
    text = body.decode()
    assert 'pgwatch_up{target="main",env="test"} 1.0' in text  # its labels too
    assert 'pgwatch_database_xact_commit_total{' in text and 'env="test"' in text
    check = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                           check=False)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    assert check.stdout.decode().strip() == "" and check.stderr.decode().strip() == ""
    assert get(port, "/healthz")[0] == 200
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "pgwatch stopped" in stderr
    store = open_store(tmp_path / "history.db")
    try:
        latest = store.latest("main", "database")
        assert latest is not None and latest.rows
    finally:
        store.close()


def test_sighup_reload_refuses_a_broken_config_and_keeps_collecting(
        daemon: tuple[subprocess.Popen[str], int, Path]) -> None:
    process, port, config = daemon
    wait_ready(port, process)
    good = config.read_text()
    config.write_text(good.replace("port:", "port: x", 1))
    process.send_signal(signal.SIGHUP)
    time.sleep(2)
    assert process.poll() is None
    assert get(port, "/readyz")[0] == 200
    config.write_text(good.replace("tables: {interval: 1s}", "tables: {interval: 2s}"))
    process.send_signal(signal.SIGHUP)
    time.sleep(2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0
    messages = [json.loads(line)["message"] for line in stderr.splitlines() if line.startswith("{")]
    assert any(m.startswith("reload refused, keeping the running configuration:") and
               "pgwatch.yaml:" in m for m in messages), messages
    assert any(m.startswith("configuration reloaded") for m in messages), messages


def test_bad_config_at_start_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text("targets:\n  - name: a\n    host: h\n    port: 99999\n")
    done = subprocess.run([sys.executable, "-m", "pgwatch", "run", "-c", str(config)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr == (f"pgwatch: error: {config}:4: targets[0].port: "
                           "must be between 1 and 65535\n")
    assert not (tmp_path / "pgwatch.db").exists()
