"""``pgwatch bench --compare-advice``: the advisor's indexes against migration 0002's.

On one data set at migration 0001: measure ("before"); run read traffic while
``pgwatch advise`` reads pg_stat_statements and samples the literal texts; create the
advisor's ``create_index`` suggestions, measure ("advice"), drop them again; apply 0002,
measure ("0002"). Both speed-ups are p50(before) / p50(phase), per scenario; the verdict
compares the median over the dashboard and leaderboard scenarios, and the index counts.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psycopg import sql

from pgwatch.db.session import connect
from pgwatch.migrations.runner import Runner
from pgwatch.workload import bench, generate
from pgwatch.workload.bench import BenchOptions, Events
from pgwatch.workload.params import PoolParameters, load_pools
from pgwatch.workload.results import BenchRun, PhaseResult
from pgwatch.workload.runner import RunSettings, run_phase, run_scenario

BEFORE, ADVICE, TUNED = "before", "advice", "0002"
COUNTED = ("dashboard", "leaderboard")
GOAL = 0.8  # the advice's median speed-up must reach 80 % of 0002's
TRAFFIC_SLICE_S = 0.25


@dataclass(frozen=True, slots=True)
class AdviceComparison:
    """The three phases, what the advisor suggested, and how many indexes each side made."""

    run: BenchRun
    applied: tuple[str, ...]
    validated: bool
    advise_seconds: float
    migration_indexes: int


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    category: str
    before_ms: float
    advice_ms: float
    tuned_ms: float

    @property
    def advice_ratio(self) -> float:
        return self.before_ms / self.advice_ms if self.advice_ms > 0 else math.nan

    @property
    def tuned_ratio(self) -> float:
        return self.before_ms / self.tuned_ms if self.tuned_ms > 0 else math.nan


def run(options: BenchOptions, events: Events, sample_seconds: float = 20.0,
        top: int = 50) -> AdviceComparison:
    """Measure before, with the advice, and with 0002, on the same data."""
    if options.fresh:
        # A database of our own: the advisor reads pg_stat_statements, which it lacks.
        with connect(options.dsn, bench._session()) as conn:
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
    load_seconds = bench._prepare_for_comparison(options, events)
    with connect(options.dsn, bench._session()) as conn:
        params = PoolParameters(load_pools(conn))
        rows = generate.row_counts(conn)
        version = bench._server_version(conn)
    params.check(options.scenarios)
    reads = tuple(s for s in options.scenarios if not s.writes)
    phases = [_measure(options, BEFORE, params, events)]
    began = time.monotonic()
    advice = _advise(options.dsn, reads, params, sample_seconds, top)
    advise_seconds = time.monotonic() - began
    applied = tuple(str(r["sql"]) for r in advice["recommendations"]
                    if r["kind"] == "create_index")
    names = tuple(str(r["evidence"]["index"]) for r in advice["recommendations"]
                  if r["kind"] == "create_index")
    events.migrating(f"advice ({len(applied)} indexes)")
    _ddl(options.dsn, applied)
    try:
        phases.append(_measure(options, ADVICE, params, events))
    finally:
        _ddl(options.dsn, [sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(
            sql.Identifier("public", n)).as_string(None) for n in names])
    before_count = _index_count(options.dsn)
    events.migrating("0002")
    Runner(options.dsn).up(to=bench.INDEXES_VERSION)
    created = _index_count(options.dsn) - before_count
    phases.append(_measure(options, TUNED, params, events))
    result = BenchRun(datetime.now(UTC).isoformat(timespec="seconds"), version, options.scale,
                      options.run.duration_s, options.run.concurrency, load_seconds,
                      tuple(phases), rows)
    validated = all(r["validated"] for r in advice["recommendations"]
                    if r["kind"] == "create_index")
    return AdviceComparison(result, applied, validated, advise_seconds, created)


def _measure(options: BenchOptions, name: str, params: PoolParameters,
             events: Events) -> PhaseResult:
    bench._vacuum(options.dsn)
    scenarios = bench.runnable(options.dsn, options.scenarios)
    events.phase(name, len(scenarios))
    result = run_phase(options.dsn, name, scenarios, params, options.run,
                       on_scenario=events.scenario)
    events.phase_done(name)
    return result


def _advise(dsn: str, reads: tuple[Any, ...], params: PoolParameters, sample_seconds: float,
            top: int) -> dict[str, Any]:
    """The advisor's JSON document, taken while read traffic runs (for literal examples)."""
    from pgwatch.explain.advisor.render import as_document
    from pgwatch.explain.advisor.run import AdviseOptions, advise

    stop = threading.Event()
    traffic = threading.Thread(target=_traffic, args=(dsn, reads, params, stop),
                               name="advice-traffic", daemon=True)
    traffic.start()
    try:
        return as_document(advise(dsn, AdviseOptions(top=top, sample_seconds=sample_seconds)))
    finally:
        stop.set()
        traffic.join(timeout=120)


def _traffic(dsn: str, reads: tuple[Any, ...], params: PoolParameters,
             stop: threading.Event) -> None:
    settings = RunSettings(duration_s=TRAFFIC_SLICE_S, concurrency=2, warmup_calls=0, seed=7)
    conns = [connect(dsn, bench._session()) for _ in range(settings.concurrency)]
    try:
        while not stop.is_set():
            for scenario in bench.runnable(dsn, reads):
                if stop.is_set():
                    return
                run_scenario(conns, scenario, params, settings)
    finally:
        for conn in conns:
            conn.close()


def _ddl(dsn: str, statements: Any) -> None:
    with connect(dsn, bench._session()) as conn:
        for statement in statements:
            conn.execute(statement if isinstance(statement, sql.Composed)
                         else sql.SQL(statement))


def _index_count(dsn: str) -> int:
    with connect(dsn, bench._session()) as conn:
        row = conn.execute(sql.SQL("SELECT count(*) FROM pg_catalog.pg_indexes "
                                   "WHERE schemaname = 'public'")).fetchone()
    return int(str(row[0])) if row else 0


def comparison_rows(comparison: AdviceComparison) -> list[Row]:
    before, advice, tuned = comparison.run.phases
    found = []
    for scenario in before.scenarios:
        a, t = advice.get(scenario.name), tuned.get(scenario.name)
        if a is not None and t is not None:
            found.append(Row(scenario.name, scenario.category, scenario.p50_ms, a.p50_ms,
                             t.p50_ms))
    return found


def medians(found: list[Row]) -> dict[str, tuple[float, float]]:
    """Per counted category and over both: (advice median speed-up, 0002 median speed-up)."""
    groups = {c: [r for r in found if r.category == c] for c in COUNTED}
    groups["dashboard+leaderboard"] = [r for r in found if r.category in COUNTED]
    return {name: (statistics.median(r.advice_ratio for r in group),
                   statistics.median(r.tuned_ratio for r in group))
            for name, group in groups.items() if group}


def met(comparison: AdviceComparison) -> bool:
    advice, tuned = medians(comparison_rows(comparison))["dashboard+leaderboard"]
    return advice >= GOAL * tuned and len(comparison.applied) <= comparison.migration_indexes


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else (f"{value:.3f}" if value < 10 else f"{value:.1f}")


def report(comparison: AdviceComparison) -> str:
    """Markdown: per scenario, the medians, the verdict, and the indexes the advice created."""
    found = comparison_rows(comparison)
    lines = ["| scenario | category | p50 0001 ms | p50 advice ms | p50 0002 ms | "
             "advice speed-up | 0002 speed-up |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r.name} | {r.category} | {_ms(r.before_ms)} | {_ms(r.advice_ms)} | "
              f"{_ms(r.tuned_ms)} | {r.advice_ratio:.2f}x | {r.tuned_ratio:.2f}x |"
              for r in found if r.category in COUNTED]
    lines += ["", "| median p50 speed-up | advice | 0002 | advice / 0002 |",
              "| --- | ---: | ---: | ---: |"]
    for name, (advice, tuned) in medians(found).items():
        lines.append(f"| {name} | {advice:.2f}x | {tuned:.2f}x | {advice / tuned:.0%} |")
    verdict = "met" if met(comparison) else "missed"
    lines += ["", f"goal (advice median >= {GOAL:.0%} of 0002's, no more indexes than 0002): "
              f"**{verdict}**; indexes: advice {len(comparison.applied)} "
              f"({'validated with hypopg' if comparison.validated else 'not validated'}, "
              f"advise took {comparison.advise_seconds:.1f} s), 0002 "
              f"{comparison.migration_indexes}", "", "advice applied:", ""]
    lines += [f"    {statement};" for statement in comparison.applied]
    return "\n".join(lines)
