"""The history store over any SQL engine: writes, events, latest rows, retention.

One lock serializes every use of the engine's connection (the daemon writes from several
scheduler threads); planning a snapshot happens outside that lock, under a lock of its
own (target, collector), so a large snapshot never stalls the writes of the others.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pgwatch.alerting.model import Alert
from pgwatch.collectors.base import Snapshot
from pgwatch.store.alert_rows import (
    Evaluation,
    OutboxEntry,
    SentMark,
    commit_evaluation,
    load_alerts,
    load_sent,
    outbox_delivered,
    outbox_depths,
    outbox_head,
    outbox_retry,
)
from pgwatch.store.backend import Backend
from pgwatch.store.encoding import EncodedSnapshot, decode_rows, text_refs
from pgwatch.store.model import (
    Event,
    Labels,
    Latest,
    RollupSeries,
    Series,
    SeriesKind,
    StoreError,
    epoch,
)
from pgwatch.store.planner import Planner, WritePlan
from pgwatch.store.policy import StorePolicy
from pgwatch.store.reading import read_rollups, read_series
from pgwatch.store.retention import apply_retention

log = logging.getLogger(__name__)

_FAR_FUTURE = 2**62


class SqlStore:
    """A ``Store`` on a ``Backend``; see ``pgwatch.store.base.Store`` for the contract."""

    def __init__(self, backend: Backend, policy: StorePolicy) -> None:
        self.backend = backend
        self.policy = policy
        self.planner = Planner(policy)
        self._lock = threading.Lock()
        self._plan_locks: dict[tuple[str, str], threading.Lock] = {}
        # The newest rows of each (target, collector), compressed as they would be stored.
        self._latest: dict[tuple[str, str], tuple[int, bytes]] = {}
        self._ids = _IdCache(policy.id_cache_entries)
        self._closed = False

    @contextmanager
    def _open(self) -> Iterator[None]:
        """The connection, held under the lock; refused once the store is closed. A thread
        that outlives the service (a report build, a late write) would otherwise reach a
        closed connection and the engine's own error (sqlite3.ProgrammingError), or retry."""
        with self._lock:
            if self._closed:
                raise StoreError(f"{self.backend.where}: the store is closed")
            yield

    def write(self, snapshot: Snapshot) -> bool:
        """Persist what the policy keeps of ``snapshot``, in one transaction; False when
        nothing of it was due, so that the engine was not used."""
        key = (snapshot.target, snapshot.collector)
        with self._plan_lock(key):
            plan, state = self.planner.plan(snapshot)
            with self._open():
                if not plan.stores_nothing:
                    self._write_with_retry(plan)
                self._latest[key] = (plan.ts, plan.snapshot.body)
            self.planner.keep(snapshot.target, snapshot.collector, state)
        return not plan.stores_nothing

    def _write_with_retry(self, plan: WritePlan) -> None:
        # A failed transaction is rolled back whole, so one retry cannot duplicate anything;
        # it heals ids that went stale when another instance's retention removed a series.
        for attempt in (1, 2):
            try:
                with self.backend.transaction():
                    self._write_plan(plan)
                return
            except Exception as exc:
                self._ids.clear()  # ids handed out by a rolled-back transaction are void
                if attempt == 2:
                    raise StoreError(f"{self.backend.where}: cannot write {plan.target}/"
                                     f"{plan.collector}: {_first_line(exc)}") from exc
                log.warning("%s: write of %s/%s failed, retrying: %s", self.backend.where,
                            plan.target, plan.collector, _first_line(exc))

    def _plan_lock(self, key: tuple[str, str]) -> threading.Lock:
        with self._lock:
            return self._plan_locks.setdefault(key, threading.Lock())

    def _write_plan(self, plan: WritePlan) -> None:
        rows: list[dict[str, Any]] = []
        for write in plan.objects:
            object_id = self._object_id(plan.target, plan.collector, write.labels)
            for metric, kind, value in write.samples:
                series_id = self._series_id(object_id, self._metric_id(metric, kind))
                rows.append({"series_id": series_id, "ts": plan.ts, "value": value})
        self.backend.executemany("sample_insert", rows)
        for labels in plan.gone:
            found = self.backend.fetchall("object_find", _object_params(
                plan.target, plan.collector, labels))
            if found:
                self.backend.execute("sample_end_object", {"object_id": found[0][0],
                                                           "ts": plan.ts})
        self.backend.executemany("text_upsert", [
            {"digest": digest, "body": body, "last_used": plan.ts}
            for digest, body in plan.new_texts.items()])
        if plan.persist_snapshot or plan.persist_latest:
            self._write_rows(plan, plan.snapshot)

    def _write_rows(self, plan: WritePlan, encoded: EncodedSnapshot) -> None:
        """The encoded rows, as the newest rows and (when due) a per-object snapshot; the
        texts they refer to are kept as long as either."""
        self.backend.executemany("text_touch", [{"digest": digest, "last_used": plan.ts}
                                                for digest in sorted(encoded.refs)])
        params = {"target": plan.target, "collector": plan.collector, "taken_at": plan.ts,
                  "body": encoded.body}
        self.backend.execute("latest_upsert", params)
        if plan.persist_snapshot:
            self.backend.execute("snapshot_insert", {**params, "row_count": encoded.row_count})

    def _metric_id(self, name: str, kind: SeriesKind) -> int:
        found = self._ids.metrics.get(name)
        if found is None:
            found = self._upsert("metric_upsert", {"name": name, "kind": int(kind)})
            self._ids.metrics[name] = found
        return found

    def _object_id(self, target: str, collector: str, labels: Labels) -> int:
        params = _object_params(target, collector, labels)
        cache_key = (target, collector, params["labels"])
        found = self._ids.objects.get(cache_key)
        if found is None:
            found = self._upsert("object_upsert", params)
            self._ids.remember(self._ids.objects, cache_key, found)
        return found

    def _series_id(self, object_id: int, metric_id: int) -> int:
        found = self._ids.series.get((object_id, metric_id))
        if found is None:
            found = self._upsert("series_upsert", {"object_id": object_id,
                                                   "metric_id": metric_id})
            self._ids.remember(self._ids.series, (object_id, metric_id), found)
        return found

    def _upsert(self, name: str, params: Mapping[str, Any]) -> int:
        rows = self.backend.fetchall(name, params)
        return int(rows[0][0])

    def series(self, metric: str, labels_match: Mapping[str, str], since: datetime,
               until: datetime, *, rate: bool = False) -> list[Series]:
        """Raw points of every matching series in [since, until]; rates on request."""
        with self._open():
            return read_series(self.backend, metric, labels_match, epoch(since), epoch(until),
                               rate=rate)

    def rollups(self, metric: str, labels_match: Mapping[str, str], since: datetime,
                until: datetime) -> list[RollupSeries]:
        """Hourly roll-ups of every matching series for the hours starting in [since, until]."""
        with self._open():
            return read_rollups(self.backend, metric, labels_match, epoch(since), epoch(until))

    def latest(self, target: str, collector: str) -> Latest | None:
        """The newest rows this process wrote, else the newest rows stored (by any process
        sharing the store; replaced as often as samples are written)."""
        with self._open():
            found = self._latest.get((target, collector))
            if found is None:
                stored = self.backend.fetchall("latest_select", {"target": target,
                                                                 "collector": collector})
                if not stored:
                    return None
                found = (int(stored[0][0]), bytes(stored[0][1]))
            return self._decoded(target, collector, *found)

    def _decoded(self, target: str, collector: str, taken_at: int, body: bytes) -> Latest:
        fields, rows, refs = text_refs(body)
        texts = {}
        for digest in refs:
            text = self.backend.fetchall("text_get", {"digest": digest})
            if text:
                texts[digest] = str(text[0][0])
        return Latest(target, collector, datetime.fromtimestamp(taken_at, UTC),
                      decode_rows(fields, rows, texts))

    def record_event(self, target: str, kind: str, subject: str, detail: str,
                     at: datetime) -> None:
        """Keep an event (a setting changed, a refresh failed) for the report and rules."""
        with self._open(), self.backend.transaction():
            self.backend.execute("event_insert", {"target": target, "kind": kind,
                                                  "subject": subject, "detail": detail,
                                                  "at": epoch(at)})

    def events(self, target: str | None = None, kind: str | None = None,
               since: datetime | None = None, until: datetime | None = None,
               limit: int = 10_000) -> list[Event]:
        """Events oldest first, optionally of one target and kind, within [since, until]."""
        params = {"target": target, "kind": kind,
                  "since": epoch(since) if since else 0,
                  "until": epoch(until) if until else _FAR_FUTURE, "limit": limit}
        with self._open():
            rows = self.backend.fetchall("events_select", params)
        return [Event(str(t), str(k), str(s), str(d), datetime.fromtimestamp(int(a), UTC))
                for t, k, s, d, a in rows]

    def retention(self, now: datetime) -> None:
        """Roll up complete hours, then drop what is older than the policy keeps."""
        with self._open():
            try:
                apply_retention(self.backend, self.policy, epoch(now))
            finally:
                self._ids.clear()  # the dictionary may have lost rows
            self.backend.compact()

    def commit_evaluation(self, evaluation: Evaluation) -> dict[str, int]:
        """Alert state, sent marks and new notifications in one transaction; drops returned."""
        with self._open(), self.backend.transaction():
            return commit_evaluation(self.backend, evaluation)

    def alert_state(self, owner: str | None = None) -> tuple[list[Alert], list[SentMark]]:
        """The alerts and sent marks the last committed evaluation left."""
        with self._open():
            return load_alerts(self.backend, owner), load_sent(self.backend, owner or "")

    def outbox_head(self, receiver: str, limit: int = 100, *,
                    owner: str = "") -> list[OutboxEntry]:
        """The oldest queued notifications of ``receiver``, in queue order."""
        with self._open():
            return outbox_head(self.backend, receiver, limit, owner)

    def outbox_depths(self, owner: str | None = None) -> dict[str, int]:
        with self._open():
            return outbox_depths(self.backend, owner)

    def outbox_delivered(self, ids: Sequence[int]) -> None:
        with self._open(), self.backend.transaction():
            outbox_delivered(self.backend, ids)

    def outbox_retry(self, entry_id: int, attempts: int, next_attempt_at: float,
                     error: str) -> None:
        with self._open(), self.backend.transaction():
            outbox_retry(self.backend, entry_id, attempts, next_attempt_at, error)

    def size_bytes(self) -> int:
        with self._open():
            return self.backend.size_bytes()

    def close(self) -> None:
        """Close the connection once; a later use raises ``StoreError``, not the engine's error."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self.backend.close()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _IdCache:
    """Dictionary ids already known, so that a steady write costs one statement per sample."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.metrics: dict[str, int] = {}
        self.objects: dict[tuple[str, str, str], int] = {}
        self.series: dict[tuple[int, int], int] = {}

    def remember[K](self, cache: dict[K, int], key: K, value: int) -> None:
        if len(cache) >= self.limit:
            cache.clear()  # a rotating top-N would otherwise grow this without bound
        cache[key] = value

    def clear(self) -> None:
        self.metrics.clear()
        self.objects.clear()
        self.series.clear()


def labels_json(labels: Labels | Sequence[tuple[str, str]]) -> str:
    """The canonical text of a label set, as the dictionary stores it."""
    return json.dumps(dict(labels), sort_keys=True, separators=(",", ":"))


def _object_params(target: str, collector: str, labels: Labels) -> dict[str, str]:
    return {"target": target, "collector": collector, "labels": labels_json(labels)}



def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
