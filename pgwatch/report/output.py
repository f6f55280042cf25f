"""Writing a report: checked before anything is built, written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

from pgwatch.config.models import parse_duration
from pgwatch.report.source import ReportError

SUFFIXES = {"html": ".html", "md": ".md", "json": ".json"}


def parse_since(text: str) -> timedelta:
    """``--since 24h`` (s, m, h, d) as a window; a bad value names the option."""
    try:
        return timedelta(seconds=parse_duration(text))
    except ValueError as exc:
        raise ReportError(f"--since: {exc}") from None


def check_output(path: Path) -> None:
    """Fail before the report is built when ``path`` cannot be written."""
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise ReportError(f"--output: directory {folder} does not exist")
    if path.is_dir():
        raise ReportError(f"--output: {path} is a directory")
    # A trial file rather than os.access: root passes access() where writes still fail.
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ReportError(f"--output: directory {folder} is not writable "
                          f"({exc.strerror})") from None


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``."""
    check_output(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent if str(path.parent) else None)
    except OSError as exc:
        raise ReportError(f"--output: cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ReportError(f"--output: cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
