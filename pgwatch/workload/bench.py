"""``pgwatch bench`` end to end: prepare the data, run the phases, return what was measured.

With ``compare_migrations`` the database must be empty or at migration 0001: 0001 is applied
if needed, the data is loaded once, the scenarios run ("before"), migration 0002 is applied
and the write scenarios run again (the naive triggers with the new indexes, which separates
what the indexes and what the new triggers of 0003 bring), then 0003 is applied and every
scenario runs again on the same data ("after"). Every phase starts from a vacuumed, analysed
database and draws its parameters from the same pools; a phase that runs tuned forms first
refreshes the materialized views they read, and the refresh is timed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import psycopg
from psycopg import sql

from pgwatch.db.session import SessionSettings, connect
from pgwatch.migrations import ledger
from pgwatch.migrations.runner import Runner
from pgwatch.sql import load_sql
from pgwatch.workload import catalog, generate
from pgwatch.workload.catalog import Scenario
from pgwatch.workload.generate import WorkloadError
from pgwatch.workload.params import PoolParameters, load_pools
from pgwatch.workload.results import BenchRun, PhaseResult
from pgwatch.workload.runner import RunSettings, run_phase

PACKAGE = "pgwatch.workload.sql"
BEFORE_VERSION = 1
INDEXES_VERSION = 2
# The write scenarios again between 0002 and 0003: naive triggers, but with the indexes.
INDEXES_PHASE = "writes-on-0002"
Connection = psycopg.Connection[tuple[object, ...]]


class Events:
    """Callbacks through which the CLI shows progress; the defaults do nothing."""

    def loading(self, step: str, weight: int) -> None:
        """A generator step started (weight 0) or finished (its share of the load)."""

    def migrating(self, target: str) -> None:
        """Migrations up to ``target`` are being applied."""

    def phase(self, name: str, scenarios: int) -> None:
        """A phase of ``scenarios`` scenarios begins."""

    def scenario(self, scenario: Scenario) -> None:
        """A scenario begins."""

    def phase_done(self, name: str) -> None:
        """Every scenario of the phase has run."""


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """Everything one bench run needs."""

    dsn: str
    scale: float
    run: RunSettings
    scenarios: tuple[Scenario, ...]
    compare_migrations: bool = False
    # An empty database of our own (embedded): apply 0001, load, then apply the rest.
    fresh: bool = False


def _session() -> SessionSettings:
    return SessionSettings(read_only=False, untracked=False, statement_timeout_ms=0,
                           lock_timeout_ms=10_000)


def _applied_version(dsn: str) -> int:
    with connect(dsn, _session()) as conn:
        return len(ledger.read(conn).applied)


def _prepare_for_comparison(options: BenchOptions, events: Events) -> float | None:
    version = _applied_version(options.dsn)
    if version > BEFORE_VERSION:
        raise WorkloadError(f"--compare-migrations: the database is at migration {version}; it "
                            f"needs an empty database or one at migration {BEFORE_VERSION} "
                            f"(pgwatch migrate down --to {BEFORE_VERSION})")
    if version == 0:
        events.migrating("0001")
        Runner(options.dsn).up(to=BEFORE_VERSION)
    return _load_if_empty(options, events)


def _load_if_empty(options: BenchOptions, events: Events) -> float | None:
    """Load data at ``scale`` into an empty schema; reuse data already there (None)."""
    with connect(options.dsn, _session()) as conn:
        if not generate.schema_present(conn):
            raise WorkloadError("--dsn: the database has no Mile Quest schema "
                                "(public.activities); run pgwatch migrate up --dsn DSN, or "
                                "use --compare-migrations on an empty database")
        if generate.row_counts(conn)["activities"]:
            return None
    return generate.load(options.dsn, options.scale, progress=events.loading).seconds


def _vacuum(dsn: str) -> None:
    """Same starting point for every phase: no dead rows from earlier writes, fresh statistics."""
    with connect(dsn, _session()) as conn:
        for table in generate.TABLES:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier("public", table)))


def runnable(dsn: str, scenarios: tuple[Scenario, ...]) -> tuple[Scenario, ...]:
    """What a phase runs now: tuned forms where their relations exist (see catalog.plan)."""
    needed = {name for scenario in scenarios
              for form in (scenario, scenario.tuned) if form is not None
              for name in form.requires}
    with connect(dsn, _session()) as conn:
        present = {name for name in needed if _exists(conn, name)}
    return catalog.plan(scenarios, present)


def _exists(conn: Connection, name: str) -> bool:
    row = conn.execute(load_sql(PACKAGE, "relation_exists").encode(), {"name": name}).fetchone()
    return bool(row and row[0])


def refresh_views(dsn: str, scenarios: tuple[Scenario, ...]) -> dict[str, float]:
    """Refresh every materialized view a tuned form reads, concurrently; seconds per view.

    A tuned read is as current as the last refresh: this is what one refresh costs now, and it
    makes the tuned forms of the phase read the same data as the live ones.
    """
    views = sorted({name for s in scenarios if s.form == catalog.TUNED for name in s.requires})
    took = {}
    with connect(dsn, _session()) as conn:
        for view in views:
            identifier = sql.Identifier(*view.split(".", 1))
            began = time.monotonic()
            conn.execute(sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}").format(identifier))
            took[view] = time.monotonic() - began
            conn.execute(sql.SQL("ANALYZE {}").format(identifier))
    return took


def _phase(options: BenchOptions, name: str, params: PoolParameters, events: Events,
           refreshed: dict[str, float]) -> PhaseResult:
    _vacuum(options.dsn)
    scenarios = runnable(options.dsn, options.scenarios)
    refreshed.update(refresh_views(options.dsn, scenarios))
    events.phase(name, len(scenarios))
    result = run_phase(options.dsn, name, scenarios, params, options.run,
                       on_scenario=events.scenario)
    events.phase_done(name)
    return result


def _server_version(conn: Connection) -> str:
    row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def _compare_phases(options: BenchOptions, params: PoolParameters, events: Events,
                    refreshed: dict[str, float]) -> tuple[list[PhaseResult], float]:
    """before (0001), the writes on 0001+0002 (naive triggers with indexes), after (0003)."""
    phases = [_phase(options, "before", params, events, refreshed)]
    writes = tuple(s for s in options.scenarios if s.writes)
    began = time.monotonic()
    events.migrating("0002")
    Runner(options.dsn).up(to=INDEXES_VERSION)
    spent = time.monotonic() - began
    if writes:
        phases.append(_phase(replace(options, scenarios=writes), INDEXES_PHASE, params, events,
                             refreshed))
    began = time.monotonic()
    events.migrating("0003")
    Runner(options.dsn).up()
    spent += time.monotonic() - began
    phases.append(_phase(options, "after", params, events, refreshed))
    return phases, spent


def run(options: BenchOptions, events: Events | None = None) -> BenchRun:
    """Prepare the database, measure every phase, and return the run."""
    events = events or Events()
    if options.compare_migrations or options.fresh:
        load_seconds = _prepare_for_comparison(options, events)
    else:
        load_seconds = _load_if_empty(options, events)
    with connect(options.dsn, _session()) as conn:
        params = PoolParameters(load_pools(conn))
        rows = generate.row_counts(conn)
        version = _server_version(conn)
    params.check(options.scenarios)
    migrate_seconds = None
    refreshed: dict[str, float] = {}
    if options.compare_migrations:
        phases, migrate_seconds = _compare_phases(options, params, events, refreshed)
    else:
        if options.fresh:
            events.migrating("latest")
            Runner(options.dsn).up()
        phases = [_phase(options, "run", params, events, refreshed)]
    return BenchRun(datetime.now(UTC).isoformat(timespec="seconds"), version, options.scale,
                    options.run.duration_s, options.run.concurrency, load_seconds,
                    tuple(phases), rows, migrate_seconds, refreshed)
