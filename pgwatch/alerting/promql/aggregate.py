"""Aggregation operators (sum, avg, min, max, count, topk, bottomk), as Prometheus 2.42's
``aggregation()`` computes them: same operation order, so the same floating-point results.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from pgwatch.alerting.promql import ast
from pgwatch.alerting.promql.errors import PromQLError
from pgwatch.alerting.promql.evaluating import Evaluating, Sample, Samples, check_unique
from pgwatch.alerting.promql.formatting import format_value
from pgwatch.alerting.promql.values import METRIC_NAME, Labels

_INT64_MAX = float(2**63 - 1)
_INT64_MIN = float(-(2**63))


@dataclass(slots=True)
class _Group:
    labels: Labels
    value: float
    mean: float
    count: int = 1
    heap: list[Sample] = field(default_factory=list)


def _group_key(labels: Labels, grouping: tuple[str, ...], without: bool) -> Labels:
    if without:
        return tuple(p for p in labels if p[0] != METRIC_NAME and p[0] not in grouping)
    return tuple(p for p in labels if p[0] in grouping)


def evaluate_aggregate(ev: Evaluating, node: ast.Aggregate) -> Samples:
    """``op by|without (labels) ([param,] expr)``."""
    k = 0
    if node.op in ("topk", "bottomk"):
        assert node.param is not None
        k = _k_of(ev.scalar(node.param))
    samples = ev.vector(node.expr)
    if node.op in ("topk", "bottomk"):
        if k < 1:
            return []
        return _select_k(node, samples, k)
    groups: dict[Labels, _Group] = {}
    for labels, value in samples:
        key = _group_key(labels, node.grouping, node.without)
        group = groups.get(key)
        if group is None:
            groups[key] = _Group(key, value, value)
            continue
        _ACCUMULATE[node.op](group, value)
    out = [(g.labels, _result(node.op, g)) for g in groups.values()]
    check_unique(out)
    return out


def _k_of(value: float) -> int:
    if not (_INT64_MIN <= value <= _INT64_MAX):
        raise PromQLError(f"Scalar value {format_value(value)} overflows int64",
                          construct="evaluation")
    return int(value)


def _sum(group: _Group, value: float) -> None:
    group.value += value


def _avg(group: _Group, value: float) -> None:
    group.count += 1
    mean = group.mean
    if math.isinf(mean):
        if math.isinf(value) and (mean > 0) == (value > 0):
            return
        if not math.isinf(value) and not math.isnan(value):
            return
    n = float(group.count)
    group.mean = mean + (value / n - mean / n)


def _max(group: _Group, value: float) -> None:
    if group.value < value or math.isnan(group.value):
        group.value = value


def _min(group: _Group, value: float) -> None:
    if group.value > value or math.isnan(group.value):
        group.value = value


def _count(group: _Group, value: float) -> None:
    group.count += 1


_ACCUMULATE: dict[str, Callable[[_Group, float], None]] = {
    "sum": _sum, "avg": _avg, "max": _max, "min": _min, "count": _count,
}


def _result(op: str, group: _Group) -> float:
    if op == "avg":
        return group.mean
    if op == "count":
        return float(group.count)
    return group.value


# topk keeps a min-heap of the k largest (NaN counts as smallest), bottomk a max-heap of the
# k smallest (NaN as largest): Go's container/heap, step for step, so that ties and NaNs
# resolve as in Prometheus for the same input order.
def _less_topk(a: float, b: float) -> bool:
    return math.isnan(a) or a < b


def _less_bottomk(a: float, b: float) -> bool:
    return math.isnan(a) or a > b


def _select_k(node: ast.Aggregate, samples: Samples, k: int) -> Samples:
    top = node.op == "topk"
    less = _less_topk if top else _less_bottomk
    groups: dict[Labels, list[Sample]] = {}
    for sample in samples:
        key = _group_key(sample[0], node.grouping, node.without)
        heap = groups.get(key)
        if heap is None:
            groups[key] = [sample]
            continue
        value = sample[1]
        head = heap[0][1]
        better = head < value if top else head > value
        if len(heap) < k or better or math.isnan(head):
            if len(heap) == k:
                if k == 1:
                    heap[0] = sample
                    continue
                _heap_pop(heap, less)
            heap.append(sample)
            _heap_up(heap, len(heap) - 1, less)
    out: Samples = []
    for heap in groups.values():
        out.extend(_sorted_reverse(heap, less))
    return out


def _sorted_reverse(heap: list[Sample], less: Callable[[float, float], bool]) -> list[Sample]:
    nans = [s for s in heap if math.isnan(s[1])]
    rest = sorted((s for s in heap if not math.isnan(s[1])), key=lambda s: s[1],
                  reverse=less is _less_topk)
    return rest + nans


def _heap_up(heap: list[Sample], j: int, less: Callable[[float, float], bool]) -> None:
    while j > 0:
        i = (j - 1) // 2
        if not less(heap[j][1], heap[i][1]):
            break
        heap[i], heap[j] = heap[j], heap[i]
        j = i


def _heap_down(heap: list[Sample], i: int, n: int, less: Callable[[float, float], bool]) -> None:
    while True:
        j1 = 2 * i + 1
        if j1 >= n:
            break
        j = j1
        j2 = j1 + 1
        if j2 < n and less(heap[j2][1], heap[j1][1]):
            j = j2
        if not less(heap[j][1], heap[i][1]):
            break
        heap[i], heap[j] = heap[j], heap[i]
        i = j


def _heap_pop(heap: list[Sample], less: Callable[[float, float], bool]) -> None:
    n = len(heap) - 1
    heap[0], heap[n] = heap[n], heap[0]
    _heap_down(heap, 0, n, less)
    heap.pop()
