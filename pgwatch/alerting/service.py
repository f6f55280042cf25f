"""The evaluator of ``pgwatch run``: sample /metrics' registry, evaluate, persist, queue.

Every evaluation interval one thread: samples the in-process registry that /metrics renders
into a ``SeriesWindow`` (one scrape, so vanished series get stale markers as in Prometheus),
trims the window to the longest range plus offset a loaded rule reads, evaluates every group
that is due, and hands the alerts to the dispatcher, which commits state and notifications
in one store transaction. One error boundary per cycle: a failure is logged, the next cycle
runs.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypedDict

from prometheus_client import CollectorRegistry

from pgwatch.alerting.api import AlertingCollector, GroupStatus, Outbox, RuleStatus
from pgwatch.alerting.model import Alert, RuleGroup
from pgwatch.alerting.notifiers import first_line
from pgwatch.alerting.notifiers.configured import alertmanagers, receivers
from pgwatch.alerting.notifiers.dispatch import Dispatcher, Timing
from pgwatch.alerting.outbox import RetryPolicy
from pgwatch.alerting.promql import (
    SeriesWindow,
    metric_names,
    names_every_metric,
    window_needed_ms,
)
from pgwatch.alerting.promql.ast import Expr
from pgwatch.alerting.reload import carry_over, tick_interval
from pgwatch.alerting.scrape import RegistryScraper
from pgwatch.alerting.state import GroupRunner
from pgwatch.config.models import AlertingConfig, Config
from pgwatch.daemon.state import RunState
from pgwatch.errors import PgwatchError
from pgwatch.store import Store

log = logging.getLogger(__name__)
SCOPE = "/metrics"
WARM_UP_CAP_S = 300.0


def instance_name(config: Config) -> str:
    """Whose alert state and outbox rows are whose in a store: ``alerting.instance``, else
    "" for a SQLite file (one per pgwatch), else host name and listen address for a
    PostgreSQL store that several pgwatch instances may share."""
    if config.alerting.instance:
        return config.alerting.instance
    if config.store.backend == "sqlite":
        return ""
    return f"{socket.gethostname()} {config.http.listen}"


def rule_paths(config: AlertingConfig, base_dir: Path) -> list[Path]:
    """The configured rule files (a relative path is the config file's)."""
    return [p if p.is_absolute() else base_dir / p for p in config.rules]


class _Delivery(TypedDict):
    timing: Timing
    external_labels: dict[str, str]
    keep_per_receiver: int
    retry: RetryPolicy


def _delivery(config: AlertingConfig) -> _Delivery:
    """The dispatcher's settings from the ``alerting`` configuration."""
    return _Delivery(timing=Timing(config.resend_delay, config.evaluation_interval),
                     external_labels=dict(config.external_labels),
                     keep_per_receiver=config.outbox.max_entries,
                     retry=RetryPolicy(config.outbox.retry_initial, config.outbox.retry_max))


def first_round(state: RunState, cap_s: float = WARM_UP_CAP_S) -> Callable[[], bool]:
    """True once every scheduled job has run once (or ``cap_s`` passed): before that, a
    restored alert would resolve only because its collector has not reported yet."""
    started = time.monotonic()

    def done() -> bool:
        if time.monotonic() - started > cap_s:
            return True
        jobs = state.jobs()
        return bool(jobs) and all(j.last_run_at > 0 or j.skipped_reason for j in jobs)
    return done


def kept_metrics(exprs: Sequence[Expr]) -> frozenset[str] | None:
    """The metric names the window keeps; None (every metric) when a selector does not name
    its metric with ``=`` (``{__name__=~"a|b"}``, ``{target="db1"}``): no list foresees those."""
    if all(names_every_metric(e) for e in exprs):
        return frozenset[str]().union(*(metric_names(e) for e in exprs))
    return None


class AlertingService:
    """Rules evaluated over what /metrics shows; alerts persisted and delivered."""

    def __init__(self, groups: Sequence[RuleGroup], registry: CollectorRegistry,
                 dispatcher: Dispatcher, interval_s: float, *,
                 external_labels: dict[str, str] | None = None, external_url: str = "",
                 warmed_up: Callable[[], bool] | None = None) -> None:
        self.registry = registry
        self.warmed_up = warmed_up or (lambda: True)
        self._warm = False
        self.dispatcher = dispatcher
        self.interval_s = interval_s
        self.external_labels = dict(external_labels or {})
        self.external_url = external_url
        self.runners: list[GroupRunner] = []
        self.keep: frozenset[str] | None = frozenset()
        self.window_ms = 0
        self.tick_s = interval_s
        self.window = SeriesWindow(self.keep)
        self.scraper = RegistryScraper(registry, self.keep)
        self._due: dict[int, float] = {}
        self._lock = threading.Lock()
        self._evaluating = threading.Lock()  # a reload waits for the cycle under way
        self._install(groups, [GroupRunner(g, external_labels=external_labels,
                                           external_url=external_url) for g in groups])
        self._groups: tuple[GroupStatus, ...] = ()
        self._cycle = (0.0, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="pgwatch-rules")

    @classmethod
    def from_config(cls, config: AlertingConfig, base_dir: Path, store: Store,
                    registry: CollectorRegistry, *,
                    warmed_up: Callable[[], bool] | None = None,
                    owner: str = "") -> AlertingService | None:
        """The evaluator the config asks for; None when no rule file is configured."""
        if not config.rules:
            if config.alertmanagers or config.receivers:
                log.warning("alerting: receivers are configured but alerting.rules is empty: "
                            "nothing will be evaluated or sent")
            return None
        from pgwatch.alerting.rules import load_rules
        from pgwatch.exposition.reference import exposed_names

        groups = load_rules(rule_paths(config, base_dir), exposed_names())
        dispatcher = Dispatcher(store, alertmanagers(config, base_dir),
                                receivers(config, base_dir), **_delivery(config), owner=owner)
        service = cls(groups, registry, dispatcher, config.evaluation_interval,
                      external_labels=dict(config.external_labels),
                      external_url=config.external_url, warmed_up=warmed_up)
        registry.register(service.collector())
        return service

    def collector(self) -> AlertingCollector:
        return AlertingCollector(self.groups, self._outbox, lambda: self._cycle)

    def start(self) -> None:
        """Take back the persisted alerts, start the receivers' workers and the evaluator."""
        restored = self.dispatcher.restore()
        for runner in self.runners:
            runner.restore(restored)
        self._publish()
        self.dispatcher.start()
        self._thread.start()
        rules = sum(len(r.group.rules) for r in self.runners)
        log.info("alerting: %d rule(s) in %d group(s), every %g s, window %g s, %d alert(s) "
                 "restored", rules, len(self.runners), self.tick_s, self.window_ms / 1000,
                 len(restored))
        if self.keep is None:
            log.info("alerting: a rule selects series without naming the metric (such as "
                     "{__name__=~...}): the window keeps every metric /metrics exposes")

    def reload(self, config: AlertingConfig, base_dir: Path) -> bool:
        """Load the rule files and the delivery settings again (SIGHUP): Alertmanagers,
        receivers, evaluation interval, external labels and URL, outbox limits. A broken rule
        file is logged, naming its file and line, and everything running is kept; so is a
        receiver whose secret file cannot be read. Unchanged rules keep their alerts."""
        from pgwatch.alerting.rules import load_rules
        from pgwatch.exposition.reference import exposed_names

        try:
            groups = load_rules(rule_paths(config, base_dir), exposed_names())
        except PgwatchError as exc:
            log.error("alerting: rules reload refused, keeping the running rules: %s", exc)
            return False
        try:
            targets = alertmanagers(config, base_dir), receivers(config, base_dir)
        except PgwatchError as exc:
            log.error("alerting: receivers reload refused, keeping the running rules and "
                      "receivers: %s", exc)
            return False
        with self._evaluating:
            self.interval_s = config.evaluation_interval
            self.external_labels = dict(config.external_labels)
            self.external_url = config.external_url
            runners, carried = carry_over(self.runners, groups,
                                          external_labels=self.external_labels,
                                          external_url=self.external_url)
            self._install(groups, runners)
            retired = self.dispatcher.reconfigure(*targets, **_delivery(config))
            self._publish()
        for worker in retired:
            worker.stop()
        self.dispatcher.resume()
        rules = sum(len(g.rules) for g in groups)
        log.info("alerting: rules reloaded: %d rule(s) in %d group(s) (%d unchanged, their "
                 "alerts kept), every %g s; %d Alertmanager(s), %d receiver(s)", rules,
                 len(groups), carried, self.tick_s, len(targets[0]), len(targets[1]))
        return True

    def _install(self, groups: Sequence[RuleGroup], runners: list[GroupRunner]) -> None:
        exprs = [r.expr for g in runners for r in g.rules]
        self.keep = kept_metrics(exprs)
        self.window_ms = max((window_needed_ms(e) for e in exprs), default=0)
        self.window.retain(self.keep)
        self.scraper.keep = self.keep
        self.tick_s = tick_interval(self.interval_s, groups)
        self.runners = runners
        self._due = {id(r): 0.0 for r in runners}

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self.dispatcher.stop()

    def groups(self) -> tuple[GroupStatus, ...]:
        with self._lock:
            return self._groups

    def alerts(self) -> list[Alert]:
        return [a for g in self.groups() for r in g.rules for a in r.alerts]

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                self.tick()
            except Exception as exc:
                log.error("alerting: evaluation cycle failed: %s", first_line(exc),
                          exc_info=log.isEnabledFor(logging.DEBUG))
            self._stop.wait(max(0.0, self.tick_s - (time.monotonic() - began)))

    def tick(self, now: float | None = None) -> list[Alert]:
        """One cycle at ``now`` (Unix seconds): sample, trim, evaluate due groups, dispatch."""
        with self._evaluating:
            return self._tick(now)

    def _tick(self, now: float | None) -> list[Alert]:
        began = time.perf_counter()
        at = time.time() if now is None else now
        at_ms = round(at * 1000)
        self.window.scrape(at_ms, self.scraper.samples(), SCOPE)
        self.window.trim(at_ms - self.window_ms)
        if not self._warm and not self.warmed_up():
            return []  # the first collections are not in yet: absent is not "resolved"
        self._warm = True
        alerts: list[Alert] = []
        evaluated = not self.runners  # no rule: the empty state is committed all the same
        for runner in self.runners:
            if at >= self._due[id(runner)]:
                runner.evaluate(self.window, at_ms)
                evaluated = True
                interval = runner.group.interval_s or self.interval_s
                self._due[id(runner)] = at + interval - self.tick_s / 2  # the tick's jitter
            alerts.extend(runner.alerts())
        if evaluated:  # a tick that only sampled (a slower group not due) changes nothing
            self.dispatcher.dispatch(alerts, at)
        self._cycle = (time.perf_counter() - began, self.window.point_count())
        self._publish()
        return alerts

    def _publish(self) -> None:
        groups = tuple(_group_status(r, self.interval_s) for r in self.runners)
        with self._lock:
            self._groups = groups

    def _outbox(self) -> Outbox:
        stats = self.dispatcher.stats.snapshot()
        # Memory only, as of the last dispatch: a scrape never waits on the store (which a
        # retention run or a hung PostgreSQL store may hold).
        depth = dict(self.dispatcher.depth)
        return Outbox(depth, stats["sent"], stats["failed"],
                      stats["dropped"])


def _group_status(runner: GroupRunner, interval_s: float) -> GroupStatus:
    rules = tuple(RuleStatus(r.rule, tuple(r.alerts()), r.health, r.last_error,
                             r.last_evaluation_ms / 1000, r.evaluation_duration_s)
                  for r in runner.rules)
    return GroupStatus(runner.group.name, runner.group.file,
                       runner.group.interval_s or interval_s, runner.group.limit, rules,
                       runner.last_evaluation_ms / 1000, runner.evaluation_duration_s)
