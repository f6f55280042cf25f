"""`pgwatch rules export` and `pgwatch rules test` exit statuses, without promtool.

(tests/integration/test_promtool_verdicts.py has promtool check the exported file.)
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pgwatch.alerting.rules import default_rules_dir, load_rules
from tests.cli import run_cli

CORPUS = Path(__file__).parent.parent / "data" / "promtool"


def test_export_round_trips_every_shipped_rule(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "rules", "export", "--format", "prometheus")
    assert run.status == 0, run.err
    exported = tmp_path / "all.yaml"
    exported.write_text(run.out)
    again = load_rules([exported])
    shipped = load_rules([default_rules_dir()])
    strip = [tuple(replace(r, file="", line=0) for r in g.rules) for g in shipped]
    assert [tuple(replace(r, file="", line=0) for r in g.rules) for g in again] == strip
    assert [(g.name, g.interval_s, g.limit) for g in again] == [
        (g.name, g.interval_s, g.limit) for g in shipped]


def test_export_refuses_one_group_name_in_two_files(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    rule = "groups:\n  - name: same\n    rules:\n      - alert: {}\n        expr: pgwatch_up == 0\n"
    (tmp_path / "a.yaml").write_text(rule.format("A"))
    (tmp_path / "b.yaml").write_text(rule.format("B"))
    out = tmp_path / "out.yaml"
    run = run_cli(capsys, "rules", "export", str(tmp_path), "--output", str(out))
    assert run.status == 2
    assert run.err == (f"pgwatch: error: {tmp_path / 'b.yaml'}:4: group same: group name also "
                       f"used in {tmp_path / 'a.yaml'}; one exported file needs unique group "
                       "names\n")
    assert not out.exists()


def test_export_into_a_missing_directory_fails_cleanly(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing" / "rules.yaml"
    run = run_cli(capsys, "rules", "export", "--output", str(target))
    assert run.status == 2
    assert run.err.startswith(f"pgwatch: error: {target}: cannot write: ")
    assert not target.parent.exists()


def test_rules_test_exit_statuses(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    assert run_cli(capsys, "rules", "test", "pass_staleness.yaml").status == 0
    assert run_cli(capsys, "rules", "test", "pass_staleness.yaml",
                   "fail_staleness.yaml").status == 1
    missing = run_cli(capsys, "rules", "test", "fail_staleness.yaml", str(tmp_path / "no.yaml"))
    assert missing.status == 2
    assert f"{tmp_path / 'no.yaml'}: cannot read: No such file or directory" in missing.err
