"""Rule unit tests in promtool's format, run as ``promtool test rules`` (2.42) runs them.

For each test group: the input series are loaded, every rule group is evaluated at every
``evaluation_interval`` from 0 to the largest ``eval_time``; an ``alert_rule_test`` at
``eval_time`` t compares the firing alerts of the evaluation at the step ts with
ts <= t < ts + interval; ``promql_expr_test`` queries run afterwards. Failure messages have
promtool's shape, so that the two outputs can be read side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pgwatch.alerting.durations import format_duration_ms, format_go_duration_ms
from pgwatch.alerting.goformat import go_quote
from pgwatch.alerting.model import Alert, AlertState, Labels, RuleGroup
from pgwatch.alerting.promql import (
    PromQLError,
    Scalar,
    SeriesWindow,
    Vector,
    evaluate,
    format_float_e,
    labels_text,
    parse,
)
from pgwatch.alerting.promql.series_notation import expand_values, parse_series
from pgwatch.alerting.promql.values import VectorSample
from pgwatch.alerting.promtool_file import (
    AlertTest,
    ExprTest,
    RuleTestError,
    TestGroup,
    UnitTestFile,
    read_test_file,
)
from pgwatch.alerting.rules import load_rules
from pgwatch.alerting.state import GroupRunner, RuleRunner
from pgwatch.errors import PgwatchError

__all__ = ["RuleTestError", "TestResult", "run_test_file"]

_Got = list[tuple[Labels, Labels]]


@dataclass(frozen=True, slots=True)
class TestResult:
    """One file's verdict: its failures in promtool's words; ``bad_input`` for unreadable
    files (promtool fails them too; pgwatch exits 2)."""

    file: str
    errors: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    bad_input: bool = False

    @property
    def passed(self) -> bool:
        return not self.errors


def run_test_file(path: Path | str) -> TestResult:
    """Run every test group of one unit-test file."""
    path = Path(path)
    try:
        spec = read_test_file(path)
        groups = load_rules(spec.rule_files, unit_tests=True)
    except PgwatchError as exc:
        return TestResult(str(path), (str(exc),), bad_input=True)
    order = {name: i for i, name in enumerate(spec.group_eval_order)}
    if len(order) != len(spec.group_eval_order):
        repeated = next(n for n in spec.group_eval_order if spec.group_eval_order.count(n) > 1)
        return TestResult(str(path), (f"group name repeated in evaluation order: {repeated}",),
                          bad_input=True)
    groups = tuple(sorted(groups, key=lambda g: order.get(g.name, 0)))
    errors: list[str] = []
    for test in spec.tests:
        try:
            errors.extend(_run_group(spec, test, groups))
        except PgwatchError as exc:
            return TestResult(str(path), (*errors, f"    {exc}"), spec.warnings, bad_input=True)
    return TestResult(str(path), tuple(errors), spec.warnings)


def _load_series(test: TestGroup) -> SeriesWindow:
    window = SeriesWindow()
    definitions: dict[Labels, list[float | None]] = {}
    for item in test.input_series:
        definitions[parse_series(item.series)] = expand_values(item.values, test.interval_ms)
    for labels, values in definitions.items():
        last = -1
        for i, value in enumerate(values):
            ts = i * test.interval_ms
            if value is None or ts <= last:
                continue  # "_", or a second sample at one timestamp (the first is kept)
            window.add(labels, ts, value)
            last = ts
    return window


def _run_group(spec: UnitTestFile, test: TestGroup, groups: tuple[RuleGroup, ...]) -> list[str]:
    for alert_test in test.alert_tests:
        if not alert_test.alertname:
            where = f" (in TestGroup {test.name})" if test.name else ""
            raise RuleTestError(f"an item under alert_rule_test misses required attribute "
                                f"alertname at eval_time {format_duration_ms(alert_test.eval_ms)}"
                                f"{where}")
    window = _load_series(test)
    runners = [GroupRunner(g, external_labels=dict(test.external_labels),
                           external_url=test.external_url, url_functions=False) for g in groups]
    max_ms = max([a.eval_ms for a in test.alert_tests] + [e.eval_ms for e in test.expr_tests]
                 + [0])
    times = sorted({a.eval_ms for a in test.alert_tests})
    errors: list[str] = []
    step = spec.evaluation_interval_ms
    current = 0
    for ts in range(0, max_ms + 1, step):
        eval_errors = []
        for runner in runners:
            _evaluate_group(runner, window, ts)
            eval_errors += [f"    rule: {r.rule.name}, time: {format_go_duration_ms(ts)}, "
                            f"err: {r.last_error}" for r in runner.steps() if r.health == "err"]
        if eval_errors:
            return errors + eval_errors
        while current < len(times) and ts <= times[current] < ts + step:
            got = _firing(runners, {a.alertname for a in test.alert_tests
                                    if a.eval_ms == times[current]})
            errors += [e for case in test.alert_tests if case.eval_ms == times[current]
                       if (e := _compare_alerts(test, case, got.get(case.alertname, [])))]
            current += 1
    errors += [e for case in test.expr_tests if (e := _expr_test(window, case))]
    return errors


def _evaluate_group(runner: GroupRunner, window: SeriesWindow, ts: int) -> None:
    """One group evaluation; each rule's ALERTS series are stored before the next rule runs,
    with stale markers for those that ended, as Prometheus' rule group appends them."""
    for index, rule in enumerate(runner.steps()):
        if isinstance(rule, RuleRunner):
            rule.evaluate(window, ts, runner.group.limit)
            samples = rule.series()
        else:
            samples = rule.evaluate(window, ts, runner.group.limit)
        if rule.health == "err":
            continue  # Prometheus appends nothing, not even stale markers, for a failed rule
        window.scrape(ts, samples, f"{runner.group.file}\x1f{runner.group.name}\x1f{index}")


def _firing(runners: list[GroupRunner], names: set[str]) -> dict[str, _Got]:
    got: dict[str, _Got] = {}
    for runner in runners:
        for rule in runner.rules:
            if rule.rule.name in names:
                got.setdefault(rule.rule.name, []).extend(
                    (a.labels, a.annotations) for a in rule.alerts() if _is_firing(a))
    return got


def _is_firing(alert: Alert) -> bool:
    return alert.state is AlertState.FIRING


def _compare_alerts(test: TestGroup, case: AlertTest, got: _Got) -> str:
    expected = sorted((tuple(sorted({**dict(e.labels), "alertname": case.alertname}.items())),
                       e.annotations) for e in case.expected)
    got = sorted(got)
    if expected == got:
        return ""
    name = f"    name: {test.name},\n" if test.name else ""
    exp_text = _indent(_alerts_text(expected), "            ")
    got_text = _indent(_alerts_text(got), "            ")
    return (f"{name}    alertname: {case.alertname}, time: {format_duration_ms(case.eval_ms)}, "
            f"\n        exp:{exp_text}, \n        got:{got_text}")


def _alerts_text(alerts: _Got) -> str:
    if not alerts:
        return "[]"
    parts = [f"{i}:" + _indent(f"\nLabels:{labels_text(labels)}\nAnnotations:"
                               f"{labels_text(annotations)}", "  ")
             for i, (labels, annotations) in enumerate(alerts)]
    return "[\n" + ",\n".join(parts) + "\n]"


def _indent(text: str, prefix: str) -> str:
    return ("\n" + prefix).join(text.split("\n"))


def _expr_test(window: SeriesWindow, case: ExprTest) -> str:
    head = f"    expr: {go_quote(case.expr)}, time: {format_duration_ms(case.eval_ms)}"
    try:
        got = _query(window, case.expr, case.eval_ms)
    except PgwatchError as exc:
        return f"{head}, err: {exc}"
    expected: list[VectorSample] = []
    for sample in case.expected:
        try:
            expected.append(VectorSample(_metric(sample.labels), sample.value))
        except PromQLError as exc:
            return f"{head}, err: labels {go_quote(sample.labels)}: {exc}"
    exp_sorted = sorted(expected, key=lambda s: s.labels)
    got_sorted = sorted(got, key=lambda s: s.labels)
    if [(s.labels, s.value) for s in exp_sorted] == [(s.labels, s.value) for s in got_sorted]:
        return ""
    return (f"{head},\n        exp: {_samples_text(exp_sorted)}\n"
            f"        got: {_samples_text(got_sorted)}")


def _metric(text: str) -> Labels:
    """parser.ParseMetric: ``{}`` (a scalar's empty label set) included."""
    if text.replace(" ", "") == "{}":
        return ()
    return parse_series(text)


def _samples_text(samples: list[VectorSample]) -> str:
    if not samples:
        return "nil"
    return ", ".join(f"{labels_text(s.labels)} {format_float_e(s.value)}" for s in samples)


def _query(window: SeriesWindow, expr: str, at_ms: int) -> list[VectorSample]:
    result = evaluate(parse(expr), window, at_ms)
    if isinstance(result, Vector):
        return list(result.samples)
    if isinstance(result, Scalar):
        return [VectorSample((), result.value)]
    raise RuleTestError("rule result is not a vector or scalar")


def report(result: TestResult) -> tuple[str, str]:
    """promtool's output for one file: (stdout, stderr)."""
    out = f"Unit Testing:  {result.file}\n"
    err = "".join(w + "\n" for w in result.warnings)
    if result.passed:
        return out + "  SUCCESS\n\n", err
    err += "  FAILED:\n" + "".join(e + "\n" for e in result.errors)
    return out + "\n" * len(result.errors) + "\n", err
