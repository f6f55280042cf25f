"""`pgwatch rules test` against the real `promtool test rules` (Debian's Prometheus 2.42).

Every unit-test file of tests/data/promtool (named pass_* or fail_*: each failing one for a
different reason) and of tests/data/default_rules runs through both: the verdicts must be
the same, and for test failures promtool's output and pgwatch's must be the same text.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from pgwatch.alerting.durations import parse_duration_ms
from pgwatch.alerting.model import AlertingRule, AlertState, RuleGroup
from pgwatch.alerting.promql import SeriesWindow
from pgwatch.alerting.promql.series_notation import expand_values, parse_series
from pgwatch.alerting.rules import check_rules
from pgwatch.alerting.state import GroupRunner
from pgwatch.alerting.templates import expand_or_error
from tests.cli import run_cli

ROOT = Path(__file__).parent.parent.parent
CORPUS = ROOT / "tests" / "data" / "promtool"
OWN = sorted(CORPUS.glob("*.yaml"))
DEFAULT_RULES = sorted((ROOT / "tests" / "data" / "default_rules").glob("*.test.yaml"))
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
_HEADER = re.compile(r"^\s+(alertname: \S+, time: \S+|expr: .*, time: [^,\s]+|rule: \S+)",
                     re.MULTILINE)


def _promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, check=False)


def test_corpus_is_large_and_mixed() -> None:
    names = [p.name for p in OWN]
    assert len(names) >= 15
    assert sum(n.startswith("fail_") for n in names) >= 8
    assert all(n.startswith(("pass_", "fail_")) for n in names)


@pytest.mark.parametrize("case", OWN + DEFAULT_RULES,
                         ids=[f"{p.parent.name}/{p.name}" for p in OWN + DEFAULT_RULES])
def test_same_verdict_as_promtool(case: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _promtool("test", "rules", case.name, cwd=case.parent)
    monkeypatch.chdir(case.parent)
    ours = run_cli(capsys, "rules", "test", case.name)
    promtool_passed = reference.returncode == 0
    assert (ours.status == 0) == promtool_passed, reference.stderr + "\n---\n" + ours.err
    if case.parent == CORPUS:
        assert promtool_passed == case.name.startswith("pass_"), reference.stderr
    if promtool_passed:
        assert "  SUCCESS" in ours.out
    elif ours.status == 2:  # input promtool cannot read either: its own one-line reason
        assert ours.err.count("\n") == 2 and f"{case.name}:" in ours.err
    else:
        assert ours.status == 1
        assert _HEADER.findall(ours.err) == _HEADER.findall(reference.stderr)
        assert ours.err == reference.stderr
        assert ours.out == reference.stdout


def test_corpus_rule_files_load_in_promtool() -> None:
    rules = sorted((CORPUS / "rules").glob("*.yaml"))
    result = _promtool("check", "rules", *(str(p) for p in rules), cwd=CORPUS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_export_is_one_file_promtool_accepts(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "pgwatch-rules.yaml"
    ours = run_cli(capsys, "rules", "export", "--format", "prometheus", "--output", str(target))
    assert ours.status == 0, ours.err
    result = _promtool("check", "rules", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    shipped = sum(p.read_text().count("- alert:") for p in (ROOT / "rules").glob("*.yaml"))
    assert f"SUCCESS: {shipped} rules found" in result.stdout


BAD = sorted((ROOT / "tests" / "data" / "rules_bad").glob("*.yaml"))


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_rule_files_against_promtool_check(path: Path) -> None:
    """Each bad file says whether promtool rejects it too (the rest are pgwatch's own limits:
    metrics it does not expose, PromQL and template functions it does not evaluate)."""
    verdict = next(line.removeprefix("# promtool: ") for line in path.read_text().splitlines()
                   if line.startswith("# promtool: "))
    result = _promtool("check", "rules", path.name, cwd=path.parent)
    assert (result.returncode != 0) == (verdict == "rejects"), result.stdout + result.stderr


_NUMBER_TEMPLATES = {
    "value": "{{ $value }}", "humanize": "{{ humanize $value }}",
    "humanize1024": "{{ humanize1024 $value }}", "percentage": "{{ humanizePercentage $value }}",
    "duration": "{{ humanizeDuration $value }}",
    "printf": '{{ printf "%.2f %g %e %.3g %8.1f %v" $value $value $value $value $value $value }}',
}


def _random_values(count: int) -> list[float]:
    rng = random.Random(20261201)
    values = [0.0, 1.0, -1.0, 0.5, 999.95, 1023.5, 1024.0, 86399.9, 0.00099995, 1e-300, 1e300]
    while len(values) < count:
        magnitude = 10 ** rng.uniform(-12, 15)
        value = rng.choice((1, -1)) * magnitude
        values.append(float(f"{value:.{rng.randint(1, 17)}g}"))
    return values


def test_number_formatting_matches_promtool_for_many_values(tmp_path: Path) -> None:
    """Random values through every number-printing function: pgwatch writes the expected
    annotations, promtool must pass them."""
    values = _random_values(120)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [{"name": "n", "rules": [
        {"alert": "N", "expr": "n", "annotations": _NUMBER_TEMPLATES}]}]}))
    expected = []
    for i, value in enumerate(values):
        labels = {"__name__": "n", "i": str(i)}
        annotations = {k: expand_or_error(t, labels=labels, value=value, rule_name="N")
                       for k, t in _NUMBER_TEMPLATES.items()}
        expected.append({"exp_labels": {"i": str(i)}, "exp_annotations": annotations})
    (tmp_path / "numbers.yaml").write_text(yaml.safe_dump({"rule_files": ["rules.yaml"], "tests": [{
        "interval": "1m",
        "input_series": [{"series": f'n{{i="{i}"}}', "values": repr(v)}
                         for i, v in enumerate(values)],
        "alert_rule_test": [{"eval_time": "0m", "alertname": "N", "exp_alerts": expected}]}]}))
    result = _promtool("test", "rules", "numbers.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[:3000]


_BAD_TEMPLATES = [
    "{{ $value ", "{{ foo $value }}", "{{ $nope }}", "line\n{{ if true }}x", "{{ end }}",
    '{{ printf "%s" "a }}', "{{ }}", "{{ if }}x{{ end }}", "{{ else }}",
    "{{ if 1 }}a{{ else foo }}b{{ end }}", "{{ end foo }}", "{{ $x := }}", "{{ humanize ) }}",
    "{{ 1 2 | if }}", "{{ .Labels.x.y z }}", "{{ (1 }}", "{{ 3abc }}",
    "{{ $labels.target is down", "ok {{ humanize $value | }}", "{{ with }}{{ end }}",
    "{{ range $k, $v := $labels }}{{ $k }}{{ end }}{{ $k }}",
]


def test_template_parse_errors_match_promtool_check(tmp_path: Path) -> None:
    annotations = {f"t{i:02d}": text for i, text in enumerate(_BAD_TEMPLATES)}
    path = tmp_path / "templates.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [
        {"alert": "A", "expr": "pgwatch_up == 0", "annotations": annotations}]}]}))
    result = _promtool("check", "rules", path.name, cwd=tmp_path)
    theirs = sorted(line.split('"A": ', 1)[1] for line in result.stderr.splitlines()
                    if '"A": annotation' in line)
    ours = sorted(str(p).split("rule A: ", 1)[1] for p in check_rules([path]))
    assert ours == theirs
    assert len(ours) == len(_BAD_TEMPLATES) - 1  # a trailing "|" parses in Go 1.19


_EXECUTION_TEMPLATES = [
    '{{ $labels.x.y }}', '{{ len 3 }}', '{{ index $labels 1 }}', '{{ printf }}',
    '{{ toUpper 1 }}', '{{ $value 1 }}', '{{ nil }}', '{{ eq $labels "a" }}',
    '{{ lt true false }}', '{{ reReplaceAll "(" "" "x" }}', '{{ humanize nil }}',
    '{{ .Value.x }}', '{{ $labels.i | printf "%s-%d" }}', '{{ len $labels.i }}',
    '{{ index $labels "nope" }}', '{{ and 0 1 }}{{ or 0 "" }}', '{{ eq 1 1.0 }}',
    '{{ eq "a" "b" "a" }}', '{{ ne 1 2 }}', '{{ le 2 2 }}', '{{ ge 1.5 2.5 }}', '{{ not 0 }}',
    '{{ print 1 2 "a" 3 }}', '{{ println 1 "x" }}', '{{ html "<a&b>" }}',
    '{{ urlquery "a b&c" }}', '{{ match "^d" $labels.i }}', '{{ stripPort "host:80" }}',
    '{{ stripDomain "db1.example.com:5432" }}', '{{ parseDuration "1h30m" }}',
    '{{ humanizeTimestamp $value }}', '{{ $value | humanize | toUpper }}',
    '{{ $x := $value }}{{ if gt $x 1.0 }}{{ $x = 0.0 }}{{ end }}{{ $x }}',
    '{{ range $labels }}[{{ . }}]{{ else }}none{{ end }}',
    '{{ with $labels.i }}{{ . | len }}{{ end }}',
    '{{ printf "%5s|%-5d|%05.1f|%x|%X|%o|%q|%c" "ab" 42 3.14159 "hi" 255 8 65 66 }}',
    '{{ printf "%v %v" $labels true }}', '{{ printf "%T %T %T" 1 1.5 "s" }}',
    '{{ printf "%+d % d %+.1e" 5 5 12345.678 }}', '{{ title "élan vital_x" }}',
    '{{ reReplaceAll "(?P<n>d)b" "${n}-$1-$$" "dbdb" }}', '{{ externalURL }}|{{ pathPrefix }}',
    '{{ .ExternalURL }}', '{{ toLower "ÀB" }}', '{{ humanize "1e3" }}', '{{ humanize "0x10" }}',
    '{{ humanize " 1" }}', '{{ humanize1024 -2048 }}', '{{ humanizeDuration -0.5 }}',
    '{{ humanizeDuration 59.99 }}', '{{ humanizePercentage "0.5" }}',
    '{{ 1.5 | printf "%.0f" }}{{ 2.5 | printf "%.0f" }}', '{{ printf "%.3g|%g" 1e-5 1e20 }}',
    '{{ printf "%s" 3 }}', '{{/* c */ -}}  z', '{{- 3 -}}', '{{ printf "%d" \'a\' }}',
]


def test_template_execution_matches_promtool(tmp_path: Path) -> None:
    """Built-ins, Prometheus' functions, printf verbs, control and execution errors (with
    Go's line:column and context): pgwatch writes the annotations, promtool passes them."""
    annotations = {f"t{i:02d}": text for i, text in enumerate(_EXECUTION_TEMPLATES)}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [
        {"alert": "E", "expr": "m", "annotations": annotations}]}]}))
    url = "http://pgwatch.example/pre/fix"
    labels = {"__name__": "m", "i": "db1"}
    expected = {k: expand_or_error(t, labels=labels, value=1700000000.25, rule_name="E",
                                   external_url=url, url_functions=False)
                for k, t in annotations.items()}
    assert sum("<error expanding template" in v for v in expected.values()) >= 10
    (tmp_path / "test.yaml").write_text(yaml.safe_dump({"rule_files": ["rules.yaml"], "tests": [{
        "interval": "1m", "external_url": url,
        "input_series": [{"series": 'm{i="db1"}', "values": "1700000000.25"}],
        "alert_rule_test": [{"eval_time": "0m", "alertname": "E", "exp_alerts": [
            {"exp_labels": {"i": "db1"}, "exp_annotations": expected}]}]}]}, width=10000))
    result = _promtool("test", "rules", "test.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[:4000]


def _scenario(seed: int) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    rng = random.Random(seed)
    rule = {"alert": "R", "expr": f"m > {rng.choice((3, 5, 7))}",
            "annotations": {"v": "{{ $value }}"}}
    if rng.random() < 0.7:
        rule["for"] = rng.choice(("1m", "2m", "3m"))
    if rng.random() < 0.5:
        rule["keep_firing_for"] = rng.choice(("1m", "2m", "4m"))
    series = []
    for s in range(3):
        tokens = [rng.choice(("_", "stale", *(str(rng.randint(0, 10)) for _ in range(8))))
                  for _ in range(24)]
        series.append((f'm{{s="{s}"}}', " ".join(tokens)))
    return rule, series


def _firing_per_minute(rule: dict[str, Any], series: list[tuple[str, str]],
                       minutes: int) -> list[list[dict[str, Any]]]:
    """What pgwatch's state machine and engine say fires at each minute."""
    group = RuleGroup("g", "r.yaml", None, (AlertingRule(
        name="R", expr=rule["expr"], for_s=parse_duration_ms(rule.get("for", "0")) / 1000,
        keep_firing_for_s=parse_duration_ms(rule.get("keep_firing_for", "0")) / 1000,
        labels=(), annotations=(("v", "{{ $value }}"),), group="g", file="r.yaml", line=1),))
    window = SeriesWindow()
    for text, values in series:
        for i, value in enumerate(expand_values(values, 60_000)):
            if value is not None:
                window.add(parse_series(text), i * 60_000, value)
    runner = GroupRunner(group)
    out = []
    for minute in range(minutes):
        alerts = runner.evaluate(window, minute * 60_000)
        out.append([{"exp_labels": dict(a.labels[1:]), "exp_annotations": dict(a.annotations)}
                    for a in alerts if a.state is AlertState.FIRING])
    return out


@pytest.mark.parametrize("seed", range(8))
def test_random_alert_life_cycles_match_promtool(seed: int, tmp_path: Path) -> None:
    """Random series with gaps and stale markers, random for and keep_firing_for: the alerts
    pgwatch has firing at each minute are what promtool has firing."""
    rule, series = _scenario(seed)
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": [{"name": "g",
                                                                     "rules": [rule]}]}))
    firing = _firing_per_minute(rule, series, 24)
    assert any(firing), "the scenario should fire at least once"
    (tmp_path / "test.yaml").write_text(yaml.safe_dump({"rule_files": ["rules.yaml"], "tests": [{
        "interval": "1m", "input_series": [{"series": s, "values": v} for s, v in series],
        "alert_rule_test": [{"eval_time": f"{m}m", "alertname": "R", "exp_alerts": alerts}
                            for m, alerts in enumerate(firing)]}]}))
    result = _promtool("test", "rules", "test.yaml", cwd=tmp_path)
    assert result.returncode == 0, (rule, series, result.stderr[:3000])
