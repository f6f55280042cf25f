"""How a row field becomes a series: its metric name and label set, in one place.

The exposition renders these series on /metrics, the in-process evaluator reads them back
from that rendering, and the store keys its history with the same metric name and object
labels (it keeps ``target`` in a column of its own), so a rule's selector means the same
thing whether Prometheus, pgwatch's evaluator or a baseline computed from the store
answers it.

- The name is ``pgwatch_<collector>_<field>``; a counter's field already ends in ``_total``.
- A label value is on one line and at most ``LABEL_VALUE_LIMIT`` characters.
- The labels of a series are ``target``, then the target's configured labels, then the
  object's labels (an object label of the same name wins); an empty value is left out, as
  Prometheus drops empty labels when it ingests a scrape.
- The store's sums over all objects of a large collector are the series of the same name
  labelled ``AGGREGATE`` only; they are history for reports and baselines and are never
  exposed.
"""

from __future__ import annotations

from collections.abc import Iterable

PREFIX = "pgwatch"
LABEL_VALUE_LIMIT = 200
Labels = tuple[tuple[str, str], ...]
AGGREGATE: Labels = (("aggregate", "sum"),)


def metric_name(collector: str, field: str, prefix: str = PREFIX) -> str:
    """The series name of a row field."""
    return f"{prefix}_{collector}_{field}"


def label_value(value: object) -> str:
    """A label field as text: None is the empty string, booleans are true and false."""
    if type(value) is str:  # the common case, first and fast
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def label_text(value: object) -> str:
    """A label value as exposed and stored: on one line, truncated to LABEL_VALUE_LIMIT."""
    text = " ".join(label_value(value).split())
    return text if len(text) <= LABEL_VALUE_LIMIT else text[: LABEL_VALUE_LIMIT - 1] + "…"


def object_labels(names: Iterable[str], values: Iterable[object]) -> Labels:
    """The labels naming one object (its label fields), in declaration order."""
    return tuple(zip(names, map(label_text, values), strict=True))


def series_labels(target: str, target_labels: Iterable[tuple[str, str]],
                  objects: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """The full label set of one series of ``target``, as /metrics exposes it."""
    labels = {"target": target, **dict(target_labels), **dict(objects)}
    return {name: value for name, value in labels.items() if value != ""}


def is_aggregate(labels: Labels) -> bool:
    """True for the store's sum over all objects (never an object of its own)."""
    return labels == AGGREGATE
