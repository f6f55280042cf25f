"""Rows from several databases of one instance (a target with ``databases:``) name theirs.

The per-database collectors label each row ``datname``; wherever the report lists such rows
it shows the database in a column of its own, first, so two ``public.events`` of two
databases are never mistaken for one. A target that watches one database shows no column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pgwatch.report.model import Cell
from pgwatch.report.units import text_cell

DATABASE_COLUMN = "database"
# The per-database collectors the report reads anyway: which databases there are is read
# from these, so no other collector's rows are loaded for it.
REPORTED = ("tables", "table_size", "index_flags", "bloat", "wraparound", "mile_quest_views",
            "mile_quest_triggers")


def datname(row: Mapping[str, Any]) -> str | None:
    """The database a row was read in, None for a target that watches one database."""
    value = row.get("datname")
    return None if value is None or value == "" else str(value)


def per_database(rows: Iterable[Mapping[str, Any]]) -> bool:
    """True when the rows carry the database each came from."""
    return any(datname(row) is not None for row in rows)


def databases_in(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The databases the rows come from, in name order."""
    return sorted({name for row in rows if (name := datname(row)) is not None})


def with_database(columns: tuple[str, ...], cells: Sequence[tuple[Cell, ...]],
                  rows: Sequence[Mapping[str, Any]], *, always: bool = False
                  ) -> tuple[tuple[str, ...], tuple[tuple[Cell, ...], ...]]:
    """``columns`` and ``cells`` (one per row of ``rows``, in order) with the database first,
    when the rows carry one (or ``always``: a row without one shows "–"); unchanged
    otherwise."""
    if not always and not per_database(rows):
        return columns, tuple(cells)
    return (DATABASE_COLUMN, *columns), tuple(
        (text_cell(datname(row) or "–"), *made) for made, row in zip(cells, rows, strict=True))


def series_labels(row: Mapping[str, Any], **labels: str) -> dict[str, str]:
    """``labels`` that find the row's series in the store, its database among them."""
    name = datname(row)
    return labels if name is None else {"datname": name, **labels}


def qualified(row: Mapping[str, Any], text: str) -> str:
    """``text`` preceded by the row's database when it has one (for one-line texts)."""
    where = datname(row)
    return text if where is None else f"database {where}: {text}"
