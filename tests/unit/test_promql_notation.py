"""promtool's input notation and Go's number and string formatting."""

from __future__ import annotations

import math

import pytest

from pgwatch.alerting.promql import PromQLError, format_float_e, format_value, is_stale
from pgwatch.alerting.promql.formatting import go_quote
from pgwatch.alerting.promql.series_notation import expand_values, parse_series


def _show(values: list[float | None]) -> list[str]:
    return ["_" if v is None else "stale" if is_stale(v) else repr(v) for v in values]


@pytest.mark.parametrize(("text", "expected"), [
    ("1", ["1.0"]),
    ("1 2 3", ["1.0", "2.0", "3.0"]),
    ("1+2x3", ["1.0", "3.0", "5.0", "7.0"]),
    ("-2-1x3", ["-2.0", "-3.0", "-4.0", "-5.0"]),
    ("1x3", ["1.0"] * 4),
    ("1x3 2x2", ["1.0"] * 4 + ["2.0"] * 3),
    ("_", ["_"]),
    ("_x3", ["_"] * 3),
    ("1 _ stale 4", ["1.0", "_", "stale", "4.0"]),
    ("1e3 -2.5e-1 +4", ["1000.0", "-0.25", "4.0"]),
    ("Inf -Inf NaN", ["inf", "-inf", "nan"]),
    ("010 08 0", ["8.0", "8.0", "0.0"]),
    ("0.1+0.1x2", ["0.1", "0.2", repr(0.1 + 0.1 + 0.1)]),
    ("  1   2  ", ["1.0", "2.0"]),
])
def test_expand_values(text: str, expected: list[str]) -> None:
    assert _show(expand_values(text, 60_000)) == expected


@pytest.mark.parametrize("text", ["NaNx3", "Infx2", "stalex2", "1+", "1+2", "x3", "1 a", "1,2"])
def test_bad_values_are_refused(text: str) -> None:
    with pytest.raises(PromQLError) as caught:
        expand_values(text)
    assert caught.value.construct == "series values"


def test_parse_series() -> None:
    assert parse_series('up{job="api", instance="a:1"}') == (
        ("__name__", "up"), ("instance", "a:1"), ("job", "api"))
    assert parse_series('{__name__="up", x="y"}') == (("__name__", "up"), ("x", "y"))
    assert parse_series("up") == (("__name__", "up"),)
    with pytest.raises(PromQLError):
        parse_series('up{job=~"a"}')
    with pytest.raises(PromQLError):
        parse_series("sum(up)")


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"), (-0.0, "-0"), (1.0, "1"), (0.25, "0.25"), (100.0, "100"),
    (123456.0, "123456"), (1234567.0, "1.234567e+06"), (1e6, "1e+06"), (1e21, "1e+21"),
    (0.0001, "0.0001"), (0.00001, "1e-05"), (-3.25, "-3.25"), (1 / 3, "0.3333333333333333"),
    (12345.678, "12345.678"), (math.nan, "NaN"), (math.inf, "+Inf"), (-math.inf, "-Inf"),
])
def test_format_value_is_gos_percent_v(value: float, text: str) -> None:
    assert format_value(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0E+00"), (1.0, "1E+00"), (0.25, "2.5E-01"), (123456.0, "1.23456E+05"),
    (1e100, "1E+100"), (5e-324, "5E-324"), (math.nan, "NaN"), (-math.inf, "-Inf"),
])
def test_format_float_e(value: float, text: str) -> None:
    assert format_float_e(value) == text


def test_go_quote() -> None:
    assert go_quote('a"b\\c\n\x01é') == '"a\\"b\\\\c\\n\\x01é"'
