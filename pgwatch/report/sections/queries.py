"""Top queries by total time: latency, share, cache hits, trend, plan findings, regressions.

With history the figures are the window's (reset-aware increases of the stored series),
the latency percentile is the 95th of the per-interval means, and a regression is the last
hour's mean against the mean of the rest of the window. Without history they are the
counters since the statistics reset, and the percentile is estimated from the mean and the
standard deviation as for a normal distribution. pg_stat_statements is the instance's: for
a target that watches several databases each statement names its database, is planned there,
and is matched with that database's advice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pgwatch.report.charts import sparkline
from pgwatch.report.context import (
    NO_HISTORY,
    Context,
    interval_means,
    interval_rates,
    percentile,
    window_increase,
)
from pgwatch.report.datnames import REPORTED, databases_in, datname, with_database
from pgwatch.report.model import Cell, Section, Table
from pgwatch.report.units import (
    as_float,
    count_cell,
    duration_cell,
    ratio_cell,
    text_cell,
)
from pgwatch.store.model import epoch

EXEC = "pgwatch_statements_exec_seconds_total"
CALLS = "pgwatch_statements_calls_total"
Z95 = 1.645
REGRESSION_RATIO = 1.5
REGRESSION_MIN_CALLS = 20
RECENT_S = 3600
QUERY_CHARS = 300
COLUMNS = ("query", "calls", "total time", "mean", "p95 (approx.)", "share", "rows",
           "cache hit", "trend", "plan findings", "regression")


@dataclass(frozen=True, slots=True)
class QueryFigures:
    """The figures of one statement over the window (or since the statistics reset)."""

    row: Mapping[str, Any]
    total_s: float
    calls: float
    mean_s: float | None
    p95_s: float | None
    trend: tuple[float, ...]
    regression: float | None  # recent mean / earlier mean
    windowed: bool = False  # figures of the window (from series), else since the reset


def build(ctx: Context) -> Section:
    rows = ctx.source.rows("statements")
    if not rows:
        reason = ctx.source.not_collected().get("statements", "no statements collected")
        return Section("queries", "Top queries", missing=reason)
    figures = ranked(ctx, rows)
    totals = _totals(ctx, rows)
    shown = figures[:ctx.limits.queries]
    watched = tuple(databases_in(r for name in REPORTED for r in ctx.source.rows(name)))
    cells = [_cells(ctx, f, totals[f.windowed], i < ctx.limits.findings_planned, watched)
             for i, f in enumerate(shown)]
    # pg_stat_statements is the instance's: a statement of a database since dropped has none.
    columns, made = ((COLUMNS, tuple(cells)) if not watched else
                     with_database(COLUMNS, cells, [f.row for f in shown], always=True))
    table = Table("top queries", columns, made, len(rows))
    notes = [] if ctx.source.history else [f"Latency history and regressions: {NO_HISTORY}."]
    regressions = [f for f in shown if f.regression and f.regression >= REGRESSION_RATIO]
    cumulative = totals[False]
    top = sum(as_float(f.row.get("exec_seconds_total")) or 0.0 for f in shown)
    lead = (f"{len(rows):,} statements; the top {len(shown)} took {top / cumulative:.0%} of "
            "the execution time since the statistics reset" if cumulative else
            f"{len(rows):,} statements")
    if any(f.windowed for f in shown):
        notes.append("Figures of statements with stored history are the window's; the others"
                     " (below the store's top-N) are since the statistics reset; each share "
                     "is of the matching total.")
    if regressions:
        lead += f"; {len(regressions)} slower than their own baseline"
    return Section("queries", "Top queries by total time", lead + ".", (table,),
                   notes=tuple(notes))


def regressions(ctx: Context) -> int:
    """How many top statements regressed (for the grade)."""
    found = ranked(ctx, ctx.source.rows("statements"))
    return sum(1 for f in found[:ctx.limits.queries]
               if f.regression and f.regression >= REGRESSION_RATIO)


def ranked(ctx: Context, rows: tuple[Mapping[str, Any], ...]) -> list[QueryFigures]:
    """Statements by total time: with history, those the store followed in the window first
    (its top-N is chosen by activity, so the others did little in the window)."""
    found = [_figures(ctx, r) for r in _candidates(rows, ctx)]
    found.sort(key=lambda f: (not f.windowed, -f.total_s))
    return found


def _candidates(rows: tuple[Mapping[str, Any], ...], ctx: Context) -> list[Mapping[str, Any]]:
    """The statements worth a history read: the top by cumulative time (a superset)."""
    ranked = sorted(rows, key=lambda r: -(as_float(r.get("exec_seconds_total")) or 0.0))
    return ranked[:ctx.limits.queries * 4]


def _totals(ctx: Context, rows: tuple[Mapping[str, Any], ...]) -> dict[bool, float]:
    """The execution time of all statements: over the window (True), since the reset (False)."""
    cumulative = sum(as_float(r.get("exec_seconds_total")) or 0.0 for r in rows)
    window = window_increase(ctx.aggregate(EXEC)) if ctx.source.history else None
    return {True: window or cumulative, False: cumulative}


def _figures(ctx: Context, row: Mapping[str, Any]) -> QueryFigures:
    total = as_float(row.get("exec_seconds_total")) or 0.0
    calls = as_float(row.get("calls_total")) or 0.0
    mean = as_float(row.get("mean_exec_seconds"))
    stddev = as_float(row.get("stddev_exec_seconds"))
    p95 = None if mean is None else mean + Z95 * (stddev or 0.0)
    if not ctx.source.history:
        return QueryFigures(row, total, calls, mean, p95, (), None)
    labels = {"queryid": str(row.get("queryid", ""))}
    exec_series = ctx.series(EXEC, **labels)
    calls_series = ctx.series(CALLS, **labels)
    if not exec_series or not calls_series:
        return QueryFigures(row, total, calls, mean, p95, (), None)
    spans = interval_means(exec_series[0], calls_series[0])
    if spans:
        total = sum(s for _e, s, _n in spans)
        calls = sum(n for _e, _s, n in spans)
        mean = total / calls if calls else mean
        p95 = percentile([s / n for _e, s, n in spans], 0.95)
    trend = tuple(interval_rates(exec_series[0]))
    return QueryFigures(row, total, calls, mean, p95, trend, _regression(ctx, spans),
                        bool(spans))


def _regression(ctx: Context, spans: list[tuple[int, float, float]]) -> float | None:
    cut = epoch(ctx.until) - RECENT_S
    recent = [(s, n) for end, s, n in spans if end > cut]
    earlier = [(s, n) for end, s, n in spans if end <= cut]
    recent_calls = sum(n for _s, n in recent)
    earlier_calls = sum(n for _s, n in earlier)
    if recent_calls < REGRESSION_MIN_CALLS or earlier_calls < REGRESSION_MIN_CALLS:
        return None
    before = sum(s for s, _n in earlier) / earlier_calls
    now = sum(s for s, _n in recent) / recent_calls
    return now / before if before > 0 else None


def _cells(ctx: Context, f: QueryFigures, total: float, plan: bool,
           watched: tuple[str, ...]) -> tuple[Cell, ...]:
    row = f.row
    hit = as_float(row.get("shared_blocks_hit_total")) or 0.0
    read = as_float(row.get("shared_blocks_read_total")) or 0.0
    query = " ".join(str(row.get("query") or
                         f"(text not collected: queryid {row.get('queryid')})").split())
    chart = sparkline(f.trend, "time per second over the window") if f.trend else None
    return (
        text_cell(query[:QUERY_CHARS] + ("…" if len(query) > QUERY_CHARS else ""), "code"),
        count_cell(f.calls), duration_cell(f.total_s), duration_cell(f.mean_s),
        duration_cell(f.p95_s), ratio_cell(f.total_s / total if total else None),
        count_cell(as_float(row.get("rows_total"))),
        ratio_cell(hit / (hit + read) if hit + read else None),
        Cell("–" if chart is None else f"{len(chart.points)} points", None, "chart", chart),
        text_cell(_findings(ctx, row, query, plan, watched)),
        _regression_cell(f.regression),
    )


def _findings(ctx: Context, row: Mapping[str, Any], query: str, plan: bool,
              watched: tuple[str, ...]) -> str:
    """The findings of the statement's plan (the top few are planned; in its own database
    when the target watches several), then the advisor's recommendations that name it."""
    queryid, where = str(row.get("queryid", "")), datname(row) if watched else None
    parts = []
    if plan and watched and where not in watched:
        parts.append(f"not planned: database {where or '(unknown)'} is not watched")
    elif plan:
        parts.append(_plan_findings(ctx, query, where))
    advice = ctx.source.advice().advice
    if advice is not None:
        mine = [r for r in advice.recommendations if queryid in r.queryids
                and r.evidence.get("datname", where) == where]
        parts += [f"{r.kind}: {r.reason}" for r in mine[:2]]
    return "; ".join(p for p in parts if p) or "–"


def _plan_findings(ctx: Context, query: str, where: str | None) -> str:
    found = ctx.source.plan_findings(query, where)
    if isinstance(found, str):
        return found if found.startswith(("not a", "the report's")) else f"not planned: {found}"
    if not found:
        return "plan: no finding"
    return "; ".join(f"{x.code} at {x.node}: {x.message}" for x in found[:3])


def _regression_cell(ratio: float | None) -> Cell:
    if ratio is None:
        return Cell("–", None, "num")
    flag = "badge bad" if ratio >= REGRESSION_RATIO else "num"
    return Cell(f"×{ratio:.2f}", round(ratio, 3), flag)
