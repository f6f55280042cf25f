"""Reading promtool's rule unit-test files (``promtool test rules`` format), strictly."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pgwatch.alerting.durations import DurationError, parse_duration_ms
from pgwatch.errors import PgwatchError

_MAX_VALUES = 100_000


class RuleTestError(PgwatchError):
    """A unit-test file that cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class InputSeries:
    series: str
    values: str


@dataclass(frozen=True, slots=True)
class ExpectedAlert:
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class AlertTest:
    eval_ms: int
    alertname: str
    expected: tuple[ExpectedAlert, ...]


@dataclass(frozen=True, slots=True)
class ExpectedSample:
    labels: str
    value: float


@dataclass(frozen=True, slots=True)
class ExprTest:
    expr: str
    eval_ms: int
    expected: tuple[ExpectedSample, ...]


@dataclass(frozen=True, slots=True)
class TestGroup:
    interval_ms: int
    input_series: tuple[InputSeries, ...]
    alert_tests: tuple[AlertTest, ...]
    expr_tests: tuple[ExprTest, ...]
    external_labels: tuple[tuple[str, str], ...]
    external_url: str
    name: str


@dataclass(frozen=True, slots=True)
class UnitTestFile:
    path: str
    rule_files: tuple[str, ...]
    evaluation_interval_ms: int
    group_eval_order: tuple[str, ...]
    tests: tuple[TestGroup, ...]
    warnings: tuple[str, ...]


_FILE_KEYS = {"rule_files", "evaluation_interval", "group_eval_order", "tests"}
_GROUP_KEYS = {"interval", "input_series", "alert_rule_test", "promql_expr_test",
               "external_labels", "external_url", "name"}


def read_test_file(path: Path) -> UnitTestFile:
    """Parse one unit-test file; RuleTestError names what is wrong and where."""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleTestError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") \
            from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise RuleTestError(f"{path}:{line}: invalid YAML: {exc.problem or exc.context}") \
            from None
    except yaml.YAMLError as exc:  # a control character, for one: no mark
        raise RuleTestError(f"{path}: invalid YAML: {exc}") from None
    reader = _Reader(path, node)
    data = data or {}
    reader.keys(data, _FILE_KEYS, ())
    rule_files, warnings = _resolve(path, [str(f) for f in reader.list(data, "rule_files", ())])
    interval = reader.duration(data, "evaluation_interval", ()) or 60_000
    tests = tuple(reader.group(g, ("tests", i))
                  for i, g in enumerate(reader.list(data, "tests", ())))
    order = tuple(str(g) for g in reader.list(data, "group_eval_order", ()))
    return UnitTestFile(str(path), tuple(rule_files), interval, order, tests, tuple(warnings))


def _resolve(path: Path, patterns: list[str]) -> tuple[list[str], list[str]]:
    files: list[str] = []
    warnings: list[str] = []
    for pattern in patterns:
        full = pattern if Path(pattern).is_absolute() else str(path.parent / pattern)
        matched = sorted(glob.glob(full))
        if not matched:
            warnings.append(f"  WARNING: no file match pattern {full}")
        files.extend(matched)
    return files, warnings


class _Reader:
    def __init__(self, path: Path, node: yaml.Node | None) -> None:
        self.path = path
        self.lines: dict[tuple[str | int, ...], int] = {}
        if node is not None:
            self._record(node, ())

    def _record(self, node: yaml.Node, key: tuple[str | int, ...]) -> None:
        if len(self.lines) > _MAX_VALUES:  # aliases nested in aliases stand for billions
            raise self.fail(key, f"the YAML stands for more than {_MAX_VALUES} values",
                            line=node.start_mark.line + 1)
        self.lines.setdefault(key, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                child = (*key, str(k.value))
                if child in self.lines:  # yaml.v2's UnmarshalStrict refuses these too
                    raise self.fail(child, f'mapping key "{k.value}" already defined at line '
                                    f"{self.lines[child]}", line=k.start_mark.line + 1)
                self.lines[child] = k.start_mark.line + 1
                self._record(v, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                self._record(v, (*key, i))

    def fail(self, key: tuple[str | int, ...], message: str,
             line: int | None = None) -> RuleTestError:
        if line is None:
            line = next((self.lines[key[:n]] for n in range(len(key), -1, -1)
                         if key[:n] in self.lines), 1)
        where = ".".join(str(k) for k in key) or "(top level)"
        return RuleTestError(f"{self.path}:{line}: {where}: {message}")

    def keys(self, data: Any, allowed: set[str], key: tuple[str | int, ...]) -> None:
        if not isinstance(data, dict):
            raise self.fail(key, "must be a mapping")
        for name in data:
            if name not in allowed:
                raise self.fail((*key, str(name)), f"field {name} not found (allowed: "
                                f"{', '.join(sorted(allowed))})")

    def list(self, data: dict[str, Any], name: str, key: tuple[str | int, ...]) -> list[Any]:
        value = data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail((*key, name), "must be a list")
        return value

    def duration(self, data: dict[str, Any], name: str, key: tuple[str | int, ...]) -> int:
        value = data.get(name)
        if value is None:
            return 0
        try:
            return parse_duration_ms(str(value))
        except DurationError as exc:
            raise self.fail((*key, name), str(exc)) from None

    def strings(self, data: dict[str, Any], name: str, key: tuple[str | int, ...]
                ) -> tuple[tuple[str, str], ...]:
        value = data.get(name) or {}
        if not isinstance(value, dict):
            raise self.fail((*key, name), "must be a mapping of names to strings")
        return tuple(sorted((str(k), "" if v is None else str(v)) for k, v in value.items()))

    def group(self, data: Any, key: tuple[str | int, ...]) -> TestGroup:
        self.keys(data, _GROUP_KEYS, key)
        series = []
        for i, item in enumerate(self.list(data, "input_series", key)):
            where = (*key, "input_series", i)
            self.keys(item, {"series", "values"}, where)
            series.append(InputSeries(str(item.get("series") or ""), str(item.get("values") or "")))
        alerts = tuple(self.alert_test(a, (*key, "alert_rule_test", i))
                       for i, a in enumerate(self.list(data, "alert_rule_test", key)))
        exprs = tuple(self.expr_test(e, (*key, "promql_expr_test", i))
                      for i, e in enumerate(self.list(data, "promql_expr_test", key)))
        return TestGroup(self.duration(data, "interval", key), tuple(series), alerts, exprs,
                         self.strings(data, "external_labels", key),
                         str(data.get("external_url") or ""), str(data.get("name") or ""))

    def alert_test(self, data: Any, key: tuple[str | int, ...]) -> AlertTest:
        self.keys(data, {"eval_time", "alertname", "exp_alerts"}, key)
        expected = []
        for i, entry in enumerate(self.list(data, "exp_alerts", key)):
            where = (*key, "exp_alerts", i)
            item = entry or {}
            self.keys(item, {"exp_labels", "exp_annotations"}, where)
            expected.append(ExpectedAlert(self.strings(item, "exp_labels", where),
                                          self.strings(item, "exp_annotations", where)))
        return AlertTest(self.duration(data, "eval_time", key), str(data.get("alertname") or ""),
                         tuple(expected))

    def expr_test(self, data: Any, key: tuple[str | int, ...]) -> ExprTest:
        self.keys(data, {"expr", "eval_time", "exp_samples"}, key)
        samples = []
        for i, item in enumerate(self.list(data, "exp_samples", key)):
            where = (*key, "exp_samples", i)
            self.keys(item, {"labels", "value"}, where)
            try:
                value = float(item.get("value") or 0)
            except (TypeError, ValueError):
                raise self.fail((*where, "value"), "must be a number") from None
            samples.append(ExpectedSample(str(item.get("labels") or ""), value))
        return ExprTest(str(data.get("expr") or ""), self.duration(data, "eval_time", key),
                        tuple(samples))
