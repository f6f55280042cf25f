"""The HTTP listener: ``/metrics``, ``/healthz``, ``/readyz`` and any page a feature adds.

Optional TLS (certificate and key) and basic auth against bcrypt hashes, as in Prometheus'
web configuration. The server is a threading WSGI server: one slow client never blocks a
scrape, and the TLS handshake happens in the client's thread, not in the accept loop.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import bcrypt
from prometheus_client import CollectorRegistry

from pgwatch.errors import ConfigError
from pgwatch.exposition.text import CONTENT_TYPE, TextRenderer

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Page = Callable[[], tuple[int, str, bytes]]  # () -> (status, content type, body)
SubPage = Callable[[str], tuple[int, str, bytes]]  # (the path after its prefix) -> as Page
_STATUS = {200: "200 OK", 401: "401 Unauthorized", 404: "404 Not Found",
           503: "503 Service Unavailable"}
_CLIENT_TIMEOUT_S = 10.0


def parse_listen(listen: str) -> tuple[str, int]:
    """``127.0.0.1:9187`` or ``[::1]:9187`` -> (host, port)."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"  # noqa: S104 - ":9187" means every address, by choice
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"http.listen: {listen!r} is not host:port")
    return host, int(port)


@dataclass
class BasicAuth:
    """Checks credentials against bcrypt hashes; a good answer is remembered (bcrypt is slow)."""

    users: Mapping[str, str]
    _accepted: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allows(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        digest = self.users.get(user)
        if digest is None:
            return False
        token = hashlib.sha256(f"{user}\0{password}\0{digest}".encode()).hexdigest()
        with self._lock:
            if any(hmac.compare_digest(token, seen) for seen in self._accepted):
                return True
        if not bcrypt.checkpw(password.encode(), digest.encode()):
            return False
        with self._lock:
            self._accepted.add(token)
        return True


def build_app(registry: CollectorRegistry, pages: Mapping[str, Page],
              auth: BasicAuth | None, *, subpages: Mapping[str, SubPage] | None = None,
              page_headers: Mapping[str, Iterable[tuple[str, str]]] | None = None,
              open_paths: frozenset[str] = frozenset()) -> WsgiApp:
    """Route ``/metrics`` to the registry, other paths to ``pages``, and paths under a
    ``subpages`` prefix (``/reports/``) to its function; ``page_headers`` are sent with the
    page of a path (or of its prefix). Every path but ``open_paths`` needs ``auth``."""
    subpages = subpages or {}
    page_headers = page_headers or {}
    renderer = TextRenderer(registry)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if auth is not None and path not in open_paths \
                and not auth.allows(environ.get("HTTP_AUTHORIZATION")):
            start_response(_STATUS[401], [("Content-Type", "text/plain"),
                                          ("WWW-Authenticate", 'Basic realm="pgwatch"')])
            return [b"unauthorized\n"]
        page = pages.get(path)
        if path == "/metrics":
            status, content_type, body = 200, CONTENT_TYPE, renderer.render()
        elif page is not None:
            status, content_type, body = page()
        else:
            status, content_type, body = _subpage(subpages, path)
        headers = [("Content-Type", content_type)]
        headers += page_headers.get(path, ()) or page_headers.get(_prefix(path), ())
        if len(body) > 4096 and "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
            body = gzip.compress(body, compresslevel=1)  # fast: a scrape waits for it
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        start_response(_STATUS.get(status, f"{status} Status"), headers)
        return [body]

    return app


def _prefix(path: str) -> str:
    return path[:path.rfind("/") + 1]


def _subpage(subpages: Mapping[str, SubPage], path: str) -> tuple[int, str, bytes]:
    serve = subpages.get(_prefix(path))
    if serve is None or path.endswith("/"):
        return 404, "text/plain", b"not found\n"
    return serve(path[len(_prefix(path)):])


def json_page(payload: Callable[[], tuple[int, object]]) -> Page:
    """A page whose body is JSON."""
    def page() -> tuple[int, str, bytes]:
        status, body = payload()
        return status, "application/json", json.dumps(body, default=str).encode()
    return page


class _Handler(WSGIRequestHandler):
    timeout = _CLIENT_TIMEOUT_S

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http %s: " + format, self.client_address[0], *args)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = super().get_request()
        if self.tls is not None:
            conn = self.tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        return conn, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("http client %s: connection error", client_address, exc_info=True)


class _Server6(_Server):
    address_family = socket.AF_INET6


class HttpServer:
    """Serves the app on a thread; ``port`` is the bound port (useful with port 0)."""

    def __init__(self, listen: str, app: WsgiApp, tls_cert: Path | None = None,
                 tls_key: Path | None = None) -> None:
        host, port = parse_listen(listen)
        server_class = _Server6 if ":" in host else _Server
        try:
            self._server = make_server(host, port, app, server_class=server_class,
                                       handler_class=_Handler)
        except OSError as exc:
            raise ConfigError(f"http.listen: cannot listen on {listen}: {exc.strerror}") from None
        if tls_cert is not None and tls_key is not None:
            self._server.tls = _tls_context(tls_cert, tls_key)
        self._thread = threading.Thread(target=self._server.serve_forever, name="pgwatch-http",
                                         daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()  # waits for serve_forever, which must be running
        self._server.server_close()


def _tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(cert), str(key))
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"{cert}: http.tls_cert/tls_key: cannot load: {exc}") from None
    return context
