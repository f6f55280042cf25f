"""The configuration a new user writes first: password files, DSNs, the shipped example."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgwatch.config import load_config, pgbouncer_dsn, target_dsn
from pgwatch.db.session import describe, parse_dsn
from pgwatch.errors import PgwatchError
from tests.cli import run_cli

EXAMPLE = Path(__file__).parent.parent.parent / "config.example.yaml"


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    result = run_cli(capsys, *args)
    assert result.status == 2, result
    assert result.out == ""  # nothing half-written
    assert result.err.startswith("pgwatch: error: ") and result.err.count("\n") == 1
    return result.err.removeprefix("pgwatch: error: ").strip()


def test_example_without_the_variable_has_no_password() -> None:
    config = load_config(EXAMPLE, environ={})
    assert "password" not in target_dsn(config.targets[0], EXAMPLE.parent)


def test_example_takes_the_password_from_the_environment() -> None:
    config = load_config(EXAMPLE, environ={"PGWATCH_PASSWORD": "s3cret"})
    assert parse_dsn(target_dsn(config.targets[0], EXAMPLE.parent))["password"] == "s3cret"


def test_unreadable_password_file_names_config_line_and_index(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pgwatch.yaml"
    path.write_text("targets:\n  - name: a\n    host: h\n  - name: b\n    host: h\n"
                    "    password_file: secret\n")
    message = _error(capsys, "config", "check", str(path))
    assert message == (f"{path}:6: targets[1].password_file: cannot read {tmp_path / 'secret'}: "
                       "No such file or directory")


def test_empty_password_file_names_config_line_and_index(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("\n")
    path = tmp_path / "pgwatch.yaml"
    path.write_text("targets:\n  - name: a\n    host: h\n    password_file: secret\n")
    with pytest.raises(PgwatchError) as caught:
        target_dsn(load_config(path).targets[0], tmp_path)
    assert str(caught.value).startswith(f"{path}:4: targets[0].password_file: "
                                        f"{tmp_path / 'secret'} is empty")


def test_pgbouncer_password_file_is_located_too(tmp_path: Path) -> None:
    path = tmp_path / "pgwatch.yaml"
    path.write_text("targets:\n  - name: a\n    host: h\n    pgbouncer:\n"
                    "      dsn: host=h port=6432 dbname=pgbouncer\n"
                    "      password_file: /nonexistent/bouncer\n")
    with pytest.raises(PgwatchError) as caught:
        pgbouncer_dsn(load_config(path).targets[0], tmp_path)
    assert str(caught.value).startswith(f"{path}:6: targets[0].pgbouncer.password_file: "
                                        "cannot read /nonexistent/bouncer")


@pytest.mark.parametrize("port", ["=", "abc", "0", "99999", "5432,x"])
def test_a_bad_port_is_refused_by_name(capsys: pytest.CaptureFixture[str], port: str) -> None:
    message = _error(capsys, "doctor", "--dsn", f"host=127.0.0.1 port='{port}'")
    bad = next(p for p in port.split(",") if not p.isdigit() or not 1 <= int(p) <= 65535)
    assert message == (f"--dsn: invalid connection string: port '{bad}' is not a number "
                       "from 1 to 65535")


def test_a_bad_port_in_a_config_dsn_names_the_line(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pgwatch.yaml"
    path.write_text("targets:\n  - name: a\n    dsn: postgresql://u@h:65536/db\n")
    assert _error(capsys, "config", "check", str(path)) == (
        f"{path}:3: targets[0].dsn: invalid connection string: port '65536' is not a number "
        "from 1 to 65535")


def test_describe_fills_in_what_libpq_would(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PGUSER", "PGHOST", "PGPORT", "PGDATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGUSER", "alice")
    assert describe("host=db.internal") == "alice@db.internal:5432/alice"
    assert describe("dbname=app port=6543") == "alice@[local]:6543/app"
    assert describe("postgresql://bob@h:5433/x?password=hunter2") == "bob@h:5433/x"
    assert "?" not in describe("host=127.0.0.1 port=5432")
