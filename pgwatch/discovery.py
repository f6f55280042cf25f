"""Database discovery: which databases of an instance a target watches, and which it leaves out.

A pattern is shell-style (``app_*``, ``tenant_[0-9]*``) unless written between slashes
(``/^tenant_\\d+$/``), which makes it a regular expression searched in the name.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from pgwatch.sql import load_sql


@functools.cache
def compile_pattern(text: str) -> re.Pattern[str]:
    """A database-name pattern as a compiled expression; ValueError names a bad one."""
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        try:
            return re.compile(text[1:-1])
        except re.error as exc:
            raise ValueError(f"pattern {text!r} is not a regular expression: {exc}") from None
    if not text:
        raise ValueError("an empty pattern matches no database")
    return re.compile(fnmatch.translate(text))


def matches(patterns: Sequence[str], name: str) -> bool:
    """True when ``name`` matches one of ``patterns`` (a regex anywhere, a shell pattern whole)."""
    return any(compile_pattern(p).search(name) for p in patterns)


@dataclass(frozen=True, slots=True)
class DatabaseRule:
    """What a target's ``databases:`` section asks for."""

    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()
    max: int = 100
    templates: bool = False


# Why a database is left out, in a word: the ``reason`` label of pgwatch_discovery_databases.
EXCLUSION_KINDS = ("no_connections", "template", "pattern", "max")


@dataclass(frozen=True, slots=True)
class Discovery:
    """The databases watched, in name order, and every one left out with its reason."""

    watched: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]
    # Parallel to ``excluded``: each one's reason among EXCLUSION_KINDS.
    excluded_kinds: tuple[str, ...] = ()

    def excluded_by(self) -> dict[str, int]:
        """How many databases each kind of reason left out, every kind present."""
        counts = dict.fromkeys(EXCLUSION_KINDS, 0)
        for kind in self.excluded_kinds:
            counts[kind] += 1
        return counts


def choose(rows: Sequence[tuple[str, bool, bool]], rule: DatabaseRule) -> Discovery:
    """Apply ``rule`` to (name, is_template, allows_connections) rows."""
    watched: list[str] = []
    excluded: list[tuple[str, str]] = []
    kinds: list[str] = []
    for name, is_template, allows in sorted(rows):
        left_out = _left_out(name, is_template, allows, rule)
        if left_out is None and len(watched) >= rule.max:
            left_out = ("max", f"over databases.max ({rule.max})")
        if left_out is None:
            watched.append(name)
        else:
            kinds.append(left_out[0])
            excluded.append((name, left_out[1]))
    return Discovery(tuple(watched), tuple(excluded), tuple(kinds))


def _left_out(name: str, is_template: bool, allows: bool, rule: DatabaseRule
              ) -> tuple[str, str] | None:
    if not allows:
        return "no_connections", "does not allow connections"
    if is_template and not rule.templates:
        return "template", "a template (databases.templates: false)"
    if not matches(rule.include, name):
        return "pattern", "matches no include pattern"
    if matches(rule.exclude, name):
        return "pattern", "matches an exclude pattern"
    return None


@dataclass(frozen=True, slots=True)
class DiscoveryStatus:
    """One target's discovery as /metrics shows it (pgwatch_discovery_*)."""

    target: str
    found: Discovery | None = None  # as of the last success
    last_success_at: float = 0.0  # Unix time
    errors_total: int = 0
    # (collector, datname, failed runs) for the watched databases where a collector failed.
    database_errors: tuple[tuple[str, str, int], ...] = ()


def discover(conn: psycopg.Connection[Any], rule: DatabaseRule) -> Discovery:
    """Read the instance's databases over ``conn`` and choose among them."""
    rows = conn.execute(load_sql("pgwatch", "discovery")).fetchall()
    return choose([(str(n), bool(t), bool(a)) for n, t, a in rows], rule)


def summary(found: Discovery) -> list[str]:
    """What ``pgwatch doctor`` and ``collect --once`` print: watched, then excluded, databases."""
    lines = [f"databases: watching {len(found.watched)} of "
             f"{len(found.watched) + len(found.excluded)}: {', '.join(found.watched) or '-'}"]
    lines += [f"excluded: {name} ({reason})" for name, reason in found.excluded]
    return lines


def discover_dsn(dsn: str, rule: DatabaseRule, where: str, timeout_ms: int = 5_000
                 ) -> Discovery:
    """Connect to ``dsn`` as a monitoring session and discover its instance's databases."""
    from pgwatch.db.session import SessionSettings, connect

    with connect(dsn, SessionSettings(statement_timeout_ms=timeout_ms), where=where) as conn:
        return discover(conn, rule)
