"""Each database of a target that watches several (``databases:``): its size, its tables and
what the other sections found in it, one row per database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from pgwatch.report.context import Context
from pgwatch.report.datnames import REPORTED, databases_in, datname
from pgwatch.report.model import Cell, Section, Table
from pgwatch.report.sections import indexes, maintenance
from pgwatch.report.units import as_float, count_cell, size_cell, text_cell

COLUMNS = ("database", "size", "tables", "largest table", "tables with dead rows",
           "index problems", "estimated bloat")


def watched(ctx: Context) -> list[str]:
    """The databases the per-database collectors' rows come from (none: one database)."""
    return databases_in(row for name in REPORTED for row in ctx.source.rows(name))


def build(ctx: Context) -> Section:
    names = watched(ctx)
    sizes = {datname(r): as_float(r.get("size_bytes")) for r in ctx.source.rows("database_size")}
    tables = Counter(datname(r) for r in ctx.source.rows("tables"))
    dead = Counter(datname(r) for r in maintenance.dead_tables(ctx))
    flagged = Counter(datname(r) for r, _problem in indexes.flagged_indexes(ctx))
    bloat: Counter[str | None] = Counter()
    for row in ctx.source.rows("bloat"):
        bloat[datname(row)] += int(as_float(row.get("bloat_bytes")) or 0)
    largest = _largest_tables(ctx.source.rows("table_size"))
    rows = tuple((text_cell(name), size_cell(sizes.get(name)), count_cell(float(tables[name])),
                  largest.get(name, text_cell("–")), count_cell(float(dead[name])),
                  count_cell(float(flagged[name])), size_cell(float(bloat[name])))
                 for name in names)
    lead = (f"{len(names)} database(s) of the instance watched; every table, index and bloat "
            "row below names its database.")
    return Section("databases", "Databases", lead,
                   (Table("databases", COLUMNS, rows, len(names), "no database watched"),))


def _largest_tables(rows: tuple[Mapping[str, Any], ...]) -> dict[str | None, Cell]:
    best: dict[str | None, tuple[float, Mapping[str, Any]]] = {}
    for row in rows:
        name, size = datname(row), as_float(row.get("total_bytes")) or 0.0
        if name not in best or size > best[name][0]:
            best[name] = (size, row)
    return {name: text_cell(f"{r.get('schemaname')}.{r.get('relname')}")
            for name, (_size, r) in best.items()}
