"""Configuration advice: the advisor's settings, table settings and statistics, with SQL,
and the settings waiting for a restart."""

from __future__ import annotations

from pgwatch.report.context import Context
from pgwatch.report.model import Section, Table
from pgwatch.report.units import text_cell

KINDS = ("setting", "table_setting", "statistics", "rewrite")


def build(ctx: Context) -> Section:
    result = ctx.source.advice()
    tables = []
    notes: tuple[str, ...] = ()
    if result.advice is None:
        notes = (f"The advisor is unavailable for this target: {result.missing}",)
    else:
        found = [r for r in result.advice.recommendations if r.kind in KINDS]
        tables.append(Table("configuration advice", ("kind", "SQL", "why", "confidence"),
                            tuple((text_cell(r.kind.replace("_", " ")),
                                   text_cell(r.sql + ";", "sql"), text_cell(r.reason),
                                   text_cell(r.confidence)) for r in found),
                            None, "no setting to change"))
    pending = [r for r in ctx.source.rows("settings") if r.get("pending_restart")]
    tables.append(Table("settings waiting for a restart", ("setting", "value", "source"),
                        tuple((text_cell(r.get("name")), text_cell(r.get("setting")),
                               text_cell(r.get("source"))) for r in pending),
                        None, "none"))
    count = len(tables[0].rows) if result.advice is not None else 0
    lead = f"{count} configuration change(s) advised; {len(pending)} waiting for a restart."
    return Section("configuration", "Configuration advice", lead, tuple(tables), notes=notes)


