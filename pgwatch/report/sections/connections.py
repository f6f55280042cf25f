"""Connections (sessions by state, the oldest transaction) and the PgBouncer pools."""

from __future__ import annotations

from collections import defaultdict

from pgwatch.report.context import Context
from pgwatch.report.model import Section, Table
from pgwatch.report.units import as_float, count_cell, duration_cell, ratio_cell, text_cell


def build(ctx: Context) -> Section:
    conn_rows = ctx.source.rows("connections")
    states: dict[str, float] = defaultdict(float)
    oldest = 0.0
    for row in ctx.source.rows("activity"):
        if row.get("backend_type") == "client backend":
            states[str(row.get("state") or "unknown")] += as_float(row.get("connections")) or 0
        oldest = max(oldest, as_float(row.get("oldest_xact_seconds")) or 0.0)
    tables = [Table("sessions by state", ("state", "sessions"),
                    tuple((text_cell(k), count_cell(v)) for k, v in sorted(states.items())),
                    None, "no client session")]
    pools = ctx.source.rows("pgbouncer_pools")
    pool_note = ctx.source.not_collected().get("pgbouncer_pools")
    tables.append(Table("PgBouncer pools", ("database", "user", "mode", "clients active",
                                            "clients waiting", "servers active",
                                            "servers idle", "longest wait"),
                        tuple((text_cell(p.get("database")), text_cell(p.get("user")),
                               text_cell(p.get("pool_mode")),
                               count_cell(as_float(p.get("clients_active"))),
                               count_cell(as_float(p.get("clients_waiting"))),
                               count_cell(as_float(p.get("servers_active"))),
                               count_cell(as_float(p.get("servers_idle"))),
                               duration_cell(as_float(p.get("max_wait_seconds"))))
                              for p in pools), None,
                        f"no PgBouncer pool ({pool_note})" if pool_note else "no pool"))
    lead = "No connection figures were collected."
    if conn_rows:
        row = conn_rows[0]
        lead = (f"{count_cell(as_float(row.get('client_connections'))).text} client sessions "
                f"of {count_cell(as_float(row.get('max_connections'))).text} "
                f"({ratio_cell(usage(ctx)).text} of the usable slots); "
                f"{count_cell(as_float(row.get('blocked_sessions'))).text} waiting for a lock;"
                f" oldest open transaction {duration_cell(oldest).text}.")
    return Section("connections", "Connections and pool", lead, tuple(tables))


def usage(ctx: Context) -> float | None:
    rows = ctx.source.rows("connections")
    return as_float(rows[0].get("usage_ratio")) if rows else None
