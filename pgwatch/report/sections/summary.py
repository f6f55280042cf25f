"""The summary: the figures the grade rests on, the five actions with the most impact (each
with its exact SQL), and what changed since the previous report."""

from __future__ import annotations

from collections.abc import Mapping

from psycopg import sql

from pgwatch.report.context import Context, window_increase
from pgwatch.report.datnames import qualified
from pgwatch.report.grade import grade
from pgwatch.report.model import Action, Change, Summary
from pgwatch.report.sections import alerts, connections, indexes, maintenance, mile_quest, queries
from pgwatch.report.units import as_float, ratio

ACTIONS = 5
HIT = "pgwatch_database_blocks_hit_total"
READ = "pgwatch_database_blocks_read_total"
FACT_NAMES = {"grade_score": "score", "cache_hit_ratio": "cache hit ratio",
              "dead_tables": "tables with dead rows piling up",
              "wraparound_ratio": "wraparound (worst table)",
              "invalid_indexes": "invalid indexes", "needless_indexes": "needless indexes",
              "alerts_fired": "alerts fired", "regressions": "regressed queries",
              "connection_usage": "connection slots in use",
              "failed_refreshes": "failed view refreshes"}
RATIOS = ("cache_hit_ratio", "wraparound_ratio", "connection_usage")


def figures(ctx: Context) -> dict[str, float]:
    """The measured facts the grade and the comparison with the previous report use."""
    flagged = indexes.flagged_indexes(ctx)
    found = {"dead_tables": float(len(maintenance.dead_tables(ctx))),
             "wraparound_ratio": maintenance.max_wraparound(ctx),
             "invalid_indexes": float(sum(1 for _r, p in flagged if p == "invalid")),
             "needless_indexes": float(sum(1 for _r, p in flagged if p != "invalid")),
             "alerts_fired": float(alerts.fired(ctx)),
             "regressions": float(queries.regressions(ctx)),
             "failed_refreshes": float(mile_quest.failed_refreshes(ctx))}
    hit = cache_hit_ratio(ctx)
    if hit is not None:
        found["cache_hit_ratio"] = hit
    usage = connections.usage(ctx)
    if usage is not None:
        found["connection_usage"] = usage
    return found


def cache_hit_ratio(ctx: Context) -> float | None:
    """Shared-buffer hits over all block reads: the window's with history, else since reset."""
    if ctx.source.history:
        hits = sum(window_increase(s) or 0.0 for s in ctx.series(HIT))
        reads = sum(window_increase(s) or 0.0 for s in ctx.series(READ))
        if hits + reads > 0:
            return hits / (hits + reads)
    rows = ctx.source.rows("database")
    hits = sum(as_float(r.get("blocks_hit_total")) or 0.0 for r in rows)
    reads = sum(as_float(r.get("blocks_read_total")) or 0.0 for r in rows)
    return hits / (hits + reads) if hits + reads > 0 else None


def build(ctx: Context, measured: dict[str, float],
          previous: Mapping[str, object] | None) -> Summary:
    result = grade(measured)
    measured["grade_score"] = float(result.score)
    facts = tuple((FACT_NAMES[k], _fact(k, v)) for k, v in measured.items() if k in FACT_NAMES
                  and k != "grade_score")
    when = None if previous is None else str(previous.get("generated_at"))
    return Summary(result, _actions(ctx), _changes(measured, previous), facts, when)


def _actions(ctx: Context) -> tuple[Action, ...]:
    found: list[Action] = []
    advice = ctx.source.advice().advice
    if advice is not None:
        found += [Action(r.kind.replace("_", " "), r.sql + ";", qualified(r.evidence, r.reason),
                         r.impact, "advisor") for r in advice.recommendations[:ACTIONS]]
    for row in maintenance.dead_tables(ctx)[:ACTIONS]:
        name = sql.Identifier(str(row.get("schemaname")), str(row.get("relname")))
        dead = as_float(row.get("dead_tuples")) or 0.0
        found.append(Action("vacuum", sql.SQL("VACUUM (ANALYZE, VERBOSE) {};").format(name)
                            .as_string(None),
                            qualified(row, f"{dead:,.0f} dead rows not yet vacuumed"),
                            min(50.0, dead / 10_000), "measured"))
    found.sort(key=lambda a: -a.impact)
    return tuple(found[:ACTIONS])


def _changes(measured: Mapping[str, float], previous: Mapping[str, object] | None
             ) -> tuple[Change, ...]:
    if previous is None:
        return ()
    before = previous.get("figures")
    if not isinstance(before, dict):
        return ()
    found = []
    for key, now in measured.items():
        was = before.get(key)
        if isinstance(was, int | float) and round(float(was), 4) != round(now, 4):
            found.append(Change(FACT_NAMES.get(key, key), _fact(key, float(was)), _fact(key, now)))
    return tuple(found)


def _fact(key: str, value: float) -> str:
    return ratio(value) if key in RATIOS else f"{value:,.0f}"
