"""From the alerts of one evaluation to queued notifications, committed with the state.

The decision (who must hear what), the new alert state and the rendered payloads are written
in one store transaction, then the receivers' workers are woken; a crash before the commit
leaves the previous decision, which the next evaluation simply makes again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pgwatch.alerting.history import AlertHistory
from pgwatch.alerting.model import Alert
from pgwatch.alerting.notifiers import Notifier
from pgwatch.alerting.notifiers.routing import Route, decide
from pgwatch.alerting.outbox import DeliveryStats, OutboxWorker, RetryPolicy
from pgwatch.store import Store
from pgwatch.store.alert_rows import Evaluation, OutboxItem, SentMark

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Timing:
    """Prometheus' timing of what it sends to Alertmanager."""

    resend_delay_s: float
    evaluation_interval_s: float

    @property
    def valid_for_s(self) -> float:
        """How far ahead a firing alert's ``endsAt`` is set: 4 × max(resend, interval)."""
        return 4 * max(self.resend_delay_s, self.evaluation_interval_s)


class Dispatcher:
    """Decides, renders and queues; owns one outbox worker per receiver."""

    def __init__(self, store: Store, alertmanagers: Sequence[Notifier],
                 receivers: Sequence[tuple[Route, Notifier]], *, timing: Timing,
                 external_labels: Mapping[str, str], keep_per_receiver: int,
                 retry: RetryPolicy, owner: str = "") -> None:
        self.store = store
        self.owner = owner
        self.alertmanagers = tuple(alertmanagers)
        self.receivers = tuple(receivers)
        self.timing = timing
        self.external_labels = dict(external_labels)
        self.keep_per_receiver = keep_per_receiver
        self.stats = DeliveryStats()
        self.depth: dict[str, int] = {}
        self.workers = self._workers(retry)
        self._marks: tuple[SentMark, ...] = ()
        self.history = AlertHistory()
        self._started = False

    def _workers(self, retry: RetryPolicy) -> list[OutboxWorker]:
        notifiers = [*self.alertmanagers, *(n for _, n in self.receivers)]
        return [OutboxWorker(self.store, n, retry, self.stats, owner=self.owner,
                             changed=self.refresh_depth) for n in notifiers]

    def reconfigure(self, alertmanagers: Sequence[Notifier],
                    receivers: Sequence[tuple[Route, Notifier]], *, timing: Timing,
                    external_labels: Mapping[str, str], keep_per_receiver: int,
                    retry: RetryPolicy) -> list[OutboxWorker]:
        """Deliver to these from now on (SIGHUP). Alert state, sent marks and queued
        notifications stay: a receiver kept by name goes on with its queue. Returns the old
        workers: the caller stops them outside any lock (a send may be under way), then
        calls :meth:`resume`, so that no queue has two workers at once."""
        old = self.workers
        self.alertmanagers, self.receivers = tuple(alertmanagers), tuple(receivers)
        self.timing, self.external_labels = timing, dict(external_labels)
        self.keep_per_receiver = keep_per_receiver
        self.workers = self._workers(retry)
        before, after = {w.receiver for w in old}, {w.receiver for w in self.workers}
        for name in sorted(after - before):
            log.info("receiver %s: added", name)
        for name in sorted(before - after):
            log.warning("receiver %s: removed; %d notification(s) it had queued stay in the "
                        "outbox until it is configured again", name, self.depth.get(name, 0))
        return old

    def resume(self) -> None:
        """Start the workers :meth:`reconfigure` made, once the old ones have stopped."""
        if self._started:
            for worker in self.workers:
                worker.start()
                worker.wake()

    def restore(self) -> list[Alert]:
        """The alert state and sent marks the store kept; returns the alerts."""
        alerts, marks = self.store.alert_state(self.owner)
        self._marks = tuple(marks)
        self.history = AlertHistory(alerts)  # restored: not fired again
        self.depth = self.store.outbox_depths(self.owner)
        configured = {w.receiver for w in self.workers}
        for receiver, n in sorted(self.depth.items()):
            if receiver not in configured:
                log.warning("receiver %s: %d notification(s) queued for a receiver no longer "
                            "configured; they stay in the outbox until it is configured again",
                            receiver, n)
        return alerts

    def refresh_depth(self) -> None:
        """Re-read the queues' depth (a worker's thread calls this, never a scrape)."""
        self.depth = self.store.outbox_depths(self.owner)

    def start(self) -> None:
        self._started = True
        for worker in self.workers:
            worker.start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()

    def dispatch(self, alerts: Sequence[Alert], now: float | None = None) -> int:
        """Persist ``alerts`` and queue what they call for; returns notifications queued."""
        at = time.time() if now is None else now
        decision = decide(alerts, self._marks, [r for r, _ in self.receivers], now=at,
                          resend_delay_s=self.timing.resend_delay_s,
                          valid_for_s=self.timing.valid_for_s, external=self.external_labels)
        queued: list[OutboxItem] = []
        if decision.alertmanager:
            queued += [OutboxItem(am.name, am.render(decision.alertmanager, at))
                       for am in self.alertmanagers]
        for route, notifier in self.receivers:
            told = decision.receivers.get(route.receiver)
            if told:
                queued.append(OutboxItem(notifier.name, notifier.render(told, at)))
        dropped = self.store.commit_evaluation(Evaluation(
            alerts=alerts, sent=decision.marks, queued=queued, now=at,
            keep_per_receiver=self.keep_per_receiver, owner=self.owner,
            events=self.history.transitions(alerts, at)))
        self._marks = decision.marks
        self.history.commit(alerts)
        for receiver, n in dropped.items():
            self.stats.add(self.stats.dropped, receiver, n)
            log.warning("receiver %s: outbox full (%d), dropped the %d oldest notification(s)",
                        receiver, self.keep_per_receiver, n)
        self.depth = self.store.outbox_depths(self.owner)
        if queued:
            for worker in self.workers:
                worker.wake()
        return len(queued)
