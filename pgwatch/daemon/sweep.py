"""One scheduled sweep: the per-database collectors of one interval, in every database in turn.

A target that discovers databases runs its per-database collectors here rather than as
jobs of their own: each sweep visits every watched database once, on one of the instance's
lanes, runs the collectors due at this interval there, and hands one snapshot per
collector to the sinks, every row labelled ``datname``. The cardinality bound therefore
applies to the instance as a whole, and a dropped database simply leaves the next snapshot
(its series end; the store keeps its history until retention removes it).

A collector's ``timeout`` applies in each database on its own: a database where it runs
out (or fails otherwise) is that collector's error for that database, its rows are left
out of the snapshot as those of a database that cannot be reached, and the sweep goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg

from pgwatch.collectors.base import Collector, Skipped, Snapshot
from pgwatch.collectors.cycle import CollectorError, run_collector
from pgwatch.daemon.databases import StoppingError, database_info, in_database, label_rows
from pgwatch.daemon.jobs import Sink, budget
from pgwatch.daemon.state import RunState
from pgwatch.daemon.targets import TargetRuntime
from pgwatch.db.probe import ServerInfo
from pgwatch.db.session import explain
from pgwatch.discovery import Discovery
from pgwatch.errors import PgwatchError

log = logging.getLogger(__name__)


@dataclass
class _Harvest:
    """What one collector gathered over the databases of one sweep."""

    rows: list[Any] = field(default_factory=list)
    duration_s: float = 0.0
    ran: int = 0
    skipped: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (datname, reason)

    def failure(self) -> str:
        """The run's error as one line: the first database's reason, and how many more."""
        dbname, reason = self.errors[0]
        more = f" (and {len(self.errors) - 1} more database(s))" if len(self.errors) > 1 else ""
        return f"database {dbname}: {reason}{more}"


@dataclass
class DatabaseSweep:
    """Runs ``collectors`` in every database of ``target``, one lane at a time."""

    target: TargetRuntime
    collectors: tuple[Collector, ...]
    interval_s: float
    state: RunState
    sinks: tuple[Sink, ...]
    # Each collector's statement_timeout in seconds; the session's when it has none.
    budgets: Mapping[str, float] = field(default_factory=dict)

    def __call__(self) -> None:
        """The scheduler's entry point; nothing escapes it."""
        target = self.target
        if target.stopping.is_set() or not target.backoff.may_try():
            return
        try:
            self._sweep()
        finally:
            assert target.databases is not None
            self.state.discovered(target.databases.status())

    def _sweep(self) -> None:
        began, taken_at = time.monotonic(), datetime.now(UTC)
        try:
            instance, found = self._discover()
        except (PgwatchError, psycopg.Error) as exc:
            self._instance_failed(explain(exc) if isinstance(exc, psycopg.Error) else str(exc),
                                  time.monotonic() - began)
            return
        try:
            harvests = self._visit_all(instance, found)
        except StoppingError:
            return  # a partial sweep would end the series of the databases not yet visited
        elapsed = time.monotonic() - began
        self._log_pace(len(found.watched), elapsed)
        for collector in self.collectors:
            self._record(collector, harvests[collector.name], taken_at, elapsed)

    def _log_pace(self, databases: int, elapsed: float) -> None:
        # Past half its interval, a sweep is worth a line: more databases would overrun it.
        level = logging.INFO if elapsed > self.interval_s / 2 else logging.DEBUG
        log.log(level, "target %s: %d database(s) swept in %.2f s (every %g s: %s)",
                self.target.name, databases, elapsed, self.interval_s,
                ", ".join(c.name for c in self.collectors), extra={"target": self.target.name})

    def _discover(self) -> tuple[ServerInfo, Discovery]:
        assert self.target.databases is not None
        with self.target.session("discovery") as (conn, server):
            if not isinstance(server, ServerInfo):
                raise PgwatchError(f"target {self.target.name!r}: not a PostgreSQL server")
            found = self.target.databases.current(lambda read: read(conn))
        return server, found

    def _visit_all(self, instance: ServerInfo, found: Discovery) -> dict[str, _Harvest]:
        harvests = {c.name: _Harvest() for c in self.collectors}
        assert self.target.lanes is not None
        for dbname in found.watched:
            if self.target.stopping.is_set():
                raise StoppingError
            try:
                with self.target.lanes.connection(dbname, self.target.stopping) as conn:
                    server = database_info(conn, instance, dbname)
                    for collector in self.collectors:
                        self._run(conn, server, collector, harvests[collector.name])
            except (PgwatchError, psycopg.Error) as exc:
                reason = explain(exc) if isinstance(exc, psycopg.Error) else str(exc)
                log.warning("target %s: database %s skipped this sweep: %s", self.target.name,
                            dbname, reason, extra={"target": self.target.name})
                for harvest in harvests.values():
                    harvest.errors.append((dbname, reason))
                assert self.target.databases is not None
                self.target.databases.stale()
        return harvests

    def _run(self, conn: psycopg.Connection[Any], server: ServerInfo, collector: Collector,
             harvest: _Harvest) -> None:
        session_ms = self.target.settings.statement_timeout_ms
        budget_ms = round(self.budgets.get(collector.name, session_ms / 1000) * 1000)
        with budget(conn, server, budget_ms, session_ms):
            outcome = run_collector(conn, server, collector, target=self.target.name)
        if isinstance(outcome, Snapshot):
            harvest.rows.extend(label_rows(outcome.rows, collector.row_type, server.database))
            harvest.duration_s += outcome.duration_s
            harvest.ran += 1
        elif isinstance(outcome, Skipped):
            harvest.skipped = outcome.reason
        elif isinstance(outcome, CollectorError):
            harvest.duration_s += outcome.duration_s
            harvest.errors.append((server.database, outcome.reason))
            log.warning("target %s: database %s: collector %s failed: %s", self.target.name,
                        server.database, collector.name, outcome.reason,
                        extra={"target": self.target.name, "database": server.database,
                               "collector": collector.name})

    def _record(self, collector: Collector, harvest: _Harvest, taken_at: datetime,
                elapsed: float) -> None:
        name, target = collector.name, self.target.name
        self.state.target_up(target, True)
        if self.target.backoff.succeeded():
            log.info("target %s is back (%s)", target, name, extra={"target": target})
        self._count_errors(name, harvest)
        if harvest.errors and not harvest.ran:
            self.state.failed(target, name, harvest.failure(), harvest.duration_s)
            return
        if not harvest.ran:
            self.state.skipped(target, name, harvest.skipped or "no database watched")
            return
        snapshot = Snapshot(target=target, collector=name, taken_at=taken_at,
                            duration_s=harvest.duration_s, rows=tuple(harvest.rows),
                            row_type=in_database(collector.row_type))
        for sink in self.sinks:
            try:
                sink(snapshot)
            except Exception:
                log.exception("storing %s/%s failed", target, name)
        self.state.succeeded(snapshot, overran=elapsed > self.interval_s)
        if harvest.errors:
            self.state.also_failed(target, name, harvest.failure())

    def _count_errors(self, collector: str, harvest: _Harvest) -> None:
        databases = self.target.databases
        if databases is not None and harvest.errors:
            databases.failed_in(collector, [dbname for dbname, _ in harvest.errors])

    def _instance_failed(self, reason: str, elapsed: float) -> None:
        was_down = self.target.backoff.down
        wait = self.target.backoff.failed(reason)
        self.target.forget_server()
        self.state.target_up(self.target.name, False)
        for collector in self.collectors:
            self.state.failed(self.target.name, collector.name, reason, elapsed)
        if not was_down:
            log.warning("target %s is down: %s (retrying in %.0f s, backing off)",
                        self.target.name, reason, wait,
                        extra={"target": self.target.name, "reason": reason})
