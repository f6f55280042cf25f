"""Bloat and vacuum: tables whose dead rows pile up, bloat estimates, wraparound age."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pgwatch.report.context import Context
from pgwatch.report.datnames import with_database
from pgwatch.report.model import Section, Table
from pgwatch.report.units import (
    as_float,
    count_cell,
    duration_cell,
    ratio_cell,
    size_cell,
    text_cell,
)

DEAD_RATIO = 0.2
DEAD_MIN = 1_000
WRAP_WARN = 0.5


def build(ctx: Context) -> Section:
    dead = dead_tables(ctx)
    bloat = sorted((r for r in ctx.source.rows("bloat")
                    if (as_float(r.get("bloat_bytes")) or 0.0) > 0),
                   key=lambda r: -(as_float(r.get("bloat_bytes")) or 0.0))
    wrap = sorted(ctx.source.rows("wraparound"),
                  key=lambda r: -(as_float(r.get("freeze_max_age_ratio")) or 0.0))
    n = ctx.limits.tables
    tables = (
        Table("dead rows", *with_database(
            ("table", "dead rows", "live rows", "dead share", "last autovacuum", "autovacuums"),
            [_dead_row(r, ctx.until) for r in dead[:n]], dead[:n]), len(dead),
              f"no table above {DEAD_RATIO:.0%} dead rows"),
        Table("bloat", *with_database(
            ("relation", "kind", "method", "size", "bloat", "bloat share"),
            [(text_cell(f"{r.get('schemaname')}.{r.get('relname')}"),
              text_cell(r.get("kind")), text_cell(r.get("method")),
              size_cell(as_float(r.get("real_bytes"))),
              size_cell(as_float(r.get("bloat_bytes"))),
              ratio_cell(as_float(r.get("bloat_ratio")))) for r in bloat[:n]], bloat[:n]),
              len(bloat), "no bloat estimated"),
        Table("wraparound", *with_database(
            ("table", "xid age", "freeze max age", "share of the limit"),
            [(text_cell(f"{r.get('schemaname')}.{r.get('relname')}"),
              count_cell(as_float(r.get("frozenxid_age"))),
              count_cell(as_float(r.get("freeze_max_age"))),
              ratio_cell(as_float(r.get("freeze_max_age_ratio")))) for r in wrap[:10]],
            wrap[:10]), len(wrap), "no table measured"),
    )
    worst = max_wraparound(ctx)
    lead = (f"{len(dead)} table(s) with more than {DEAD_RATIO:.0%} dead rows; the oldest "
            f"table is at {worst:.0%} of autovacuum_freeze_max_age.")
    return Section("maintenance", "Bloat and vacuum", lead, tables)


def dead_tables(ctx: Context) -> list[Mapping[str, Any]]:
    """Tables whose dead rows are above the share and count that make vacuum overdue."""
    found = []
    for row in ctx.source.rows("tables"):
        dead = as_float(row.get("dead_tuples")) or 0.0
        live = as_float(row.get("live_tuples")) or 0.0
        if dead >= DEAD_MIN and dead / max(1.0, dead + live) >= DEAD_RATIO:
            found.append(row)
    found.sort(key=lambda r: -(as_float(r.get("dead_tuples")) or 0.0))
    return found


def max_wraparound(ctx: Context) -> float:
    return max((as_float(r.get("freeze_max_age_ratio")) or 0.0
                for r in ctx.source.rows("wraparound")), default=0.0)


def _dead_row(row: Mapping[str, Any], now: datetime) -> tuple[Any, ...]:
    dead = as_float(row.get("dead_tuples")) or 0.0
    live = as_float(row.get("live_tuples")) or 0.0
    last = as_float(row.get("last_autovacuum_timestamp_seconds"))
    ago = None if last is None else now.timestamp() - last
    return (text_cell(f"{row.get('schemaname')}.{row.get('relname')}"), count_cell(dead),
            count_cell(live), ratio_cell(dead / max(1.0, dead + live)),
            duration_cell(ago) if ago is not None else text_cell("never"),
            count_cell(as_float(row.get("autovacuum_total"))))


def last_vacuum(row: Mapping[str, Any]) -> datetime | None:
    last = as_float(row.get("last_autovacuum_timestamp_seconds"))
    return None if last is None else datetime.fromtimestamp(last, UTC)
