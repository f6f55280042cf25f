"""Alert templates as Prometheus 2.42 expands them.

The strongest check is tests/data/promtool/pass_templates_oracle.yaml: its exp_annotations
were written by these templates and promtool passes them (test_promtool_verdicts.py); here
every one of them is expanded again, and the smaller cases below pin outputs that promtool
printed for the same templates.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from pgwatch.alerting.goformat import format_float, sprintf
from pgwatch.alerting.promql.series_notation import expand_values, parse_series
from pgwatch.alerting.templates import TemplateError, expand, expand_or_error, parse

DATA = Path(__file__).parent.parent / "data" / "promtool"


RULE: dict[str, Any] = yaml.safe_load(
    (DATA / "rules" / "templates.yaml").read_text())["groups"][0]["rules"][0]


def _oracle_cases() -> list[tuple[dict[str, str], float, dict[str, str]]]:
    test: dict[str, Any] = yaml.safe_load(
        (DATA / "pass_templates_oracle.yaml").read_text())["tests"][0]
    cases = []
    for series, expected in zip(test["input_series"], test["alert_rule_test"][0]["exp_alerts"],
                                strict=True):
        value = expand_values(series["values"], 60_000)[0]
        assert value is not None
        cases.append((dict(parse_series(series["series"])), value, expected["exp_annotations"]))
    assert len(cases) == 9
    return cases


@pytest.mark.parametrize(("labels", "value", "expected"), _oracle_cases(),
                         ids=lambda v: v.get("instance") if isinstance(v, dict) else None)
def test_every_oracle_annotation(labels: dict[str, str], value: float,
                                 expected: dict[str, str]) -> None:
    got = {k: expand_or_error(t, labels=labels, value=value, rule_name=RULE["alert"],
                              external_labels={"cluster": "eu-1"})
           for k, t in RULE["annotations"].items()}
    assert got == expected


@pytest.mark.parametrize(("value", "text"), [
    (1234567.0, "1.234567e+06"), (100000.0, "100000"), (0.000012345, "1.2345e-05"),
    (0.1 + 0.2, "0.30000000000000004"), (-3.0, "-3"), (0.0, "0"), (math.inf, "+Inf"),
    (-math.inf, "-Inf"), (math.nan, "NaN"), (1e21, "1e+21"), (123456.7, "123456.7"),
])
def test_value_prints_as_go_prints_a_float(value: float, text: str) -> None:
    assert expand("{{ $value }}", labels={}, value=value) == text
    assert format_float(value) == text


@pytest.mark.parametrize(("template", "value", "text"), [
    ("{{ humanize $value }}", 1234567.0, "1.235M"),
    ("{{ humanize $value }}", 0.000012345, "12.35u"),
    ("{{ $value | humanize1024 }}", 1234567.0, "1.177Mi"),
    ("{{ humanizePercentage $value }}", 0.05, "5%"),
    ("{{ humanizeDuration $value }}", 3725.5, "1h 2m 5s"),
    ("{{ humanizeDuration $value }}", 0.5, "500ms"),
    ("{{ humanizeDuration $value }}", 1e21, "-106751991167300d -15h -30m -8s"),
    ('{{ printf "%.2f|%d|%5.1f|%-4s|" $value 3 $value "ab" }}', 3725.5, "3725.50|3|3725.5|ab  |"),
    ('{{ printf "%d" $value }}', 1.5, "%!d(float64=1.5)"),
    ("a  {{- 1 -}}  b {{- /* c */ -}} c", 0.0, "a1bc"),
    ('{{ if gt $value 1.0 }}big{{ else if eq $value 1.0 }}one{{ else }}small{{ end }}', 1.0,
     "one"),
])
def test_functions_and_control(template: str, value: float, text: str) -> None:
    assert expand(template, labels={}, value=value) == text


def test_labels_and_missing_labels() -> None:
    labels = {"__name__": "up", "target": "db1"}
    text = "{{ $labels.target }}|{{ .Labels.target }}|{{ $labels.nope }}|{{ len $labels }}"
    assert expand(text, labels=labels, value=0.0) == "db1|db1||2"


def test_parse_errors_name_the_line_as_go_does() -> None:
    with pytest.raises(TemplateError) as caught:
        parse("ok\n{{ humanise $value }}", "Rule")
    assert str(caught.value) == ('error parsing template __alert_Rule: template: __alert_Rule:2: '
                                 'function "humanise" not defined')


def test_execution_errors_go_into_the_text() -> None:
    assert expand_or_error("{{ gt $value 80 }}", labels={}, value=1.0, rule_name="R") == (
        '<error expanding template: error executing template __alert_R: template: '
        '__alert_R:1:115: executing "__alert_R" at <gt $value 80>: error calling gt: '
        'incompatible types for comparison>')


def test_unsupported_functions_are_listed() -> None:
    assert parse('{{ query "up" | first | value }}', "R").unsupported() == [
        "query", "first", "value"]


def test_sprintf_extra_and_missing() -> None:
    assert sprintf("%s", ["a", 1]) == "a%!(EXTRA int=1)"
    assert sprintf("%s %d", ["a"]) == "a %!d(MISSING)"
