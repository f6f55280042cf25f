"""The appendix: server version, capabilities, the settings that matter, and what pgwatch
could not collect and why."""

from __future__ import annotations

from pgwatch.report.context import Context
from pgwatch.report.model import Section, Table
from pgwatch.report.units import instant, text_cell

SETTINGS = ("server_version", "shared_buffers", "effective_cache_size", "work_mem",
            "maintenance_work_mem", "max_connections", "max_wal_size", "checkpoint_timeout",
            "random_page_cost", "effective_io_concurrency", "autovacuum",
            "autovacuum_max_workers", "autovacuum_vacuum_scale_factor",
            "autovacuum_freeze_max_age", "track_io_timing", "shared_preload_libraries",
            "pg_stat_statements.max", "jit", "wal_level", "max_parallel_workers_per_gather",
            "default_statistics_target", "statement_timeout", "idle_in_transaction_session_timeout")


def build(ctx: Context) -> Section:
    settings = {str(r.get("name")): r for r in ctx.source.rows("settings")}
    shown = tuple((text_cell(name), text_cell(_value(settings[name])),
                   text_cell(settings[name].get("source")))
                  for name in SETTINGS if name in settings)
    missing = sorted(ctx.source.not_collected().items())
    taken = sorted((c, ctx.source.taken_at(c)) for c in ("statements", "tables", "settings",
                                                          "index_flags", "database_size"))
    facts = (
        (text_cell("server"), text_cell(ctx.source.server_version)),
        (text_cell("source"), text_cell("live database (no history)" if ctx.source.mode ==
                                        "live" else "the daemon's store")),
        (text_cell("window"), text_cell(f"{instant(ctx.since)} – {instant(ctx.until)}")),
        *((text_cell(f"{c} read at"), text_cell(instant(at))) for c, at in taken),
    )
    return Section("appendix", "Appendix", "", (
        Table("server", ("fact", "value"), facts),
        Table("settings that matter", ("setting", "value", "source"), shown, None,
              "settings not collected"),
        Table("not collected", ("collector", "why"),
              tuple((text_cell(c), text_cell(why)) for c, why in missing), None,
              "every collector ran"),
    ))


def _value(row: object) -> str:
    get = getattr(row, "get", None)
    if get is None:
        return ""
    unit = str(get("unit") or "")
    return f"{get('setting')}{' ' + unit if unit else ''}"
