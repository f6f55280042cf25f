"""The shipped rules in the real promtool (Debian's Prometheus 2.42): they load, and each
rules file's unit tests (tests/data/default_rules) fire every rule and keep healthy input quiet.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pgwatch.alerting.promtool import run_test_file

ROOT = Path(__file__).parent.parent.parent
RULES = sorted((ROOT / "rules").glob("*.yaml"))
CASES = sorted((ROOT / "tests" / "data" / "default_rules").glob("*.test.yaml"))
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def _promtool(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, check=False)


def test_promtool_checks_every_rules_file() -> None:
    result = _promtool("check", "rules", *(str(p.relative_to(ROOT)) for p in RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    found = sum(int(line.split()[1]) for line in result.stdout.splitlines()
                if line.strip().startswith("SUCCESS:"))
    assert found >= 25


def test_every_rules_file_has_its_unit_tests() -> None:
    assert {p.name.removesuffix(".test.yaml") for p in CASES} == {p.stem for p in RULES}


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_promtool_unit_tests_pass(case: Path) -> None:
    result = _promtool("test", "rules", case.name, cwd=case.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_a_wrong_expectation_fails(tmp_path: Path) -> None:
    """The cases are not vacuous: promtool rejects one that expects the wrong target down."""
    case = next(p for p in CASES if p.name == "availability.test.yaml")
    text = case.read_text(encoding="utf-8").replace("../../../rules/", f"{ROOT}/rules/")
    broken = text.replace("{severity: critical, target: db1}", "{severity: critical, target: db2}",
                          1)
    assert broken != text
    path = tmp_path / case.name
    path.write_text(broken, encoding="utf-8")
    result = _promtool("test", "rules", str(path))
    assert result.returncode != 0
    assert "alertname: PgwatchTargetDown, time: 3m" in result.stdout + result.stderr


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_pgwatch_gives_promtools_verdict(case: Path) -> None:
    """pgwatch's own promtool-format runner passes the same files (promtool passes them all)."""
    result = run_test_file(case)
    assert result.passed, result
