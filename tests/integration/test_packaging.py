"""The wheel as a user gets it: built with ``python -m build``, installed into a fresh virtual
environment outside the checkout, and run from there (rules, runbooks, templates, migrations
and dashboards come from the installed package, not from the source tree)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pgwatch import __version__
from pgwatch.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "tests" / "data" / "plans" / "18" / "hash_batches.json"


@dataclass(frozen=True, slots=True)
class Installed:
    wheel: Path
    bin: Path
    home: Path

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / "pgwatch"), *args], cwd=self.home, env=_env(),
                              capture_output=True, text=True, timeout=timeout, check=False)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PGWATCH_RULES_DIR", "VIRTUAL_ENV"}}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if ".venv" not in p)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("packaging")
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(dist.glob("pgwatch-*.whl"))
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True, timeout=600, env=_env())
    home = base / "home"
    home.mkdir()
    yield Installed(wheel, env_dir / "bin", home)


def test_wheel_carries_the_data_files(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = {"pgwatch/docs/runbooks.md", "pgwatch/dashboards/provisioning.yaml",
                "pgwatch/report/templates/report.html.j2", "pgwatch/report/templates/report.css",
                "pgwatch/migrations/sql/0002_production_performance_tuning.up.sql"}
    expected |= {f"pgwatch/rules/{p.name}" for p in (ROOT / "rules").glob("*.yaml")}
    expected |= {f"pgwatch/dashboards/{p.name}" for p in (ROOT / "dashboards").glob("*.json")}
    assert expected <= names, sorted(expected - names)
    assert not any(name.startswith(("tests/", "rules/")) for name in names)


def test_installed_help_version_and_rules_check(installed: Installed) -> None:
    helped = installed.run("--help")
    assert helped.returncode == 0, helped.stderr
    assert "run" in helped.stdout and "explain" in helped.stdout
    version = installed.run("--version")
    assert version.stdout.strip() == f"pgwatch {__version__}"
    checked = installed.run("rules", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    site = next((installed.bin.parent / "lib").glob("python3*/site-packages"))
    count = len(list((ROOT / "rules").glob("*.yaml")))
    assert checked.stdout.startswith(f"{site / 'pgwatch' / 'rules'}: ok, "), checked.stdout
    assert f"({count} files)" in checked.stdout


def test_installed_explain_reads_a_plan_file(installed: Installed) -> None:
    explained = installed.run("explain", str(PLAN))
    assert explained.returncode == 0, explained.stderr
    assert "Hash" in explained.stdout
    broken = installed.home / "broken.json"
    broken.write_text("[{\"Plan\": ", encoding="utf-8")
    refused = installed.run("explain", str(broken))
    assert refused.returncode == 2
    assert refused.stderr.startswith("pgwatch: error: ") and "Traceback" not in refused.stderr


def test_installed_demo_runs_and_reports_its_version(installed: Installed) -> None:
    port = free_port()
    process = subprocess.Popen([str(installed.bin / "pgwatch"), "demo", "--duration", "20",
                                "--port", str(port), "--scale", "0.005"],
                               cwd=installed.home, env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    shown = ""
    while "Everything stops by itself" not in shown:
        line = process.stdout.readline()
        assert line, f"demo ended early: {shown}{process.communicate()[1]}"
        shown += line
    body = _scrape(f"http://127.0.0.1:{port}/metrics")
    rest, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors
    assert "stopped; nothing left running" in rest
    version = installed.run("--version").stdout.split()[-1]
    assert re.search(rf'^pgwatch_build_info\{{version="{re.escape(version)}"\}} 1\.0$', body,
                     re.MULTILINE), body[:500]
    assert 'pgwatch_up{target="demo",env="demo"} 1.0' in body


def _scrape(url: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                body = str(answer.read().decode())
        except OSError:
            body = ""
        if 'pgwatch_up{target="demo",env="demo"} 1.0' in body:
            return body
        time.sleep(0.5)
    raise AssertionError(f"{url}: no pgwatch_up for the demo in 60 s")
