"""Prometheus collectors that render the latest snapshots and the daemon's own health.

``collect()`` builds fresh metric families from memory on every scrape and ``describe()``
returns nothing, so registering never collects and a scrape never queries a database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from pgwatch.collectors import naming
from pgwatch.collectors.base import FieldSpec, Kind, Snapshot, fields_of, identity
from pgwatch.collectors.naming import LABEL_VALUE_LIMIT, PREFIX, series_labels
from pgwatch.daemon.state import RunState
from pgwatch.exposition.cardinality import OTHER, Bound, bound_rows, identity_of

__all__ = ["FOLDED", "LABEL_VALUE_LIMIT", "PREFIX", "Families", "MetricDoc", "SnapshotCollector",
           "add_counter", "add_gauge", "family", "help_text", "info_help", "info_name",
           "label_value", "metric_name"]
TEXT_MEMORY = 50_000  # texts kept for info metrics (one per query id seen recently)
Families = dict[str, Metric]


@dataclass(frozen=True, slots=True)
class MetricDoc:
    """A metric pgwatch exposes that is not a collector's row field."""

    name: str
    kind: str
    help: str
    labels: tuple[str, ...]


FOLDED = MetricDoc(f"{PREFIX}_exposition_objects_folded", "gauge",
                   "Objects folded into the __other__ series by the cardinality bound.",
                   ("target", "collector"))


class SnapshotCollector(Collector):
    """Every numeric field of every latest snapshot, bounded per ``bounds``.

    A snapshot is rendered once, as it arrives, in the collecting thread: bounding 20,000
    indexes is far slower than a scrape may take. Only the rendered families are kept, never
    the rows, so an object ranked by another collector's measure (indexes by size) is
    re-ranked when its own collector next reports.
    """

    def __init__(self, state: RunState, bounds: Mapping[str, Bound]) -> None:
        self.state = state
        self.bounds = bounds
        self._families: dict[tuple[str, str], Families] = {}
        # Per (target, ranked collector): the main measure by object identity, read from the
        # collector its bound ranks by (tables by table_size.total_bytes).
        self._measures: dict[tuple[str, str], dict[str, float]] = {}
        self._lock = threading.Lock()
        # A collector may send a text once (pg_stat_statements text, for new query ids only):
        # the info metric keeps showing it from here.
        self._texts: OrderedDict[tuple[str, str, str, str], str] = OrderedDict()
        state.subscribe(self.prepare)

    def prepare(self, snapshot: Snapshot) -> None:
        """Remember what ranks other collectors, then render ``snapshot``."""
        self._remember_texts(snapshot)
        for name, ranked in self.bounds.items():
            if ranked.rank_from is not None and ranked.rank_from[0] == snapshot.collector:
                field = ranked.rank_from[1]
                measure = {identity_of(row, ranked): float(getattr(row, field) or 0)
                           for row in snapshot.rows}
                with self._lock:
                    self._measures[(snapshot.target, name)] = measure
        key = (snapshot.target, snapshot.collector)
        with self._lock:
            main_measure = self._measures.get(key)
        families: Families = {}
        self._render(families, snapshot, self.bounds.get(snapshot.collector), main_measure)
        with self._lock:
            self._families[key] = families

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        """The families of every job's latest snapshot; one name may come once per target."""
        jobs = {(job.target, job.collector) for job in self.state.jobs()}
        with self._lock:
            for key in [k for k in self._families if k not in jobs]:
                del self._families[key]  # a target or collector removed by a reload
                self._measures.pop(key, None)
            rendered = sorted(self._families.items(), key=lambda item: (item[0][1], item[0][0]))
        for _, families in rendered:
            yield from families.values()

    def _render(self, families: Families, snapshot: Snapshot, bound: Bound | None,
                main_measure: Mapping[str, float] | None) -> None:
        specs = fields_of(snapshot.row_type)
        target_labels = self.state.target_labels(snapshot.target)
        base = series_labels(snapshot.target, target_labels)
        rows: Sequence[Any] = snapshot.rows
        label_names = [s.name for s in specs if s.kind is Kind.LABEL]
        if bound is not None:
            bounded = bound_rows(snapshot.rows, specs, bound, main_measure)
            rows = bounded.kept
            if bounded.rest is not None:
                rest = series_labels(snapshot.target, target_labels,
                                     [(name, OTHER) for name in label_names])
                _add_row(families, snapshot.collector, specs, rest, bounded.rest)
            add_gauge(families, FOLDED.name, FOLDED.help, {**base, "collector": snapshot.collector},
                   bounded.folded)
        texts = bound.info_texts if bound is not None else ()
        for row in rows:
            labels = series_labels(snapshot.target, target_labels, naming.object_labels(
                label_names, (getattr(row, name) for name in label_names)))
            values = {s.name: getattr(row, s.name) for s in specs}
            _add_row(families, snapshot.collector, specs, labels, values)
            name_of = identity(getattr(row, name) for name in label_names)
            for name in texts:
                value = getattr(row, name, None) or self._text(snapshot, name_of, name)
                _info(families, snapshot.collector, name, labels, value)

    def _remember_texts(self, snapshot: Snapshot) -> None:
        bound = self.bounds.get(snapshot.collector)
        if bound is None or not bound.info_texts:
            return
        labels = [s.name for s in fields_of(snapshot.row_type) if s.kind is Kind.LABEL]
        with self._lock:
            for row in snapshot.rows:
                name_of = identity(getattr(row, name) for name in labels)
                for name in bound.info_texts:
                    value = getattr(row, name, None)
                    if value:
                        key = (snapshot.target, snapshot.collector, name, name_of)
                        self._texts[key] = str(value)[:LABEL_VALUE_LIMIT]
                        self._texts.move_to_end(key)
            while len(self._texts) > TEXT_MEMORY:
                self._texts.popitem(last=False)

    def _text(self, snapshot: Snapshot, name_of: str, name: str) -> str:
        with self._lock:
            return self._texts.get((snapshot.target, snapshot.collector, name, name_of), "")


def metric_name(collector: str, spec: FieldSpec) -> str:
    """The exposed name of a row field (counters keep their ``_total`` on the sample)."""
    return naming.metric_name(collector, spec.name)


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
            add_counter(families, name.removesuffix("_total"), help_text(collector, spec), labels,
                     float(value))
        elif spec.kind is Kind.GAUGE:
            add_gauge(families, name, help_text(collector, spec), labels, float(value))


def info_name(collector: str, name: str) -> str:
    return f"{PREFIX}_{collector}_{name}_info"


def info_help(collector: str, name: str) -> str:
    return (f"The {name} of each exposed object, truncated to {LABEL_VALUE_LIMIT} characters "
            f"(from the {collector} collector); always 1.")


def _info(families: Families, collector: str, name: str, labels: dict[str, str],
          value: object) -> None:
    add_gauge(families, info_name(collector, name), info_help(collector, name),
           series_labels(labels["target"], labels.items(), [(name, label_value(value))]), 1)


def family(families: Families, name: str, documentation: str, kind: str) -> Metric:
    family = families.get(name)
    if family is None:
        family = families[name] = Metric(name, documentation, kind)
    return family


def add_counter(families: Families, name: str, documentation: str, labels: dict[str, str],
             value: float) -> None:
    family(families, name, documentation, "counter").add_sample(f"{name}_total", labels, value)


def add_gauge(families: Families, name: str, documentation: str, labels: dict[str, str],
           value: float) -> None:
    family(families, name, documentation, "gauge").add_sample(name, labels, value)


label_value = naming.label_text  # a label as exposed (self-metrics and the API use it)
