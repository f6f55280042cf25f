"""One scheduled job: one collector on one target, behind its own error boundary."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pgwatch.collectors.base import BouncerInfo, Collector, Skipped, Snapshot, TargetInfo
from pgwatch.collectors.cycle import run_collector
from pgwatch.daemon.backoff import Backoff
from pgwatch.daemon.state import RunState
from pgwatch.daemon.targets import TargetRuntime
from pgwatch.db.session import explain
from pgwatch.errors import PgwatchError, PoolBusyError

log = logging.getLogger(__name__)
Sink = Callable[[Snapshot], object]  # what a sink returns is not used
# A collector whose last snapshot had more rows than this (statements, tables, indexes at
# scale), or that has not reported yet, waits for the target's large-read turn: one such
# read at a time per target keeps both the monitored server's load and the daemon's
# memory peak to one catalog-wide read.
LARGE_ROWS = 1_000
TURN_POLL_S = 0.1  # how often a job waiting for its turn looks whether to give it up


@dataclass
class CollectorJob:
    """Runs ``collector`` against ``target`` and hands the snapshot to the sinks."""

    target: TargetRuntime
    collector: Collector
    interval_s: float
    timeout_s: float
    state: RunState
    sinks: tuple[Sink, ...]
    last_rows: int | None = field(default=None, init=False)

    def __call__(self) -> None:
        """The scheduler's entry point; nothing escapes it."""
        name, target = self.collector.name, self.target
        if target.stopping.is_set() or not target.backoff_for(name).may_try():
            return
        began = time.monotonic()
        try:
            outcome = self._run()
        except TurnGivenUpError:
            return
        except PoolBusyError as exc:  # the target answers: this collector's run failed
            log.warning("job %s/%s: %s", target.name, name, exc, extra={"target": target.name})
            self.state.failed(target.name, name, str(exc), time.monotonic() - began)
            return
        except (PgwatchError, psycopg.Error) as exc:
            self._target_failed(explain(exc) if isinstance(exc, psycopg.Error) else str(exc),
                                time.monotonic() - began)
            return
        except Exception as exc:
            log.exception("job %s/%s raised", target.name, name)
            self.state.failed(target.name, name, f"{type(exc).__name__}: {exc}",
                              time.monotonic() - began)
            return
        self._record(outcome, time.monotonic() - began)

    def _run(self) -> Snapshot | Skipped | object:
        with self._turn(), self.target.session(self.collector.name) as (conn, server), \
                budget(conn, server, round(self.timeout_s * 1000),
                       self.target.settings.statement_timeout_ms):
            return run_collector(conn, server, self.collector, target=self.target.name)

    def _turn(self) -> AbstractContextManager[Any]:
        if self.last_rows is None or self.last_rows > LARGE_ROWS:
            return large_read_turn(self.target, self.target.backoff_for(self.collector.name))
        return nullcontext()

    def _record(self, outcome: object, elapsed: float) -> None:
        target, name = self.target.name, self.collector.name
        if self.target.backoff_for(name).succeeded():
            log.info("target %s is back (%s)", target, name, extra={"target": target})
        self.state.target_up(target, True)
        if isinstance(outcome, Snapshot):
            self.last_rows = len(outcome.rows)
            self._deliver(outcome)
            self.state.succeeded(outcome, overran=elapsed > self.interval_s)
        elif isinstance(outcome, Skipped):
            self.state.skipped(target, name, outcome.reason)
        else:
            reason = str(getattr(outcome, "reason", outcome))
            self.state.failed(target, name, reason, elapsed)

    def _deliver(self, snapshot: Snapshot) -> None:
        for sink in self.sinks:
            try:
                sink(snapshot)
            except Exception:
                # A full disk must not stop collection; the next snapshot tries again.
                log.exception("storing %s/%s failed", snapshot.target, snapshot.collector)

    def _target_failed(self, reason: str, elapsed: float) -> None:
        target, backoff = self.target, self.target.backoff_for(self.collector.name)
        was_down = backoff.down
        wait = backoff.failed(reason)
        if backoff is target.backoff:
            target.forget_server()
            self.state.target_up(target.name, False)
        self.state.failed(target.name, self.collector.name, reason, elapsed)
        if not was_down:
            log.warning("target %s is down: %s (retrying in %.0f s, backing off)",
                        target.name, reason, wait,
                        extra={"target": target.name, "reason": reason})


class TurnGivenUpError(Exception):
    """The job gave up its turn: pgwatch is stopping, or the target went down meanwhile."""


@contextmanager
def large_read_turn(target: TargetRuntime, backoff: Backoff) -> Iterator[None]:
    """Wait for the target's large-read turn, unless pgwatch stops or the target goes down.

    Every job of a target may queue here; once one of them finds the target down, the
    others must not each wait out a connect timeout in turn, nor hold up a shutdown.
    """
    while not target.large_reads.acquire(timeout=TURN_POLL_S):
        if target.stopping.is_set() or not backoff.may_try():
            raise TurnGivenUpError
    try:
        if target.stopping.is_set() or not backoff.may_try():
            raise TurnGivenUpError
        yield
    finally:
        target.large_reads.release()


@contextmanager
def budget(conn: psycopg.Connection[Any], server: TargetInfo, budget_ms: int,
           session_ms: int) -> Iterator[None]:
    """Give one collector its own statement_timeout when it differs from the session's.

    Only then: every SET is a statement of its own on the monitored server.
    """
    if budget_ms == session_ms or isinstance(server, BouncerInfo):
        yield
        return
    conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(budget_ms)))
    try:
        yield
    finally:
        if not conn.closed and not conn.broken:
            conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(session_ms)))
