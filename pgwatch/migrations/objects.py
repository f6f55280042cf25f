"""The database objects a migration script creates and drops, read from its SQL.

``verify`` folds the applied up scripts in order (creates add, drops remove) to know which
objects must exist, and the runner finds the index a ``CREATE INDEX CONCURRENTLY`` step builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pgwatch.migrations.files import Script

_KINDS = r"MATERIALIZED\s+VIEW|TABLE|VIEW|INDEX|FUNCTION|PROCEDURE|TRIGGER|SCHEMA"
_CREATE = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+)?(?P<kind>" + _KINDS + r")\s+"
    r"(?P<concurrently>CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>[\w.]+)"
    r"(?:(?:(?!;).)*?\bON\s+(?:ONLY\s+)?(?P<table>[\w.]+))?",
    re.IGNORECASE | re.DOTALL)
_DROP = re.compile(
    r"\bDROP\s+(?P<kind>" + _KINDS + r")\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?"
    r"(?P<name>[\w.]+)(?:\s+ON\s+(?P<table>[\w.]+))?",
    re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")
_BODY = re.compile(r"\$(?P<tag>\w*)\$.*?\$(?P=tag)\$", re.DOTALL)


@dataclass(frozen=True, slots=True, order=True)
class DbObject:
    """A schema object: kind (``table``, ``index``, ...), schema, name, and table if any."""

    kind: str
    schema: str
    name: str
    table: str = ""

    def __str__(self) -> str:
        on = f" on {self.table}" if self.table else ""
        return f"{self.kind} {self.schema}.{self.name}{on}"


def _qualified(name: str) -> tuple[str, str]:
    schema, _, bare = name.rpartition(".")
    return (schema or "public").lower(), bare.lower()


def _object(kind: str, name: str, table: str | None) -> DbObject:
    kind = " ".join(kind.lower().split())
    if kind == "trigger":
        schema, bare = _qualified(table or "")
        return DbObject(kind, schema, name.lower(), bare)
    if kind == "index" and table and "." not in name:
        schema = _qualified(table)[0]
        return DbObject(kind, schema, name.lower())
    schema, bare = _qualified(name)
    return DbObject(kind, schema, bare)


def _code(sql: str) -> str:
    """The SQL without comments and function bodies, where DDL words are not DDL."""
    return _BODY.sub("$$", _COMMENT.sub("", sql))


def changes(sql: str) -> list[tuple[bool, DbObject]]:
    """(created?, object) for every CREATE and DROP in the text, in order."""
    code = _code(sql)
    found = [(m.start(), True, _object(m["kind"], m["name"], m["table"]))
             for m in _CREATE.finditer(code)]
    found += [(m.start(), False, _object(m["kind"], m["name"], m["table"]))
              for m in _DROP.finditer(code)]
    return [(created, obj) for _, created, obj in sorted(found, key=lambda item: item[0])]


def expected(scripts: list[Script]) -> set[DbObject]:
    """Objects that must exist after running the scripts in order."""
    present: set[DbObject] = set()
    for script in scripts:
        for step in script.steps:
            for created, obj in changes(step.sql):
                (present.add if created else present.discard)(obj)
    return present


def concurrent_index(sql: str) -> DbObject | None:
    """The index a ``CREATE INDEX CONCURRENTLY`` statement builds, if it is one."""
    for match in _CREATE.finditer(_code(sql)):
        if match["kind"].lower() == "index" and match["concurrently"]:
            return _object("index", match["name"], match["table"])
    return None
