"""pgwatch's own health as metrics: targets up, job durations, errors, skips, store size."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from pgwatch import __version__
from pgwatch.collectors.naming import series_labels
from pgwatch.daemon.state import DURATION_BUCKETS, JobStatus, RunState
from pgwatch.discovery import DiscoveryStatus
from pgwatch.exposition.metrics import (
    PREFIX,
    Families,
    MetricDoc,
    add_counter,
    add_gauge,
    family,
    label_value,
)
from pgwatch.store.health import StoreStatus

_JOB = ("target", "collector")
BUILD_INFO = MetricDoc(f"{PREFIX}_build_info", "gauge", "pgwatch version running (always 1).",
                       ("version",))
UP = MetricDoc(f"{PREFIX}_up", "gauge",
               "1 when the last attempt to reach the target succeeded, else 0.", ("target",))
DURATION = MetricDoc(f"{PREFIX}_collector_duration_seconds", "histogram",
                     "Time one run of a collector took, connection included.", _JOB)
RUNS = MetricDoc(f"{PREFIX}_collector_runs_total", "counter",
                 "Runs of a collector (skips excluded).", _JOB)
ERRORS = MetricDoc(f"{PREFIX}_collector_errors_total", "counter",
                   "Runs of a collector that failed; the log says why.", _JOB)
OVERRUNS = MetricDoc(f"{PREFIX}_collector_overruns_total", "counter",
                     "Runs that took longer than the collector's interval.", _JOB)
INTERVAL = MetricDoc(f"{PREFIX}_collector_interval_seconds", "gauge",
                     "How often the collector is scheduled.", _JOB)
LAST_SUCCESS = MetricDoc(f"{PREFIX}_collector_last_success_timestamp_seconds", "gauge",
                         "When the collector last succeeded (Unix time).", _JOB)
SKIPPED = MetricDoc(f"{PREFIX}_collector_skipped", "gauge",
                    "1 when the collector cannot run on the target; the reason label says why.",
                    (*_JOB, "reason"))
STORE_SIZE = MetricDoc(f"{PREFIX}_store_size_bytes", "gauge",
                       "Size of the history store on disk.", ())
STORE_UP = MetricDoc(f"{PREFIX}_store_up", "gauge",
                     "0 while the last write to the history store failed (disk full, read-only, "
                     "server gone), else 1; /readyz says why.", ())
STORE_WRITES = MetricDoc(f"{PREFIX}_store_writes_total", "counter",
                         "Snapshots handed to the history store.", ())
STORE_WRITE_ERRORS = MetricDoc(f"{PREFIX}_store_write_errors_total", "counter",
                               "Snapshots the history store failed to keep; the log says why.",
                               ())
STORE_LAST_WRITE = MetricDoc(f"{PREFIX}_store_last_write_success_timestamp_seconds", "gauge",
                             "When a write to the history store last succeeded (Unix time).", ())
DATABASE_ERRORS = MetricDoc(f"{PREFIX}_collector_database_errors_total", "counter",
                            "Runs of a per-database collector that failed in one database of "
                            "a sweep (its timeout, a lock, a lost connection); the log says why.",
                            (*_JOB, "datname"))
DISCOVERY_DATABASES = MetricDoc(
    f"{PREFIX}_discovery_databases", "gauge",
    "Databases of the instance that the last successful discovery watches (state=\"watched\") "
    "or leaves out (state=\"excluded\", reason=pattern, template, max or no_connections).",
    ("target", "state", "reason"))
DISCOVERY_LAST_SUCCESS = MetricDoc(f"{PREFIX}_discovery_last_success_timestamp_seconds", "gauge",
                                   "When database discovery last succeeded (Unix time).",
                                   ("target",))
DISCOVERY_ERRORS = MetricDoc(f"{PREFIX}_discovery_errors_total", "counter",
                             "Database discoveries that failed; the log says why.", ("target",))
SELF_METRICS = (BUILD_INFO, UP, DURATION, RUNS, ERRORS, OVERRUNS, INTERVAL, LAST_SUCCESS,
                SKIPPED, STORE_SIZE, STORE_UP, STORE_WRITES, STORE_WRITE_ERRORS, STORE_LAST_WRITE,
                DATABASE_ERRORS, DISCOVERY_DATABASES, DISCOVERY_LAST_SUCCESS, DISCOVERY_ERRORS)


class SelfCollector(Collector):
    """Reads the daemon's run state; never a database."""

    def __init__(self, state: RunState, store_size: Callable[[], float] | None = None,
                 store_status: Callable[[], StoreStatus] | None = None) -> None:
        self.state = state
        self.store_size = store_size
        self.store_status = store_status  # memory only: see pgwatch.store.health

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        families: Families = {}
        add_gauge(families, BUILD_INFO.name, BUILD_INFO.help, {"version": __version__}, 1)
        for target, up in sorted(self.state.targets_up().items()):
            labels = series_labels(target, self.state.target_labels(target))
            add_gauge(families, UP.name, UP.help, labels, int(up))
        for job in sorted(self.state.jobs(), key=lambda j: (j.target, j.collector)):
            _job(families, job, self.state.target_labels(job.target))
        for status in sorted(self.state.discoveries(), key=lambda d: d.target):
            _discovery(families, status, self.state.target_labels(status.target))
        if self.store_status is not None:
            _store(families, self.store_status())
        elif self.store_size is not None:
            add_gauge(families, STORE_SIZE.name, STORE_SIZE.help, {}, self.store_size())
        yield from families.values()


def _store(families: Families, status: StoreStatus) -> None:
    add_gauge(families, STORE_SIZE.name, STORE_SIZE.help, {}, status.size_bytes)
    add_gauge(families, STORE_UP.name, STORE_UP.help, {}, int(not status.failing))
    for doc, value in ((STORE_WRITES, status.writes_total),
                       (STORE_WRITE_ERRORS, status.write_errors_total)):
        add_counter(families, doc.name.removesuffix("_total"), doc.help, {}, value)
    if status.last_write_success_at:
        add_gauge(families, STORE_LAST_WRITE.name, STORE_LAST_WRITE.help, {},
                  status.last_write_success_at)


def _discovery(families: Families, status: DiscoveryStatus,
               target_labels: Iterable[tuple[str, str]]) -> None:
    labels = series_labels(status.target, target_labels)
    add_counter(families, DISCOVERY_ERRORS.name.removesuffix("_total"), DISCOVERY_ERRORS.help,
                labels, status.errors_total)
    for collector, datname, count in status.database_errors:
        add_counter(families, DATABASE_ERRORS.name.removesuffix("_total"), DATABASE_ERRORS.help,
                    {**labels, "collector": collector, "datname": label_value(datname)}, count)
    if status.found is None:
        return
    add_gauge(families, DISCOVERY_LAST_SUCCESS.name, DISCOVERY_LAST_SUCCESS.help, labels,
              status.last_success_at)
    add_gauge(families, DISCOVERY_DATABASES.name, DISCOVERY_DATABASES.help,
              {**labels, "state": "watched"}, len(status.found.watched))
    for reason, count in status.found.excluded_by().items():
        add_gauge(families, DISCOVERY_DATABASES.name, DISCOVERY_DATABASES.help,
                  {**labels, "state": "excluded", "reason": reason}, count)


def _job(families: Families, job: JobStatus, target_labels: Iterable[tuple[str, str]]) -> None:
    labels = series_labels(job.target, target_labels, (("collector", job.collector),))
    histogram = family(families, DURATION.name, DURATION.help, "histogram")
    for bound, count in zip((*DURATION_BUCKETS, float("inf")), job.bucket_counts, strict=True):
        le = "+Inf" if bound == float("inf") else repr(bound)
        histogram.add_sample(f"{DURATION.name}_bucket", {**labels, "le": le}, count)
    histogram.add_sample(f"{DURATION.name}_count", labels, job.bucket_counts[-1])
    histogram.add_sample(f"{DURATION.name}_sum", labels, job.duration_sum_s)
    for doc, value in ((RUNS, job.runs_total), (ERRORS, job.errors_total),
                       (OVERRUNS, job.overruns_total)):
        add_counter(families, doc.name.removesuffix("_total"), doc.help, labels, value)
    add_gauge(families, INTERVAL.name, INTERVAL.help, labels, job.interval_s)
    if job.last_success_at:
        add_gauge(families, LAST_SUCCESS.name, LAST_SUCCESS.help, labels, job.last_success_at)
    add_gauge(families, SKIPPED.name, SKIPPED.help,
              {**labels, "reason": label_value(job.skipped_reason)}, int(bool(job.skipped_reason)))
