"""``pgwatch_statements_baseline_mean_seconds``: each statement's own baseline, on /metrics.

The baselines come from the history store (``pgwatch.store.baselines``), recomputed on a
slow cadence: a scrape that finds them due starts the computation in a thread of its own
and renders the last result from memory, so no scrape waits for the store. The series carry
exactly the labels of the statement's other series (``pgwatch.collectors.naming``), so a
rule can divide a statement's recent mean by its baseline in Prometheus and in pgwatch alike.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from pgwatch.collectors.naming import series_labels
from pgwatch.daemon.state import RunState
from pgwatch.exposition.metrics import PREFIX, Families, MetricDoc, add_gauge
from pgwatch.store.base import Store
from pgwatch.store.baselines import BaselinePolicy, StatementBaseline, statement_baselines

log = logging.getLogger(__name__)
BASELINE = MetricDoc(
    f"{PREFIX}_statements_baseline_mean_seconds", "gauge",
    "Mean execution time of the statement over the baseline period, from the store "
    "(period and refresh set under metrics:).",
    ("target", "queryid", "datname", "usename", "toplevel"))


class BaselineCollector(Collector):
    """Renders the last computed baselines; ``refresh`` recomputes them from the store."""

    def __init__(self, state: RunState, store: Store, policy: BaselinePolicy,
                 every_s: float, clock: Callable[[], datetime] | None = None) -> None:
        self.state = state
        self.store = store
        self.policy = policy
        self.every_s = every_s
        self.clock = clock or (lambda: datetime.now(UTC))
        self._baselines: tuple[StatementBaseline, ...] = ()
        self._next = 0.0
        self._lock = threading.Lock()

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        self.refresh_if_due()
        with self._lock:
            baselines = self._baselines
        if not baselines:
            return
        families: Families = {}
        targets = self.state.targets_up()
        for baseline in baselines:
            if baseline.target not in targets:
                continue  # a target removed by a reload keeps its history, not its series
            labels = series_labels(baseline.target, self.state.target_labels(baseline.target),
                                   baseline.labels)
            add_gauge(families, BASELINE.name, BASELINE.help, labels, baseline.mean_seconds)
        yield from families.values()

    def refresh_if_due(self) -> None:
        """Start a recomputation in the background when ``every_s`` has passed since the last."""
        with self._lock:
            if time.monotonic() < self._next:
                return
            self._next = time.monotonic() + self.every_s
        threading.Thread(target=self.refresh, name="pgwatch-baselines", daemon=True).start()

    def refresh(self) -> None:
        """Recompute every baseline now; a failure keeps the previous ones and is logged."""
        began = time.monotonic()
        try:
            baselines = statement_baselines(self.store, self.clock(), self.policy)
        except Exception:
            log.exception("statement baselines: computing from the store failed")
            return
        with self._lock:
            self._baselines = baselines
        log.debug("statement baselines: %d computed in %.2f s", len(baselines),
                  time.monotonic() - began)
