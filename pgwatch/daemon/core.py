"""The daemon: owns the scheduler, the target pools and the sinks; reloads and stops in order.

One APScheduler job per (target, collector), jittered so targets do not poll in lockstep,
never two runs of the same job at once (``max_instances=1``), late runs coalesced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from pgwatch.clock import planned_too_far
from pgwatch.collectors import registry
from pgwatch.collectors.base import Collector
from pgwatch.collectors.kinds import Scope, reads_pgbouncer
from pgwatch.config import Config, TargetConfig, load_config
from pgwatch.config.models import CollectorSettings
from pgwatch.daemon.jobs import CollectorJob, Sink
from pgwatch.daemon.state import RunState
from pgwatch.daemon.sweep import DatabaseSweep
from pgwatch.daemon.targets import TargetRuntime
from pgwatch.errors import ConfigError
from pgwatch.sharding import Shard

log = logging.getLogger(__name__)
CollectorFactory = Callable[[str, Mapping[str, Any]], Collector]
_MAX_JITTER_S = 5.0
_SHUTDOWN_GRACE_S = 30.0


@dataclass(frozen=True, slots=True)
class Catalog:
    """The collectors the daemon may schedule: their names and how to make one."""

    names: Sequence[str]
    create: CollectorFactory


class Daemon:
    """Collect every enabled collector of every configured target until stopped."""

    def __init__(self, config_path: Path, catalog: Catalog, sinks: Sequence[Sink] = (),
                 state: RunState | None = None, workers: int = 4, *,
                 shard: Shard | None = None) -> None:
        self.config_path = config_path
        self.catalog = catalog
        self.shard = shard or Shard(1, 1)
        self.sinks = tuple(sinks)
        self.state = state or RunState()
        self.config: Config = load_config(config_path)
        self.targets: dict[str, TargetRuntime] = {}
        # Kept across reloads: a collector may remember things (query ids whose text it read).
        self._collectors: dict[tuple[str, str], tuple[Collector, dict[str, Any]]] = {}
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )

    def start(self) -> None:
        """Open the pools (without waiting for the targets) and schedule every job."""
        self._apply(self.config)
        self._scheduler.start()
        log.info("pgwatch running: %d target(s), %d job(s)", len(self.targets),
                 len(self._scheduler.get_jobs()))

    def reload(self) -> bool:
        """Re-read the config; a broken one is logged and the running one kept."""
        try:
            new = load_config(self.config_path)
        except ConfigError as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            return False
        self._apply(new)
        self.config = new
        log.info("configuration reloaded: %d target(s), %d job(s)", len(self.targets),
                 len(self._scheduler.get_jobs()))
        return True

    def stop(self) -> None:
        """Let in-flight jobs finish (those still waiting for a turn give it up), then close
        the pools."""
        for runtime in self.targets.values():
            runtime.stopping.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        for runtime in self.targets.values():
            runtime.close()
        log.info("pgwatch stopped")

    def clock_stepped(self) -> None:
        """The wall clock stepped: every job runs now and keeps its interval from there
        (after a step back the scheduler would otherwise wait out the step)."""
        now = datetime.now(UTC)
        for job in self._scheduler.get_jobs():
            job.modify(next_run_time=now)

    def pull_in_far_runs(self) -> int:
        """Run now every job planned further ahead than its interval allows (see
        ``pgwatch.clock.planned_too_far``), and have the scheduler look at its plan again (its
        sleep was measured on the wall clock too); returns how many were pulled in."""
        now = datetime.now(UTC)
        far = [job for job in self._scheduler.get_jobs() if isinstance(job.trigger, IntervalTrigger)
               and planned_too_far(job.next_run_time, now, job.trigger.interval.total_seconds()
                                   + (job.trigger.jitter or 0))]
        for job in far:
            job.modify(next_run_time=now)
        self._scheduler.wakeup()
        return len(far)

    def owned(self, config: Config) -> list[TargetConfig]:
        """The configured targets this process's shard owns."""
        return [t for t in config.targets if self.shard.owns(t.name)]

    def _apply(self, config: Config) -> None:
        base_dir = self.config_path.parent
        owned = self.owned(config)
        if self.shard.count > 1:
            log.info("shard %s owns %d of %d target(s): %s", self.shard, len(owned),
                     len(config.targets), ", ".join(t.name for t in owned) or "none")
        wanted = {t.name: TargetRuntime.from_config(config, t, base_dir) for t in owned}
        for name in list(self.targets):
            if name not in wanted or not self.targets[name].same_connection(wanted[name]):
                self.targets.pop(name).close()
                self._collectors = {k: v for k, v in self._collectors.items() if k[0] != name}
                if name not in wanted:
                    self.state.forget_target(name)
        for name, runtime in wanted.items():
            if name not in self.targets:
                runtime.open()
                self.targets[name] = runtime
        for target in owned:
            self.state.set_target_labels(target.name, dict(target.labels))
        self._schedule(config, owned)

    def _schedule(self, config: Config, owned: list[TargetConfig]) -> None:
        self._scheduler.remove_all_jobs()
        for target in owned:
            runtime = self.targets[target.name]
            sweeps: dict[float, list[Collector]] = {}
            budgets: dict[str, float] = {}
            for name in self.catalog.names:
                settings = config.collector_for(target, name)
                if not settings.enabled or (reads_pgbouncer(name) and target.pgbouncer is None):
                    continue
                if runtime.databases is not None and registry.scope(name) is Scope.DATABASE:
                    collector = self._collector(runtime, name, settings)
                    every = settings.interval or collector.default_interval_s
                    sweeps.setdefault(every, []).append(collector)
                    if settings.timeout:
                        budgets[name] = settings.timeout
                    continue
                self._add_job(runtime, name, settings)
            for every, collectors in sorted(sweeps.items()):
                self._add_sweep(runtime, every, collectors, budgets)

    def _collector(self, runtime: TargetRuntime, name: str,
                   settings: CollectorSettings) -> Collector:
        key = (runtime.name, name)
        collector, options = self._collectors.get(key, (None, None))
        if collector is None or options != settings.options:
            collector = self.catalog.create(name, settings.options)
        self._collectors[key] = (collector, dict(settings.options))
        return collector

    def _add_sweep(self, runtime: TargetRuntime, every: float, collectors: list[Collector],
                   budgets: Mapping[str, float]) -> None:
        for collector in collectors:
            self.state.register(runtime.name, collector.name, every)
        sweep = DatabaseSweep(runtime, tuple(collectors), every, self.state, self.sinks,
                              {c.name: budgets[c.name] for c in collectors if c.name in budgets})
        job_id = f"{runtime.name}/databases@{every:g}s"
        self._scheduler.add_job(
            sweep, IntervalTrigger(seconds=every, jitter=min(_MAX_JITTER_S, every / 10)),
            id=job_id, name=job_id, next_run_time=datetime.now(UTC))

    def _add_job(self, runtime: TargetRuntime, name: str, settings: CollectorSettings) -> None:
        collector = self._collector(runtime, name, settings)
        every = settings.interval or collector.default_interval_s
        budget = settings.timeout or runtime.settings.statement_timeout_ms / 1000
        job = CollectorJob(runtime, collector, every, budget, self.state, self.sinks)
        self.state.register(runtime.name, name, every)
        self._scheduler.add_job(
            job, IntervalTrigger(seconds=every, jitter=min(_MAX_JITTER_S, every / 10)),
            id=f"{runtime.name}/{name}", name=f"{runtime.name}/{name}",
            next_run_time=datetime.now(UTC),
        )

