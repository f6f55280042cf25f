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

from pgwatch.collectors.base import FieldSpec, Kind, Snapshot, fields_of
from pgwatch.daemon.state import RunState
from pgwatch.exposition.cardinality import OTHER, Bound, bound_rows, identity_of

PREFIX = "pgwatch"
LABEL_VALUE_LIMIT = 200
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
    """Every numeric field of every latest snapshot, bounded per ``bounds``."""

    def __init__(self, state: RunState, bounds: Mapping[str, Bound]) -> None:
        self.state = state
        self.bounds = bounds
        # A snapshot is rendered once, at the first scrape that sees it: bounding 20,000
        # indexes is far slower than a scrape may take, and snapshots are immutable.
        self._cache: dict[tuple[str, str], tuple[tuple[object, ...], Families]] = {}
        self._lock = threading.Lock()
        # A collector may send a text once (pg_stat_statements text, for new query ids only):
        # the info metric keeps showing it from here.
        self._texts: OrderedDict[tuple[str, str, str, tuple[str, ...]], str] = OrderedDict()
        state.subscribe(self.prepare)

    def prepare(self, snapshot: Snapshot) -> None:
        """Render a new snapshot (and what ranks by it) now, in the collecting thread,
        so that no scrape waits for the bounding of 20,000 indexes."""
        self._remember_texts(snapshot)
        self._rendered(snapshot)
        for collector, bound in self.bounds.items():
            if bound.rank_from is not None and bound.rank_from[0] == snapshot.collector:
                dependent = self.state.snapshot(snapshot.target, collector)
                if dependent is not None:
                    self._rendered(dependent)

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        """The cached families of every snapshot; one name may come once per target."""
        for snapshot in sorted(self.state.snapshots(), key=lambda s: (s.collector, s.target)):
            yield from self._rendered(snapshot).values()

    def _rendered(self, snapshot: Snapshot) -> Families:
        key = (snapshot.target, snapshot.collector)
        bound = self.bounds.get(snapshot.collector)
        source = (self.state.snapshot(snapshot.target, bound.rank_from[0])
                  if bound is not None and bound.rank_from is not None else None)
        version = (snapshot, source, self.state.target_labels(snapshot.target))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and all(a is b for a, b in zip(cached[0], version, strict=True)):
                return cached[1]
        families: Families = {}
        self._render(families, snapshot, bound, source)
        with self._lock:
            self._cache[key] = (version, families)
        return families

    def _render(self, families: Families, snapshot: Snapshot, bound: Bound | None,
                source: Snapshot | None) -> None:
        specs = fields_of(snapshot.row_type)
        base = {"target": snapshot.target, **dict(self.state.target_labels(snapshot.target))}
        rows: Sequence[Any] = snapshot.rows
        if bound is not None:
            bounded = bound_rows(snapshot.rows, specs, bound, _main_measure(source, bound))
            rows = bounded.kept
            if bounded.rest is not None:
                rest_labels = {s.name: OTHER for s in specs if s.kind is Kind.LABEL}
                _add_row(families, snapshot.collector, specs, {**base, **rest_labels},
                         bounded.rest)
            add_gauge(families, FOLDED.name, FOLDED.help, {**base, "collector": snapshot.collector},
                   bounded.folded)
        texts = bound.info_texts if bound is not None else ()
        label_names = [s.name for s in specs if s.kind is Kind.LABEL]
        for row in rows:
            labels = {**base, **{name: label_value(getattr(row, name)) for name in label_names}}
            values = {s.name: getattr(row, s.name) for s in specs}
            _add_row(families, snapshot.collector, specs, labels, values)
            identity = tuple(str(getattr(row, name)) for name in label_names)
            for name in texts:
                value = getattr(row, name, None) or self._text(snapshot, identity, name)
                _info(families, snapshot.collector, name, labels, value)

    def _remember_texts(self, snapshot: Snapshot) -> None:
        bound = self.bounds.get(snapshot.collector)
        if bound is None or not bound.info_texts:
            return
        labels = [s.name for s in fields_of(snapshot.row_type) if s.kind is Kind.LABEL]
        with self._lock:
            for row in snapshot.rows:
                identity = tuple(str(getattr(row, name)) for name in labels)
                for name in bound.info_texts:
                    value = getattr(row, name, None)
                    if value:
                        key = (snapshot.target, snapshot.collector, name, identity)
                        self._texts[key] = str(value)[:LABEL_VALUE_LIMIT]
                        self._texts.move_to_end(key)
            while len(self._texts) > TEXT_MEMORY:
                self._texts.popitem(last=False)

    def _text(self, snapshot: Snapshot, identity: tuple[str, ...], name: str) -> str:
        with self._lock:
            return self._texts.get((snapshot.target, snapshot.collector, name, identity), "")


def _main_measure(source: Snapshot | None, bound: Bound) -> dict[tuple[str, ...], float] | None:
    """Sizes by object from the collector ``bound.rank_from`` names, when it has reported."""
    if source is None or bound.rank_from is None:
        return None
    field = bound.rank_from[1]
    return {identity_of(row, bound): float(getattr(row, field) or 0) for row in source.rows}


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
           {**labels, name: label_value(value)}, 1)


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


def label_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = " ".join(str(value).split())
    return text if len(text) <= LABEL_VALUE_LIMIT else text[: LABEL_VALUE_LIMIT - 1] + "…"
