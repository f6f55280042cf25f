"""A throwaway PostgreSQL cluster on 127.0.0.1, for the demo, the tests and the benchmarks.

The postmaster is a direct child of this process, in its own session (Ctrl-C reaches only
us, and we shut it down in order) and with a parent-death signal, so it never outlives
its parent, even one that is killed.
"""

from __future__ import annotations

import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg
from psycopg.conninfo import make_conninfo

from pgwatch.embedded.binaries import DEFAULT_MAJOR, binaries, check_major
from pgwatch.errors import EmbeddedError

SUPERUSER = "postgres"
_PR_SET_PDEATHSIG = 1
_DIR_PREFIX = "pgwatch-pg"
_START_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 30.0

BASE_SETTINGS: Mapping[str, str] = {
    "listen_addresses": "127.0.0.1",
    "shared_preload_libraries": "pg_stat_statements,auto_explain",
    "track_io_timing": "on",
    "pg_stat_statements.track": "all",
    "pg_stat_statements.max": "10000",
    "auto_explain.log_min_duration": "1s",
    "auto_explain.log_format": "json",
    "logging_collector": "off",
    "log_line_prefix": "%m [%p] %q%u@%d ",
    # A throwaway cluster trades durability for speed.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


@dataclass(frozen=True, slots=True)
class ServerUser:
    """The OS account that owns the data directory and runs the server."""

    name: str
    uid: int
    gid: int

    @classmethod
    def for_current_process(cls) -> ServerUser | None:
        """None when we are not root: then the server simply runs as us."""
        if os.geteuid() != 0:
            return None
        name = os.environ.get("PGWATCH_EMBEDDED_USER", "nobody")
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise EmbeddedError(
                f"PGWATCH_EMBEDDED_USER: no such user {name!r} to run PostgreSQL as (root cannot)"
            ) from None
        if entry.pw_uid == 0:
            raise EmbeddedError(f"PGWATCH_EMBEDDED_USER: {name!r} is root; PostgreSQL refuses it")
        return cls(name, entry.pw_uid, entry.pw_gid)


@dataclass(slots=True)
class EmbeddedPostgres:
    """One cluster: ``with EmbeddedPostgres(16) as pg: connect(pg.dsn())``."""

    major: int = DEFAULT_MAJOR
    settings: Mapping[str, str] = field(default_factory=dict)
    keep: bool = False
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port is chosen at start
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    base_dir: Path | None = None
    startup_seconds: float = 0.0
    _process: subprocess.Popen[bytes] | None = None
    _user: ServerUser | None = None

    def __post_init__(self) -> None:
        check_major(self.major)

    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._base() / "socket"

    @property
    def log_path(self) -> Path:
        return self._base() / "postgresql.log"

    @property
    def bin_dir(self) -> Path:
        return binaries(self.major)

    def dsn(self, dbname: str = "postgres", user: str = SUPERUSER,
            password: str | None = None) -> str:
        """A libpq connection string over TCP on loopback."""
        secret = self.password if user == SUPERUSER and password is None else password
        params: dict[str, str | int] = {"host": self.host, "port": self.port, "dbname": dbname,
                                        "user": user}
        if secret is not None:
            params["password"] = secret
        return make_conninfo("", **params)

    def socket_dsn(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        """A DSN through the private Unix socket: no password, so it is safe to print."""
        return make_conninfo("", host=str(self.socket_dir), port=self.port, dbname=dbname,
                             user=user)

    def start(self) -> Self:
        """initdb, then start the server and wait until it accepts connections."""
        began = time.monotonic()
        self._user = ServerUser.for_current_process()
        bin_dir = self.bin_dir
        _remove_orphaned_dirs()
        self.base_dir = Path(tempfile.mkdtemp(prefix=f"{_DIR_PREFIX}{self.major}-"))
        (self.base_dir / "owner.pid").write_text(str(os.getpid()))
        try:
            self._prepare_dirs()
            self._initdb(bin_dir)
            self._launch_with_retries(bin_dir)
        except BaseException:
            self._kill()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def pause(self) -> None:
        """Stop the server but keep its data, to start it again with ``resume``."""
        self._shutdown()

    def resume(self) -> None:
        """Start a paused server again, on the same port and data."""
        self._launch_with_retries(self.bin_dir)

    def stop(self) -> None:
        """Fast shutdown, then remove the cluster unless ``keep`` is set."""
        self._shutdown()
        if self.base_dir is not None and not self.keep:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server log, for diagnosis."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _base(self) -> Path:
        if self.base_dir is None:
            raise EmbeddedError("the embedded cluster has not been started")
        return self.base_dir

    def _prepare_dirs(self) -> None:
        self.socket_dir.mkdir(mode=0o700)
        self.log_path.touch(mode=0o600)
        pwfile = self._base() / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if self._user is not None:
            for path in (self._base(), self.socket_dir, self.log_path, pwfile):
                os.chown(path, self._user.uid, self._user.gid)

    def _initdb(self, bin_dir: Path) -> None:
        command = [str(bin_dir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                   "--pwfile", str(self._base() / "pwfile"), "--auth-local=trust",
                   "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]
        result = subprocess.run(command, capture_output=True, text=True, check=False,
                                env=self._env(), user=self._uid(), group=self._gid(),
                                extra_groups=self._groups())
        (self._base() / "pwfile").unlink()
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise EmbeddedError(f"initdb for PostgreSQL {self.major} failed: {last}")

    def _launch_with_retries(self, bin_dir: Path) -> None:
        # A free port can be taken by someone else between our probe and the bind.
        chosen = self.port
        for attempt in range(3):
            self.port = chosen or free_port(self.host)
            self._launch(bin_dir)
            if self._wait_ready():
                return
            if chosen or "could not bind" not in self.log_tail() or attempt == 2:
                break
        raise EmbeddedError(
            f"PostgreSQL {self.major} did not start; see {self.log_path}: "
            f"{self.log_tail(3).replace(chr(10), ' | ')}"
        )

    def _launch(self, bin_dir: Path) -> None:
        options = {**BASE_SETTINGS, **self.settings, "port": str(self.port),
                   "unix_socket_directories": str(self.socket_dir)}
        command = [str(bin_dir / "postgres"), "-D", str(self.data_dir)]
        for name, value in options.items():
            command += ["-c", f"{name}={value}"]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=self._child_setup,  # noqa: PLW1509 - set-up runs before exec only
                env=self._env(),
            )

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                with psycopg.connect(self.dsn(), connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        return False

    def _shutdown(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGINT, _STOP_TIMEOUT_S), (signal.SIGQUIT, 5.0),
                          (signal.SIGKILL, 5.0)):
            process.send_signal(sig)
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def _kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def _child_setup(self) -> None:
        """Runs in the forked child before exec.

        The switch of user happens here rather than through Popen's ``user=``, because a change
        of credentials clears the parent-death signal, which must therefore be set after it.
        """
        parent = os.getppid()
        if self._user is not None:
            os.setgroups([])
            os.setgid(self._user.gid)
            os.setuid(self._user.uid)
        _die_with_parent(parent)

    def _env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C",
                "HOME": str(self._base()), "TZ": "UTC"}

    def _uid(self) -> int | None:
        return None if self._user is None else self._user.uid

    def _gid(self) -> int | None:
        return None if self._user is None else self._user.gid

    def _groups(self) -> list[int] | None:
        return None if self._user is None else []


def _remove_orphaned_dirs() -> None:
    """Delete cluster directories whose owning process was killed before it could clean up.

    The server itself died with its parent (parent-death signal); only its files remain.
    """
    for base in Path(tempfile.gettempdir()).glob(f"{_DIR_PREFIX}*"):
        try:
            owner = int((base / "owner.pid").read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            shutil.rmtree(base, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the caller binds it soon after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to stop the server (immediate shutdown) if ``parent`` dies first."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGQUIT)
    if os.getppid() != parent:
        os._exit(1)
