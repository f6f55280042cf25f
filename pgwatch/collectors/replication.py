"""Replication: standbys and their lag, slots and retained WAL, the WAL receiver of a standby."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pgwatch.collectors.base import gauge, label, text
from pgwatch.collectors.query import SqlCollector


@dataclass(frozen=True, slots=True)
class ReplicationRow:
    """One standby (or base backup) streaming from this server."""

    pid: str = label("WAL sender process id")
    application_name: str = label("standby's application_name")
    client_addr: str = label("standby address ('local' for a Unix socket)")
    state: str = label("startup, catchup, streaming, backup, stopping")
    sync_state: str = label("async, potential, sync, quorum")
    sent_lag_bytes: float | None = gauge("WAL not yet sent", "bytes")
    write_lag_bytes: float | None = gauge("WAL not yet written by the standby", "bytes")
    flush_lag_bytes: float | None = gauge("WAL not yet flushed by the standby", "bytes")
    replay_lag_bytes: float | None = gauge("WAL not yet replayed by the standby", "bytes")
    write_lag_seconds: float | None = gauge("time until written, as last reported", "seconds")
    flush_lag_seconds: float | None = gauge("time until flushed, as last reported", "seconds")
    replay_lag_seconds: float | None = gauge("time until replayed, as last reported",
                                             "seconds")
    reply_age_seconds: float | None = gauge("time since the standby's last reply", "seconds")


@dataclass(frozen=True, slots=True)
class ReplicationSlotRow:
    """One replication slot."""

    slot_name: str = label("slot")
    slot_type: str = label("physical or logical")
    plugin: str = label("output plugin of a logical slot")
    database: str = label("database of a logical slot")
    active: bool = gauge("1 when a consumer is connected")
    temporary: bool = gauge("1 for a temporary slot")
    retained_wal_bytes: float | None = gauge("WAL kept for this slot (from restart_lsn)",
                                             "bytes")
    confirmed_flush_lag_bytes: float | None = gauge(
        "WAL a logical consumer has not confirmed", "bytes")
    safe_wal_bytes: float | None = gauge("WAL that can still be written before the slot is "
                                         "lost (max_slot_wal_keep_size)", "bytes")
    xmin_age: int | None = gauge("age of the xmin the slot holds back")
    catalog_xmin_age: int | None = gauge("age of the catalog xmin the slot holds back")
    wal_status: str = text("reserved, extended, unreserved or lost")
    conflicting: bool | None = gauge("1 when a logical slot was invalidated by a conflict (16+)",
                                     default=None)
    inactive_since_timestamp_seconds: float | None = gauge(
        "when the slot became inactive (17+)", "seconds", default=None)
    invalidation_reason: str | None = text("why the slot was invalidated (17+)", default=None)


@dataclass(frozen=True, slots=True)
class WalReceiverRow:
    """The WAL receiver of a standby."""

    status: str = label("receiver status")
    slot_name: str = label("slot used on the primary")
    sender_host: str = label("primary host")
    sender_port: int | None = gauge("primary port")
    timeline: int | None = gauge("timeline received")
    replay_lag_bytes: float | None = gauge("received but not yet replayed", "bytes")
    last_message_age_seconds: float | None = gauge("time since the last message from the "
                                                   "primary", "seconds")
    replay_delay_seconds: float | None = gauge("time since the last replayed transaction "
                                               "committed on the primary", "seconds")


class ReplicationCollector(SqlCollector):
    name: ClassVar[str] = "replication"
    default_interval_s: ClassVar[float] = 15.0
    row_type: ClassVar[type[Any]] = ReplicationRow
    roles: ClassVar[tuple[str, ...]] = ("pg_read_all_stats",)


class ReplicationSlotsCollector(SqlCollector):
    name: ClassVar[str] = "replication_slots"
    default_interval_s: ClassVar[float] = 60.0
    row_type: ClassVar[type[Any]] = ReplicationSlotRow


class WalReceiverCollector(SqlCollector):
    name: ClassVar[str] = "wal_receiver"
    default_interval_s: ClassVar[float] = 15.0
    row_type: ClassVar[type[Any]] = WalReceiverRow
    roles: ClassVar[tuple[str, ...]] = ("pg_read_all_stats",)
