"""The Mile Quest migrations' health: materialized-view refresh lag, duration and failures,
and the timing of the triggers migration 0003 logs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pgwatch.report.context import NO_HISTORY, Context, window_increase
from pgwatch.report.datnames import series_labels, with_database
from pgwatch.report.model import Cell, Section, Table
from pgwatch.report.units import as_float, count_cell, duration_cell, text_cell

REFRESHES = "pgwatch_mile_quest_views_refreshes_total"
FAILURES = "pgwatch_mile_quest_views_failures_total"
SECONDS = "pgwatch_mile_quest_views_refresh_seconds_total"
STALE_S = 3600.0


def build(ctx: Context) -> Section:
    views = ctx.source.rows("mile_quest_views")
    triggers = ctx.source.rows("mile_quest_triggers")
    if not views and not triggers:
        reason = ctx.source.not_collected().get("mile_quest_views", "not collected")
        return Section("mile_quest", "Mile Quest health", missing=reason)
    view_table = Table("materialized views", *with_database((
        "view", "populated", "stale for", "last refresh took", "mean refresh in window",
        "last refresh", "refreshes", "failures", "failures in window", "queued request age"),
        [_view_row(ctx, v) for v in views], views), None, "no materialized view")
    trigger_table = Table("trigger timing", *with_database((
        "trigger", "table", "operation", "logged calls", "slow calls", "mean (last hour)",
        "max (last hour)"),
        [(text_cell(t.get("trigger_name")), text_cell(t.get("table_name")),
          text_cell(t.get("operation")), count_cell(as_float(t.get("sampled_calls_total"))),
          count_cell(as_float(t.get("slow_calls_total"))),
          duration_cell(as_float(t.get("mean_seconds_last_hour"))),
          duration_cell(as_float(t.get("max_seconds_last_hour")))) for t in triggers],
        triggers), None, "no trigger call logged")
    stale = sum(1 for v in views if (as_float(v.get("staleness_seconds")) or 0.0) > STALE_S)
    failed = sum(1 for v in views if v.get("last_refresh_success") is False
                 or v.get("last_refresh_success") == 0)
    lead = (f"{len(views)} materialized view(s): {stale} stale for over an hour, "
            f"{failed} whose last refresh failed; {len(triggers)} trigger(s) timed.")
    notes = () if ctx.source.history else (f"Refresh time and failures in the window: "
                                           f"{NO_HISTORY}.",)
    return Section("mile_quest", "Mile Quest health", lead, (view_table, trigger_table),
                   notes=notes)


def failed_refreshes(ctx: Context) -> int:
    return sum(1 for v in ctx.source.rows("mile_quest_views")
               if v.get("last_refresh_success") in (False, 0))


def _increase(ctx: Context, metric: str, view: Mapping[str, Any]) -> float | None:
    found = ctx.series(metric, **series_labels(view, view_name=str(view.get("view_name"))))
    return window_increase(found[0]) if found else None


def _view_row(ctx: Context, view: Mapping[str, Any]) -> tuple[Cell, ...]:
    name = str(view.get("view_name"))
    failures = mean = None
    if ctx.source.history:
        failures = _increase(ctx, FAILURES, view)
        refreshes = _increase(ctx, REFRESHES, view)
        spent = _increase(ctx, SECONDS, view)
        mean = spent / refreshes if spent is not None and refreshes else None
    success = view.get("last_refresh_success")
    state = "–" if success is None else ("ok" if success else "failed")
    return (text_cell(name), text_cell("yes" if view.get("populated") else "no"),
            duration_cell(as_float(view.get("staleness_seconds"))),
            duration_cell(as_float(view.get("last_refresh_seconds"))),
            duration_cell(mean) if ctx.source.history else text_cell("needs history"),
            Cell(state, None, "badge bad" if state == "failed" else "text"),
            count_cell(as_float(view.get("refreshes_total"))),
            count_cell(as_float(view.get("failures_total"))),
            count_cell(failures) if ctx.source.history else text_cell("needs history"),
            duration_cell(as_float(view.get("pending_request_seconds"))))
