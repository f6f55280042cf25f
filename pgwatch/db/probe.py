"""The capability probe: what a target can give pgwatch, read once per connection setup.

Collectors declare the capabilities they need; ``ServerInfo`` answers those questions and
``pgwatch doctor`` turns every missing one into the SQL that closes the gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import psycopg
from psycopg.rows import dict_row

from pgwatch.errors import UnsupportedServerError
from pgwatch.sql import load_sql

SUPPORTED_MAJORS = range(14, 19)
MONITORING_ROLES = ("pg_monitor", "pg_read_all_stats", "pg_read_all_settings",
                    "pg_stat_scan_tables")


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """One target's version, role, extensions and the settings that matter."""

    version_num: int
    version: str
    in_recovery: bool
    database: str
    role: str
    superuser: bool
    member_of: frozenset[str]
    settings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    installed: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    available: frozenset[str] = frozenset()

    @property
    def major(self) -> int:
        return self.version_num // 10_000

    @property
    def preloaded(self) -> frozenset[str] | None:
        """Libraries in shared_preload_libraries, or None when the role cannot read it."""
        raw = self.settings.get("shared_preload_libraries")
        if raw is None:
            return None
        return frozenset(part.strip().strip('"') for part in raw.split(",") if part.strip())

    def has_role(self, role: str) -> bool:
        """Superusers hold every privilege a predefined role grants."""
        return self.superuser or role in self.member_of

    def has_extension(self, name: str) -> bool:
        return name in self.installed

    @property
    def statements_loaded(self) -> bool:
        """pg_stat_statements is in shared memory (its settings exist only then)."""
        preloaded = self.preloaded
        if preloaded is not None:
            return "pg_stat_statements" in preloaded
        return "pg_stat_statements.max" in self.settings

    @property
    def statements_usable(self) -> bool:
        return self.statements_loaded and self.has_extension("pg_stat_statements")


def probe(conn: psycopg.Connection[tuple[object, ...]]) -> ServerInfo:
    """Read the capabilities of the server behind ``conn`` (any role may run this)."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(load_sql(__package__ or "pgwatch.db", "probe"))
        head = cur.fetchone()
        cur.execute(load_sql(__package__ or "pgwatch.db", "probe_settings"))
        settings = {str(r["name"]): str(r["setting"]) for r in cur.fetchall()}
        cur.execute(load_sql(__package__ or "pgwatch.db", "probe_extensions"))
        extensions = cur.fetchall()
    if head is None:
        raise UnsupportedServerError("the probe returned no row for the current role")
    return ServerInfo(
        version_num=int(head["version_num"]),
        version=str(head["version"]),
        in_recovery=bool(head["in_recovery"]),
        database=str(head["database"]),
        role=str(head["role"]),
        superuser=bool(head["superuser"]),
        member_of=frozenset(head["member_of"]),
        settings=MappingProxyType(settings),
        installed=MappingProxyType({str(e["name"]): str(e["installed_version"])
                                    for e in extensions if e["installed_version"] is not None}),
        available=frozenset(str(e["name"]) for e in extensions),
    )


def check_supported(info: ServerInfo, where: str = "--dsn") -> ServerInfo:
    """Refuse servers outside PostgreSQL 14–18 with a one-line error."""
    if info.major not in SUPPORTED_MAJORS:
        raise UnsupportedServerError(
            f"{where}: PostgreSQL {info.version} is not supported (pgwatch supports 14 to 18)"
        )
    return info
