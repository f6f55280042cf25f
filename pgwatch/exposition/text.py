"""The Prometheus text format (0.0.4), with each rendered family's lines kept until it changes.

prometheus_client formats ~20 µs per sample; a snapshot's families do not change between
its collection and the next, so their lines are formatted once and reused by every scrape.
Families with one name that come from several targets are written under one HELP/TYPE.
"""

from __future__ import annotations

import math
import threading
import weakref

from prometheus_client.core import Metric
from prometheus_client.registry import CollectorRegistry

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class TextRenderer:
    """Renders a registry; remembers the sample lines of families it has seen before."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        # By identity: Metric compares by value and cannot be hashed. A dead reference means
        # the family was dropped (a newer snapshot replaced it) and its id may be reused.
        self._lines: dict[int, tuple[weakref.ref[Metric], str]] = {}
        self._lock = threading.Lock()

    def render(self) -> bytes:
        grouped: dict[str, list[Metric]] = {}
        for metric in self.registry.collect():
            grouped.setdefault(metric.name, []).append(metric)
        parts: list[str] = []
        for name, metrics in grouped.items():
            kind = "untyped" if metrics[0].type == "unknown" else metrics[0].type
            # The 0.0.4 format names a counter family as its samples are named.
            shown = f"{name}_total" if kind == "counter" else name
            parts.append(f"# HELP {shown} {_escape_help(metrics[0].documentation)}\n"
                         f"# TYPE {shown} {kind}\n")
            parts.extend(self._samples(metric) for metric in metrics)
        return "".join(parts).encode()

    def _samples(self, metric: Metric) -> str:
        with self._lock:
            ref, text = self._lines.get(id(metric), (None, ""))
        if ref is not None and ref() is metric:
            return text
        text = "".join(_sample_line(s.name, s.labels, s.value) for s in metric.samples)
        with self._lock:
            self._lines = {k: v for k, v in self._lines.items() if v[0]() is not None}
            self._lines[id(metric)] = (weakref.ref(metric), text)
        return text


def _sample_line(name: str, labels: dict[str, str], value: float) -> str:
    if labels:
        pairs = ",".join(f'{k}="{_escape_value(v)}"' for k, v in labels.items())
        return f"{name}{{{pairs}}} {_number(value)}\n"
    return f"{name} {_number(value)}\n"


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _escape_value(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _escape_help(text: str) -> str:
    return text.replace("\\", r"\\").replace("\n", r"\n")

