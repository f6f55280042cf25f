"""Float operations with Go's results where Python's differ (division by zero, Mod, Pow,
Max, Min): the evaluator must return what Prometheus returns, bit for bit.
"""

from __future__ import annotations

import math

from pgwatch.alerting.promql.golibm import go_exp, go_log

_INF = math.inf
_NAN = math.nan


def div(x: float, y: float) -> float:
    """IEEE division: ``x / 0`` is ±Inf or NaN instead of an exception."""
    if y == 0:
        if x == 0 or math.isnan(x):
            return _NAN
        negative = (math.copysign(1.0, x) < 0) != (math.copysign(1.0, y) < 0)
        return -_INF if negative else _INF
    return x / y


def mod(x: float, y: float) -> float:
    """Go's ``math.Mod``: the sign of ``x``; NaN for ``y == 0`` or infinite ``x``."""
    if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
        return _NAN
    if math.isinf(y):
        return x
    return math.fmod(x, y)


def go_max(x: float, y: float) -> float:
    """Go's ``math.Max``: +Inf wins over NaN, NaN over numbers, +0 over -0."""
    if (math.isinf(x) and x > 0) or (math.isinf(y) and y > 0):
        return _INF
    if math.isnan(x) or math.isnan(y):
        return _NAN
    if x == 0 and y == 0:
        return y if math.copysign(1.0, x) < 0 else x
    return x if x > y else y


def go_min(x: float, y: float) -> float:
    """Go's ``math.Min``: -Inf wins over NaN, NaN over numbers, -0 over +0."""
    if (math.isinf(x) and x < 0) or (math.isinf(y) and y < 0):
        return -_INF
    if math.isnan(x) or math.isnan(y):
        return _NAN
    if x == 0 and y == 0:
        return x if math.copysign(1.0, x) < 0 else y
    return x if x < y else y


def _is_odd_int(x: float) -> bool:
    if abs(x) >= 2**53:
        return False
    frac, whole = math.modf(x)
    return frac == 0 and int(whole) & 1 == 1


def _ldexp(frac: float, exp: int) -> float:
    try:
        return math.ldexp(frac, exp)
    except OverflowError:
        return math.copysign(_INF, frac)


def pow_(x: float, y: float) -> float:  # noqa: PLR0911
    """Go's ``math.Pow``, ported step by step (its results differ from C's ``pow``)."""
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x) or math.isnan(y):
        return _NAN
    if x == 0:
        odd_negative = math.copysign(1.0, x) < 0 and _is_odd_int(y)
        if y < 0:
            return -_INF if odd_negative else _INF
        return x if odd_negative else 0.0
    if math.isinf(y):
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else _INF
    if math.isinf(x):
        if x < 0:
            return pow_(1 / x, -y)
        return 0.0 if y < 0 else _INF
    if y == 0.5:
        return math.sqrt(x) if x >= 0 else _NAN
    if y == -0.5:
        return 1 / math.sqrt(x) if x >= 0 else _NAN
    return _pow_general(x, y)


def _pow_general(x: float, y: float) -> float:
    yf, yi = math.modf(abs(y))
    if yf != 0 and x < 0:
        return _NAN
    if yi >= 2.0**63:
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else _INF
    a1, ae = 1.0, 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        a1 = go_exp(yf * go_log(x))
    x1, xe = math.frexp(x)
    i = int(yi)
    while i != 0:
        if xe < -(1 << 12) or xe > (1 << 12):
            ae += xe
            break
        if i & 1 == 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1
    if y < 0:
        a1 = 1 / a1
        ae = -ae
    return _ldexp(a1, ae)
