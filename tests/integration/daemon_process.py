"""``pgwatch run`` as a child process for the fault tests: started on a free port with its
log in a file, scraped and read over HTTP, stopped by its pid."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from pgwatch.embedded import free_port


def target_yaml(dsn: str, name: str = "main", extra: str = "") -> str:
    """One ``targets:`` entry for ``dsn`` (the password through ${TEST_PG_PASSWORD})."""
    params = conninfo_to_dict(dsn)
    return (f"  - name: {name}\n    host: {params['host']}\n    port: {params['port']}\n"
            f"    dbname: {params['dbname']}\n    user: {params['user']}\n"
            "    password: ${TEST_PG_PASSWORD}\n" + extra)


@dataclass
class DaemonProcess:
    process: subprocess.Popen[bytes]
    port: int
    config: Path
    log: Path

    def get(self, path: str, timeout: float = 5) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}",
                                        timeout=timeout) as answer:
                return int(answer.status), bytes(answer.read())
        except urllib.error.HTTPError as refused:
            return int(refused.code), bytes(refused.read())

    def metric(self, name: str, **labels: str) -> float | None:
        """The value of the first sample of ``name`` carrying ``labels``."""
        status, body = self.get("/metrics")
        assert status == 200, body
        for line in body.decode().splitlines():
            match = re.match(rf"^{re.escape(name)}(\{{.*\}})? (\S+)$", line)
            if match and all(f'{k}="{v}"' in (match.group(1) or "") for k, v in labels.items()):
                return float(match.group(2))
        return None

    def wait_for(self, check: Callable[[], bool], what: str, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"pgwatch exited: {self.log_text()[-3000:]}"
            try:
                if check():
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise AssertionError(f"{what}: not within {within} s; log: {self.log_text()[-3000:]}")

    def wait_ready(self, within: float = 60) -> None:
        """/readyz answers 200 and some collector has run."""
        self.wait_for(lambda: self.get("/readyz")[0] == 200
                      and b"pgwatch_collector_runs_total{" in self.get("/metrics")[1],
                      "ready", within)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def messages(self) -> list[str]:
        return [str(json.loads(line).get("message", "")) for line in self.log_text().splitlines()
                if line.startswith("{")]

    def stop(self, sig: signal.Signals = signal.SIGTERM, within: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=within)


@contextmanager
def running_daemon(folder: Path, body: str, password: str = "",
                   env: Mapping[str, str] | None = None,
                   wrapper: tuple[str, ...] = ()) -> Iterator[DaemonProcess]:
    """``pgwatch run`` on ``body`` (YAML without ``http:``), JSON logs in ``folder/pgwatch.log``."""
    port = free_port()
    config = folder / "pgwatch.yaml"
    config.write_text(body + f"http:\n  listen: 127.0.0.1:{port}\n", encoding="utf-8")
    log = folder / "pgwatch.log"
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [*wrapper, sys.executable, "-m", "pgwatch", "run", "-c", str(config),
             "--log-format", "json"],
            stdout=sink, stderr=sink,
            env={**os.environ, "TEST_PG_PASSWORD": password, **(env or {})})
    daemon = DaemonProcess(process, port, config, log)
    try:
        yield daemon
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
