"""Security against a real daemon and real commands: TLS and basic auth on every HTTP path
(wrong password, no password, plain HTTP on the TLS port), /healthz open only by a setting,
and a known target password found in none of the bytes pgwatch writes."""

from __future__ import annotations

import base64
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgwatch.alerting.rules import default_rules_dir
from pgwatch.embedded import free_port
from tests.servers import PgServer

pytestmark = pytest.mark.one_version
SECRET = "Pw-7q!x9#Zk2@leak-canary"  # the target's password: must never be written anywhere
HTTP_USER, HTTP_PASSWORD = "prometheus", "scrape-Secret-42"
PATHS = ("/metrics", "/readyz", "/healthz", "/api/v1/alerts", "/api/v1/rules", "/report",
         "/reports", "/nothing-here")


@dataclass(frozen=True, slots=True)
class Daemon:
    port: int
    folder: Path
    process: subprocess.Popen[bytes]
    context: ssl.SSLContext
    dsn: str


def _cert(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "tls.crt", folder / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def secured(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    folder = tmp_path_factory.mktemp("secured")
    with pg_server.fresh_database() as admin_dsn:
        role = f"sec_{conninfo_to_dict(admin_dsn)['dbname']}"
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE pg_monitor").format(
                sql.Identifier(role), sql.Literal(SECRET)))
        params = conninfo_to_dict(admin_dsn)
        dsn = make_conninfo("", **{**params, "user": role, "password": SECRET})
        yield from _start(folder, params, role, dsn)
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE usename = %s", (role,))
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _start(folder: Path, params: Mapping[str, object], role: str, dsn: str) -> Iterator[Daemon]:
    cert, key = _cert(folder)
    (folder / "password").write_text(SECRET + "\n")
    digest = bcrypt.hashpw(HTTP_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    port = free_port()
    config = folder / "pgwatch.yaml"
    config.write_text(
        f"targets:\n  - name: main\n    host: {params['host']}\n    port: {params['port']}\n"
        f"    dbname: {params['dbname']}\n    user: {role}\n    password_file: password\n"
        "defaults:\n  collectors:\n    database: {interval: 1s}\n    statements: {interval: 2s}\n"
        "    settings: {interval: 2s}\n    activity: {interval: 1s}\n"
        f"alerting:\n  rules: [{default_rules_dir()}]\n  evaluation_interval: 1s\n"
        "reports:\n  interval: 3s\n  directory: reports\n"
        f"store:\n  path: {folder / 'history.db'}\n"
        f"http:\n  listen: 127.0.0.1:{port}\n  tls_cert: {cert}\n  tls_key: {key}\n"
        f"  basic_auth:\n    {HTTP_USER}: '{digest}'\n", encoding="utf-8")
    log = (folder / "pgwatch.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "pgwatch", "run", "-c", str(config),
                                "--log-format", "json", "--log-level", "debug"],
                               stdout=log, stderr=log)
    context = ssl.create_default_context(cafile=str(cert))
    daemon = Daemon(port, folder, process, context, dsn)
    try:
        _wait_for_report(daemon)
        yield daemon
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


def _wait_for_report(daemon: Daemon) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert daemon.process.poll() is None, (daemon.folder / "pgwatch.log").read_text()
        try:
            if _get(daemon, "/report", (HTTP_USER, HTTP_PASSWORD))[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("no report served in 90 s")


def _get(daemon: Daemon, path: str, credentials: tuple[str, str] | None) -> tuple[int, bytes]:
    request = urllib.request.Request(f"https://127.0.0.1:{daemon.port}{path}")
    if credentials is not None:
        token = base64.b64encode(":".join(credentials).encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10, context=daemon.context) as answer:
            return int(answer.status), bytes(answer.read())
    except urllib.error.HTTPError as refused:
        return int(refused.code), bytes(refused.read())


def _report_paths(daemon: Daemon) -> list[str]:
    return [f"/reports/{p.name}" for p in sorted((daemon.folder / "reports").glob("*.html"))][:2]


def test_every_path_refuses_no_password_and_a_wrong_one(secured: Daemon) -> None:
    for path in (*PATHS, *_report_paths(secured)):
        for credentials in (None, (HTTP_USER, "wrong"), ("nobody", HTTP_PASSWORD),
                            (HTTP_USER, HTTP_PASSWORD + "x"), (HTTP_USER, "")):
            status, body = _get(secured, path, credentials)
            assert (status, body) == (401, b"unauthorized\n"), (path, credentials, status)


def test_every_path_answers_the_right_password(secured: Daemon) -> None:
    expected = {"/nothing-here": 404}
    for path in (*PATHS, *_report_paths(secured)):
        status, body = _get(secured, path, (HTTP_USER, HTTP_PASSWORD))
        assert status == expected.get(path, status if path == "/readyz" else 200), (path, body)
        assert status != 401


def test_plain_http_on_the_tls_port_gets_nothing(secured: Daemon) -> None:
    for path in PATHS:
        with socket.create_connection(("127.0.0.1", secured.port), timeout=10) as raw:
            token = base64.b64encode(f"{HTTP_USER}:{HTTP_PASSWORD}".encode()).decode()
            raw.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {token}\r\n"
                        "\r\n".encode())
            received = b""
            try:
                while chunk := raw.recv(65536):
                    received += chunk
            except (ConnectionResetError, TimeoutError):
                pass
        assert not received.startswith(b"HTTP/"), (path, received[:80])
        assert b"pgwatch_" not in received


def test_healthz_is_open_only_by_its_setting(pg_dsn: str, tmp_path: Path) -> None:
    from pgwatch.service import Service

    digest = bcrypt.hashpw(HTTP_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    params = conninfo_to_dict(pg_dsn)
    for open_ in (False, True):
        config = tmp_path / f"open-{open_}.yaml"
        config.write_text(
            f"targets:\n  - name: main\n    host: {params['host']}\n    port: {params['port']}\n"
            f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
            f"    password: '{params['password']}'\n"
            f"store:\n  path: {tmp_path / f'h-{open_}.db'}\n"
            f"http:\n  listen: 127.0.0.1:0\n  healthz_without_auth: {str(open_).lower()}\n"
            f"  basic_auth:\n    {HTTP_USER}: '{digest}'\n", encoding="utf-8")
        service = Service.from_config(config)
        service.http.start()
        try:
            for path in PATHS:
                status = _plain_status(service.http.port, path)
                assert status == (200 if open_ and path == "/healthz" else 401), (open_, path)
        finally:
            service.http.stop()
            service.store.close()
            if service.claim is not None:
                service.claim.release()


def _plain_status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def _run(folder: Path, *args: str, env: dict[str, str] | None = None) -> bytes:
    done = subprocess.run([sys.executable, "-m", "pgwatch", *args], cwd=folder,
                          capture_output=True, timeout=300, check=False,
                          env={**os.environ, **(env or {})})
    return done.stdout + done.stderr


def test_the_password_is_in_no_byte_pgwatch_wrote(secured: Daemon, tmp_path: Path) -> None:
    folder, config = secured.folder, str(secured.folder / "pgwatch.yaml")
    written: dict[str, bytes] = {}
    for path in (*PATHS, *_report_paths(secured)):
        written[f"GET {path}"] = _get(secured, path, (HTTP_USER, HTTP_PASSWORD))[1]
    wrong = secured.dsn.replace(SECRET, SECRET[::-1])
    commands = {
        "config check": ("config", "check", config),
        "doctor -c": ("doctor", "-c", config),
        "doctor --dsn": ("doctor", "--dsn", secured.dsn),
        "doctor --dsn wrong password": ("doctor", "--dsn", wrong),
        "collect --once -c": ("collect", "--once", "-c", config),
        "collect --once --json --dsn": ("collect", "--once", "--json", "--dsn", secured.dsn),
        "collect wrong password": ("collect", "--once", "--dsn", wrong),
        "report -c": ("report", "-c", config, "-o", str(tmp_path / "r.html")),
        "report --dsn json": ("report", "--dsn", secured.dsn, "--format", "json",
                              "-o", str(tmp_path / "r.json")),
        "advise --dsn": ("advise", "--dsn", secured.dsn, "--json", "--sample-seconds", "0.5"),
        "explain --dsn": ("explain", "--dsn", secured.dsn, "--query", "SELECT 1"),
        "explain wrong password": ("explain", "--dsn", wrong, "--query", "SELECT 1"),
        "alerts": ("alerts", "--url", f"https://127.0.0.1:{secured.port}"),
        "migrate wrong password": ("migrate", "status", "--dsn", wrong),
    }
    for name, args in commands.items():
        written[f"pgwatch {name}"] = _run(tmp_path, *args)
    for produced in [*tmp_path.rglob("*"), *folder.rglob("*")]:
        if produced.is_file() and produced.name != "password":
            written[str(produced)] = produced.read_bytes()
    assert any(b"pgwatch_up" in body for body in written.values())
    assert written["pgwatch doctor --dsn wrong password"].startswith(b"pgwatch: error: ")
    for needle in (SECRET, SECRET[::-1], HTTP_PASSWORD):
        for encoded in {needle.encode(), needle.encode("unicode_escape"),
                        base64.b64encode(needle.encode())}:
            leaks = [where for where, body in written.items() if encoded in body]
            assert not leaks, f"{needle!r} found in {leaks}"
