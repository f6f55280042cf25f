"""``pgwatch demo``: the whole product on a throwaway PostgreSQL, until told to stop.

An embedded server gets the Mile Quest schema, a small data set and its tuning migrations;
the workload runs against it while the daemon collects and serves /metrics. Everything is
stopped and removed at the end, by the duration or by Ctrl-C.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pgwatch.alerting.rules import default_rules_dir
from pgwatch.db.session import SessionSettings, connect
from pgwatch.demo_alerts import AlertTour, write_demo_rules
from pgwatch.doctor import Status, examine
from pgwatch.embedded import EmbeddedPostgres
from pgwatch.migrations.runner import Runner
from pgwatch.service import Service
from pgwatch.shutdown import stop_event, wait_for
from pgwatch.workload.generate import load
from pgwatch.workload.traffic import Traffic

Echo = Callable[[str], None]
STEPS = 6
PASSWORD_VARIABLE = "PGWATCH_DEMO_PASSWORD"  # noqa: S105 - the name of a variable


@dataclass(frozen=True, slots=True)
class DemoOptions:
    major: int
    duration: float = 0.0
    scale: float = 0.02
    port: int = 9187


def run_demo(options: DemoOptions, echo: Echo) -> None:
    """Prepare everything, show where to look, and keep it running until stopped."""
    folder = Path(tempfile.mkdtemp(prefix="pgwatch-demo-"))
    try:
        echo(f"[1/{STEPS}] starting PostgreSQL {options.major} on 127.0.0.1 ...")
        with EmbeddedPostgres(options.major) as pg, stop_event() as stop:
            echo(f"      ready in {pg.startup_seconds:.1f} s")
            _prepare(pg, options, echo)
            service, traffic = _start(pg, options, folder, echo)
            tour = AlertTour(pg.dsn(), service.alerting, echo)
            try:
                _announce(pg, service, options, echo)
                tour.start()
                wait_for(stop, options.duration)
                echo("stopping ...")
            finally:
                tour.stop()
                traffic.stop()
                service.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    echo("stopped; nothing left running")


def _prepare(pg: EmbeddedPostgres, options: DemoOptions, echo: Echo) -> None:
    with _step(echo, 2, "creating the Mile Quest schema (migration 0001)"):
        with connect(pg.dsn(), SessionSettings(read_only=False, untracked=False)) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        Runner(pg.dsn()).up(to=1)
    with _step(echo, 3, f"loading data (scale {options.scale:g})"):
        report = load(pg.dsn(), options.scale)
        echo(f"      {report.rows.get('users', 0):,} users, "
             f"{report.rows.get('activities', 0):,} activities")
    with _step(echo, 4, "applying the tuning migrations (0002 indexes, 0003 triggers)"):
        Runner(pg.dsn()).up()


def _start(pg: EmbeddedPostgres, options: DemoOptions, folder: Path,
           echo: Echo) -> tuple[Service, Traffic]:
    with _step(echo, 5, "starting the workload and the pgwatch daemon"):
        os.environ[PASSWORD_VARIABLE] = pg.password
        service = Service.from_config(_config(folder, pg, _port(options.port)))
        traffic = Traffic(pg.dsn())
        service.start()
        traffic.start()
    return service, traffic


def _announce(pg: EmbeddedPostgres, service: Service, options: DemoOptions,
              echo: Echo) -> None:
    with _step(echo, 6, "examining the server (pgwatch doctor)"):
        result = examine("demo", pg.dsn())
        warnings = sum(c.status is Status.WARN for c in result.checks)
        echo(f"      PostgreSQL {result.info.version}: {warnings} warning(s)")
    base = f"http://127.0.0.1:{service.http.port}"
    echo(f"\nmetrics:    {base}/metrics\nreadiness:  {base}/readyz\n"
         f"database:   {pg.socket_dsn()}\n"
         f"try:        pgwatch collect --once --dsn '{pg.socket_dsn()}'")
    echo(f"alerts:     {base}/api/v1/alerts  (or: pgwatch alerts --url {base}); a session "
         "idle in a transaction and a deadlock are on their way")
    echo("Ctrl-C stops everything and removes it." if not options.duration
         else f"Everything stops by itself in {options.duration:g} s.")


def _config(folder: Path, pg: EmbeddedPostgres, port: int) -> Path:
    config = folder / "pgwatch.yaml"
    config.write_text(
        "targets:\n"
        f"  - name: demo\n    host: {pg.host}\n    port: {pg.port}\n    dbname: postgres\n"
        f"    user: postgres\n    password: ${{{PASSWORD_VARIABLE}}}\n"
        "    labels: {env: demo}\n"
        # Shorter intervals than in production, so the demo has something to show at once.
        "defaults:\n  collectors:\n"
        "    database_size: {interval: 30s}\n    table_size: {interval: 30s}\n"
        "    bloat: {interval: 1m}\n    statements: {interval: 10s}\n"
        "    mile_quest_views: {interval: 5s}\n    mile_quest_triggers: {interval: 5s}\n"
        "    activity: {interval: 5s}\n    database: {interval: 5s}\n"
        f"alerting:\n  rules: [{default_rules_dir()}, {write_demo_rules(folder)}]\n"
        "  evaluation_interval: 5s\n"
        f"store:\n  path: {folder / 'history.db'}\n"
        f"http:\n  listen: 127.0.0.1:{port}\n")
    return config


def _port(wanted: int) -> int:
    """The wanted port when free, else any free one (a second demo must not fail)."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", wanted))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _step(echo: Echo, number: int, what: str) -> Iterator[None]:
    echo(f"[{number}/{STEPS}] {what} ...")
    began = time.monotonic()
    yield
    echo(f"      done in {time.monotonic() - began:.1f} s")
