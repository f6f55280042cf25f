"""Properties of the rule loader and the promtool test-file reader: any file loads or fails
with one clean error naming it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pgwatch.alerting.promtool_file import RuleTestError, read_test_file
from pgwatch.alerting.rules import RuleError, check_rules, load_rules
from tests.unit.fuzzing import BILLION_LAUGHS, budget, clean, corpus, mutated

RULES = corpus("rules/*.yaml", "tests/data/rules_bad/*.yaml")
UNIT_TESTS = corpus("tests/data/promtool/*.yaml")


def _in_file(text: str, call: object) -> object:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        outcome = clean(lambda: call(path))  # type: ignore[operator]
        if isinstance(outcome, Exception):
            assert str(path) in str(outcome), str(outcome)
        return outcome


@budget(250)
@given(mutated(RULES))
def test_a_mutated_rule_file_loads_or_is_refused_cleanly(text: str) -> None:
    _in_file(text, lambda p: load_rules([p]))
    problems = _in_file(text, lambda p: check_rules([p]))
    if isinstance(problems, list):
        assert all(str(problem) for problem in problems)


@budget(60)
@given(st.text(max_size=200))
def test_any_text_as_a_rule_file(text: str) -> None:
    _in_file(text, lambda p: load_rules([p]))


@budget(200)
@given(mutated(UNIT_TESTS))
def test_a_mutated_promtool_test_file_reads_or_is_refused_cleanly(text: str) -> None:
    _in_file(text, read_test_file)


def test_alias_bombs_are_refused_without_expanding_them() -> None:
    """Nine lines whose aliases stand for a billion values, where a list is expected."""
    began = time.monotonic()
    rules = _in_file(BILLION_LAUGHS + "groups:\n  - name: g\n    rules: *i\n",
                     lambda p: load_rules([p]))
    tests = _in_file(BILLION_LAUGHS + "tests: *i\n", read_test_file)
    assert isinstance(rules, RuleError) and isinstance(tests, RuleTestError)
    assert time.monotonic() - began < 5
