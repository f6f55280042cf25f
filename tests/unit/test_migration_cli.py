"""``pgwatch migrate`` refuses bad input with one line and exit status 2, before connecting."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgwatch.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "migrations"
# Nothing listens on port 1: any attempt to connect would fail with another message.
NOWHERE = "host=127.0.0.1 port=1 dbname=mq user=nobody connect_timeout=1"


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        main(args)
    except SystemExit as done:
        return int(done.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), [
    (["up", "--dir", str(DATA / "gap")], "migration 0002 is missing"),
    (["verify", "--dir", str(DATA / "bad_name")], "not a migration file name"),
    (["up", "--to", "7"], "--to 7: choose a version from 0 to 3"),
    (["down", "--dsn", "host='unterminated"], "invalid connection string"),
])
def test_bad_input_is_one_line_and_status_2(args: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    if "--dsn" not in args:
        args = [*args, "--dsn", NOWHERE]
    status, err = _run(["migrate", *args], capsys)
    assert status == 2
    assert message in err
    assert err.startswith("pgwatch: error: ") and err.count("\n") == 1


def test_unreachable_server_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, err = _run(["migrate", "status", "--dsn", NOWHERE], capsys)
    assert status == 2
    assert "cannot connect" in err and err.count("\n") == 1
