"""What a new user meets first at the command line: speed, --version, one-line errors."""

from __future__ import annotations

import json
import logging
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pgwatch
from pgwatch.log import setup_logging
from tests.cli import run_cli

# The packages a command needs only once it runs; importing the CLI must not pay for them.
HEAVY = ("psycopg", "psycopg_pool", "prometheus_client", "apscheduler", "pydantic", "yaml",
         "jinja2", "pglast", "promql_parser", "httpx", "rich")


def _pgwatch() -> list[str]:
    """The console script a user runs (``python -m pgwatch`` where it is not installed)."""
    script = Path(sys.executable).parent / "pgwatch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pgwatch"]


def _imported_after(code: str) -> list[str]:
    """The HEAVY top-level packages a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    loaded = {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}
    return sorted(loaded & set(HEAVY))


def test_importing_the_cli_imports_no_heavy_package() -> None:
    # Building the click command is what --help and every invocation do first.
    code = ("import typer.main, pgwatch.cli\n"
            "typer.main.get_command(pgwatch.cli.app)")
    assert _imported_after(code) == []


def test_help_of_every_command_imports_no_database_library() -> None:
    # Typer itself validates option values with pydantic, so only the rest is checked here.
    code = """
import typer.main
from pgwatch.cli import app, main

def walk(command, path):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, [*path, name])

for path in walk(typer.main.get_command(app), []):
    try:
        main([*path, "--help"])
    except SystemExit:
        pass
"""
    loaded = _imported_after(code)
    assert [name for name in loaded if name not in ("pydantic", "yaml")] == []


def _best_of_3(args: list[str]) -> tuple[float, float]:
    """The shortest wall time and the shortest CPU time of three runs of ``pgwatch ARGS``."""
    walls, cpus = [], []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run([*_pgwatch(), *args], capture_output=True, check=False)
        walls.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(f"pgwatch {' '.join(args)}: best of 3 {min(walls):.3f} s wall, {min(cpus):.3f} s CPU")
    return min(walls), min(cpus)


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_answers_fast(args: list[str]) -> None:
    wall, cpu = _best_of_3(args)
    # 0.12 s on an idle machine (0.7-1.0 s before the imports were lazy). CPU time is the
    # bound that holds on a loaded machine; wall time only catches a command that waits.
    assert wall < 2.0
    assert cpu < 0.4


@pytest.mark.parametrize("args", [["migrate", "--help"], ["doctor"],
                                  ["run", "-c", "x.yaml", "--log-level", "loud"]])
def test_errors_answer_fast(args: list[str]) -> None:
    # 0.23 s on an idle machine, of which ~0.1 s is Typer importing pydantic to check values
    # (a command's --help too). CPU time, which other processes barely change, is the bound:
    # importing the commands' packages again would cost 0.5 s more.
    _, cpu = _best_of_3(args)
    assert cpu < 0.5


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "--version")
    assert (result.status, result.out, result.err) == (0, f"pgwatch {pgwatch.__version__}\n", "")


def _one_line_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    result = run_cli(capsys, *args)
    assert result.status == 2, result
    assert result.out == ""
    assert result.err.startswith("pgwatch: error: ") and result.err.count("\n") == 1
    assert "pgwatch: error: pgwatch" not in result.err  # no double prefix
    return result.err.removeprefix("pgwatch: error: ").strip()


def test_unknown_log_level_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    message = _one_line_error(capsys, "run", "-c", "missing.yaml", "--log-level", "loud")
    assert message.startswith("run: ")
    assert "--log-level" in message and "'loud'" in message and "debug" in message


def test_log_level_is_case_insensitive(capsys: pytest.CaptureFixture[str]) -> None:
    # The level is accepted; the missing file is then the error.
    message = _one_line_error(capsys, "run", "-c", "/nonexistent/p.yaml", "--log-level", "INFO")
    assert message.startswith("/nonexistent/p.yaml: cannot read")


@pytest.mark.parametrize("only", ["", " , ", ","])
def test_empty_only_is_refused(capsys: pytest.CaptureFixture[str], only: str) -> None:
    message = _one_line_error(capsys, "collect", "--once", "--dsn", "host=nowhere", "--only",
                              only)
    assert message.startswith("collect: --only names no collector")


def test_unknown_only_is_refused_before_connecting(capsys: pytest.CaptureFixture[str]) -> None:
    message = _one_line_error(capsys, "collect", "--once", "--dsn", "host=127.0.0.1 port=1",
                              "--only", "tables,nope")
    assert "unknown collector nope" in message


@pytest.mark.parametrize(("args", "expected"), [
    (["doctor"], "doctor: give exactly one of --dsn or --config"),
    (["collect", "--once"], "collect: give exactly one of --dsn or --config"),
    (["frobnicate"], "No such command 'frobnicate' (see 'pgwatch --help')"),
    (["doctor", "--frobnicate"], "doctor: No such option: --frobnicate "
                                 "(see 'pgwatch doctor --help')"),
    (["migrate", "up"], "migrate up: Missing option '--dsn' (see 'pgwatch migrate up --help')"),
])
def test_usage_errors_name_the_command_once(capsys: pytest.CaptureFixture[str],
                                            args: list[str], expected: str) -> None:
    assert _one_line_error(capsys, *args) == expected


def test_migrate_to_help_says_what_each_direction_does(
        capsys: pytest.CaptureFixture[str]) -> None:
    up = run_cli(capsys, "migrate", "up", "--help").out
    down = run_cli(capsys, "migrate", "down", "--help").out
    assert "revert" not in up.lower()
    assert "0: every one" in " ".join(down.split())



@pytest.mark.parametrize(("level", "pool_shown"), [("info", False), ("debug", True)])
def test_pool_reconnection_noise_is_quiet_below_debug(capsys: pytest.CaptureFixture[str],
                                                      level: str, pool_shown: bool) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        setup_logging("plain", level)
        logging.getLogger("psycopg.pool").warning("error connecting in 'pgwatch-primary'")
        logging.getLogger("pgwatch.daemon.jobs").warning("target primary is down")
    finally:
        root.handlers[:], root.level = saved
        logging.getLogger("psycopg.pool").setLevel(logging.NOTSET)
    err = capsys.readouterr().err
    assert "target primary is down" in err
    assert ("error connecting" in err) is pool_shown
