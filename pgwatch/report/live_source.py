"""A report source that reads a live database once: every collector, no history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pgwatch.alerting.model import Alert
from pgwatch.collectors import registry
from pgwatch.collectors.base import as_mapping
from pgwatch.collectors.cycle import collect_once
from pgwatch.collectors.kinds import reads_pgbouncer
from pgwatch.db import connect, probe
from pgwatch.db.session import SessionSettings, describe
from pgwatch.report.plans import QueryPlans
from pgwatch.report.source import AdviceResult, Rows, run_advisor
from pgwatch.store.model import Event, Series

if TYPE_CHECKING:
    from pgwatch.explain.findings.model import Finding

# One read of each view, not a scrape every few seconds: a large catalog may take a while.
STATEMENT_TIMEOUT_MS = 60_000
PGBOUNCER_REASON = "PgBouncer is read through a configured target's pgbouncer dsn (use -c)"


class LiveSource:
    """Reads every collector's rows from ``dsn`` at construction; nothing is kept after."""

    mode = "live"
    history = False

    def __init__(self, dsn: str, where: str = "--dsn") -> None:
        self.dsn = dsn
        self.where = where
        self.target = describe(dsn)
        self._rows: dict[str, Rows] = {}
        self._taken: dict[str, datetime] = {}
        self._missing: dict[str, str] = {}
        self._advice: AdviceResult | None = None
        self._plans = QueryPlans(dsn, where)
        collectors = [c for c in registry.create() if not reads_pgbouncer(c.name)]
        with connect(dsn, SessionSettings(statement_timeout_ms=STATEMENT_TIMEOUT_MS),
                     where=where) as conn:
            server = probe(conn)
            result = collect_once(conn, server, collectors)
        self.server_version = server.version
        for snapshot in result.snapshots:
            self._rows[snapshot.collector] = tuple(as_mapping(r) for r in snapshot.rows)
            self._taken[snapshot.collector] = snapshot.taken_at
        for skipped in result.skipped:
            self._missing[skipped.collector] = skipped.reason
        for error in result.errors:
            self._missing[error.collector] = f"failed: {error.reason}"
        for name in registry.NAMES:
            if reads_pgbouncer(name):
                self._missing[name] = PGBOUNCER_REASON

    def rows(self, collector: str) -> Rows:
        return self._rows.get(collector, ())

    def taken_at(self, collector: str) -> datetime | None:
        return self._taken.get(collector)

    def not_collected(self) -> Mapping[str, str]:
        return self._missing

    def series(self, metric: str, labels: Mapping[str, str], since: datetime,
               until: datetime) -> list[Series]:
        return []

    def alerts(self) -> Sequence[Alert]:
        return ()

    def alert_events(self, since: datetime, until: datetime) -> Sequence[Event]:
        return ()

    def advice(self) -> AdviceResult:
        if self._advice is None:
            self._advice = run_advisor(self.dsn, self.where)
        return self._advice

    def plan_findings(self, query: str, datname: str | None = None
                      ) -> tuple[Finding, ...] | str:
        return self._plans.findings(query, datname)

    def close(self) -> None:
        self._rows.clear()
        self._plans.close()
