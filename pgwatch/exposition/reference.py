"""docs/metrics.md, generated from the row declarations so it cannot drift from the code.

Regenerate with ``python -m pgwatch.exposition.reference docs/metrics.md``; a test fails
when the committed file differs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from pgwatch.alerting.api import ALERTING_METRICS
from pgwatch.collectors.base import FieldSpec, Kind, fields_of
from pgwatch.collectors.registry import COLLECTOR_TYPES
from pgwatch.exposition.baselines import BASELINE
from pgwatch.exposition.bounds import DEFAULT_BOUNDS
from pgwatch.exposition.metrics import FOLDED, help_text, info_help, info_name, metric_name
from pgwatch.exposition.self_metrics import SELF_METRICS

HEADER = """# Metrics

Every metric pgwatch exposes on `/metrics`. Generated from the code by
`python -m pgwatch.exposition.reference docs/metrics.md`; do not edit by hand.

Every collector metric, and pgwatch's own per-target metrics (`pgwatch_up`,
`pgwatch_collector_*`), carries `target` and the target's configured `labels`, plus the
labels listed. Counters are raw counters since the last statistics reset: use `rate()` or
`increase()`. Units are base units (seconds, bytes).

Capped collectors expose their largest or busiest objects and fold the rest into one series
whose identifying labels are `__other__` (counters and sizes summed); the cap is configured
under `metrics:` and `pgwatch_exposition_objects_folded` says how many objects were folded.
"""


def reference() -> str:
    """The whole document."""
    return "\n".join([HEADER, *_self_section(), *_collector_sections(),
                      *_baseline_section()]) + "\n"


def exposed_names() -> frozenset[str]:
    """Every sample name /metrics can carry (histograms with their three suffixes)."""
    names = {FOLDED.name, BASELINE.name}
    for doc in (*SELF_METRICS, *ALERTING_METRICS):
        suffixes = ("_bucket", "_sum", "_count") if doc.kind == "histogram" else ("",)
        names.update(doc.name + suffix for suffix in suffixes)
    for collector_type in COLLECTOR_TYPES:
        name = str(collector_type.name)
        names.update(metric_name(name, spec) for spec in fields_of(collector_type.row_type)
                     if spec.kind in (Kind.COUNTER, Kind.GAUGE))
        bound = DEFAULT_BOUNDS.get(name)
        names.update(info_name(name, t) for t in (bound.info_texts if bound else ()))
    return frozenset(names)


def _self_section() -> Iterator[str]:
    yield "## pgwatch itself\n"
    yield "| metric | type | labels | meaning |"
    yield "| --- | --- | --- | --- |"
    for doc in (*SELF_METRICS, FOLDED, *ALERTING_METRICS):
        yield f"| `{doc.name}` | {doc.kind} | {', '.join(doc.labels) or '—'} | {doc.help} |"
    yield ""


def _collector_sections() -> Iterator[str]:
    for collector_type in COLLECTOR_TYPES:
        name = str(collector_type.name)
        specs = fields_of(collector_type.row_type)
        labels = [s.name for s in specs if s.kind is Kind.LABEL]
        interval = float(collector_type.default_interval_s)
        yield f"## {name}\n"
        yield (f"Default interval {interval:g} s. Labels: "
               f"{', '.join(f'`{n}`' for n in labels) or 'none beyond target'}.")
        bound = DEFAULT_BOUNDS.get(name)
        if bound is not None:
            yield (f"Capped: top {bound.top_n} by `{bound.rank_by[0]}`"
                   + (f" (ranked by `{bound.rank_from[0]}.{bound.rank_from[1]}`)"
                      if bound.rank_from else "")
                   + (f", plus top {bound.per_dimension} by each of "
                      f"{', '.join(f'`{r}`' for r in bound.rank_by[1:])}"
                      if bound.per_dimension and len(bound.rank_by) > 1 else "") + ".")
        yield ""
        yield "| metric | type | unit | meaning |"
        yield "| --- | --- | --- | --- |"
        for spec in specs:
            if spec.kind in (Kind.COUNTER, Kind.GAUGE):
                yield _row(name, spec)
        for text_field in bound.info_texts if bound is not None else ():
            yield (f"| `{info_name(name, text_field)}` | gauge | — | "
                   f"{info_help(name, text_field)} |")
        yield ""


def _baseline_section() -> Iterator[str]:
    yield "## statement baselines\n"
    yield ("Computed from the history store, not read from the target: per statement, the "
           "execution time divided by the calls over `metrics.baseline_period` (7 days) of "
           "history ending an hour ago, for statements with at least 20 calls in it among "
           "those the store keeps per-object history of (`store.top_n` most active, 20 by "
           "default); recomputed every `metrics.baseline_refresh` (15 min). Labels: those of "
           "the statement's other series.")
    yield ""
    yield "| metric | type | unit | meaning |"
    yield "| --- | --- | --- | --- |"
    yield f"| `{BASELINE.name}` | {BASELINE.kind} | seconds | {BASELINE.help} |"
    yield ""


def _row(collector: str, spec: FieldSpec) -> str:
    kind = "counter" if spec.kind is Kind.COUNTER else "gauge"
    return (f"| `{metric_name(collector, spec)}` | {kind} | {spec.unit or '—'} | "
            f"{help_text(collector, spec)} |")


def main(argv: list[str]) -> int:
    """Write the reference to the file named by the single argument."""
    if len(argv) != 1:
        print("usage: python -m pgwatch.exposition.reference docs/metrics.md", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(reference(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
