"""The daemon's scheduled reports: one per target every ``reports.interval``, written into
``reports.directory`` (HTML and its JSON twin), the newest ``reports.keep`` per target kept;
``/report`` serves the newest and ``/reports`` lists them.

Inside the daemon ``Store.latest`` answers from memory, so a scheduled report shows the
newest rows collected, not the store's slower per-object snapshots.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jinja2 import Environment, PackageLoader

from pgwatch.config.models import ReportsConfig
from pgwatch.report.build import build_report
from pgwatch.report.context import Forecast
from pgwatch.report.make import newest_document
from pgwatch.report.output import write_atomically
from pgwatch.report.render import CONTENT_TYPES, as_html, as_json, content_security_policy
from pgwatch.report.store_source import StoreSource
from pgwatch.store.base import Store

log = logging.getLogger(__name__)
NAME = re.compile(r"^report-(?P<target>[A-Za-z0-9_.-]{1,63})-(?P<stamp>\d{8}T\d{6}Z)\.html$")
FIRST_DELAY_S = 60.0  # the first report waits for a first round of collection


@dataclass(frozen=True, slots=True)
class ScheduledTarget:
    name: str
    dsn: str
    where: str


@dataclass(frozen=True, slots=True)
class Listed:
    name: str
    target: str
    made: datetime
    size: int


class ReportScheduler:
    """Builds every target's report on a thread; a failure is logged and the next one runs."""

    def __init__(self, settings: ReportsConfig, base_dir: Path,
                 targets: Sequence[ScheduledTarget], store: Store,
                 first_delay_s: float = FIRST_DELAY_S) -> None:
        self.settings = settings
        folder = settings.directory
        self.directory = folder if folder.is_absolute() else base_dir / folder
        self.targets = tuple(targets)
        self.store = store
        self.first_delay_s = min(first_delay_s, float(settings.interval or first_delay_s))
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="pgwatch-reports", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        interval = float(self.settings.interval or 86400.0)
        delay = self.first_delay_s
        while not self._stopping.wait(delay):
            for target in self.targets:
                try:
                    self.make(target)
                except Exception:
                    log.exception("scheduled report of target %s failed", target.name)
            delay = interval

    def make(self, target: ScheduledTarget, now: datetime | None = None) -> Path:
        """Build, write and prune one target's report; returns the HTML file."""
        now = now or datetime.now(UTC)
        source = StoreSource(self.store, target.name, target.dsn, where=target.where, now=now)
        previous = newest_document(self.directory, target.name)
        forecast = Forecast(self.settings.forecast_database_bytes,
                            self.settings.forecast_table_bytes)
        report = build_report(source, timedelta(seconds=self.settings.window), now=now,
                              previous=previous, forecast=forecast)
        stem = f"report-{target.name}-{now.strftime('%Y%m%dT%H%M%SZ')}"
        write_atomically(self.directory / f"{stem}.json", as_json(report))
        page = self.directory / f"{stem}.html"
        write_atomically(page, as_html(report))
        self._prune(target.name)
        log.info("report of target %s written to %s (grade %s)", target.name, page,
                 report.summary.grade.letter)
        return page

    def _prune(self, target: str) -> None:
        mine = [r for r in self.listing() if r.target == target]
        for old in mine[self.settings.keep:]:
            for suffix in (".html", ".json"):
                (self.directory / old.name).with_suffix(suffix).unlink(missing_ok=True)

    def listing(self) -> list[Listed]:
        """The reports in the directory, newest first."""
        found = []
        if self.directory.is_dir():
            for path in self.directory.iterdir():
                match = NAME.match(path.name)
                if match:
                    made = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                    found.append(Listed(path.name, match["target"], made, path.stat().st_size))
        found.sort(key=lambda r: (r.made, r.name), reverse=True)
        return found

    def newest_page(self) -> tuple[int, str, bytes]:
        """``/report``: the newest report, or 404 before the first one is made."""
        listed = self.listing()
        if not listed:
            return 404, "text/plain", b"no report yet: the first comes after reports.interval\n"
        return 200, CONTENT_TYPES["html"], (self.directory / listed[0].name).read_bytes()

    def list_page(self) -> tuple[int, str, bytes]:
        """``/reports``: the reports kept, newest first."""
        env = Environment(loader=PackageLoader("pgwatch.report", "templates"), autoescape=True)
        body = env.get_template("reports.html.j2").render(
            reports=self.listing(), csp=content_security_policy())
        return 200, CONTENT_TYPES["html"], body.encode()

    def file_page(self, name: str) -> tuple[int, str, bytes]:
        """``/reports/NAME``: one kept report; only names the listing holds are served."""
        if name not in {r.name for r in self.listing()}:
            return 404, "text/plain", b"no such report\n"
        return 200, CONTENT_TYPES["html"], (self.directory / name).read_bytes()


def security_headers() -> tuple[tuple[str, str], ...]:
    """What ``/report`` and ``/reports`` send with their pages."""
    return (("Content-Security-Policy", content_security_policy()),
            ("X-Content-Type-Options", "nosniff"))
