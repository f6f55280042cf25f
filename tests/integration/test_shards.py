"""Processes sharing the work: shards over one PostgreSQL store (each writes its own
targets, reads see every one), and two processes claiming one shard in one store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pgwatch.embedded import free_port
from pgwatch.sharding import owner
from pgwatch.store import open_store
from tests.servers import PgServer

pytestmark = pytest.mark.one_version
TARGETS = ["orders", "billing", "payments", "users", "catalog", "reviews"]


def write_config(path: Path, target_dsn: str, store: str, port: int) -> Path:
    lines = ["targets:"]
    for name in TARGETS:
        lines += [f"  - name: {name}", f"    dsn: '{target_dsn}'"]
    lines += ["defaults:", "  collectors:",
              *[f"    {n}: {{enabled: false}}" for n in
                ("statements", "statements_info", "settings", "bloat", "index_flags")],
              "    database: {interval: 1s}",
              f"store:\n{store}", f"http:\n  listen: 127.0.0.1:{port}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def start(config: Path, shard: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pgwatch", "run", "-c", str(config), "--shard", shard],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        return bytes(answer.read()).decode()


def up_targets(port: int) -> set[str]:
    return {line.split('target="')[1].split('"')[0] for line in metrics(port).splitlines()
            if line.startswith("pgwatch_up{")}


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.communicate(timeout=60)


def wait_for(check: object, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if callable(check) and check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def test_two_shards_share_one_postgresql_store(pg_server: PgServer, pg_dsn: str,
                                               tmp_path: Path,
                                               processes: list[subprocess.Popen[str]]) -> None:
    with pg_server.fresh_database() as store_dsn:
        store = f"  backend: postgresql\n  dsn: '{store_dsn}'"
        ports = [free_port(), free_port()]
        for index, port in enumerate(ports, start=1):
            config = write_config(tmp_path / f"shard{index}.yaml", pg_dsn, store, port)
            processes.append(start(config, f"{index}/2"))
        owned = [{t for t in TARGETS if owner(t, 2) == i} for i in (1, 2)]
        assert owned[0] and owned[1]  # these names split over both shards
        for port, mine in zip(ports, owned, strict=True):
            wait_for(lambda port=port, mine=mine: up_targets(port) == mine)
        reader = open_store(store_dsn)
        try:
            def stored() -> set[str]:
                now = datetime.now(UTC)
                found = reader.series("pgwatch_database_xact_commit_total", {},
                                      now - timedelta(minutes=5), now)
                return {s.target for s in found if s.points}
            wait_for(lambda: stored() == set(TARGETS))
        finally:
            reader.close()
        for process in processes:
            process.terminate()
            _, stderr = process.communicate(timeout=60)
            assert process.returncode == 0, stderr
            assert "already run" not in stderr


def test_a_second_process_on_the_same_shard_and_store_is_refused(
        tmp_path: Path, processes: list[subprocess.Popen[str]]) -> None:
    # The target may be down: the claim is about the store, not the servers.
    down = f"host=127.0.0.1 port={free_port()} dbname=postgres connect_timeout=1"
    store = f"  path: {tmp_path / 'history.db'}"
    first = write_config(tmp_path / "first.yaml", down, store, free_port())
    processes.append(start(first, "1/2"))
    wait_for(lambda: "pgwatch_up" in metrics(int(first.read_text().split(":")[-1])))
    second = write_config(tmp_path / "second.yaml", down, store, free_port())
    done = subprocess.run([sys.executable, "-m", "pgwatch", "run", "-c", str(second),
                           "--shard", "1/2"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"pgwatch: error: shard 1/2 is already run against history store "
                               f"{tmp_path / 'history.db'} by pid {processes[0].pid} "
                               "(on this host)"), lines[0]
    # The other shard of the same store is free; the first process is untouched.
    assert processes[0].poll() is None
    processes.append(start(second, "2/2"))
    time.sleep(3)
    assert processes[1].poll() is None, processes[1].communicate()[1]
