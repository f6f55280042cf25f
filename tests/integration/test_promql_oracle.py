"""pgwatch's PromQL evaluator against the real one: every case in tests/data/promql/*.yaml
is evaluated by pgwatch, written as a promtool unit test whose expected samples are what
pgwatch computed, and run through ``promtool test rules`` (Debian's Prometheus 2.42).

A case agrees when promtool passes it, or when promtool's own rendering of the expected and
the obtained samples is identical (NaN never compares equal in promtool, so a NaN result
"fails" with identical lines), or when both pgwatch and promtool reject the expression.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from pgwatch.alerting.promql import (
    PromQLError,
    Scalar,
    SeriesWindow,
    Value,
    Vector,
    evaluate,
    format_float_e,
    format_value,
    labels_text,
    parse,
)
from pgwatch.alerting.promql.parser import parse_duration_ms
from pgwatch.alerting.promql.series_notation import expand_values, parse_series

DATA = Path(__file__).parent.parent / "data" / "promql"
PROMTOOL = shutil.which("promtool")
BATCH = 200  # files per promtool run
MIN_CASES = 150


@dataclass(frozen=True, slots=True)
class Case:
    """One expression of one family, evaluated at one time."""

    family: str
    index: int
    expr: str
    eval_time: str
    error: bool
    error_contains: str
    series: tuple[tuple[str, str], ...]
    interval: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What pgwatch computed for a case: promtool's expected-samples text, or an error."""

    samples: list[dict[str, Any]]
    text: str
    error: str | None


def _require_promtool() -> None:
    if PROMTOOL is None:  # scripts/test installs Debian's prometheus, which ships it
        pytest.fail("promtool (Debian's prometheus package) is required and not on PATH")


def load_cases() -> list[Case]:
    """Every case of every family file."""
    cases: list[Case] = []
    for path in sorted(DATA.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        series = tuple((str(s["series"]), str(s["values"])) for s in doc["series"])
        for i, raw in enumerate(doc["cases"]):
            cases.append(Case(path.stem, i, str(raw["expr"]), str(raw["at"]),
                              bool(raw.get("error", False)), str(raw.get("error_contains", "")),
                              series, str(doc.get("interval", "1m"))))
    return cases


def build_window(case: Case) -> SeriesWindow:
    """The family's input series, loaded as promtool loads them: only up to the test
    group's latest eval time (what a negative offset could otherwise read beyond)."""
    window = SeriesWindow()
    step = parse_duration_ms(case.interval)
    until = parse_duration_ms(case.eval_time)
    for series, values in case.series:
        labels = parse_series(series)
        for i, value in enumerate(expand_values(values, step)):
            if value is not None and i * step <= until:
                window.add(labels, i * step, value)
    return window


def _metric_text(labels: tuple[tuple[str, str], ...]) -> str:
    name = dict(labels).get("__name__")
    rest = tuple(p for p in labels if p[0] != "__name__")
    inner = labels_text(rest)
    return f"{name}{inner}" if name else inner


def _samples(value: Value) -> list[tuple[tuple[tuple[str, str], ...], float]]:
    if isinstance(value, Scalar):
        return [((), value.value)]
    assert isinstance(value, Vector)
    return [(s.labels, s.value) for s in value.samples]


def pgwatch_outcome(case: Case) -> Outcome:
    """pgwatch's result for the case, as exp_samples and as promtool would print them."""
    try:
        value = evaluate(parse(case.expr), build_window(case), parse_duration_ms(case.eval_time))
    except PromQLError as exc:
        return Outcome([], "", str(exc))
    if not isinstance(value, Scalar | Vector):
        return Outcome([], "", "rule result is not a vector or scalar")
    pairs = sorted(_samples(value), key=lambda p: p[0])
    samples = [{"labels": _metric_text(labels), "value": v} for labels, v in pairs]
    text = ", ".join(f"{labels_text(labels)} {format_float_e(v)}" for labels, v in pairs)
    return Outcome(samples, text or "nil", None)


def promtool_file(case: Case, outcome: Outcome) -> dict[str, Any]:
    """A promtool unit-test document for one case."""
    return {"tests": [{
        "interval": case.interval,
        "input_series": [{"series": s, "values": v} for s, v in case.series],
        "promql_expr_test": [{"expr": case.expr, "eval_time": case.eval_time,
                              "exp_samples": outcome.samples}],
    }]}


def run_promtool(files: list[Path]) -> dict[str, list[str]]:
    """promtool's report for each file: the lines after its ``Unit Testing:`` header."""
    assert PROMTOOL is not None
    reports: dict[str, list[str]] = {}
    for start in range(0, len(files), BATCH):
        batch = [str(f) for f in files[start:start + BATCH]]
        done = subprocess.run([PROMTOOL, "test", "rules", *batch], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=120, check=False)
        current: list[str] = []
        for line in done.stdout.splitlines():
            if line.startswith("Unit Testing:"):
                current = reports.setdefault(line.split(":", 1)[1].strip(), [])
            else:
                current.append(line)
    return reports


def verdict(case: Case, outcome: Outcome, report: list[str]) -> str | None:  # noqa: PLR0911
    """None when pgwatch and promtool agree on the case, else a readable difference."""
    lines = [line.strip() for line in report if line.strip()]
    passed = "SUCCESS" in lines
    err = next((line for line in lines if ", err: " in line), None)
    exp = next((line[4:].strip() for line in lines if line.startswith("exp:")), None)
    got = next((line[4:].strip() for line in lines if line.startswith("got:")), None)
    if outcome.error is not None:
        if err is None:
            return f"pgwatch failed ({outcome.error}) but promtool did not: {' | '.join(lines)}"
        if case.error_contains and not (case.error_contains in err
                                        and case.error_contains in outcome.error):
            return (f"both failed, but not both with {case.error_contains!r}:\n"
                    f"  pgwatch:  {outcome.error}\n  promtool: {err}")
        return None
    if case.error:
        return f"the case expects an error, pgwatch returned {outcome.text}"
    if passed:
        return None
    if err is not None:
        return f"pgwatch returned {outcome.text} but promtool failed: {err}"
    if exp is not None and exp == got:
        return None  # e.g. NaN: identical text, unequal floats
    return f"pgwatch:  {exp}\npromtool: {got}"


def test_promql_cases_agree_with_promtool(tmp_path: Path) -> None:
    _require_promtool()
    cases = load_cases()
    assert len(cases) >= MIN_CASES, f"only {len(cases)} cases"
    outcomes: list[Outcome] = []
    files: list[Path] = []
    for case in cases:
        outcome = pgwatch_outcome(case)
        path = tmp_path / f"{case.family}-{case.index:03d}.yaml"
        path.write_text(yaml.safe_dump(promtool_file(case, outcome), sort_keys=False))
        outcomes.append(outcome)
        files.append(path)
    reports = run_promtool(files)
    problems = []
    for case, outcome, path in zip(cases, outcomes, files, strict=True):
        assert str(path) in reports, f"promtool did not report on {path}"
        difference = verdict(case, outcome, reports[str(path)])
        if difference is not None:
            problems.append(f"{case.family}.yaml case {case.index}: {case.expr!r} at "
                            f"{case.eval_time}\n{difference}")
    assert not problems, f"{len(problems)} of {len(cases)} cases disagree:\n\n" + "\n\n".join(
        problems)



VALUES = (0.0, -0.0, 1.0, 0.25, 100.0, 123456.0, 1234567.0, 1e6, 1e21, 1.5e300, 0.0001,
          0.00001, 5e-324, -3.25, 1 / 3, 0.30000000000000004, 12345.678, -987654321.5,
          math.nan, math.inf, -math.inf)


def _literal(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    return repr(value)


def test_format_value_matches_value_in_promtool_templates(tmp_path: Path) -> None:
    """``{{ $value }}`` as promtool renders it equals ``format_value`` for each value."""
    _require_promtool()
    assert PROMTOOL is not None
    rules = {"groups": [{"name": "values", "rules": [
        {"alert": f"V{i}", "expr": f"vector({_literal(v)})",
         "annotations": {"value": "{{ $value }}"}} for i, v in enumerate(VALUES)]}]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, sort_keys=False))
    tests = {"rule_files": ["rules.yaml"], "tests": [{
        "interval": "1m", "input_series": [],
        "alert_rule_test": [
            {"eval_time": "0m", "alertname": f"V{i}",
             "exp_alerts": [{"exp_labels": {}, "exp_annotations": {"value": format_value(v)}}]}
            for i, v in enumerate(VALUES)]}]}
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(tests, sort_keys=False))
    done = subprocess.run([PROMTOOL, "test", "rules", str(tmp_path / "test.yaml")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
