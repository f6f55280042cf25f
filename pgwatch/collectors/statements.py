"""pg_stat_statements: per-query counters every cycle, query text only for ids never seen.

The numbers come from ``pg_stat_statements(false)``, which skips the query-text file; the
text of a query id is read once per collector instance (one instance per target) and a
bounded memory of the ids already seen keeps it that way. pgwatch never resets the view:
resets made by others show in ``statements_info`` (and ``stats_since`` on 17+).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import psycopg
from psycopg import sql

from pgwatch.collectors.base import MissingCapabilityError, TargetInfo, counter, gauge, label, text
from pgwatch.collectors.query import (
    as_server,
    build_rows,
    fetch,
    fetch_rows,
    postgres_missing,
)
from pgwatch.db.probe import ServerInfo
from pgwatch.redaction import redact

EXTENSION = "pg_stat_statements"
KNOWN_IDS_LIMIT = 50_000
PENDING_TEXTS_LIMIT = 1_000
# The extension version decides the columns (an upgraded server may keep an older one).
_COLUMNS_SINCE = {"1.9": 140_000, "1.10": 150_000, "1.11": 170_000, "1.12": 180_000}


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One query id of one database and role, as pg_stat_statements counts it."""

    queryid: str = label("query id computed by the server")
    datname: str = label("database")
    usename: str = label("role that ran the statement")
    toplevel: bool = label("run at top level (not inside a function)")
    calls_total: int = counter("executions")
    plans_total: int = counter("times planned")
    rows_total: int = counter("rows retrieved or affected")
    exec_seconds_total: float = counter("time spent executing", "seconds")
    mean_exec_seconds: float = gauge("mean execution time", "seconds")
    min_exec_seconds: float = gauge("minimum execution time", "seconds")
    max_exec_seconds: float = gauge("maximum execution time", "seconds")
    stddev_exec_seconds: float = gauge("standard deviation of execution time", "seconds")
    plan_seconds_total: float = counter("time spent planning", "seconds")
    mean_plan_seconds: float = gauge("mean planning time", "seconds")
    min_plan_seconds: float = gauge("minimum planning time", "seconds")
    max_plan_seconds: float = gauge("maximum planning time", "seconds")
    stddev_plan_seconds: float = gauge("standard deviation of planning time", "seconds")
    shared_blocks_hit_total: int = counter("shared buffer hits", "blocks")
    shared_blocks_read_total: int = counter("shared blocks read", "blocks")
    shared_blocks_dirtied_total: int = counter("shared blocks dirtied", "blocks")
    shared_blocks_written_total: int = counter("shared blocks written", "blocks")
    local_blocks_hit_total: int = counter("local buffer hits", "blocks")
    local_blocks_read_total: int = counter("local blocks read", "blocks")
    local_blocks_dirtied_total: int = counter("local blocks dirtied", "blocks")
    local_blocks_written_total: int = counter("local blocks written", "blocks")
    temp_blocks_read_total: int = counter("temporary blocks read", "blocks")
    temp_blocks_written_total: int = counter("temporary blocks written", "blocks")
    shared_block_read_seconds_total: float = counter(
        "time reading shared blocks (track_io_timing)", "seconds")
    shared_block_write_seconds_total: float = counter(
        "time writing shared blocks (track_io_timing)", "seconds")
    wal_records_total: int = counter("WAL records generated")
    wal_fpi_total: int = counter("WAL full-page images generated")
    wal_bytes_total: float = counter("WAL generated", "bytes")
    temp_block_read_seconds_total: float | None = counter(
        "time reading temporary blocks (15+)", "seconds", default=None)
    temp_block_write_seconds_total: float | None = counter(
        "time writing temporary blocks (15+)", "seconds", default=None)
    local_block_read_seconds_total: float | None = counter(
        "time reading local blocks (17+)", "seconds", default=None)
    local_block_write_seconds_total: float | None = counter(
        "time writing local blocks (17+)", "seconds", default=None)
    jit_functions_total: int | None = counter("functions JIT-compiled (15+)", default=None)
    jit_generation_seconds_total: float | None = counter(
        "time generating JIT code (15+)", "seconds", default=None)
    jit_inlining_total: int | None = counter("times functions were inlined (15+)", default=None)
    jit_inlining_seconds_total: float | None = counter(
        "time inlining functions (15+)", "seconds", default=None)
    jit_optimization_total: int | None = counter("times JIT optimized (15+)", default=None)
    jit_optimization_seconds_total: float | None = counter(
        "time optimizing JIT code (15+)", "seconds", default=None)
    jit_emission_total: int | None = counter("times code was emitted (15+)", default=None)
    jit_emission_seconds_total: float | None = counter(
        "time emitting code (15+)", "seconds", default=None)
    jit_deform_total: int | None = counter("tuple deform functions JIT-compiled (17+)",
                                           default=None)
    jit_deform_seconds_total: float | None = counter(
        "time JIT-compiling tuple deform functions (17+)", "seconds", default=None)
    stats_since_timestamp_seconds: float | None = gauge(
        "when this entry's statistics started (17+)", "seconds", default=None)
    minmax_stats_since_timestamp_seconds: float | None = gauge(
        "when this entry's min/max were last reset (17+)", "seconds", default=None)
    wal_buffers_full_total: int | None = counter(
        "times WAL buffers were full (18+)", default=None)
    parallel_workers_to_launch_total: int | None = counter(
        "parallel workers planned (18+)", default=None)
    parallel_workers_launched_total: int | None = counter(
        "parallel workers launched (18+)", default=None)
    query: str | None = text("query text, only on the first cycle that sees this id",
                             default=None)


@dataclass(frozen=True, slots=True)
class StatementsInfoRow:
    """pg_stat_statements_info: evictions, and the last reset (to detect resets by others)."""

    dealloc_total: int = counter("entries deallocated because pg_stat_statements.max was hit")
    stats_reset_timestamp_seconds: float | None = gauge(
        "when pg_stat_statements was last reset", "seconds")


def extension_schema(conn: psycopg.Connection[Any], server: ServerInfo, name: str) -> str:
    """The schema of an installed extension, or MissingCapabilityError when it was dropped."""
    found = fetch(conn, "extension_schema", server, {"name": name})
    if not found:
        raise MissingCapabilityError(
            f"extension {name} is not installed in database {server.database!r}"
            f" (CREATE EXTENSION {name})")
    return str(found[0]["schema"])


def _columns_version(server: ServerInfo) -> ServerInfo:
    """The server as seen by the SQL loader: its extension's version picks the file."""
    installed = server.installed.get(EXTENSION, "")
    return replace(server, version_num=_COLUMNS_SINCE.get(installed, server.version_num))


def _statements_missing(server: TargetInfo) -> str | None:
    reason = postgres_missing(server, roles=("pg_read_all_stats",), extensions=(EXTENSION,))
    if reason is not None or (isinstance(server, ServerInfo) and server.statements_loaded):
        return reason
    return "pg_stat_statements is not in shared_preload_libraries (restart needed)"


class StatementsCollector:
    """Per-query counters; the text travels once per query id per collector instance."""

    name: ClassVar[str] = "statements"
    default_interval_s: ClassVar[float] = 60.0
    row_type: ClassVar[type[Any]] = StatementRow

    def __init__(self, known_ids_limit: int = KNOWN_IDS_LIMIT) -> None:
        self.known_ids_limit = known_ids_limit
        self._known: OrderedDict[str, None] = OrderedDict()
        self._pending: dict[str, str] = {}
        self.text_fetches = 0
        self.texts_fetched = 0

    def missing(self, server: TargetInfo) -> str | None:
        return _statements_missing(server)

    def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
        pg = as_server(server)
        pgss = sql.Identifier(extension_schema(conn, pg, EXTENSION), EXTENSION)
        rows = fetch_rows(conn, StatementRow, "statements", _columns_version(pg),
                          identifiers={"pgss": pgss})
        read = {row.queryid for row in rows}
        new_ids = sorted(i for i in read if i not in self._known)
        texts = self._fetch_texts(conn, pg, pgss, new_ids, read) if new_ids else {}
        # The rows are ours until returned: the text goes into the slot, not through __init__.
        set_query = getattr(StatementRow, "query").__set__  # noqa: B009
        for row in rows:
            found = texts.pop(row.queryid, None) or self._pending.pop(row.queryid, None)
            if found is not None:
                set_query(row, found)
        # Texts of ids that appeared after the numbers were read travel with their first row.
        self._pending.update(list(texts.items())[:PENDING_TEXTS_LIMIT - len(self._pending)])
        return rows

    def _fetch_texts(self, conn: psycopg.Connection[Any], server: ServerInfo,
                     pgss: sql.Identifier, new_ids: list[str], read: set[str]
                     ) -> dict[str, str]:
        """Texts of the new ids; every id the query returns is remembered as seen."""
        self.text_fetches += 1
        params = {"new": [int(i) for i in new_ids], "read": [int(i) for i in read]}
        found = fetch(conn, "statements_text", server, params, identifiers={"pgss": pgss})
        self.texts_fetched += len(found)
        for queryid in (*read, *(str(r["queryid"]) for r in found)):
            self._remember(queryid)
        return {str(r["queryid"]): redact(str(r["query"])) for r in found}

    def _remember(self, queryid: str) -> None:
        self._known[queryid] = None
        self._known.move_to_end(queryid)
        while len(self._known) > self.known_ids_limit:
            self._known.popitem(last=False)

    def __repr__(self) -> str:
        return f"<collector {self.name}>"


class StatementsInfoCollector:
    """The one row of pg_stat_statements_info."""

    name: ClassVar[str] = "statements_info"
    default_interval_s: ClassVar[float] = 60.0
    row_type: ClassVar[type[Any]] = StatementsInfoRow

    def missing(self, server: TargetInfo) -> str | None:
        return _statements_missing(server)

    def collect(self, conn: psycopg.Connection[Any], server: TargetInfo) -> Sequence[Any]:
        pg = as_server(server)
        info = sql.Identifier(extension_schema(conn, pg, EXTENSION), "pg_stat_statements_info")
        return build_rows(StatementsInfoRow, fetch(conn, "statements_info", pg,
                                                   identifiers={"info": info}))

    def __repr__(self) -> str:
        return f"<collector {self.name}>"
