"""Running the ``pgwatch`` entry point in-process and capturing what a user would see."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pgwatch.cli import main


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """Call ``pgwatch ARGS``; the status is what the process would exit with."""
    capsys.readouterr()
    try:
        main(list(args))
        status = 0
    except SystemExit as done:
        status = int(done.code or 0) if not isinstance(done.code, str) else 1
    captured = capsys.readouterr()
    return Run(status, captured.out, captured.err)
