"""One report from the command line's request: check, read, build, render, write."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pgwatch.report.build import build_report
from pgwatch.report.output import SUFFIXES, check_output, parse_since, write_atomically
from pgwatch.report.render import render
from pgwatch.report.source import ReportSource


@dataclass(frozen=True, slots=True)
class ReportRequest:
    config: Path | None
    dsn: str | None
    since: str
    fmt: str
    output: Path
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    size: int
    grade: str
    seconds: float


def make_report(request: ReportRequest) -> Written:
    """Validate every input first, so that a bad one leaves nothing behind."""
    began = time.monotonic()
    window = parse_since(request.since)
    check_output(request.output)
    now = datetime.now(UTC)
    source = _open(request, now)
    try:
        previous = _previous(request, source.target)
        report = build_report(source, window, now=now, previous=previous)
    finally:
        source.close()
    text = render(report, request.fmt)
    write_atomically(request.output, text)
    return Written(request.output, len(text.encode()), report.summary.grade.letter,
                   time.monotonic() - began)


def _open(request: ReportRequest, now: datetime) -> ReportSource:
    if request.dsn is not None:
        from pgwatch.report.live_source import LiveSource

        return LiveSource(request.dsn)
    assert request.config is not None
    from pgwatch.report.store_source import open_source

    return open_source(request.config, request.target, now)


def _previous(request: ReportRequest, target: str) -> dict[str, Any] | None:
    """The newest scheduled report's JSON for ``target`` (with ``-c``), to compare with."""
    if request.config is None:
        return None
    from pgwatch.config import load_config

    settings = load_config(request.config).reports
    folder = settings.directory if settings.directory.is_absolute() else \
        request.config.parent / settings.directory
    return newest_document(folder, target)


def newest_document(folder: Path, target: str) -> dict[str, Any] | None:
    """The newest report JSON of ``target`` in ``folder``, None when there is none."""
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob(f"report-{target}-*{SUFFIXES['json']}"), reverse=True):
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(found, dict):
            return found
    return None
