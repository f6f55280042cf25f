"""Loading migration files: ``NNNN_name.up.sql`` / ``NNNN_name.down.sql``, split into steps.

A file is a list of steps. A line ``-- pgwatch:step`` starts a step that runs in a
transaction of its own; ``-- pgwatch:step no-transaction`` starts one that runs outside any
transaction (``CREATE INDEX CONCURRENTLY``) and must be a single, idempotent statement.
Text before the first marker that is not only comments is a transactional step.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pgwatch.migrations.errors import MigrationError

PACKAGED = "pgwatch.migrations.sql"
_FILE = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.(?P<direction>up|down)\.sql$")
_MARKER = re.compile(r"^--\s*pgwatch:(?P<rest>.*)$")
_STEP = re.compile(r"^step(?:\s+(?P<flag>no-transaction))?\s*$")


@dataclass(frozen=True, slots=True)
class Step:
    """One unit of work: its SQL, where it starts, and whether it runs in a transaction."""

    number: int
    line: int
    sql: str
    transactional: bool


@dataclass(frozen=True, slots=True)
class Script:
    """One direction of a migration, as read from its file."""

    path: str
    checksum: str
    steps: tuple[Step, ...]

    def where(self, step: Step) -> str:
        """``file:line`` of a step, for messages."""
        return f"{self.path}:{step.line}"


@dataclass(frozen=True, slots=True)
class Migration:
    """A numbered migration with its up and down scripts."""

    version: int
    name: str
    up: Script
    down: Script

    @property
    def label(self) -> str:
        """``0002_production_performance_tuning``."""
        return f"{self.version:04d}_{self.name}"


def checksum(text: str) -> str:
    """The SHA-256 of a file's text, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_steps(text: str, path: str) -> tuple[Step, ...]:
    """Split a file's text into steps at ``-- pgwatch:step`` markers."""
    steps: list[Step] = []
    start, transactional, lines = 1, True, list[str]()
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _MARKER.match(line.strip())
        if marker is None:
            lines.append(line)
            continue
        flag = _STEP.match(marker.group("rest").strip())
        if flag is None:
            raise MigrationError(f"{path}:{number}: unknown directive {line.strip()!r} "
                                 "(expected '-- pgwatch:step' or '-- pgwatch:step no-transaction')")
        _close(steps, lines, start, transactional, path)
        start, transactional, lines = number, flag.group("flag") is None, []
    _close(steps, lines, start, transactional, path)
    if not steps:
        raise MigrationError(f"{path}: no SQL statement in the file")
    return tuple(steps)


def _close(steps: list[Step], lines: list[str], start: int, transactional: bool,
           path: str) -> None:
    sql = "\n".join(lines).strip()
    if not has_statement(sql):
        if not transactional:
            raise MigrationError(f"{path}:{start}: empty no-transaction step")
        return
    steps.append(Step(len(steps) + 1, start, sql + "\n", transactional))


def has_statement(sql: str) -> bool:
    """Whether the text holds anything besides comments and blank lines."""
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())


def load(directory: Path | None = None) -> tuple[Migration, ...]:
    """The migrations of a folder (the packaged ones by default), checked for gaps and pairs."""
    packaged = resources.files(PACKAGED)
    if directory is None and isinstance(packaged, Path):
        directory = packaged  # an installed package: messages name the real file
    texts = _read_folder(directory)
    where = str(directory) if directory is not None else PACKAGED
    found: dict[int, dict[str, tuple[str, str, str]]] = {}
    for filename, text in sorted(texts.items()):
        match = _FILE.match(filename)
        if match is None:
            raise MigrationError(f"{where}/{filename}: not a migration file name "
                                 "(expected NNNN_name.up.sql or NNNN_name.down.sql)")
        version = int(match.group("version"))
        found.setdefault(version, {})[match.group("direction")] = (
            match.group("name"), f"{where}/{filename}", text)
    return tuple(_pair(version, found[version], where) for version in _contiguous(found, where))


def _read_folder(directory: Path | None) -> dict[str, str]:
    if directory is None:
        folder = resources.files(PACKAGED)
        return {entry.name: entry.read_text(encoding="utf-8")
                for entry in folder.iterdir() if entry.name.endswith(".sql")}
    if not directory.is_dir():
        raise MigrationError(f"{directory}: no such migration folder")
    return {entry.name: entry.read_text(encoding="utf-8")
            for entry in directory.iterdir() if entry.name.endswith(".sql")}


def _contiguous(found: Mapping[int, object], where: str) -> list[int]:
    versions = sorted(found)
    if not versions:
        raise MigrationError(f"{where}: no migration files")
    for expected, version in enumerate(versions, start=1):
        if version != expected:
            raise MigrationError(f"{where}: migration {expected:04d} is missing "
                                 f"(the versions must run 0001, 0002, ... without a gap; "
                                 f"found {version:04d} next)")
    return versions


def _pair(version: int, files: dict[str, tuple[str, str, str]], where: str) -> Migration:
    for direction in ("up", "down"):
        if direction not in files:
            other = next(iter(files.values()))[1]
            raise MigrationError(f"{other}: no matching {direction} file for migration "
                                 f"{version:04d} in {where}")
    name, up_path, up_text = files["up"]
    down_name, down_path, down_text = files["down"]
    if down_name != name:
        raise MigrationError(f"{down_path}: name differs from {up_path}")
    return Migration(version, name,
                     Script(up_path, checksum(up_text), parse_steps(up_text, up_path)),
                     Script(down_path, checksum(down_text), parse_steps(down_text, down_path)))
