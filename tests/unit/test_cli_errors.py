"""Bad input at the command line: one line on stderr, exit status 2, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import run_cli

DATA = Path(__file__).parent.parent / "data" / "config"
EXAMPLE = Path(__file__).parent.parent.parent / "config.example.yaml"


@pytest.mark.parametrize("case", ["bad_port", "unknown_key", "missing_var", "bad_yaml"])
def test_config_check_rejects_bad_files(capsys: pytest.CaptureFixture[str], case: str) -> None:
    path = DATA / f"{case}.yaml"
    result = run_cli(capsys, "config", "check", str(path))
    assert result.status == 2
    assert result.out == ""
    assert result.err.startswith(f"pgwatch: error: {path}:")
    assert result.err.count("\n") == 1


@pytest.mark.parametrize("password", [None, "never-printed"])
def test_config_check_accepts_the_example(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch,
                                          password: str | None) -> None:
    # As shipped, with or without PGWATCH_PASSWORD: the README's quick start copies it.
    if password is None:
        monkeypatch.delenv("PGWATCH_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("PGWATCH_PASSWORD", password)
    result = run_cli(capsys, "config", "check", str(EXAMPLE))
    assert result.status == 0, result.err
    assert "target primary: pgwatch@127.0.0.1:5432/postgres" in result.out
    assert "never-printed" not in result.out + result.err


@pytest.mark.parametrize(("args", "fragment"), [
    (["doctor"], "give exactly one of --dsn or --config"),
    (["doctor", "--dsn", "x", "-c", "y"], "give exactly one of --dsn or --config"),
    (["doctor", "--dsn", "host=h port=5432 nonsense=1"], 'invalid connection option "nonsense"'),
    (["doctor", "--frobnicate"], "No such option: --frobnicate"),
    (["doctor", "-c", "/nonexistent/pgwatch.yaml"], "/nonexistent/pgwatch.yaml: cannot read"),
])
def test_bad_options(capsys: pytest.CaptureFixture[str], args: list[str], fragment: str) -> None:
    result = run_cli(capsys, *args)
    assert result.status == 2
    assert fragment in result.err
    assert result.err.count("\n") == 1


def test_password_in_a_bad_dsn_is_not_echoed(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "doctor", "--dsn", "host=127.0.0.1 port=1 password=hunter2 user=u")
    assert result.status == 2
    assert "hunter2" not in result.err
