"""Table and btree-index bloat: a catalog estimate, and pgstattuple_approx when enabled.

Both are expensive at scale and change slowly, so both run on long intervals of their own.
The estimate reads only planner statistics; ``pgstattuple`` reads pages and is off unless
enabled, bounded by a table size limit and a count per run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import psycopg
from psycopg import sql

from pgwatch.collectors.base import TargetInfo, gauge, label
from pgwatch.collectors.kinds import Scope
from pgwatch.collectors.query import SqlCollector, as_server, build_rows, fetch
from pgwatch.collectors.statements import extension_schema
from pgwatch.db.probe import ServerInfo

DEFAULT_MAX_BYTES = 1 << 30
DEFAULT_MAX_TABLES = 50


@dataclass(frozen=True, slots=True)
class BloatRow:
    """Wasted space in one table or index, by one method."""

    schemaname: str = label("schema")
    relname: str = label("table or index")
    table_name: str = label("the table (the relation itself for a table)")
    kind: str = label("table or index")
    method: str = label("estimate (planner statistics) or pgstattuple")
    real_bytes: float = gauge("size on disk the method saw", "bytes")
    bloat_bytes: float = gauge("space beyond what the live rows need", "bytes")
    bloat_ratio: float = gauge("bloat_bytes / real_bytes", "ratio")


class BloatCollector(SqlCollector):
    name: ClassVar[str] = "bloat"
    scope: ClassVar[Scope] = Scope.DATABASE
    default_interval_s: ClassVar[float] = 1800.0
    row_type: ClassVar[type[Any]] = BloatRow


class PgstattupleCollector(SqlCollector):
    """pgstattuple_approx on tables up to ``max_bytes``, the largest ``max_tables`` first."""

    name: ClassVar[str] = "pgstattuple"
    scope: ClassVar[Scope] = Scope.DATABASE
    default_interval_s: ClassVar[float] = 21600.0
    row_type: ClassVar[type[Any]] = BloatRow
    roles: ClassVar[tuple[str, ...]] = ("pg_stat_scan_tables",)
    extensions: ClassVar[tuple[str, ...]] = ("pgstattuple",)

    def __init__(self, enabled: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_tables: int = DEFAULT_MAX_TABLES) -> None:
        self.enabled = enabled
        self.max_bytes = max_bytes
        self.max_tables = max_tables

    def missing(self, server: TargetInfo) -> str | None:
        if not self.enabled:
            return "disabled (it reads table pages; enable the pgstattuple collector)"
        return super().missing(server)

    def params(self, server: ServerInfo) -> Mapping[str, Any]:
        return {"max_bytes": self.max_bytes, "max_tables": self.max_tables}

    def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
        pg = as_server(server)
        approx = sql.Identifier(extension_schema(conn, pg, "pgstattuple"), "pgstattuple_approx")
        return build_rows(BloatRow, fetch(conn, "pgstattuple", pg, self.params(pg),
                                          identifiers={"approx": approx}))
