"""The default cardinality bounds: which collectors are capped, by what, and how far.

At 10,000 tables, 20,000 indexes and 10,000 statements these keep one scrape under
20,000 samples (a test proves it); everything else is in the history store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from pgwatch.exposition.cardinality import Bound

# datname names the database on a target that discovers them (empty otherwise): one bound
# over all of an instance's databases, so the series stay bounded however many there are.
_TABLE = ("datname", "schemaname", "relname")
_BLOAT = Bound(identity=(*_TABLE, "kind"), rank_by=("bloat_bytes", "bloat_ratio"), top_n=50,
               per_dimension=10)

DEFAULT_BOUNDS: Mapping[str, Bound] = {
    # Top by total time, plus the heaviest by calls, disk reads and writes, temp, WAL, JIT,
    # so a query that is cheap per call but hammers the disk still has its own series.
    "statements": Bound(
        identity=("queryid", "datname", "usename", "toplevel"),
        rank_by=("exec_seconds_total", "calls_total", "shared_blocks_read_total",
                 "shared_blocks_written_total", "temp_blocks_written_total", "wal_bytes_total",
                 "jit_generation_seconds_total"),
        top_n=100, per_dimension=5, info_texts=("query",)),
    # Tables by size (from table_size), plus the busiest by reads, writes and dead rows.
    "tables": Bound(
        identity=_TABLE,
        rank_by=("seq_tuples_read_total", "tuples_inserted_total", "tuples_updated_total",
                 "tuples_deleted_total", "dead_tuples"),
        top_n=100, per_dimension=5, rank_from=("table_size", "total_bytes")),
    "table_size": Bound(identity=_TABLE, rank_by=("total_bytes",), top_n=100, per_dimension=0),
    # Indexes by size (from index_size), plus the busiest; their flags by size, plus every
    # index worth acting on (unused, invalid, duplicate, redundant).
    "indexes": Bound(
        identity=(*_TABLE, "indexrelname"), rank_by=("scans_total", "blocks_read_total"),
        top_n=100, per_dimension=10, rank_from=("index_size", "size_bytes")),
    "index_flags": Bound(
        identity=(*_TABLE, "indexrelname"),
        rank_by=("estimated_size_bytes", "unused", "invalid", "duplicate", "redundant"),
        top_n=100, per_dimension=20),
    "index_size": Bound(identity=(*_TABLE, "indexrelname"), rank_by=("size_bytes",), top_n=100,
                        per_dimension=0),
    "bloat": _BLOAT,
    "pgstattuple": _BLOAT,
    "wraparound": Bound(identity=_TABLE, rank_by=("freeze_max_age_ratio",), top_n=20,
                        per_dimension=0),
}


def configured_bounds(statements_top_n: int, objects_top_n: int) -> dict[str, Bound]:
    """The defaults with the configured numbers of statements and of tables/indexes."""
    bounds = dict(DEFAULT_BOUNDS)
    bounds["statements"] = replace(bounds["statements"], top_n=statements_top_n)
    for name in ("tables", "table_size", "indexes", "index_size", "index_flags"):
        bounds[name] = replace(bounds[name], top_n=objects_top_n)
    return bounds
