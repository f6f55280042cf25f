"""Replication: standbys and their lag, slots and the WAL they retain, the WAL receiver."""

from __future__ import annotations

from pgwatch.report.context import Context
from pgwatch.report.model import Section, Table
from pgwatch.report.units import as_float, duration_cell, size_cell, text_cell


def build(ctx: Context) -> Section:
    replicas = ctx.source.rows("replication")
    slots = ctx.source.rows("replication_slots")
    receiver = ctx.source.rows("wal_receiver")
    tables = (
        Table("standbys", ("standby", "address", "state", "sync", "replay lag",
                           "replay lag (time)", "last reply"),
              tuple((text_cell(r.get("application_name")), text_cell(r.get("client_addr")),
                     text_cell(r.get("state")), text_cell(r.get("sync_state")),
                     size_cell(as_float(r.get("replay_lag_bytes"))),
                     duration_cell(as_float(r.get("replay_lag_seconds"))),
                     duration_cell(as_float(r.get("reply_age_seconds")))) for r in replicas),
              None, "no standby connected"),
        Table("replication slots", ("slot", "type", "active", "WAL retained", "status"),
              tuple((text_cell(s.get("slot_name")), text_cell(s.get("slot_type")),
                     text_cell("yes" if s.get("active") else "no"),
                     size_cell(as_float(s.get("retained_wal_bytes"))),
                     text_cell(s.get("wal_status"))) for s in slots),
              None, "no replication slot"),
        Table("WAL receiver (this server is a standby)", ("primary", "status", "replay lag",
                                                          "last message"),
              tuple((text_cell(w.get("sender_host")), text_cell(w.get("status")),
                     size_cell(as_float(w.get("replay_lag_bytes"))),
                     duration_cell(as_float(w.get("last_message_age_seconds"))))
                    for w in receiver), None, "not a standby"),
    )
    inactive = sum(1 for s in slots if not s.get("active"))
    lead = f"{len(replicas)} standby(s), {len(slots)} slot(s), {inactive} inactive."
    return Section("replication", "Replication", lead, tables)
