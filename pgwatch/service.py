"""The composition root of ``pgwatch run``: config -> store, daemon, exposition, HTTP.

Nothing else wires these together; each part knows only the contracts it consumes.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry

from pgwatch.alerting.api import GroupStatus, alerts_page, rules_page
from pgwatch.alerting.service import AlertingService, first_round, instance_name
from pgwatch.clock import WallClockWatch
from pgwatch.collectors import registry
from pgwatch.config import Config
from pgwatch.daemon import Catalog, Daemon, RunState
from pgwatch.daemon.claims import ShardClaim
from pgwatch.exposition.baselines import BaselineCollector
from pgwatch.exposition.bounds import configured_bounds
from pgwatch.exposition.http import BasicAuth, HttpServer, Page, SubPage, build_app, json_page
from pgwatch.exposition.metrics import SnapshotCollector
from pgwatch.exposition.self_metrics import SelfCollector
from pgwatch.memory import release_free_memory
from pgwatch.sharding import Shard
from pgwatch.store import Store
from pgwatch.store.baselines import BaselinePolicy
from pgwatch.store.configured import open_configured_store
from pgwatch.store.health import StoreHealth

if TYPE_CHECKING:
    from pgwatch.report.schedule import ReportScheduler

log = logging.getLogger(__name__)
RETENTION_EVERY_S = 600.0
TRIM_EVERY_S = 5.0


def default_catalog() -> Catalog:
    """Every collector pgwatch ships."""
    return Catalog(names=registry.NAMES,
                   create=lambda name, options: registry.create([name], {name: options})[0])


@dataclass
class Service:
    """Everything ``pgwatch run`` starts, in the order it starts and stops them."""

    daemon: Daemon
    store: Store
    http: HttpServer
    state: RunState
    alerting: AlertingService | None = None
    reports: ReportScheduler | None = None
    claim: ShardClaim | None = None
    health: StoreHealth | None = None
    _housekeeper: threading.Thread | None = None
    _stopping: threading.Event | None = None

    @classmethod
    def from_config(cls, config_path: Path, catalog: Catalog | None = None,
                    shard: Shard | None = None) -> Service:
        state = RunState()
        daemon_ = Daemon(config_path, catalog or default_catalog(), state=state, shard=shard)
        config = daemon_.config
        # Its own connection to the store: refuses to start when another process runs the shard.
        claim = ShardClaim.take(open_configured_store(config, config_path.parent), daemon_.shard)
        store = open_configured_store(config, config_path.parent)
        health = StoreHealth(store.write, store.size_bytes)
        health.refresh_size()
        daemon_.sinks = (health.write,)
        metrics = CollectorRegistry(auto_describe=False)
        bounds = configured_bounds(config.metrics.statements_top_n, config.metrics.objects_top_n)
        metrics.register(SnapshotCollector(state, bounds))
        metrics.register(SelfCollector(state, store_status=health.status))
        metrics.register(BaselineCollector(
            state, store, BaselinePolicy(period=timedelta(seconds=config.metrics.baseline_period)),
            config.metrics.baseline_refresh))
        try:
            alerting = AlertingService.from_config(config.alerting, config_path.parent, store,
                                                   metrics, warmed_up=first_round(state),
                                                   owner=instance_name(config))
        except Exception:
            store.close()
            claim.release()
            raise
        reports = _report_scheduler(config, config_path.parent, store)
        pages = {"/healthz": json_page(lambda: (200, {"status": "ok"})),
                 "/readyz": json_page(lambda: _readiness(state, health)),
                 **_alerting_pages(alerting)}
        subpages: dict[str, SubPage] = {}
        headers = {}
        if reports is not None:
            from pgwatch.report.schedule import security_headers

            pages |= {"/report": reports.newest_page, "/reports": reports.list_page}
            subpages["/reports/"] = reports.file_page
            headers = dict.fromkeys(("/report", "/reports", "/reports/"), security_headers())
        app = build_app(metrics, pages, _auth(config), subpages=subpages, page_headers=headers,
                        open_paths=_open_paths(config))
        http = HttpServer(config.http.listen, app, config.http.tls_cert, config.http.tls_key)
        return cls(daemon_, store, http, state, alerting, reports, claim=claim, health=health)

    def start(self) -> None:
        # The wall clock's offset is taken before anything runs: a step from here on is seen.
        clock = WallClockWatch()
        self.http.start()
        self.daemon.start()
        if self.claim is not None:
            self.claim.start()
        if self.alerting is not None:
            self.alerting.start()
        if self.reports is not None:
            self.reports.start()
        self._stopping = threading.Event()
        self._housekeeper = threading.Thread(target=self._housekeeping, args=(clock,),
                                           daemon=True, name="pgwatch-housekeeping")
        self._housekeeper.start()
        log.info("serving http://%s/metrics", self.daemon.config.http.listen)

    def run_until(self, stop: threading.Event, hangup: threading.Event,
                  duration: float = 0) -> None:
        """Block until ``stop`` is set (or ``duration`` s pass), reloading on ``hangup``."""
        deadline = time.monotonic() + duration if duration else float("inf")
        while not stop.wait(0.2) and time.monotonic() < deadline:
            if hangup.is_set():
                hangup.clear()
                self.reload()

    def reload(self) -> None:
        """SIGHUP: the targets (the daemon's config), then the rule files; each part that
        does not load is logged and keeps running as it was."""
        self.daemon.reload()
        config = self.daemon.config
        if self.alerting is not None:
            self.alerting.reload(config.alerting, self.daemon.config_path.parent)
        elif config.alerting.rules:
            log.warning("alerting: alerting.rules was empty at start: restart pgwatch to "
                        "evaluate the rules now configured")

    def stop(self) -> None:
        """In-flight collections finish and are stored; then the store is closed."""
        if self._stopping is not None:
            self._stopping.set()
        self.http.stop()
        if self.reports is not None:
            self.reports.stop()
        self.daemon.stop()
        if self.alerting is not None:
            self.alerting.stop()
        if self._housekeeper is not None:
            self._housekeeper.join(timeout=30)
        self.store.close()
        if self.claim is not None:
            self.claim.release()

    def _housekeeping(self, clock: WallClockWatch) -> None:
        """Return freed memory and measure the store every few seconds; apply the store's
        retention now and then; re-plan the collections when ``clock`` says the wall clock
        stepped."""
        assert self._stopping is not None
        next_retention = time.monotonic() + RETENTION_EVERY_S
        while not self._stopping.wait(TRIM_EVERY_S):
            release_free_memory()
            step = clock.stepped()
            if step:
                log.warning("the wall clock stepped by %+.0f s: every collection runs now", step)
                self.daemon.clock_stepped()
            elif pulled := self.daemon.pull_in_far_runs():
                log.warning("%d job(s) were planned further ahead than their interval (the wall "
                            "clock went forward and back?): they run now", pulled)
            if self.health is not None:
                self.health.refresh_size()
            if time.monotonic() < next_retention:
                continue
            next_retention = time.monotonic() + RETENTION_EVERY_S
            began = time.monotonic()
            try:
                self.store.retention(datetime.now(UTC))
            except Exception:
                log.exception("store retention failed")
                continue
            log.debug("store retention took %.2f s", time.monotonic() - began)


def _report_scheduler(config: Config, base_dir: Path, store: Store) -> ReportScheduler | None:
    """Scheduled reports when ``reports.interval`` is set."""
    if config.reports.interval is None:
        return None
    from pgwatch.config import target_dsn
    from pgwatch.report.schedule import ReportScheduler, ScheduledTarget

    targets = [ScheduledTarget(t.name, target_dsn(t, base_dir), f"targets[{i}]")
               for i, t in enumerate(config.targets)]
    return ReportScheduler(config.reports, base_dir, targets, store)


def _readiness(state: RunState, health: StoreHealth) -> tuple[int, object]:
    ready, late = state.ready()
    store = health.status()
    ready = ready and not store.failing
    body: dict[str, object] = {"ready": ready, "late": late}
    if store.failing:
        body["store"] = store.last_error
    return (200 if ready else 503), body


def _alerting_pages(alerting: AlertingService | None) -> dict[str, Page]:
    """Prometheus' /api/v1/alerts and /api/v1/rules (empty lists without rules)."""
    def groups() -> tuple[GroupStatus, ...]:
        return alerting.groups() if alerting is not None else ()
    return {"/api/v1/alerts": json_page(lambda: (200, alerts_page(groups()))),
            "/api/v1/rules": json_page(lambda: (200, rules_page(groups())))}


def _open_paths(config: Config) -> frozenset[str]:
    return frozenset({"/healthz"}) if config.http.healthz_without_auth else frozenset()


def _auth(config: Config) -> BasicAuth | None:
    return BasicAuth(config.http.basic_auth) if config.http.basic_auth else None
