"""What the daemon knows right now: the health of every job, and who gets each snapshot.

Written by the collection jobs, read by ``/metrics``, ``/readyz`` and the alert evaluator:
a scrape reads this, never the database. Snapshots are handed to the subscribers (the
exposition keeps what it renders of them) and not kept here: at 10,000 tables and 10,000
statements the row objects of the latest snapshots alone would take about 50 MB.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from pgwatch.collectors.base import Snapshot
from pgwatch.discovery import DiscoveryStatus

log = logging.getLogger(__name__)
JobKey = tuple[str, str]  # (target, collector)
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True, slots=True)
class JobStatus:
    """The outcome history of one (target, collector) job, as counters and last values."""

    target: str
    collector: str
    interval_s: float
    runs_total: int = 0
    errors_total: int = 0
    overruns_total: int = 0
    last_run_at: float = 0.0
    last_success_at: float = 0.0
    last_duration_s: float = 0.0
    last_error: str = ""
    skipped_reason: str = ""
    # Cumulative counts per DURATION_BUCKETS bound (then +Inf), and their sum: a histogram.
    bucket_counts: tuple[int, ...] = (0,) * (len(DURATION_BUCKETS) + 1)
    duration_sum_s: float = 0.0

    def observed(self, duration_s: float) -> JobStatus:
        """This status with one more run duration in its histogram."""
        counts = tuple(count + int(duration_s <= bound) for count, bound
                       in zip(self.bucket_counts, (*DURATION_BUCKETS, float("inf")), strict=True))
        return replace(self, bucket_counts=counts, duration_sum_s=self.duration_sum_s + duration_s)


class RunState:
    """Thread-safe job statuses, target health and snapshot subscribers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[JobKey, JobStatus] = {}
        self._targets_up: dict[str, bool] = {}
        self._target_labels: dict[str, tuple[tuple[str, str], ...]] = {}
        self._listeners: list[Callable[[Snapshot], None]] = []
        self._discoveries: dict[str, DiscoveryStatus] = {}

    def register(self, target: str, collector: str, interval_s: float) -> None:
        with self._lock:
            old = self._jobs.get((target, collector))
            status = JobStatus(target, collector, interval_s)
            self._jobs[(target, collector)] = replace(old, interval_s=interval_s) if old \
                else status

    def subscribe(self, listener: Callable[[Snapshot], None]) -> None:
        """Call ``listener`` (in the collecting thread) with every new snapshot."""
        with self._lock:
            self._listeners.append(listener)

    def set_target_labels(self, target: str, labels: dict[str, str]) -> None:
        """The configured labels that every metric of ``target`` carries."""
        with self._lock:
            self._target_labels[target] = tuple(sorted(labels.items()))

    def target_labels(self, target: str) -> tuple[tuple[str, str], ...]:
        with self._lock:
            return self._target_labels.get(target, ())

    def forget_target(self, target: str) -> None:
        """Drop everything about a target removed by a reload."""
        with self._lock:
            for key in [k for k in self._jobs if k[0] == target]:
                self._jobs.pop(key, None)
            self._targets_up.pop(target, None)
            self._target_labels.pop(target, None)
            self._discoveries.pop(target, None)

    def succeeded(self, snapshot: Snapshot, overran: bool) -> None:
        key = (snapshot.target, snapshot.collector)
        now = time.time()
        with self._lock:
            old = self._jobs[key].observed(snapshot.duration_s)
            self._jobs[key] = replace(old, runs_total=old.runs_total + 1, last_run_at=now,
                                      last_success_at=now, last_duration_s=snapshot.duration_s,
                                      last_error="", skipped_reason="",
                                      overruns_total=old.overruns_total + int(overran))
            self._targets_up[snapshot.target] = True
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(snapshot)
            except Exception:
                # A listener's bug must not fail the collection that fed it.
                log.exception("snapshot listener failed for %s/%s", snapshot.target,
                              snapshot.collector)

    def failed(self, target: str, collector: str, reason: str, duration_s: float) -> None:
        with self._lock:
            old = self._jobs[(target, collector)].observed(duration_s)
            self._jobs[(target, collector)] = replace(
                old, runs_total=old.runs_total + 1, errors_total=old.errors_total + 1,
                last_run_at=time.time(), last_duration_s=duration_s, last_error=reason)

    def also_failed(self, target: str, collector: str, reason: str) -> None:
        """A run that delivered a snapshot failed in part (in a database of a sweep)."""
        with self._lock:
            old = self._jobs[(target, collector)]
            self._jobs[(target, collector)] = replace(old, errors_total=old.errors_total + 1,
                                                      last_error=reason)

    def discovered(self, status: DiscoveryStatus) -> None:
        """The latest state of a target's database discovery."""
        with self._lock:
            self._discoveries[status.target] = status

    def discoveries(self) -> list[DiscoveryStatus]:
        with self._lock:
            return list(self._discoveries.values())

    def skipped(self, target: str, collector: str, reason: str) -> None:
        with self._lock:
            old = self._jobs[(target, collector)]
            self._jobs[(target, collector)] = replace(old, last_run_at=time.time(),
                                                      skipped_reason=reason, last_error="")
            self._targets_up[target] = True

    def target_up(self, target: str, up: bool) -> None:
        with self._lock:
            self._targets_up[target] = up

    def jobs(self) -> list[JobStatus]:
        with self._lock:
            return list(self._jobs.values())

    def targets_up(self) -> dict[str, bool]:
        with self._lock:
            return dict(self._targets_up)

    def ready(self, now: float | None = None) -> tuple[bool, list[str]]:
        """Every enabled job has succeeded (or been skipped) within two of its intervals."""
        now = time.time() if now is None else now
        late = [f"{j.target}/{j.collector}" for j in self.jobs()
                if not j.skipped_reason and now - j.last_success_at > 2 * j.interval_s]
        return not late, late
