"""Real receivers for alert delivery tests: Alertmanager, a local HTTP receiver, SMTP."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pgwatch.embedded import free_port
from tests.waiting import wait_until

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"




class HookReceiver:
    """An HTTP server on loopback that records every JSON body POSTed to it."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[tuple[str, Any]] = []
        self.status = status
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"null")
                if owner.status == 200:
                    owner.bodies.append((self.path, body))
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Alertmanager:
    """Debian's Alertmanager on a free loopback port, routing everything to ``hook_url``."""

    def __init__(self, folder: Path, hook_url: str, *, prefix: str = "",
                 users: dict[str, str] | None = None) -> None:
        """``prefix``: --web.route-prefix; ``users``: basic auth, user -> bcrypt hash."""
        self.folder = folder
        self.port = free_port()
        self.prefix = prefix
        self.users = users or {}
        self.credentials: tuple[str, str] | None = None  # used by this helper's own reads
        self.config = folder / "alertmanager.yml"
        self.config.write_text(
            "route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 0s\n"
            "  group_interval: 1s\n  repeat_interval: 1h\n"
            "receivers:\n  - name: hook\n    webhook_configs:\n"
            f"      - url: {hook_url}\n        send_resolved: true\n")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _open(self, path: str, timeout: float) -> Any:
        request = urllib.request.Request(f"{self.url}{self.prefix}{path}")
        if self.credentials is not None:
            token = base64.b64encode(":".join(self.credentials).encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        return urllib.request.urlopen(request, timeout=timeout)

    def start(self) -> None:
        extra = [f"--web.route-prefix={self.prefix}"] if self.prefix else []
        if self.users:
            web = self.folder / "web.yml"
            web.write_text("basic_auth_users:\n" + "".join(
                f"  {user}: '{digest}'\n" for user, digest in self.users.items()))
            extra.append(f"--web.config.file={web}")
        self.process = subprocess.Popen(
            [ALERTMANAGER, *extra, f"--config.file={self.config}",
             f"--storage.path={self.folder / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address=",
             "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=(self.folder / "alertmanager.log").open("ab"))
        wait_until(self._ready, what="alertmanager ready")

    def _ready(self) -> bool:
        assert self.process is not None and self.process.poll() is None, "alertmanager died"
        try:
            with self._open("/-/ready", timeout=2) as answer:
                return int(answer.status) == 200
        except urllib.error.HTTPError as refused:
            return refused.code == 401  # up, and asking for the credentials it was given
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)
        self.process = None

    def alerts(self) -> list[dict[str, Any]]:
        """Alertmanager's own view: GET /api/v2/alerts (active, unresolved)."""
        with self._open("/api/v2/alerts", timeout=5) as answer:
            return list(json.loads(answer.read()))

    def active(self) -> dict[str, dict[str, Any]]:
        return {a["labels"]["alertname"]: a for a in self.alerts()}
