"""Prometheus collectors that render the latest snapshots and the daemon's own health.

``collect()`` builds fresh metric families from memory on every scrape and ``describe()``
returns nothing, so registering never collects and a scrape never queries a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from pgwatch import __version__
from pgwatch.collectors.base import FieldSpec, Kind, Snapshot, fields_of
from pgwatch.daemon.state import DURATION_BUCKETS, JobStatus, RunState
from pgwatch.exposition.cardinality import OTHER, Bound, bound_rows, identity_of

PREFIX = "pgwatch"
LABEL_VALUE_LIMIT = 200
Families = dict[str, Metric]


class SnapshotCollector(Collector):
    """Every numeric field of every latest snapshot, bounded per ``bounds``."""

    def __init__(self, state: RunState, bounds: Mapping[str, Bound]) -> None:
        self.state = state
        self.bounds = bounds

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        families: Families = {}
        for snapshot in sorted(self.state.snapshots(), key=lambda s: (s.collector, s.target)):
            self._render(families, snapshot)
        yield from families.values()

    def _render(self, families: Families, snapshot: Snapshot) -> None:
        specs = fields_of(snapshot.row_type)
        base = {"target": snapshot.target, **dict(self.state.target_labels(snapshot.target))}
        bound = self.bounds.get(snapshot.collector)
        rows: Sequence[Any] = snapshot.rows
        if bound is not None:
            bounded = bound_rows(snapshot.rows, specs, bound, self._main_measure(snapshot, bound))
            rows = bounded.kept
            if bounded.rest is not None:
                rest_labels = {s.name: OTHER for s in specs if s.kind is Kind.LABEL}
                _add_row(families, snapshot.collector, specs, {**base, **rest_labels},
                         bounded.rest)
            _gauge(families, f"{PREFIX}_exposition_objects_folded",
                   "Objects folded into the __other__ series by the cardinality bound.",
                   {**base, "collector": snapshot.collector}, bounded.folded)
        texts = bound.info_texts if bound is not None else ()
        label_names = [s.name for s in specs if s.kind is Kind.LABEL]
        for row in rows:
            labels = {**base, **{name: _label(getattr(row, name)) for name in label_names}}
            values = {s.name: getattr(row, s.name) for s in specs}
            _add_row(families, snapshot.collector, specs, labels, values)
            identity = tuple(str(getattr(row, name)) for name in label_names)
            for name in texts:
                value = getattr(row, name, None) or self.state.text(
                    snapshot.target, snapshot.collector, identity, name)
                _info(families, snapshot.collector, name, labels, value)

    def _main_measure(self, snapshot: Snapshot, bound: Bound
                      ) -> dict[tuple[str, ...], float] | None:
        if bound.rank_from is None:
            return None
        source = self.state.snapshot(snapshot.target, bound.rank_from[0])
        if source is None:
            return None
        field = bound.rank_from[1]
        return {identity_of(row, bound): float(getattr(row, field) or 0) for row in source.rows}



class SelfCollector(Collector):
    """pgwatch's own health: targets up, job durations, errors, skips, store size."""

    def __init__(self, state: RunState, store_size: Callable[[], float] | None = None) -> None:
        self.state = state
        self.store_size = store_size

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        families: Families = {}
        _gauge(families, f"{PREFIX}_build_info", "pgwatch version running (always 1).",
               {"version": __version__}, 1)
        for target, up in sorted(self.state.targets_up().items()):
            _gauge(families, f"{PREFIX}_up",
                   "1 when the last attempt to reach the target succeeded, else 0.",
                   {"target": target}, int(up))
        for job in sorted(self.state.jobs(), key=lambda j: (j.target, j.collector)):
            self._job(families, job)
        if self.store_size is not None:
            _gauge(families, f"{PREFIX}_store_size_bytes",
                   "Size of the history store on disk.", {}, self.store_size())
        yield from families.values()

    def _job(self, families: Families, job: JobStatus) -> None:
        labels = {"target": job.target, "collector": job.collector}
        histogram = _family(families, f"{PREFIX}_collector_duration_seconds",
                            "Time one run of a collector took, connection included.",
                            "histogram")
        for bound, count in zip((*DURATION_BUCKETS, float("inf")), job.bucket_counts,
                                strict=True):
            le = "+Inf" if bound == float("inf") else repr(bound)
            histogram.add_sample(f"{histogram.name}_bucket", {**labels, "le": le}, count)
        histogram.add_sample(f"{histogram.name}_count", labels, job.bucket_counts[-1])
        histogram.add_sample(f"{histogram.name}_sum", labels, job.duration_sum_s)
        _counter(families, f"{PREFIX}_collector_runs", "Runs of a collector (skips excluded).",
                 labels, job.runs_total)
        _counter(families, f"{PREFIX}_collector_errors", "Runs of a collector that failed.",
                 labels, job.errors_total)
        _counter(families, f"{PREFIX}_collector_overruns",
                 "Runs that took longer than the collector's interval.", labels,
                 job.overruns_total)
        _gauge(families, f"{PREFIX}_collector_interval_seconds",
               "How often the collector is scheduled.", labels, job.interval_s)
        if job.last_success_at:
            _gauge(families, f"{PREFIX}_collector_last_success_timestamp_seconds",
                   "When the collector last succeeded (Unix time).", labels,
                   job.last_success_at)
        _gauge(families, f"{PREFIX}_collector_skipped",
               "1 when the collector cannot run on the target; the reason says why.",
               {**labels, "reason": _label(job.skipped_reason)}, int(bool(job.skipped_reason)))


def metric_name(collector: str, spec: FieldSpec) -> str:
    """The exposed name of a row field (counters keep their ``_total`` on the sample)."""
    return f"{PREFIX}_{collector}_{spec.name}"


def help_text(collector: str, spec: FieldSpec) -> str:
    what = spec.help or spec.name.replace("_", " ")
    return f"{what[:1].upper()}{what[1:]} (from the {collector} collector)."


def _add_row(families: Families, collector: str, specs: Sequence[FieldSpec],
             labels: dict[str, str], values: Mapping[str, Any]) -> None:
    for spec in specs:
        value = values.get(spec.name)
        if value is None or isinstance(value, str):
            continue
        name = metric_name(collector, spec)
        if spec.kind is Kind.COUNTER:
            _counter(families, name.removesuffix("_total"), help_text(collector, spec), labels,
                     float(value))
        elif spec.kind is Kind.GAUGE:
            _gauge(families, name, help_text(collector, spec), labels, float(value))


def _info(families: Families, collector: str, name: str, labels: dict[str, str],
          value: object) -> None:
    _gauge(families, f"{PREFIX}_{collector}_{name}_info",
           f"The {name} of each exposed object, truncated to {LABEL_VALUE_LIMIT} characters "
           f"(from the {collector} collector); always 1.", {**labels, name: _label(value)}, 1)


def _family(families: Families, name: str, documentation: str, kind: str) -> Metric:
    family = families.get(name)
    if family is None:
        family = families[name] = Metric(name, documentation, kind)
    return family


def _counter(families: Families, name: str, documentation: str, labels: dict[str, str],
             value: float) -> None:
    _family(families, name, documentation, "counter").add_sample(f"{name}_total", labels, value)


def _gauge(families: Families, name: str, documentation: str, labels: dict[str, str],
           value: float) -> None:
    _family(families, name, documentation, "gauge").add_sample(name, labels, value)


def _label(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = " ".join(str(value).split())
    return text if len(text) <= LABEL_VALUE_LIMIT else text[: LABEL_VALUE_LIMIT - 1] + "…"
