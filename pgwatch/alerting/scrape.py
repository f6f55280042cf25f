"""What a Prometheus scraping pgwatch would see, read from the registry /metrics renders.

The evaluator calls this once per evaluation interval: the same collectors, the same bounded
families, the same sample names and labels, so a rule reads exactly the series a Prometheus
scraping pgwatch at that interval would store (without the ``job``/``instance`` labels a
Prometheus adds to what it scrapes).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry

from pgwatch.alerting.model import Labels

NAME = "__name__"
Sample = tuple[Labels, float]


def scrape_registry(registry: CollectorRegistry,
                    keep: frozenset[str] | None = None) -> list[Sample]:
    """Every sample of ``registry`` (only the names in ``keep`` when given)."""
    return list(_samples(registry, keep))


def _samples(registry: CollectorRegistry, keep: frozenset[str] | None) -> Iterator[Sample]:
    for family in registry.collect():
        for sample in family.samples:
            if keep is not None and sample.name not in keep:
                continue
            labels = dict(sample.labels)
            labels[NAME] = sample.name
            yield tuple(sorted(labels.items())), float(sample.value)
