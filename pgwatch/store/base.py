"""The history store contract the daemon writes to and the evaluator and report read from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from pgwatch.alerting.model import Alert
from pgwatch.collectors.base import Snapshot
from pgwatch.store.alert_rows import Evaluation, OutboxEntry, SentMark
from pgwatch.store.model import Event, Latest, RollupSeries, Series


class Store(Protocol):
    """History of snapshots: raw counters stored, reset-aware rates computed on reading.

    Every method may be called from any thread. Times are aware datetimes (naive ones are
    taken as UTC) and are stored as whole seconds.
    """

    def write(self, snapshot: Snapshot) -> bool:
        """Persist what the store's policy keeps of one snapshot, atomically.

        False when the policy kept nothing of it this time (samples are written at most once
        a minute): the engine was not used, so its success says nothing of the store's health.
        """

    def series(self, metric: str, labels_match: Mapping[str, str], since: datetime,
               until: datetime, *, rate: bool = False) -> list[Series]:
        """Points of each series of ``metric`` whose labels equal ``labels_match``.

        ``labels_match`` may name ``target``. With ``rate``, a counter's points become
        per-second rates over each interval, computed with reset detection; asking the
        rate of a gauge raises ``StoreError``.
        """

    def rollups(self, metric: str, labels_match: Mapping[str, str], since: datetime,
                until: datetime) -> list[RollupSeries]:
        """Hourly min/max/avg/last (and counter increase) of each matching series."""

    def latest(self, target: str, collector: str) -> Latest | None:
        """The per-object rows of the newest snapshot of ``collector`` on ``target``."""

    def record_event(self, target: str, kind: str, subject: str, detail: str,
                     at: datetime) -> None:
        """Keep an event such as ``setting_changed`` or ``refresh_failed``."""

    def events(self, target: str | None = None, kind: str | None = None,
               since: datetime | None = None, until: datetime | None = None,
               limit: int = 10_000) -> list[Event]:
        """Events oldest first, filtered by target, kind and time."""

    def retention(self, now: datetime) -> None:
        """Roll up complete hours and delete what is older than the policy's windows."""

    def commit_evaluation(self, evaluation: Evaluation) -> dict[str, int]:
        """Replace the alert state and sent marks and queue the evaluation's notifications,
        atomically; each receiver's queue is cut to its newest ``keep_per_receiver``
        entries, and the number dropped per receiver is returned."""

    def alert_state(self, owner: str | None = None) -> tuple[list[Alert], list[SentMark]]:
        """The alerts and sent marks the last committed evaluation of ``owner`` left (the
        alerts of every pgwatch sharing the store when None; their marks are per owner)."""

    def outbox_head(self, receiver: str, limit: int = 100, *,
                    owner: str = "") -> list[OutboxEntry]:
        """The oldest queued notifications of ``receiver``, oldest first."""

    def outbox_depths(self, owner: str | None = None) -> dict[str, int]:
        """Queued notifications per receiver (of every owner when None)."""

    def outbox_delivered(self, ids: Sequence[int]) -> None:
        """Remove delivered notifications from the outbox."""

    def outbox_retry(self, entry_id: int, attempts: int, next_attempt_at: float,
                     error: str) -> None:
        """Record a failed attempt and when to try again (a Unix time)."""

    def size_bytes(self) -> int:
        """Bytes the store occupies."""

    def close(self) -> None:
        """Release connections; the store cannot be used afterwards."""
