"""Recording rules as Prometheus 2.42's RecordingRule.Eval runs them (promtool unit tests).

The result's series take the rule's name and labels (an empty label value removes the
label); two series with one label set, or more than the group's ``limit``, are errors.
"""

from __future__ import annotations

import logging
import time

from pgwatch.alerting.model import Labels, RecordingRule
from pgwatch.alerting.promql.storage import Storage
from pgwatch.errors import PgwatchError

log = logging.getLogger(__name__)

DUPLICATE_LABELSET = "vector contains metrics with the same labelset after applying rule labels"


class RecordingRunner:
    """One recording rule: the samples of its last evaluation and its health."""

    def __init__(self, rule: RecordingRule) -> None:
        from pgwatch.alerting.promql import parse

        self.rule = rule
        self.expr = parse(rule.expr)
        self.samples: list[tuple[Labels, float]] = []
        self.health = "unknown"
        self.last_error = ""
        self.last_evaluation_ms = 0
        self.evaluation_duration_s = 0.0

    def evaluate(self, storage: Storage, at_ms: int, limit: int = 0) -> list[tuple[Labels, float]]:
        """The series to record at ``at_ms``; on failure none, health ``err``."""
        started = time.perf_counter()
        try:
            self.samples = self._evaluate(storage, at_ms, limit)
        except PgwatchError as exc:
            self.samples = []
            self.health, self.last_error = "err", str(exc)
            log.warning("recording rule %s: evaluation failed: %s", self.rule.name, exc)
        else:
            self.health, self.last_error = "ok", ""
        self.last_evaluation_ms = at_ms
        self.evaluation_duration_s = time.perf_counter() - started
        return self.samples

    def _evaluate(self, storage: Storage, at_ms: int, limit: int) -> list[tuple[Labels, float]]:
        from pgwatch.alerting.promql import PromQLError, Scalar, Vector, evaluate

        result = evaluate(self.expr, storage, at_ms)
        if isinstance(result, Scalar):
            found: list[tuple[Labels, float]] = [((), result.value)]
        elif isinstance(result, Vector):
            found = [(s.labels, s.value) for s in result.samples]
        else:
            raise PromQLError("rule result is not a vector or scalar", construct="evaluation")
        out = []
        for series, value in found:
            labels = {**dict(series), "__name__": self.rule.name}
            for name, text in self.rule.labels:
                if text:
                    labels[name] = text
                else:
                    labels.pop(name, None)
            out.append((tuple(sorted(labels.items())), value))
        if len({labels for labels, _ in out}) < len(out):
            raise PromQLError(DUPLICATE_LABELSET, construct="evaluation")
        if limit > 0 and len(out) > limit:
            raise PromQLError(f"exceeded limit of {limit} with {len(out)} series",
                              construct="evaluation")
        return out
