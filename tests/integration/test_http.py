"""The HTTP listener with a real TLS certificate and bcrypt basic auth."""

from __future__ import annotations

import base64
import http.client
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import pytest
from prometheus_client import CollectorRegistry, Counter

from pgwatch.errors import ConfigError
from pgwatch.exposition.http import BasicAuth, HttpServer, build_app, json_page, parse_listen

PASSWORD = "correct horse"


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    Counter("pgwatch_test_events", "Events counted by the test.", registry=registry).inc(3)
    return registry


def _pages(ready: list[bool]) -> dict[str, object]:
    return {"/healthz": json_page(lambda: (200, {"status": "ok"})),
            "/readyz": json_page(lambda: (200 if ready[0] else 503, {"ready": ready[0]}))}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def server(certificate: tuple[Path, Path]) -> Iterator[HttpServer]:
    digest = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    app = build_app(_registry(), _pages([True]), BasicAuth({"prometheus": digest}))  # type: ignore[arg-type]
    running = HttpServer("127.0.0.1:0", app, *certificate)
    running.start()
    yield running
    running.stop()


def _get(port: int, path: str, cert: Path | None, user: str | None = None,
         password: str = PASSWORD) -> tuple[int, bytes]:
    headers = {}
    if user is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(
            f"{user}:{password}".encode()).decode()
    if cert is not None:
        context = ssl.create_default_context(cafile=str(cert))
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, context=context, timeout=10)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def test_metrics_over_tls_with_the_right_password(server: HttpServer,
                                                  certificate: tuple[Path, Path]) -> None:
    status, body = _get(server.port, "/metrics", certificate[0], "prometheus")
    assert status == 200
    assert b"pgwatch_test_events_total 3.0" in body


@pytest.mark.parametrize(("user", "password"), [(None, PASSWORD), ("prometheus", "wrong"),
                                                ("intruder", PASSWORD)])
def test_wrong_credentials_get_401(server: HttpServer, certificate: tuple[Path, Path],
                                   user: str | None, password: str) -> None:
    status, _ = _get(server.port, "/metrics", certificate[0], user, password)
    assert status == 401


def test_plain_http_on_the_tls_port_fails(server: HttpServer) -> None:
    with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
        _get(server.port, "/metrics", None, "prometheus")


def test_health_readiness_and_unknown_paths() -> None:
    ready = [False]
    running = HttpServer("127.0.0.1:0", build_app(_registry(), _pages(ready), None))  # type: ignore[arg-type]
    running.start()
    try:
        assert _get(running.port, "/healthz", None) == (200, b'{"status": "ok"}')
        assert _get(running.port, "/readyz", None)[0] == 503
        ready[0] = True
        assert _get(running.port, "/readyz", None)[0] == 200
        assert _get(running.port, "/nope", None)[0] == 404
    finally:
        running.stop()


def test_bad_listen_addresses_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="is not host:port"):
        parse_listen("localhost")
    taken = HttpServer("127.0.0.1:0", build_app(_registry(), {}, None))
    try:
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{taken.port}"):
            HttpServer(f"127.0.0.1:{taken.port}", build_app(_registry(), {}, None))
    finally:
        taken.stop()


def test_unloadable_certificate_names_the_file(tmp_path: Path) -> None:
    bogus = tmp_path / "cert.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(ConfigError, match=r"cert\.pem: http\.tls_cert/tls_key: cannot load"):
        HttpServer("127.0.0.1:0", build_app(_registry(), {}, None), bogus, bogus)
