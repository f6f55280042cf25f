"""Delivery of the durable outbox: one worker thread per receiver, in queue order.

At-least-once: an entry leaves the store only after its receiver accepted it, so a process
killed mid-delivery sends that one entry again on restart (Alertmanager de-duplicates).
A failure keeps the entry at the head of its queue and retries it after an exponential
back-off with jitter, so a receiver that was down gets everything, in order, once back.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from pgwatch.alerting.notifiers import DeliveryError, Notifier, first_line
from pgwatch.store import Store
from pgwatch.store.alert_rows import OutboxEntry

log = logging.getLogger(__name__)
_BATCH = 50
_IDLE_S = 5.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential back-off: initial × 2^(attempt-1), capped, with "equal jitter"."""

    initial_s: float = 1.0
    max_s: float = 300.0

    def delay(self, attempts: int) -> float:
        ceiling = min(self.max_s, self.initial_s * 2.0 ** max(0, attempts - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass
class DeliveryStats:
    """Counters per receiver for /metrics: delivered, failed attempts, dropped (queue full)."""

    sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    dropped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, counter: dict[str, int], receiver: str, n: int = 1) -> None:
        with self.lock:
            counter[receiver] += n

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self.lock:
            return {"sent": dict(self.sent), "failed": dict(self.failed),
                    "dropped": dict(self.dropped)}


class OutboxWorker:
    """Delivers one receiver's queue until stopped; ``wake()`` after queuing something."""

    def __init__(self, store: Store, notifier: Notifier, policy: RetryPolicy,
                 stats: DeliveryStats, *, owner: str = "",
                 changed: Callable[[], None] = lambda: None) -> None:
        self.store = store
        self.owner = owner
        self.changed = changed  # told when the queue shrank or an attempt failed
        self.notifier = notifier
        self.policy = policy
        self.stats = stats
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"pgwatch-outbox {notifier.name}")

    @property
    def receiver(self) -> str:
        return self.notifier.name

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout_s: float = 15.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        self.notifier.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait_s = self.drain()
                self.changed()
            except Exception as exc:  # the store itself failed: try again later
                log.error("receiver %s: outbox unreadable: %s", self.receiver, first_line(exc))
                wait_s = _IDLE_S
            self._wake.wait(wait_s)
            self._wake.clear()

    def drain(self) -> float:
        """Deliver due entries in order; returns how long to wait before trying again."""
        while not self._stop.is_set():
            entries = self.store.outbox_head(self.receiver, _BATCH, owner=self.owner)
            if not entries:
                return _IDLE_S
            for entry in entries:
                if self._stop.is_set():
                    return 0.0
                wait_s = entry.next_attempt_at - time.time()
                if wait_s > 0:
                    return wait_s
                if not self._deliver(entry):
                    break  # the head now waits for its retry time
        return 0.0

    def _deliver(self, entry: OutboxEntry) -> bool:
        try:
            self.notifier.deliver(entry.payload)
        except Exception as exc:
            attempts = entry.attempts + 1
            delay = self.policy.delay(attempts)
            reason = str(exc) if isinstance(exc, DeliveryError) else \
                f"receiver {self.receiver}: {type(exc).__name__}: {first_line(exc)}"
            self.store.outbox_retry(entry.id, attempts, time.time() + delay, reason)
            self.stats.add(self.stats.failed, self.receiver)
            log.warning("%s (attempt %d; notification kept, next try in %.1f s)", reason,
                        attempts, delay)
            return False
        self.store.outbox_delivered([entry.id])
        self.stats.add(self.stats.sent, self.receiver)
        if entry.attempts:
            log.info("receiver %s: delivered after %d failed attempt(s)", self.receiver,
                     entry.attempts)
        return True
