"""Report output: --since parsing, output checks before anything is built, atomic writes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from pgwatch.exposition.http import build_app
from pgwatch.report.output import check_output, parse_since, write_atomically
from pgwatch.report.source import ReportError


def test_since_parses_durations_and_names_the_option() -> None:
    assert parse_since("24h") == timedelta(hours=24)
    assert parse_since("90m") == timedelta(minutes=90)
    for bad in ("yesterday", "-1h", "0s", ""):
        with pytest.raises(ReportError, match=r"^--since: "):
            parse_since(bad)


def test_output_checks(tmp_path: Path) -> None:
    check_output(tmp_path / "r.html")
    with pytest.raises(ReportError, match="does not exist"):
        check_output(tmp_path / "nope" / "r.html")
    with pytest.raises(ReportError, match="is a directory"):
        check_output(tmp_path)
    with pytest.raises(ReportError, match="not writable"):
        check_output(Path("/sys/r.html"))


def test_atomic_write_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text("old")
    write_atomically(target, "new" * 1000)
    assert target.read_text() == "new" * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "\udcff")  # cannot be encoded: fails mid-write
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_prefix_pages_serve_only_what_they_accept() -> None:
    served: list[str] = []

    def sub(name: str) -> tuple[int, str, bytes]:
        served.append(name)
        return (200, "text/html", b"ok") if name == "a.html" else (404, "text/plain", b"no")

    app = build_app(CollectorRegistry(), {}, None, subpages={"/reports/": sub},
                    page_headers={"/reports/": [("X-Test", "1")]})
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def start(status: str, headers: list[tuple[str, str]]) -> None:
        seen.append((status, headers))

    for path in ("/reports/a.html", "/reports/", "/reports/x/a.html", "/other/a.html"):
        app({"PATH_INFO": path}, start)
    assert [s for s, _h in seen] == ["200 OK", "404 Not Found", "404 Not Found",
                                     "404 Not Found"]
    assert ("X-Test", "1") in seen[0][1] and served == ["a.html"]
