"""What the SQL store needs from a database engine, and the schema migrations it runs.

Each engine keeps its SQL in ``.sql`` files of the same names in its own package, and its
migrations as ``migrations/NNNN_what.sql``; every migration records its own version in
``schema_version`` inside the same transaction, so a half-applied migration cannot exist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

from pgwatch.store.model import StoreError

Params = Mapping[str, Any]
_MIGRATION = re.compile(r"^(?P<version>\d{4})_[a-z0-9_]+\.sql$")


class Backend(Protocol):
    """One connection to the store's database; the caller serializes every call."""

    where: str

    def fetchall(self, name: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """Rows of the named query."""

    def execute(self, name: str, params: Params | None = None) -> None:
        """Run the named statement."""

    def executemany(self, name: str, rows: Sequence[Params]) -> None:
        """Run the named statement once per parameter set."""

    def transaction(self) -> AbstractContextManager[None]:
        """A transaction: committed on normal exit, rolled back on an exception."""

    def size_bytes(self) -> int:
        """Bytes the store occupies on disk."""

    def compact(self) -> None:
        """Give freed space back after retention deleted rows."""

    def close(self) -> None:
        """Release the connection."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema migration file."""

    version: int
    name: str
    text: str


@cache
def migrations(package: str) -> tuple[Migration, ...]:
    """The migrations of ``package``'s ``migrations`` folder, in version order."""
    folder = resources.files(package).joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION.match(entry.name)
        if match:
            found.append(Migration(int(match["version"]), entry.name,
                                   entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise StoreError(f"{package}: migrations are not numbered 0001 upwards without gaps")
    return tuple(found)


def pending(where: str, package: str, current: int,
            upto: int | None = None) -> tuple[Migration, ...]:
    """The migrations to apply to a store at ``current``; a newer store is refused."""
    known = migrations(package)
    if current > len(known):
        raise StoreError(f"{where}: schema version {current} is newer than this pgwatch "
                         f"understands (up to {len(known)}); use a newer pgwatch or another store")
    last = len(known) if upto is None else upto
    return tuple(m for m in known if current < m.version <= last)


def latest_version(package: str) -> int:
    return len(migrations(package))
