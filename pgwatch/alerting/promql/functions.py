"""The supported functions, computed as Prometheus 2.42's promql/functions.go does."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence

from pgwatch.alerting.promql import ast
from pgwatch.alerting.promql.errors import PromQLError
from pgwatch.alerting.promql.evaluating import (
    Evaluating,
    Internal,
    RangeSeries,
    Samples,
    check_unique,
)
from pgwatch.alerting.promql.gomath import go_max, go_min
from pgwatch.alerting.promql.matchers import MatchOp
from pgwatch.alerting.promql.values import METRIC_NAME, Labels, drop_name

RangeFn = Callable[[RangeSeries, int, ast.MatrixSelector], float | None]


def evaluate_call(ev: Evaluating, node: ast.Call) -> Internal:  # noqa: PLR0911
    """Apply ``node.func`` to its evaluated arguments."""
    name, args = node.func, tuple(ast.unwrap(a) for a in node.args)
    if name in _RANGE_FUNCTIONS:
        return _range_call(ev, name, args)
    if name == "time":
        return ev.at_ms / 1000
    if name == "scalar":
        samples = ev.vector(args[0])
        return samples[0][1] if len(samples) == 1 else math.nan
    if name == "vector":
        return [((), ev.scalar(args[0]))]
    if name == "absent":
        if ev.vector(args[0]):
            return []
        return [(absent_labels(args[0]), 1.0)]
    if name in _SIMPLE:
        return _simple(ev, name, args)
    raise PromQLError(f"function {name} is not supported", construct=f"function {name}")


def _simple(ev: Evaluating, name: str, args: tuple[ast.Expr, ...]) -> Samples:
    samples = ev.vector(args[0])
    bound = ev.scalar(args[1]) if len(args) > 1 else 0.0
    fn = _SIMPLE[name]
    out = [(drop_name(labels), fn(value, bound)) for labels, value in samples]
    check_unique(out)
    return out


_SIMPLE: dict[str, Callable[[float, float], float]] = {
    "abs": lambda v, _: abs(v),
    "clamp_min": lambda v, bound: go_max(bound, v),
    "clamp_max": lambda v, bound: go_min(bound, v),
}


def absent_labels(expr: ast.Expr) -> Labels:
    """The labels ``absent`` returns: those a selector fixes with ``=``, once each."""
    expr = ast.unwrap(expr)
    if isinstance(expr, ast.MatrixSelector):
        expr = expr.selector
    if not isinstance(expr, ast.VectorSelector):
        return ()
    out: dict[str, str] = {}
    seen: set[str] = set()
    for m in expr.matchers:
        if m.name == METRIC_NAME:
            continue
        if m.op is MatchOp.EQUAL and m.name not in seen:
            out[m.name] = m.value
            seen.add(m.name)
        else:
            out.pop(m.name, None)
    return tuple(sorted((k, v) for k, v in out.items() if v))


def _range_call(ev: Evaluating, name: str, args: tuple[ast.Expr, ...]) -> Samples:
    selector = args[0]
    if not isinstance(selector, ast.MatrixSelector):
        raise PromQLError(f"{name} needs a range selector", construct=f"function {name}")
    series = ev.range(selector).series
    if name == "absent_over_time":
        return [] if series else [(absent_labels(selector), 1.0)]
    fn = _RANGE_FUNCTIONS[name]
    out: Samples = []
    for s in series:
        value = fn(s, ev.at_ms, selector)
        if value is not None:
            labels = s.labels if name == "last_over_time" else drop_name(s.labels)
            out.append((labels, value))
    check_unique(out)
    return out


def _extrapolated_rate(s: RangeSeries, at_ms: int, sel: ast.MatrixSelector, *,
                       counter: bool, rate: bool) -> float | None:
    """Prometheus 2.42's extrapolatedRate, step by step (rate, increase, delta)."""
    times, values = s.times_ms, s.values
    if len(times) < 2:
        return None
    range_start = at_ms - (sel.range_ms + sel.selector.offset_ms)
    range_end = at_ms - sel.selector.offset_ms
    result = values[-1] - values[0]
    if counter and any(map(operator.lt, values[1:], values)):  # a reset somewhere
        prev = values[0]
        for value in values[1:]:
            if value < prev:
                result += prev
            prev = value
    to_start = (times[0] - range_start) / 1000
    to_end = (range_end - times[-1]) / 1000
    sampled = (times[-1] - times[0]) / 1000
    average = sampled / (len(times) - 1)
    if counter and result > 0 and values[0] >= 0:
        to_zero = sampled * (values[0] / result)
        to_start = min(to_start, to_zero)
    threshold = average * 1.1
    interval = sampled
    interval += to_start if to_start < threshold else average / 2
    interval += to_end if to_end < threshold else average / 2
    factor = interval / sampled
    if rate:
        factor /= _go_seconds(sel.range_ms)
    return result * factor


def _go_seconds(ms: int) -> float:
    """Go's ``time.Duration.Seconds()``: whole seconds plus the nanoseconds over 1e9."""
    sec, nsec = divmod(ms * 1_000_000, 1_000_000_000)
    return float(sec) + nsec / 1e9


def _irate(s: RangeSeries, _at: int, _sel: ast.MatrixSelector) -> float | None:
    if len(s.times_ms) < 2:
        return None
    last, prev = s.values[-1], s.values[-2]
    result = last if last < prev else last - prev
    interval = s.times_ms[-1] - s.times_ms[-2]
    if interval == 0:
        return None
    return result / (interval / 1000)


def _kahan_inc(inc: float, total: float, c: float) -> tuple[float, float]:
    t = total + inc
    if abs(total) >= abs(inc):
        c += (total - t) + inc
    else:
        c += (inc - t) + total
    return t, c


def _avg_over_time(values: Sequence[float]) -> float:
    mean = count = c = 0.0
    for v in values:
        count += 1
        if math.isinf(mean):
            if math.isinf(v) and (mean > 0) == (v > 0):
                continue
            if not math.isinf(v) and not math.isnan(v):
                continue
        mean, c = _kahan_inc(v / count - mean / count, mean, c)
    return mean if math.isinf(mean) else mean + c


def _sum_over_time(values: Sequence[float]) -> float:
    total = c = 0.0
    for v in values:
        total, c = _kahan_inc(v, total, c)
    return total if math.isinf(total) else total + c


def _max_over_time(values: Sequence[float]) -> float:
    best = values[0]
    for v in values:
        if v > best or math.isnan(best):
            best = v
    return best


def _min_over_time(values: Sequence[float]) -> float:
    best = values[0]
    for v in values:
        if v < best or math.isnan(best):
            best = v
    return best


def _over_time(fn: Callable[[Sequence[float]], float]) -> RangeFn:
    return lambda s, _at, _sel: fn(s.values)


_RANGE_FUNCTIONS: dict[str, RangeFn] = {
    "rate": lambda s, at, sel: _extrapolated_rate(s, at, sel, counter=True, rate=True),
    "increase": lambda s, at, sel: _extrapolated_rate(s, at, sel, counter=True, rate=False),
    "delta": lambda s, at, sel: _extrapolated_rate(s, at, sel, counter=False, rate=False),
    "irate": _irate,
    "avg_over_time": _over_time(_avg_over_time),
    "sum_over_time": _over_time(_sum_over_time),
    "max_over_time": _over_time(_max_over_time),
    "min_over_time": _over_time(_min_over_time),
    "count_over_time": _over_time(lambda values: float(len(values))),
    "last_over_time": _over_time(lambda values: values[-1]),
    "absent_over_time": _over_time(lambda values: 1.0),
}
