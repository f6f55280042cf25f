"""Faults of the history store against a real daemon: the disk fills up, the process is
stopped or killed in the middle of writes, and the store is locked or hung while Prometheus
scrapes (a scrape never waits on the store)."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager, nullcontext, suppress
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from pgwatch.service import Service
from pgwatch.store import open_store
from tests.integration.daemon_process import DaemonProcess, running_daemon, target_yaml

pytestmark = pytest.mark.one_version
SCRAPE_BUDGET_S = 0.1  # a typical scrape
WAITED_S = 1.0  # the locks below are held 3-4 s: a scrape that waited on them takes longer
FAST = ("defaults:\n  collectors:\n    database: {interval: 1s}\n    tables: {interval: 1s}\n"
        "    statements: {interval: 1s}\n    activity: {interval: 1s}\n")


def _config(dsn: str, store: str) -> str:
    return "targets:\n" + target_yaml(dsn) + FAST + store


def _password(dsn: str) -> str:
    return str(conninfo_to_dict(dsn).get("password", ""))


def _need_root(what: str) -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs as root: the test of {what} must run there")
        pytest.skip(f"mounting {what} needs root")


@contextmanager
def _small_filesystem(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``where`` (needs root), unmounted afterwards."""
    _need_root("a size-limited tmpfs")
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
                   check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> Path:
    """Write a file until the filesystem is full."""
    filler = folder / "filler"
    chunk = b"\0" * 65536
    # Unbuffered, and the error suppressed around the close too: a buffered file's close
    # flushes what is left and meets the full disk again.
    with suppress(OSError), filler.open("wb", buffering=0) as out:
        while True:
            out.write(chunk)
    return filler


def _counter(daemon: DaemonProcess, name: str, **labels: str) -> float:
    return daemon.metric(name, **labels) or 0.0


def test_a_full_disk_is_visible_collection_goes_on_and_writing_resumes(
        pg_dsn: str, tmp_path: Path) -> None:
    with _small_filesystem(tmp_path / "disk", "6m") as disk:
        store = disk / "history.db"
        body = _config(pg_dsn, f"store:\n  path: {store}\n  sample_interval: 5s\n")
        with running_daemon(tmp_path, body, _password(pg_dsn)) as daemon:
            daemon.wait_ready()
            daemon.wait_for(lambda: _counter(daemon, "pgwatch_store_writes_total") >= 8, "writes")
            filler = _fill(disk)
            daemon.wait_for(lambda: daemon.metric("pgwatch_store_up") == 0.0, "store_up 0")
            status, ready = daemon.get("/readyz")
            assert status == 503 and b"full" in ready, ready
            runs = _counter(daemon, "pgwatch_collector_runs_total", collector="database")
            daemon.wait_for(lambda: _counter(daemon, "pgwatch_collector_runs_total",
                                             collector="database") >= runs + 2, "collecting")
            assert daemon.metric("pgwatch_up", target="main") == 1.0
            assert _counter(daemon, "pgwatch_store_write_errors_total") >= 1
            filler.unlink()
            before = _sample_rows(store)
            _assert_writing_again(daemon, lambda: _sample_rows(store) > before)
            assert daemon.stop() == 0, daemon.log_text()[-2000:]
        assert any(m.startswith("storing main/") for m in daemon.messages())
        assert "database or disk is full" in daemon.log_text()
        _assert_sound(store)
        assert _sample_rows(store) > before, "no sample written after the disk was freed"


@contextmanager
def _read_only_switch(folder: Path) -> Iterator[tuple[Path, Path]]:
    """A mount at ``folder/disk`` that is read-only (EROFS) while the yielded flag exists.

    A FUSE mirror of ``folder/backing`` (tests/integration/readonly_fs.py): the kernel refuses
    to remount a filesystem read-only while a file on it is open for writing.
    """
    _need_root("a FUSE filesystem")
    disk, backing, flag = folder / "disk", folder / "backing", folder / "read-only"
    disk.mkdir()
    backing.mkdir()
    mirror = subprocess.Popen([sys.executable, "-m", "tests.integration.readonly_fs",
                               str(backing), str(disk), str(flag)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while not os.path.ismount(disk):
            assert mirror.poll() is None, mirror.communicate()[1].decode(errors="replace")
            assert time.monotonic() < deadline, "the FUSE mirror never mounted"
            time.sleep(0.1)
        yield disk, flag
    finally:
        subprocess.run(["fusermount3", "-u", "-z", str(disk)], check=False)
        with suppress(subprocess.TimeoutExpired):
            mirror.wait(timeout=10)
        if mirror.poll() is None:
            mirror.kill()
            mirror.wait(timeout=10)


def test_a_read_only_disk_is_visible_collection_goes_on_and_writing_resumes(
        pg_dsn: str, tmp_path: Path) -> None:
    with ExitStack() as stack:
        disk, flag = stack.enter_context(_read_only_switch(tmp_path))
        store = disk / "history.db"
        body = _config(pg_dsn, f"store:\n  path: {store}\n  sample_interval: 5s\n")
        with running_daemon(tmp_path, body, _password(pg_dsn)) as daemon:
            daemon.wait_ready()
            daemon.wait_for(lambda: _counter(daemon, "pgwatch_store_writes_total") >= 8, "writes")
            # Opened while writable: a WAL reader cannot open a read-only file's shared memory.
            reader = stack.enter_context(closing(sqlite3.connect(store)))
            _sample_rows(reader)
            flag.touch()
            daemon.wait_for(lambda: daemon.metric("pgwatch_store_up") == 0.0, "store_up 0")
            kept = _stored(reader)
            samples = _sample_rows(reader)
            status, ready = daemon.get("/readyz")
            assert status == 503 and b"disk I/O error (Read-only file system)" in ready, ready
            runs = _counter(daemon, "pgwatch_collector_runs_total", collector="database")
            daemon.wait_for(lambda: _counter(daemon, "pgwatch_collector_runs_total",
                                             collector="database") >= runs + 3, "collecting")
            assert daemon.metric("pgwatch_up", target="main") == 1.0
            assert _counter(daemon, "pgwatch_store_write_errors_total") >= 1
            assert _stored(reader) == kept, "the store changed while read-only"
            flag.unlink()
            _assert_writing_again(daemon, lambda: _sample_rows(reader) > samples)
            assert daemon.stop() == 0, daemon.log_text()[-2000:]
        assert any(m.startswith("storing main/") for m in daemon.messages())
        assert any(m.startswith("store: writing again after ") for m in daemon.messages())
        _assert_sound(store)
        with closing(sqlite3.connect(store)) as conn:
            assert _stored(conn, upto=kept[:2]) == kept, "what was stored before has changed"


def _stored(conn: sqlite3.Connection, upto: tuple[int, int] | None = None
            ) -> tuple[int, int, str]:
    """(newest sample ts, newest snapshot id, digest of the samples and snapshots up to them)."""
    with conn:
        ts, snapshot = upto or conn.execute(
            "SELECT (SELECT coalesce(max(ts), 0) FROM samples), "
            "(SELECT coalesce(max(id), 0) FROM snapshots)").fetchone()
        samples = conn.execute("SELECT * FROM samples WHERE ts <= ? ORDER BY series_id, ts",
                               (ts,)).fetchall()
        snapshots = conn.execute("SELECT * FROM snapshots WHERE id <= ? ORDER BY id",
                                 (snapshot,)).fetchall()
    assert samples and snapshots, "nothing stored"
    return ts, snapshot, hashlib.sha256(repr((samples, snapshots)).encode()).hexdigest()


def _sample_rows(store: Path | sqlite3.Connection) -> int:
    with closing(sqlite3.connect(store)) if isinstance(store, Path) else nullcontext(store) \
            as conn:
        row = conn.execute("SELECT count(*) FROM samples").fetchone()
    return int(row[0]) if row else 0


def _assert_sound(store: Path) -> None:
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_sigterm_and_kill_9_in_the_middle_of_writes_leave_a_sound_store(
        pg_dsn: str, tmp_path: Path) -> None:
    store = tmp_path / "history.db"
    body = _config(pg_dsn, f"store:\n  path: {store}\n")
    chance = random.Random(14)
    for round_, sig in enumerate((signal.SIGTERM, signal.SIGKILL, signal.SIGTERM, signal.SIGKILL)):
        folder = tmp_path / f"run{round_}"
        folder.mkdir()
        with running_daemon(folder, body, _password(pg_dsn)) as daemon:
            daemon.wait_for(lambda: _counter(daemon, "pgwatch_store_writes_total") >= 3,
                            "writes")
            time.sleep(chance.uniform(0, 1))  # 1-s collectors: writes are under way
            status = daemon.stop(sig)
        assert status == (0 if sig == signal.SIGTERM else -signal.SIGKILL), daemon.log_text()
        _assert_sound(store)
    reopened = open_store(store)
    try:
        assert reopened.latest("main", "statements") is not None
    finally:
        reopened.close()


def _assert_writing_again(daemon: DaemonProcess, new_sample: Callable[[], bool]) -> None:
    """Once the disk takes writes again: store_up 1, ready, writes without errors, and a new
    sample row (samples are kept at the store's own cadence: `store.sample_interval`, 5 s here)."""
    daemon.wait_for(lambda: daemon.metric("pgwatch_store_up") == 1.0, "store_up 1")
    daemon.wait_ready(within=20)
    written = _counter(daemon, "pgwatch_store_writes_total")
    errors = _counter(daemon, "pgwatch_store_write_errors_total")
    daemon.wait_for(lambda: _counter(daemon, "pgwatch_store_writes_total") >= written + 4,
                    "writing again")
    assert _counter(daemon, "pgwatch_store_write_errors_total") == errors
    daemon.wait_for(new_sample, "a sample once the disk takes writes", within=90)


def _scrape_times(port: int, seconds: float) -> list[float]:
    times: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        began = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            assert answer.status == 200
            assert b"pgwatch_store_size_bytes" in answer.read()
        times.append(time.monotonic() - began)
        time.sleep(0.05)
    return times


@contextmanager
def _service(folder: Path, dsn: str, store: str) -> Iterator[Service]:
    config = folder / "pgwatch.yaml"
    config.write_text(_config(dsn, store).replace("${TEST_PG_PASSWORD}", _password(dsn))
                      + "alerting:\n  rules: [" + str(_rules_dir()) + "]\n"
                      "  evaluation_interval: 1s\n"
                      "http:\n  listen: 127.0.0.1:0\n", encoding="utf-8")
    service = Service.from_config(config)
    service.start()
    try:
        deadline = time.monotonic() + 60
        while not service.state.ready()[0]:
            assert time.monotonic() < deadline, "service never ready"
            time.sleep(0.2)
        yield service
    finally:
        service.stop()


def _rules_dir() -> Path:
    from pgwatch.alerting.rules import default_rules_dir

    return default_rules_dir()


def _held(seconds: float, hold: threading.Event, body: threading.Thread) -> None:
    body.start()
    assert hold.wait(10), "the lock was never taken"
    time.sleep(seconds)


def _assert_fast(times: list[float], what: str) -> None:
    """No scrape waited on the lock (each took far less than the lock was held), and scrapes
    stayed as fast as usual (the median; a single one may be slowed by a loaded machine)."""
    assert len(times) >= 10, times
    waited = [round(t, 3) for t in times if t > WAITED_S]
    assert not waited, f"{what}: {len(waited)} of {len(times)} scrapes waited: {waited}"
    median = sorted(times)[len(times) // 2]
    assert median < SCRAPE_BUDGET_S, f"{what}: median scrape {median:.3f} s: {times}"


def test_a_scrape_never_waits_on_a_locked_sqlite_store(pg_dsn: str, tmp_path: Path) -> None:
    store = tmp_path / "history.db"
    with _service(tmp_path, pg_dsn, f"store:\n  path: {store}\n") as service:
        port = service.http.port
        _scrape_times(port, 1)  # warm
        # Another process's write transaction: the store's writes wait behind it, holding
        # the store's lock, for SQLite's busy timeout.
        other = sqlite3.connect(store, timeout=1, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            _assert_fast(_scrape_times(port, 3), "SQLite write lock held elsewhere")
        finally:
            other.execute("ROLLBACK")
            other.close()
        # A retention run holds the store's own lock for as long as it deletes.
        taken, release = threading.Event(), threading.Event()

        def retention_like() -> None:
            with service.store._lock:  # type: ignore[attr-defined]
                taken.set()
                release.wait(30)

        holder = threading.Thread(target=retention_like)
        holder.start()
        assert taken.wait(30)
        try:
            _assert_fast(_scrape_times(port, 3), "store lock held by retention")
        finally:
            release.set()
            holder.join()


def test_a_scrape_never_waits_on_a_hung_postgresql_store(pg_dsn: str, tmp_path: Path) -> None:
    with _service(tmp_path, pg_dsn, f"store:\n  backend: postgresql\n  dsn: '{pg_dsn}'\n") \
            as service:
        port = service.http.port
        _scrape_times(port, 1)
        with psycopg.connect(pg_dsn) as locker:
            locker.execute("LOCK TABLE pgwatch_history.metrics, pgwatch_history.objects, "
                           "pgwatch_history.series, pgwatch_history.snapshots, "
                           "pgwatch_history.outbox, pgwatch_history.alert_state "
                           "IN ACCESS EXCLUSIVE MODE")
            times = _scrape_times(port, 4)
            blocked = locker.execute(
                "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()").fetchone()
            locker.rollback()
        assert blocked is not None and blocked[0] >= 1, "the store never waited on the lock"
        _assert_fast(times, "PostgreSQL store hung on a lock")
