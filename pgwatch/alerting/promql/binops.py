"""Binary operators between scalars and vectors, with Prometheus 2.42's vector matching."""

from __future__ import annotations

from collections.abc import Callable

from pgwatch.alerting.promql import ast
from pgwatch.alerting.promql.ast import Card, VectorMatching
from pgwatch.alerting.promql.errors import PromQLError
from pgwatch.alerting.promql.evaluating import Evaluating, Internal, Samples, check_unique
from pgwatch.alerting.promql.gomath import div, mod, pow_
from pgwatch.alerting.promql.values import METRIC_NAME, Labels, drop_name, labels_text

_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": div,
    "%": mod,
    "^": pow_,
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
}


def _elem(op: str, lhs: float, rhs: float) -> tuple[float, bool]:
    """Prometheus' vectorElemBinop: the value and whether the element is kept."""
    arith = _ARITH.get(op)
    if arith is not None:
        return arith(lhs, rhs), True
    return lhs, _COMPARE[op](lhs, rhs)


def evaluate_binary(ev: Evaluating, node: ast.Binary) -> Internal:
    """``lhs op rhs`` for scalar/scalar, vector/scalar, scalar/vector and vector/vector."""
    lhs, rhs = ev.eval(node.lhs), ev.eval(node.rhs)
    if isinstance(lhs, float) and isinstance(rhs, float):
        value, keep = _elem(node.op, lhs, rhs)
        if node.op in ast.COMPARISON:
            return 1.0 if keep else 0.0
        return value
    if isinstance(lhs, list) and isinstance(rhs, float):
        return _vector_scalar(node, lhs, rhs, swap=False)
    if isinstance(lhs, float) and isinstance(rhs, list):
        return _vector_scalar(node, rhs, lhs, swap=True)
    if isinstance(lhs, list) and isinstance(rhs, list) and node.matching is not None:
        if node.op in ast.SET_OPS:
            result = _set_op(node.op, lhs, rhs, node.matching)
        else:
            result = _vector_vector(node, lhs, rhs, node.matching)
        check_unique(result)
        return result
    raise PromQLError(f"operator {node.op} needs numbers or instant vectors",
                      construct="evaluation")


def _vector_scalar(node: ast.Binary, vector: Samples, scalar: float, *, swap: bool) -> Samples:
    out: Samples = []
    comparison = node.op in ast.COMPARISON
    drop = node.op in ast.ARITHMETIC or node.return_bool
    for labels, v in vector:
        lv, rv = (scalar, v) if swap else (v, scalar)
        value, keep = _elem(node.op, lv, rv)
        if comparison and swap:
            value = rv  # a comparison keeps the vector's value, whichever side it is on
        if node.return_bool:
            value, keep = (1.0 if keep else 0.0), True
        if keep:
            out.append((drop_name(labels) if drop else labels, value))
    check_unique(out)
    return out


def signature(labels: Labels, matching: VectorMatching) -> Labels:
    """The labels two sides match on: ``on`` labels, or all but ``ignoring`` and the name."""
    if not matching.on and not matching.labels:
        return drop_name(labels)
    if matching.on:
        return tuple(pair for pair in labels if pair[0] in matching.labels)
    return tuple(pair for pair in labels
                 if pair[0] != METRIC_NAME and pair[0] not in matching.labels)


def _set_op(op: str, lhs: Samples, rhs: Samples, matching: VectorMatching) -> Samples:
    if op == "and":
        if not lhs or not rhs:
            return []
        right = {signature(labels, matching) for labels, _ in rhs}
        return [s for s in lhs if signature(s[0], matching) in right]
    if op == "or":
        if not lhs or not rhs:
            return lhs + rhs
        left = {signature(labels, matching) for labels, _ in lhs}
        return lhs + [s for s in rhs if signature(s[0], matching) not in left]
    if not lhs or not rhs:
        return list(lhs)
    right = {signature(labels, matching) for labels, _ in rhs}
    return [s for s in lhs if signature(s[0], matching) not in right]


def _vector_vector(node: ast.Binary, lhs: Samples, rhs: Samples,
                   matching: VectorMatching) -> Samples:
    if not lhs or not rhs:
        return []
    swapped = matching.card is Card.ONE_TO_MANY
    if swapped:
        lhs, rhs = rhs, lhs
    one_side = _index_one_side(rhs, matching, "left" if swapped else "right")
    matched: dict[Labels, set[Labels] | None] = {}
    out: Samples = []
    for labels, value in lhs:
        sig = signature(labels, matching)
        found = one_side.get(sig)
        if found is None:
            continue
        vl, vr = (found[1], value) if swapped else (value, found[1])
        result, keep = _elem(node.op, vl, vr)
        if node.return_bool:
            result = 1.0 if keep else 0.0
        elif not keep:
            continue
        metric = _result_metric(labels, found[0], node.op, matching, sig)
        if node.return_bool:
            metric = drop_name(metric)
        _check_match(matched, sig, metric, matching)
        out.append((metric, result))
    return out


def _index_one_side(samples: Samples, matching: VectorMatching,
                    side: str) -> dict[Labels, tuple[Labels, float]]:
    index: dict[Labels, tuple[Labels, float]] = {}
    for labels, value in samples:
        sig = signature(labels, matching)
        if sig in index:
            group = _match_labels(labels, matching)
            raise PromQLError(
                f"found duplicate series for the match group {labels_text(group)} on the "
                f"{side} hand-side of the operation: [{labels_text(labels)}, "
                f"{labels_text(index[sig][0])}];many-to-many matching not allowed: "
                "matching labels must be unique on one side", construct="evaluation")
        index[sig] = (labels, value)
    return index


def _match_labels(labels: Labels, matching: VectorMatching) -> Labels:
    if matching.on:
        return tuple(p for p in labels if p[0] in matching.labels)
    return tuple(p for p in labels if p[0] not in matching.labels and p[0] != METRIC_NAME)


def _check_match(matched: dict[Labels, set[Labels] | None], sig: Labels, metric: Labels,
                 matching: VectorMatching) -> None:
    if matching.card is Card.ONE_TO_ONE:
        if sig in matched:
            raise PromQLError("multiple matches for labels: many-to-one matching must be "
                              "explicit (group_left/group_right)", construct="evaluation")
        matched[sig] = None
        return
    inserted = matched.setdefault(sig, set())
    assert inserted is not None
    if metric in inserted:
        raise PromQLError("multiple matches for labels: grouping labels must ensure unique "
                          "matches", construct="evaluation")
    inserted.add(metric)


def _result_metric(lhs: Labels, rhs: Labels, op: str, matching: VectorMatching,
                   sig: Labels) -> Labels:
    """Prometheus' resultMetric: the many side's labels, then the one side's extra labels."""
    if matching.card is Card.ONE_TO_ONE and not matching.include:
        drop = op in ast.ARITHMETIC
        if matching.on:  # the matched labels are what is kept
            return tuple(p for p in sig if not (drop and p[0] == METRIC_NAME))
        if not matching.labels:
            return drop_name(lhs) if drop else lhs
    result = dict(lhs)
    if op in ast.ARITHMETIC:
        result.pop(METRIC_NAME, None)
    if matching.card is Card.ONE_TO_ONE:
        if matching.on:
            result = {k: v for k, v in result.items() if k in matching.labels}
        else:
            for name in matching.labels:
                result.pop(name, None)
    one = dict(rhs)
    for name in matching.include:
        value = one.get(name, "")
        if value:
            result[name] = value
        else:
            result.pop(name, None)
    return tuple(sorted(result.items()))
