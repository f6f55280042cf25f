"""scripts/make_plans.py regenerates plan cases that pass their own expectations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pgwatch.embedded import DEFAULT_MAJOR
from pgwatch.explain.findings import analyse
from pgwatch.explain.parse import parse_plan
from tests.servers import requested_versions

pytestmark = pytest.mark.integration
SCRIPT = Path(__file__).resolve().parent.parent.parent / "scripts" / "make_plans.py"
CASES = ("healthy_pk_lookup", "seq_scan_selective", "misestimate_correlated")


def _version() -> int:
    newest = requested_versions()[-1]
    return int(newest) if newest.isdigit() else DEFAULT_MAJOR


def test_make_plans_writes_cases_that_pass(tmp_path: Path) -> None:
    command = [sys.executable, str(SCRIPT), "--version", str(_version()), "--out", str(tmp_path)]
    for case in CASES:
        command += ["--case", case]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert "seq_scan_selective.auto_explain.log" in written
    assert "seq_scan_selective.psql-json.txt" in written
    for case in CASES:
        expected = yaml.safe_load((tmp_path / f"{case}.expect.yaml").read_text())
        assert expected["server_version"].startswith(str(_version()))
        for path in tmp_path.glob(f"{case}.*"):
            if path.name.endswith(".expect.yaml"):
                continue
            findings = analyse(parse_plan(path.read_text(), source=str(path)))
            codes = {f.code for f in findings}
            assert set(expected["must"]) <= codes, (path.name, codes)
            if expected.get("max_severity") == "info":
                assert all(f.severity.value == "info" for f in findings), (path.name, codes)
