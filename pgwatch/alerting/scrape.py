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
_CACHE_LIMIT = 200_000


class RegistryScraper:
    """Samples of a registry as sorted label sets; remembers each series' sorted labels, as
    the exposition builds a series' labels in the same order every time."""

    def __init__(self, registry: CollectorRegistry, keep: frozenset[str] | None = None) -> None:
        self.registry = registry
        self.keep = keep
        self._sorted: dict[tuple[str, tuple[tuple[str, str], ...]], Labels] = {}

    def samples(self) -> Iterator[Sample]:
        """Every sample of the registry (only the names in ``keep`` when given)."""
        if len(self._sorted) > _CACHE_LIMIT:
            self._sorted.clear()  # series come and go (top-N): do not grow without bound
        keep, known = self.keep, self._sorted
        for family in self.registry.collect():
            for sample in family.samples:
                name = sample.name
                if keep is not None and name not in keep:
                    continue
                key = (name, tuple(sample.labels.items()))
                labels = known.get(key)
                if labels is None:
                    labels = known[key] = tuple(sorted({**sample.labels, NAME: name}.items()))
                yield labels, float(sample.value)


def scrape_registry(registry: CollectorRegistry,
                    keep: frozenset[str] | None = None) -> list[Sample]:
    """Every sample of ``registry`` at once (only the names in ``keep`` when given)."""
    return list(RegistryScraper(registry, keep).samples())
