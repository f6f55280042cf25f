"""Embedded clusters: settings, private socket, unprivileged user, and certain cleanup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from pgwatch.embedded import SUPPORTED_MAJORS, EmbeddedPostgres
from tests.cli import run_cli

VERSIONS = [int(v) for v in os.environ.get("PGWATCH_TEST_PG_VERSIONS", "14,15,16,17,18")
            .split(",") if v.strip()] or list(SUPPORTED_MAJORS)


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("major", VERSIONS, ids=[f"pg{v}" for v in VERSIONS])
def test_cluster_settings_and_cleanup(major: int) -> None:
    with EmbeddedPostgres(major) as pg:
        print(f"PostgreSQL {major} started in {pg.startup_seconds:.2f} s")
        base, pid = pg.base_dir, pg._process.pid if pg._process else 0
        assert base is not None
        with psycopg.connect(pg.dsn()) as conn:
            shown = {name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                     for name in ("server_version_num", "shared_preload_libraries",
                                  "track_io_timing", "pg_stat_statements.track",
                                  "listen_addresses", "unix_socket_directories")}
        assert int(shown["server_version_num"]) // 10_000 == major
        assert shown["shared_preload_libraries"] == "pg_stat_statements,auto_explain"
        assert shown["track_io_timing"] == "on"
        assert shown["pg_stat_statements.track"] == "all"
        assert shown["listen_addresses"] == "127.0.0.1"
        assert shown["unix_socket_directories"] == str(pg.socket_dir)
        assert pg.socket_dir.stat().st_mode & 0o077 == 0
        if os.geteuid() == 0:
            assert Path(f"/proc/{pid}").stat().st_uid != 0, "the server must not run as root"
    assert _gone(pid)
    assert not base.exists()


def test_no_orphan_when_the_parent_is_killed(tmp_path: Path) -> None:
    script = ("import time\nfrom pgwatch.embedded import EmbeddedPostgres\n"
              f"pg = EmbeddedPostgres({VERSIONS[-1]}).start()\n"
              "print(pg._process.pid, pg.base_dir, flush=True)\ntime.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid_text, base = parent.stdout.readline().split()
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert _gone(int(pid_text)), "the postmaster outlived its killed parent"
    with EmbeddedPostgres(VERSIONS[-1]):
        assert not Path(base).exists(), "the next start removes what a killed parent left"


def test_ctrl_c_stops_and_removes_the_server() -> None:
    command = [sys.executable, "-m", "pgwatch", "embedded", "start", "--version",
               str(VERSIONS[0])]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(4)]
    assert lines[1].startswith("DSN: host=127.0.0.1"), lines
    process.send_signal(signal.SIGINT)
    rest = process.communicate(timeout=60)[0]
    assert process.returncode == 0, rest
    assert "stopped and removed" in rest
    log = Path(lines[3].split(": ", 1)[1].strip())
    assert not log.parent.exists()


def test_failed_start_keeps_the_log_and_says_where() -> None:
    pg = EmbeddedPostgres(VERSIONS[-1], settings={"shared_buffers": "not-a-size"})
    with pytest.raises(Exception, match=r"did not start; see .*postgresql.log") as caught:
        pg.start()
    assert "shared_buffers" in str(caught.value)
    assert pg.log_path.exists()
    pg.stop()
    pg.keep = False


@pytest.mark.parametrize("version", ["13", "19"])
def test_unsupported_embedded_version(capsys: pytest.CaptureFixture[str], version: str) -> None:
    result = run_cli(capsys, "embedded", "start", "--version", version, "--duration", "1")
    assert result.status == 2
    assert result.err == (f"pgwatch: error: PostgreSQL {version} is not supported: "
                          "choose one of 14, 15, 16, 17, 18\n")
