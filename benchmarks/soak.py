"""Soak: ``pgwatch run`` with alerting, a webhook receiver and scheduled reports, watching the
Mile Quest workload on an embedded PostgreSQL for a while; RSS, open files, threads, store
size and outbox depth sampled from outside the process, and drawn as an SVG chart.

    python -m benchmarks.soak --minutes 30 --svg docs/soak.svg --json /tmp/soak.json

Every five minutes a session is left idle in a transaction for a minute and a deadlock is
made, so alerts fire and resolve and notifications go through the outbox to the receiver.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pygal

from pgwatch.alerting.rules import default_rules_dir
from pgwatch.db.session import SessionSettings, connect
from pgwatch.demo_alerts import Provocations, write_demo_rules
from pgwatch.embedded import EmbeddedPostgres, free_port
from pgwatch.migrations.runner import Runner
from pgwatch.workload.generate import load
from pgwatch.workload.traffic import Traffic

PROVOKE_EVERY_S = 300.0


@dataclass(frozen=True, slots=True)
class Sample:
    minute: float
    rss_mib: float
    open_files: int
    threads: int
    store_mib: float
    outbox: float
    scrape_ms: float
    notifications: int


class _Hook(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def _receiver() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def _config(folder: Path, pg: EmbeddedPostgres, port: int, hook: int) -> Path:
    config = folder / "pgwatch.yaml"
    config.write_text(
        "targets:\n"
        f"  - name: soak\n    host: {pg.host}\n    port: {pg.port}\n    dbname: postgres\n"
        "    user: postgres\n    password: ${SOAK_PASSWORD}\n"
        "defaults:\n  collectors:\n    statements: {interval: 15s}\n"
        "    mile_quest_views: {interval: 15s}\n    mile_quest_triggers: {interval: 15s}\n"
        "    activity: {interval: 5s}\n    database: {interval: 5s}\n"
        f"alerting:\n  rules: [{default_rules_dir()}, {write_demo_rules(folder)}]\n"
        "  evaluation_interval: 5s\n"
        "  receivers:\n    - name: hook\n      repeat_interval: 5m\n"
        f"      webhook: {{url: 'http://127.0.0.1:{hook}/'}}\n"
        f"reports:\n  interval: 10m\n  directory: {folder / 'reports'}\n"
        f"store:\n  path: {folder / 'history.db'}\n"
        f"http:\n  listen: 127.0.0.1:{port}\n", encoding="utf-8")
    return config


def _prepare(pg: EmbeddedPostgres, scale: float) -> None:
    with connect(pg.dsn(), SessionSettings(read_only=False)) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    Runner(pg.dsn()).up(to=1)
    load(pg.dsn(), scale)
    Runner(pg.dsn()).up()


def _proc(pid: int) -> tuple[float, int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    rss_kib = int(fields["VmRSS"].split()[0])
    return rss_kib / 1024, len(os.listdir(f"/proc/{pid}/fd")), int(fields["Threads"])


def _scrape(port: int) -> tuple[float, float]:
    began = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        body = answer.read().decode()
    took = (time.monotonic() - began) * 1000
    depth = sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
                if line.startswith("pgwatch_outbox_depth{"))
    return took, depth


def _sample(began: float, pid: int, port: int, folder: Path) -> Sample:
    rss, files, threads = _proc(pid)
    store = sum(p.stat().st_size for p in folder.glob("history.db*"))
    took, depth = _scrape(port)
    return Sample(round((time.monotonic() - began) / 60, 2), round(rss, 1), files, threads,
                  round(store / 2**20, 2), depth, round(took, 1), _Hook.received)


def soak(minutes: float, every_s: float, major: int, scale: float) -> list[Sample]:
    folder = Path(tempfile.mkdtemp(prefix="pgwatch-soak-"))
    samples: list[Sample] = []
    with EmbeddedPostgres(major) as pg, _receiver() as hook:
        _prepare(pg, scale)
        port = free_port()
        config = _config(folder, pg, port, hook)
        traffic = Traffic(pg.dsn())
        traffic.start()
        daemon = subprocess.Popen(
            [sys.executable, "-m", "pgwatch", "run", "-c", str(config), "--log-format", "json"],
            stdout=subprocess.DEVNULL, stderr=(folder / "pgwatch.log").open("wb"),
            env={**os.environ, "SOAK_PASSWORD": pg.password})
        print(f"soak: pid {daemon.pid}, folder {folder}", file=sys.stderr, flush=True)
        try:
            _watch(daemon, port, folder, pg.dsn(), minutes=minutes, every_s=every_s,
                   samples=samples)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=120)
            traffic.stop()
    print(f"soak: log and store left in {folder}", file=sys.stderr)
    return samples


def _watch(daemon: subprocess.Popen[bytes], port: int, folder: Path, dsn: str, *,
           minutes: float, every_s: float, samples: list[Sample]) -> None:
    began = time.monotonic()
    next_provocation = began + 60
    time.sleep(20)
    while time.monotonic() - began < minutes * 60:
        assert daemon.poll() is None, "pgwatch exited"
        if time.monotonic() >= next_provocation:
            Provocations(dsn).start()
            next_provocation += PROVOKE_EVERY_S
        samples.append(_sample(began, daemon.pid, port, folder))
        print(json.dumps(asdict(samples[-1])), file=sys.stderr, flush=True)
        time.sleep(every_s)


def chart(samples: list[Sample], path: Path) -> None:
    """RSS, store size (MiB), open files and threads against minutes, on one small chart."""
    figure = pygal.XY(width=720, height=320, show_dots=False, js=[], legend_at_bottom=True,
                      x_title="minutes", title="pgwatch run, 30 min soak on Mile Quest")
    for name in ("rss_mib", "store_mib", "open_files", "threads", "outbox"):
        figure.add(name, [(s.minute, getattr(s, name)) for s in samples])
    path.write_bytes(figure.render())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--every", type=float, default=15, help="seconds between samples")
    parser.add_argument("--major", type=int, default=18)
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--svg", type=Path, default=Path("docs/soak.svg"))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    samples = soak(args.minutes, args.every, args.major, args.scale)
    chart(samples, args.svg)
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(s) for s in samples], indent=1))
    for s in samples[:: max(1, len(samples) // 10)] + samples[-1:]:
        print(f"{s.minute:6.1f} min  rss {s.rss_mib:6.1f} MiB  files {s.open_files:3d}  "
              f"threads {s.threads:3d}  store {s.store_mib:6.2f} MiB  outbox {s.outbox:g}  "
              f"scrape {s.scrape_ms:.1f} ms  notifications {s.notifications}")


if __name__ == "__main__":
    main()
