"""A real PgBouncer (Debian's ``pgbouncer``) on 127.0.0.1 in front of a test server.

It refuses to run as root, so when the tests run as root it runs as ``nobody``; its files
live in a temporary directory removed afterwards, and the process is stopped by its pid.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgwatch.embedded import free_port

ADMIN_USER = "pgwatch_admin"
ADMIN_PASSWORD = "admin-secret"
_START_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class PgBouncer:
    """A running PgBouncer: the admin console and pooled connections to the server."""

    port: int
    server_dsn: str
    log_path: Path

    @property
    def admin_dsn(self) -> str:
        return make_conninfo(host="127.0.0.1", port=self.port, dbname="pgbouncer",
                             user=ADMIN_USER, password=ADMIN_PASSWORD)

    def pooled_dsn(self, dbname: str) -> str:
        """A connection through the pool, as the server's superuser."""
        server = conninfo_to_dict(self.server_dsn)
        return make_conninfo(host="127.0.0.1", port=self.port, dbname=dbname,
                             user=str(server["user"]), password=str(server["password"]))




def _config(directory: Path, port: int, server_dsn: str) -> Path:
    server = conninfo_to_dict(server_dsn)
    users = directory / "userlist.txt"
    users.write_text(f'"{ADMIN_USER}" "{ADMIN_PASSWORD}"\n'
                     f'"{server["user"]}" "{server["password"]}"\n')
    ini = directory / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host={server['host']} port={server['port']}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = plain\nauth_file = {users}\nadmin_users = {ADMIN_USER}\n"
        "pool_mode = transaction\ndefault_pool_size = 5\n"
        f"logfile = {directory / 'pgbouncer.log'}\npidfile = {directory / 'pgbouncer.pid'}\n")
    return ini


def _as_user() -> str | None:
    """PgBouncer refuses root: run it as nobody then."""
    return "nobody" if os.geteuid() == 0 else None


@contextmanager
def running_pgbouncer(server_dsn: str) -> Iterator[PgBouncer]:
    """Start PgBouncer in front of ``server_dsn``; stop it and remove its files afterwards."""
    executable = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    directory = Path(tempfile.mkdtemp(prefix="pgwatch-pgbouncer-"))
    user = _as_user()
    port = free_port()
    ini = _config(directory, port, server_dsn)
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (directory, *directory.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    process = subprocess.Popen([executable, str(ini)], user=user, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        _wait_listening(port, process, directory)
        yield PgBouncer(port, server_dsn, directory / "pgbouncer.log")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def _wait_listening(port: int, process: subprocess.Popen[bytes], directory: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (directory / "pgbouncer.log")
            detail = log.read_text() if log.exists() else ""
            raise RuntimeError(f"pgbouncer exited with {process.returncode}: {detail[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"pgbouncer did not listen on 127.0.0.1:{port} in {_START_TIMEOUT_S} s")
