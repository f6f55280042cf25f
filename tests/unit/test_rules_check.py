"""Rule files: every problem found, each as ``file:line: rule NAME: message``.

One bad file per case under tests/data/rules_bad; its ``# expect:`` lines are the problems
``check_rules`` must list, in order (tests/integration/test_promtool_verdicts.py checks
which of them promtool rejects as well).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pgwatch.alerting.model import AlertingRule
from pgwatch.alerting.rules import RuleError, check_rules, default_rules_dir, load_rules
from pgwatch.exposition.reference import exposed_names
from tests.cli import run_cli

BAD = sorted((Path(__file__).parent.parent / "data" / "rules_bad").glob("*.yaml"))


def _expected(path: Path) -> list[str]:
    return [line.removeprefix("# expect: ") for line in path.read_text().splitlines()
            if line.startswith("# expect: ")]


def test_there_is_a_case_per_problem_kind() -> None:
    assert len(BAD) >= 20
    assert all(_expected(p) for p in BAD)


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_every_problem_is_listed(path: Path) -> None:
    problems = check_rules([path], exposed_names())
    assert [str(p).removeprefix(f"{path}:") for p in problems] == _expected(path)
    assert all(str(p).startswith(f"{path}:{p.line}: ") for p in problems)


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_load_refuses_naming_the_first_problem(path: Path) -> None:
    with pytest.raises(RuleError) as caught:
        load_rules([path], exposed_names())
    first = _expected(path)[0]
    assert str(caught.value).startswith(f"{path}:{first}")
    assert "\n" not in str(caught.value)


def test_cli_lists_every_problem_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    path = next(p for p in BAD if p.stem == "many_problems")
    run = run_cli(capsys, "rules", "check", str(path))
    assert run.status == 2
    assert run.err.splitlines() == [f"pgwatch: error: {path}:{e}" for e in _expected(path)]
    assert run.out == ""


GOOD = """\
groups:
  - name: db
    interval: 30s
    limit: 5
    rules:
      - alert: Slow
        expr: |
          pgwatch_activity_longest_query_seconds > 300
        for: 1h30m
        keep_firing_for: 5m
        labels: {severity: warning, team: dba}
        annotations:
          summary: "{{ $value | humanizeDuration }}"
"""


def test_good_file_loads_with_lines_and_durations(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "db.yaml").write_text(GOOD)
    (tmp_path / "notes.txt").write_text("not a rule file")
    (group,) = load_rules([tmp_path], exposed_names())
    assert (group.name, group.interval_s, group.limit) == ("db", 30.0, 5)
    assert group.rules == (AlertingRule(
        name="Slow", expr="pgwatch_activity_longest_query_seconds > 300\n", for_s=5400.0,
        keep_firing_for_s=300.0, labels=(("severity", "warning"), ("team", "dba")),
        annotations=(("summary", "{{ $value | humanizeDuration }}"),), group="db",
        file=str(tmp_path / "db.yaml"), line=6),)
    run = run_cli(capsys, "rules", "check", str(tmp_path))
    assert run.status == 0, run.err
    assert run.out == f"{tmp_path}: ok, 1 rules in 1 groups (1 files)\n"


def test_a_missing_path_is_a_problem(tmp_path: Path) -> None:
    (problem,) = check_rules([tmp_path / "nope.yaml"], exposed_names())
    assert str(problem) == f"{tmp_path / 'nope.yaml'}:1: no such file or directory"


def test_default_rules_dir_is_the_checkout_and_overridable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_rules_dir() == Path(__file__).resolve().parent.parent.parent / "rules"
    monkeypatch.setenv("PGWATCH_RULES_DIR", str(tmp_path))
    assert default_rules_dir() == tmp_path
