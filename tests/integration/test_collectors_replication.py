"""Replication collectors against a real streaming standby of each test server."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgwatch.collectors import registry
from pgwatch.collectors.cycle import CycleResult, collect_once
from pgwatch.db import connect, probe
from pgwatch.embedded import free_port
from pgwatch.embedded.binaries import binaries
from tests.servers import PgServer

SLOT = "pgwatch_standby"


def _run_as(user: str | None, command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """Run as ``user`` (PostgreSQL refuses root), with that user's primary group only."""
    if user is None:
        return subprocess.Popen(command, **kwargs)
    entry = pwd.getpwnam(user)
    return subprocess.Popen(command, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
                            **kwargs)


@contextmanager
def standby(server: PgServer) -> Iterator[str]:
    """A streaming standby of ``server`` (base backup, slot, own port); yields its DSN."""
    bin_dir = binaries(server.major)
    user = "nobody" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="pgwatch-standby-"))
    data = base / "data"
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    primary = conninfo_to_dict(server.admin_dsn)
    source = make_conninfo(server.admin_dsn, dbname="postgres")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(base), "LC_ALL": "C"}
    backup = _run_as(user, [str(bin_dir / "pg_basebackup"), "-d", source, "-D", str(data),
                            "-X", "stream", "-C", "-S", SLOT],
                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = backup.communicate(timeout=120)
    assert backup.returncode == 0, output.decode(errors="replace")
    _make_standby(data, primary)
    port = free_port()
    with (base / "standby.log").open("ab") as log:
        process = _run_as(user, [str(bin_dir / "postgres"), "-D", str(data),
                                 "-c", f"port={port}", "-c", "listen_addresses=127.0.0.1",
                                 "-c", f"unix_socket_directories={base}"],
                          env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        dsn = make_conninfo(server.admin_dsn, port=str(port), host="127.0.0.1",
                            dbname="postgres", password=str(primary.get("password", "")))
        _wait_connectable(dsn, process)
        yield dsn
    finally:
        process.terminate()
        process.wait(timeout=60)
        with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
            conn.execute("SELECT pg_drop_replication_slot(%s)", (SLOT,))
        shutil.rmtree(base, ignore_errors=True)


def _make_standby(data: Path, primary: dict[str, Any]) -> None:
    """standby.signal and the connection to the primary, written here rather than by
    pg_basebackup -R: its libpq may add options the server's own libpq does not know."""
    conninfo = make_conninfo(host=str(primary["host"]), port=str(primary["port"]),
                             user=str(primary["user"]), password=str(primary["password"]))
    with (data / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"primary_conninfo = '{conninfo}'\nprimary_slot_name = '{SLOT}'\n")
    (data / "standby.signal").touch()
    owner = data.stat()
    for path in (data / "postgresql.auto.conf", data / "standby.signal"):
        os.chown(path, owner.st_uid, owner.st_gid)


def _wait_connectable(dsn: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the standby exited"
        try:
            with psycopg.connect(dsn, connect_timeout=2):
                return
        except psycopg.OperationalError:
            time.sleep(0.2)
    raise AssertionError("the standby did not accept connections in 60 s")


def cycle(dsn: str, names: list[str]) -> CycleResult:
    with connect(dsn) as conn:
        return collect_once(conn, probe(conn), registry.create(names))


def wait_streaming(dsn: str, name: str, field: str, reported: str = "") -> tuple[Any, ...]:
    """The rows of ``name`` once one says 'streaming' (a new standby starts up and catches up
    first) and, with ``reported``, has that field (a sender's positions are NULL until the
    standby's first feedback); the last rows seen after 60 s otherwise."""
    deadline = time.monotonic() + 60
    while True:
        result = cycle(dsn, [name])
        assert result.errors == [], result.errors
        rows = result.snapshots[0].rows
        if any(getattr(r, field) == "streaming"
               and (not reported or getattr(r, reported) is not None) for r in rows) \
                or time.monotonic() > deadline:
            return rows
        time.sleep(0.3)


def test_primary_and_standby_views(pg_server: PgServer) -> None:
    with standby(pg_server) as standby_dsn:
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS public.replicated (id int)")
            conn.execute("INSERT INTO public.replicated SELECT generate_series(1, 1000)")
        senders = wait_streaming(pg_server.admin_dsn, "replication", "state",
                                 reported="replay_lag_bytes")
        assert senders, "pg_stat_replication showed no standby"
        sender = senders[0]
        assert sender.state == "streaming" and sender.client_addr == "127.0.0.1", sender
        assert sender.sent_lag_bytes is not None and sender.replay_lag_bytes is not None
        slots = {r.slot_name: r for r in cycle(pg_server.admin_dsn, ["replication_slots"])
                 .snapshots[0].rows}
        assert slots[SLOT].active and slots[SLOT].slot_type == "physical", slots
        receivers = wait_streaming(standby_dsn, "wal_receiver", "status")
        assert receivers and receivers[0].status == "streaming", receivers
        assert receivers[0].slot_name == SLOT
        assert receivers[0].replay_lag_bytes is not None
        with connect(standby_dsn) as conn:
            server = probe(conn)
            assert server.in_recovery
            result = collect_once(conn, server, registry.create(["database", "tables",
                                                                  "checkpointer",
                                                                  "replication"]))
        assert result.errors == [], result.errors
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
            conn.execute("DROP TABLE public.replicated")
