"""Indexes to drop or rebuild: unused, duplicate, redundant, invalid.

The flags come from the index_flags query the collectors run (one definition of each); an
index that backs a constraint (primary key, unique, exclusion) is never suggested for
dropping. "Unused" means no scan over the period the evidence covers: the store's history
when there is one, else since the statistics were last reset, and a short period makes the
advice low-confidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row

from pgwatch.explain.advisor.ddl import drop_index, reindex
from pgwatch.explain.advisor.model import DROP_INDEX, REINDEX, Recommendation
from pgwatch.explain.advisor.sources import fetch
from pgwatch.sql import load_sql

Connection = psycopg.Connection[Any]
DAY_S = 86_400.0


@dataclass(frozen=True, slots=True)
class UsageEvidence:
    """How long the scan counts cover, and, per index, scans over that period if known."""

    period_s: float
    source: str  # "statistics reset" or "store history"
    scans: Mapping[tuple[str, str], float] | None = None  # (schema, index) -> scans


def index_advice(conn: Connection, usage: UsageEvidence, min_days: float
                 ) -> list[Recommendation]:
    """Drop and reindex recommendations for every user index of the database."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(load_sql("pgwatch.collectors", "index_flags").encode())
        flags = cur.fetchall()
    scans = {(r["schema"], r["name"]): r for r in fetch(conn, "index_scans")}
    found: list[Recommendation] = []
    for row in flags:
        key = (str(row["schemaname"]), str(row["indexrelname"]))
        size = float(scans.get(key, {}).get("size_bytes") or row["estimated_size_bytes"] or 0)
        found += _one(row, size, _scans(usage, key, scans), usage, min_days)
    return found


def _scans(usage: UsageEvidence, key: tuple[str, str],
           counted: Mapping[tuple[str, str], Mapping[str, Any]]) -> float:
    if usage.scans is not None and key in usage.scans:
        return usage.scans[key]
    return float(counted.get(key, {}).get("scans") or 0)


def _one(row: Mapping[str, Any], size: float, scans: float, usage: UsageEvidence,
         min_days: float) -> list[Recommendation]:
    schema, table, name = str(row["schemaname"]), str(row["relname"]), str(row["indexrelname"])
    evidence: dict[str, Any] = {"table": f"{schema}.{table}", "index": name,
                                "size_bytes": int(size)}
    mb = size / 1e6
    if row["invalid"]:
        return [Recommendation(REINDEX, reindex(schema, name), f"index {name} on {table} is "
                               "INVALID (a failed concurrent build): it costs writes and "
                               "serves no query", 1.0 + mb, True, (), "high", evidence)]
    if row["enforces_constraint"]:
        return []
    if row["duplicate"]:
        return [Recommendation(DROP_INDEX, drop_index(schema, name),
                               f"index {name} duplicates {row['duplicate_of']}", 1.0 + mb, True,
                               (), "high", {**evidence, "duplicate_of": row["duplicate_of"]})]
    if row["redundant"]:
        return [Recommendation(DROP_INDEX, drop_index(schema, name),
                               f"index {name} is a prefix of {row['redundant_to']}, which "
                               "serves the same searches", 0.5 + mb, True, (), "medium",
                               {**evidence, "redundant_to": row["redundant_to"]})]
    if scans == 0:
        days = usage.period_s / DAY_S
        confidence = "high" if days >= min_days else "low"
        return [Recommendation(DROP_INDEX, drop_index(schema, name),
                               f"index {name} on {table} had no scan in {days:.1f} days "
                               f"({usage.source})", (0.2 if confidence == "low" else 0.5) + mb,
                               True, (), confidence,
                               {**evidence, "period_days": round(days, 2),
                                "source": usage.source})]
    return []
