"""pgwatch's PromQL evaluator against the real one: every case in tests/data/promql/*.yaml
is evaluated by pgwatch, written as a promtool unit test whose expected samples are what
pgwatch computed, and run through ``promtool test rules`` (Debian's Prometheus 2.42).

A case agrees when promtool passes it, or when promtool's own rendering of the expected and
the obtained samples is identical (NaN never compares equal in promtool, so a NaN result
"fails" with identical lines), or when both pgwatch and promtool reject the expression.
"""

from __future__ import annotations

import math
import random
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
from pgwatch.alerting.promql.formatting import go_quote
from pgwatch.alerting.promql.parser import parse_duration_ms
from pgwatch.alerting.promql.series_notation import expand_values, parse_series

DATA = Path(__file__).parent.parent / "data" / "promql"
PROMTOOL = shutil.which("promtool")
BATCH = 200  # files per promtool run (one file per family)
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


def build_window(case: Case, until: int) -> SeriesWindow:
    """The family's input series, loaded as promtool loads them: only up to the test
    group's latest eval time ``until`` (what a negative offset could otherwise read beyond)."""
    window = SeriesWindow()
    step = parse_duration_ms(case.interval)
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


def pgwatch_outcome(case: Case, until: int) -> Outcome:
    """pgwatch's result for the case, as exp_samples and as promtool would print them."""
    try:
        window = build_window(case, until)
        value = evaluate(parse(case.expr), window, parse_duration_ms(case.eval_time))
    except PromQLError as exc:
        return Outcome([], "", str(exc))
    if not isinstance(value, Scalar | Vector):
        return Outcome([], "", "rule result is not a vector or scalar")
    pairs = sorted(_samples(value), key=lambda p: p[0])
    samples = [{"labels": _metric_text(labels), "value": v} for labels, v in pairs]
    text = ", ".join(f"{labels_text(labels)} {format_float_e(v)}" for labels, v in pairs)
    return Outcome(samples, text or "nil", None)


def promtool_file(cases: list[Case], outcomes: list[Outcome]) -> dict[str, Any]:
    """A promtool unit-test document: one test group holding a family's cases."""
    first = cases[0]
    return {"tests": [{
        "interval": first.interval,
        "input_series": [{"series": s, "values": v} for s, v in first.series],
        "promql_expr_test": [{"expr": case.expr, "eval_time": case.eval_time,
                              "exp_samples": outcome.samples}
                             for case, outcome in zip(cases, outcomes, strict=True)],
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


def _header(case: Case) -> str:
    # How promtool starts its report on one failing promql_expr_test.
    return f"expr: {go_quote(case.expr)}, time: {case.eval_time},"


def split_report(cases: list[Case], report: list[str]) -> tuple[list[list[str]], list[str]]:
    """promtool's lines about each case (none when it passed) and the lines about none."""
    index = {_header(case): i for i, case in enumerate(cases)}
    blocks: list[list[str]] = [[] for _ in cases]
    stray: list[str] = []
    current: list[str] | None = None
    for raw in report:
        line = raw.strip()
        if not line or line in ("SUCCESS", "FAILED:"):
            continue
        header = next((h for h in index if line.startswith(h)), None)
        if header is not None:
            current = blocks[index[header]]
        if current is None:
            stray.append(line)
        else:
            current.append(line)
    return blocks, stray


def verdict(case: Case, outcome: Outcome, block: list[str]) -> str | None:  # noqa: PLR0911
    """None when pgwatch and promtool agree on the case, else a readable difference."""
    err = next((line for line in block if ", err: " in line), None)
    exp = next((line[4:].strip() for line in block if line.startswith("exp:")), None)
    got = next((line[4:].strip() for line in block if line.startswith("got:")), None)
    if outcome.error is not None:
        if err is None:
            return f"pgwatch failed ({outcome.error}) but promtool did not: {' | '.join(block)}"
        if case.error_contains and not (case.error_contains in err
                                        and case.error_contains in outcome.error):
            return (f"both failed, but not both with {case.error_contains!r}:\n"
                    f"  pgwatch:  {outcome.error}\n  promtool: {err}")
        return None
    if case.error:
        return f"the case expects an error, pgwatch returned {outcome.text}"
    if not block:
        return None
    if err is not None:
        return f"pgwatch returned {outcome.text} but promtool failed: {err}"
    if exp is not None and exp == got:
        return None  # e.g. NaN: identical text, unequal floats
    return f"pgwatch:  {exp}\npromtool: {got}"


def disagreements(cases: list[Case], tmp_path: Path) -> list[str]:
    """Every case where pgwatch and promtool disagree, described for a reader.

    One promtool file per family, its cases in one test group (one storage to load, so the
    whole run is a few promtool start-ups); promtool's report is split back per case.
    """
    families: dict[str, list[Case]] = {}
    for case in cases:
        family = families.setdefault(case.family, [])
        if all(_header(c) != _header(case) for c in family):
            family.append(case)
    paths: dict[str, Path] = {}
    outcomes: dict[str, list[Outcome]] = {}
    for name, family in families.items():
        until = max(parse_duration_ms(c.eval_time) for c in family)
        outcomes[name] = [pgwatch_outcome(c, until) for c in family]
        paths[name] = tmp_path / f"{name}.yaml"
        paths[name].write_text(yaml.safe_dump(promtool_file(family, outcomes[name]),
                                              sort_keys=False))
    reports = run_promtool(list(paths.values()))
    problems: list[str] = []
    for name, family in families.items():
        assert str(paths[name]) in reports, f"promtool did not report on {paths[name]}"
        blocks, stray = split_report(family, reports[str(paths[name])])
        problems.extend(f"{name}: promtool said {line!r} about no case" for line in stray)
        for case, outcome, block in zip(family, outcomes[name], blocks, strict=True):
            difference = verdict(case, outcome, block)
            if difference is not None:
                problems.append(f"{name}.yaml case {case.index}: {case.expr!r} at "
                                f"{case.eval_time}\n{difference}")
    return problems


def test_promql_cases_agree_with_promtool(tmp_path: Path) -> None:
    _require_promtool()
    cases = load_cases()
    assert len(cases) >= MIN_CASES, f"only {len(cases)} cases"
    problems = disagreements(cases, tmp_path)
    assert not problems, f"{len(problems)} of {len(cases)} cases disagree:\n\n" + "\n\n".join(
        problems)


# Random expressions over one data set, seeded so that every run checks the same ones. The
# grammar leaves out what promtool cannot answer deterministically: it loads series in random
# order, so sums and means over more than two series and topk ties are out.
RANDOM_SERIES = (
    ('a{i="1", g="x"}', "1+1x20"), ('a{i="2", g="x"}', "3+2x20"),
    ('a{i="3", g="y"}', "10-1x20"), ('a{i="4", g="y"}', "0 5 2 8 1 9 3 7 4 6 0 5 2 8 1 9 3 7 4 6"),
    ('b{i="1", g="x"}', "2x20"), ('b{i="2", g="x"}', "_x5 4x15"),
    ('b{i="3", g="y"}', "7 stale 7x18"),
    ('b{i="4", g="y"}', "0 0 3 _ 0 NaN 2 2 2 -1 -1 0 0 1 1 1 0 0 0 0"),
    ('c{i="1", g="x"}', "1 stale 2 stale _x3 5 6 stale 8 _x6 1e15 -Inf 3"),
    ('c{i="5", g="z"}', "_x9 100 90 80 0 10 20 _ _ 50 60"),
)
RANDOM_CASES = 500


def _random_selector(rng: random.Random) -> str:
    selector = rng.choice(["a", "b", 'a{g="x"}', 'b{i=~"1|2"}', 'a{i!="4"}', "c",
                           '{__name__=~"a|b", i="3"}', 'b{g!~"x"}'])
    return selector + rng.choice(["", "", "", " offset 1m", " offset 4m30s"])


def _random_vector(rng: random.Random, depth: int) -> str:  # noqa: PLR0911
    if depth == 0:
        return _random_selector(rng)
    pick = rng.randrange(9)
    inner = _random_vector(rng, depth - 1)
    if pick == 0:
        fn = rng.choice(["rate", "irate", "increase", "delta", "avg_over_time", "min_over_time",
                         "max_over_time", "sum_over_time", "count_over_time", "last_over_time",
                         "absent_over_time"])
        offset = rng.choice(["", "", " offset 2m", " offset 90s"])
        rng_range = rng.choice(["1m", "3m", "5m", "7m30s"])
        return f"{fn}({_random_selector(rng).split(' offset')[0]}[{rng_range}]{offset})"
    if pick == 1:
        op = rng.choice(["sum", "min", "max", "count", "avg"])
        grouping = "i" if op == "avg" else rng.choice(["g", "i", "g, i"])
        return f"{op} by ({grouping}) ({inner})"
    if pick == 2:
        op = rng.choice(["+", "-", "*", "/", "%", "^", ">", "<", "==", "!=", ">= bool", "< bool"])
        return f"({inner}) {op} {_random_scalar(rng)}"
    if pick == 3:
        op = rng.choice(["+", "-", "*", "/", ">", "<=", "== bool", "!= bool"])
        matching = rng.choice(["", "", " on(i, g)", " ignoring(g)", " on(i)"])
        return f"({inner}){' ' + op}{matching} ({_random_vector(rng, depth - 1)})"
    if pick == 4:
        op = rng.choice(["and", "or", "unless"])
        matching = rng.choice(["", " on(g)", " ignoring(i)", " on(i)"])
        return f"({inner}) {op}{matching} ({_random_vector(rng, depth - 1)})"
    if pick == 5:
        return f"abs({inner})" if rng.random() < 0.5 else f"-({inner})"
    if pick == 6:
        fn = rng.choice(["clamp_min", "clamp_max"])
        return f"{fn}({inner}, {_random_scalar(rng)})"
    if pick == 7:
        if rng.random() < 0.5:
            return f"absent({_random_selector(rng)})"
        return f"vector({_random_scalar(rng)})"
    return inner


def _random_scalar(rng: random.Random) -> str:
    return rng.choice(["0", "1", "2", "0.5", "-3", "1e3", "NaN", "Inf", "time()",
                       "scalar(b{i=\"1\"})", "scalar(a)"])


def random_cases() -> list[Case]:
    """The seeded random expressions, each at a random time within the data."""
    rng = random.Random(20261201)
    series = tuple((s, v) for s, v in RANDOM_SERIES)
    cases = []
    for i in range(RANDOM_CASES):
        at = f"{rng.randrange(3, 20)}m{rng.choice(['', '30s', '1s'])}"
        cases.append(Case("random", i, _random_vector(rng, rng.randrange(1, 4)), at, False, "",
                          series, "1m"))
    return cases


def test_random_expressions_agree_with_promtool(tmp_path: Path) -> None:
    _require_promtool()
    cases = random_cases()
    problems = disagreements(cases, tmp_path)
    assert not problems, f"{len(problems)} of {len(cases)} random cases disagree:\n\n" + (
        "\n\n".join(problems))

VALUES = (0.0, -0.0, 1.0, 0.25, 100.0, 123456.0, 1234567.0, 1e6, 1e21, 1.5e300, 0.0001,
          0.00001, 5e-324, -3.25, 1 / 3, 0.30000000000000004, 12345.678, -987654321.5,
          999999.0, 999999.5, 0.000123456789, 2.5e-5, 1e-4, 9.999999e-5,
          math.nan, math.inf, -math.inf)


def _random_values(count: int) -> list[float]:
    """Seeded floats of every magnitude, both signs, with short and long mantissas."""
    rng = random.Random(7)
    out = []
    for _ in range(count):
        mantissa = rng.choice([rng.random(), round(rng.random(), rng.randrange(1, 6)),
                               float(rng.randrange(1, 10_000))])
        out.append(rng.choice([1.0, -1.0]) * mantissa * 10.0 ** rng.randrange(-12, 25))
    return out


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
    values = [*VALUES, *_random_values(200)]
    rules = {"groups": [{"name": "values", "rules": [
        {"alert": f"V{i}", "expr": f"vector({_literal(v)})",
         "annotations": {"value": "{{ $value }}"}} for i, v in enumerate(values)]}]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, sort_keys=False))
    tests = {"rule_files": ["rules.yaml"], "tests": [{
        "interval": "1m", "input_series": [],
        "alert_rule_test": [
            {"eval_time": "0m", "alertname": f"V{i}",
             "exp_alerts": [{"exp_labels": {}, "exp_annotations": {"value": format_value(v)}}]}
            for i, v in enumerate(values)]}]}
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(tests, sort_keys=False))
    done = subprocess.run([PROMTOOL, "test", "rules", str(tmp_path / "test.yaml")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
