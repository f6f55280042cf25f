"""Setting up as the README says: the interpreter it names, scripts/test's .venv, its tables."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def _older_python() -> str | None:
    """A real interpreter older than 3.12 (Debian's python3 is 3.11), if the machine has one."""
    for name in ("python3.11", "python3.10", "/usr/bin/python3.11", "/usr/bin/python3"):
        path = shutil.which(name)
        if path is None:
            continue
        done = subprocess.run([path, "-c", "import sys; sys.exit(sys.version_info >= (3, 12))"],
                              capture_output=True, check=False)
        if done.returncode == 0:
            return path
    return None


def _script_in(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "test"
    shutil.copy(ROOT / "scripts" / "test", script)
    return script


def _run(script: Path, python: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(script), "--venv-only"], capture_output=True, text=True,
                          env={**os.environ, "PYTHON": python}, check=False, timeout=120)


def _version_of(python: Path) -> tuple[int, int]:
    out = subprocess.run([str(python), "-c", "import sys; print(*sys.version_info[:2])"],
                         capture_output=True, text=True, check=True).stdout
    major, minor = out.split()
    return int(major), int(minor)


def _needed_older_python() -> str:
    """An interpreter older than 3.12; CI machines have one (their python3 is 3.11), so there
    a missing one fails the test instead of skipping it."""
    older = _older_python()
    if older is None:
        if os.environ.get("CI"):
            pytest.fail("CI machines' python3 is older than 3.12: none was found")
        pytest.skip("no Python older than 3.12 on this machine")
    return older


def test_scripts_test_remakes_a_venv_of_an_older_python(tmp_path: Path) -> None:
    older = _needed_older_python()
    subprocess.run([older, "-m", "venv", "--without-pip", str(tmp_path / ".venv")], check=True)
    result = _run(_script_in(tmp_path), sys.executable)
    assert result.returncode == 0, result.stderr
    assert "scripts/test: .venv is not Python 3.12+ (Python 3.1" in result.stderr
    assert "recreating it with Python 3." in result.stderr
    assert _version_of(tmp_path / ".venv" / "bin" / "python") >= (3, 12)


def test_scripts_test_refuses_an_older_python_by_name(tmp_path: Path) -> None:
    older = _needed_older_python()
    result = _run(_script_in(tmp_path), older)
    assert result.returncode != 0
    assert result.stderr.strip() == f"scripts/test: PYTHON={older} is not a Python 3.12 or newer"
    assert not (tmp_path / ".venv").exists()


def test_readme_first_command_names_a_312_interpreter() -> None:
    block = re.search(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block is not None
    first, second = block.group(1).strip().splitlines()
    assert first.startswith("python3.12 -m venv .venv && ")
    assert first.endswith(".venv/bin/pgwatch demo")
    assert second == "bash scripts/test"


def test_readme_tables_end_before_the_next_paragraph() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    for number, (line, following) in enumerate(itertools.pairwise(lines), start=1):
        if line.startswith("|"):
            assert line.rstrip().endswith("|"), f"README.md:{number}: a table row runs on"
            assert following.startswith("|") or not following.strip(), \
                f"README.md:{number + 1}: a paragraph runs into the table above it"
