"""Capacity: the database's and the largest tables' growth, with a linear forecast of when
each reaches the configured size. A forecast, labelled as one: a straight line through the
window's points (least squares), nothing more."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pgwatch.report.charts import growth
from pgwatch.report.context import NO_HISTORY, Context
from pgwatch.report.datnames import per_database, series_labels, with_database
from pgwatch.report.model import Cell, Chart, Section, Table
from pgwatch.report.units import as_float, instant, size, size_cell, text_cell

DATABASE_SIZE = "pgwatch_database_size_size_bytes"
TABLE_SIZE = "pgwatch_table_size_total_bytes"
CHART_TABLES = 5
COLUMNS = ("object", "size now", "growth over the window", "per day",
           "forecast size", "forecast: reaches it")
Points = Sequence[tuple[datetime, float]]


def build(ctx: Context) -> Section:
    databases = ctx.source.rows("database_size")
    tables = sorted(ctx.source.rows("table_size"),
                    key=lambda r: -(as_float(r.get("total_bytes")) or 0.0))
    grown = [(f"database {r.get('datname')}", _points(ctx, DATABASE_SIZE, datname=str(
                 r.get("datname"))), as_float(r.get("size_bytes")), ctx.forecast.database_bytes)
             for r in databases]
    shown = tables[:ctx.limits.tables]
    grown += [(f"{r.get('schemaname')}.{r.get('relname')}",
               _points(ctx, TABLE_SIZE, **series_labels(
                   r, schemaname=str(r.get("schemaname")), relname=str(r.get("relname")))),
               as_float(r.get("total_bytes")), ctx.forecast.table_bytes)
              for r in shown]
    rows = tuple(_row(name, points, now, limit, ctx.until) for name, points, now, limit in grown)
    columns: tuple[str, ...] = COLUMNS
    if per_database(shown):  # each database's own row, then each table's database
        columns, rows = with_database(COLUMNS, rows, [*databases, *shown])
    charts: list[Chart] = []
    drawn = growth([(n, p) for n, p, _now, _limit in grown[:1 + CHART_TABLES]],
                   "Size over the window", "database and largest tables, MB")
    if drawn is not None:
        charts.append(drawn)
    notes = ["Forecasts are linear extrapolations of the window's sizes, not promises."]
    if not ctx.source.history:
        notes.append(f"Growth and forecasts: {NO_HISTORY}.")
    total = sum(as_float(r.get("size_bytes")) or 0.0 for r in databases)
    return Section("capacity", "Capacity", f"{size(total)} in {len(databases)} database(s).",
                   (Table("growth", columns, rows, len(databases) + len(tables)),),
                   tuple(charts), tuple(notes))


def _points(ctx: Context, metric: str, **labels: str) -> Points:
    found = ctx.series(metric, **labels)
    if not found:
        return ()
    return tuple((p.at, p.value) for p in found[0].points)


def forecast(points: Points, limit: float) -> tuple[float | None, datetime | None]:
    """Bytes per second, and when ``limit`` is reached at that pace (None: not growing)."""
    if len(points) < 2 or points[-1][0] <= points[0][0]:
        return None, None
    xs = [p[0].timestamp() for p in points]
    ys = [p[1] for p in points]
    slope, intercept = statistics.linear_regression(xs, ys)
    if slope <= 0:
        return slope, None
    reach = (limit - intercept) / slope
    if reach <= xs[-1]:
        return slope, datetime.fromtimestamp(xs[-1], UTC)
    return slope, datetime.fromtimestamp(min(reach, 253_402_300_799), UTC)


def _row(name: str, points: Points, now: float | None, limit: float,
         until: datetime) -> tuple[Cell, ...]:
    slope, reach = forecast(points, limit)
    change = points[-1][1] - points[0][1] if len(points) >= 2 else None
    if slope is None:
        when = "needs history"
    elif reach is None:
        when = "not growing"
    elif reach - until > timedelta(days=3650):
        when = "beyond 10 years"
    else:
        when = instant(reach)
    return (text_cell(name), size_cell(now), size_cell(change),
            size_cell(None if slope is None else slope * 86400), size_cell(limit),
            Cell(when, None if reach is None else reach.isoformat(), "text"))
