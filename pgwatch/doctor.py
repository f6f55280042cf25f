"""``pgwatch doctor``: what a target gives pgwatch, and the exact SQL that closes each gap."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pgwatch.collectors import registry
from pgwatch.collectors.base import Skipped
from pgwatch.collectors.kinds import reads_pgbouncer
from pgwatch.db.probe import ServerInfo, check_supported, probe
from pgwatch.db.session import SessionSettings, connect, describe, untracked
from pgwatch.discovery import DatabaseRule, Discovery, discover

RESTART = "-- then restart PostgreSQL"
RELOAD = "SELECT pg_catalog.pg_reload_conf();"


class Status(enum.IntEnum):
    """Ordered by severity; only WARN changes the exit status."""

    OK = 0
    INFO = 1
    WARN = 2


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: what was checked, how it stands, and the SQL that fixes it."""

    name: str
    status: Status
    detail: str
    fix: str = ""


def quote_ident(name: str) -> str:
    """Quote a role name for the SQL we print (never executed by pgwatch)."""
    if name.isidentifier() and name == name.lower():
        return name
    return '"' + name.replace('"', '""') + '"'


def diagnose(info: ServerInfo) -> list[Check]:
    """Every check, in the order a DBA would fix them."""
    return [check for rule in _RULES for check in rule(info)]


def worst(checks: list[Check]) -> Status:
    return max((c.status for c in checks), default=Status.OK)


def _version(info: ServerInfo) -> Iterator[Check]:
    role = "standby (in recovery)" if info.in_recovery else "primary"
    yield Check("version", Status.OK, f"PostgreSQL {info.version}, {role}")


def _privileges(info: ServerInfo) -> Iterator[Check]:
    least = ("CREATE ROLE pgwatch LOGIN; GRANT pg_monitor TO pgwatch; -- and the per-database "
             "grants: pgwatch doctor --print-role-sql")
    if info.superuser:
        yield Check("privileges", Status.INFO,
                    f"role {info.role} is a superuser: everything is readable, but monitoring "
                    "needs less; use a least-privilege role", least)
    elif info.has_role("pg_monitor"):
        yield Check("privileges", Status.OK, f"role {info.role} has pg_monitor")
    else:
        missing = [r for r in ("pg_read_all_stats", "pg_read_all_settings", "pg_stat_scan_tables")
                   if not info.has_role(r)]
        yield Check("privileges", Status.WARN,
                    f"role {info.role} lacks pg_monitor ({', '.join(missing) or 'pg_monitor'} "
                    "missing): other sessions' queries and statistics stay hidden",
                    f"GRANT pg_monitor TO {quote_ident(info.role)}; -- all grants: pgwatch "
                    "doctor --print-role-sql")


def _statements(info: ServerInfo) -> Iterator[Check]:
    preloaded = info.preloaded
    if not info.statements_loaded:
        libraries = sorted((preloaded or frozenset()) | {"pg_stat_statements"})
        keep = "" if preloaded is not None else " -- keep any libraries already listed"
        yield Check("pg_stat_statements", Status.WARN,
                    "pg_stat_statements is not in shared_preload_libraries: no query statistics",
                    f"ALTER SYSTEM SET shared_preload_libraries = '{','.join(libraries)}';{keep} "
                    f"{RESTART}")
    if not info.has_extension("pg_stat_statements"):
        if "pg_stat_statements" in info.available:
            fix = "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
        else:
            fix = ("-- install PostgreSQL's contrib modules, then: "
                   "CREATE EXTENSION pg_stat_statements;")
        yield Check("pg_stat_statements", Status.WARN,
                    f"extension pg_stat_statements is not created in database {info.database}",
                    fix)
    elif info.statements_loaded:
        version = info.installed["pg_stat_statements"]
        yield Check("pg_stat_statements", Status.OK, f"preloaded and created (version {version})")


def _settings(info: ServerInfo) -> Iterator[Check]:
    settings = info.settings
    if settings.get("track_io_timing") == "off":
        yield Check("track_io_timing", Status.WARN,
                    "off: block read and write times are not measured",
                    f"ALTER SYSTEM SET track_io_timing = on; {RELOAD}")
    if settings.get("compute_query_id") == "off":
        yield Check("compute_query_id", Status.WARN,
                    "off: pg_stat_statements and pg_stat_activity get no query ids",
                    f"ALTER SYSTEM SET compute_query_id = 'auto'; {RELOAD}")
    if settings.get("track_counts") == "off":
        yield Check("track_counts", Status.WARN, "off: no table or index statistics at all",
                    f"ALTER SYSTEM SET track_counts = on; {RELOAD}")
    size = settings.get("track_activity_query_size")
    if size is not None and int(size) < 4096:
        yield Check("track_activity_query_size", Status.INFO,
                    f"{size} bytes: long queries are cut in pg_stat_activity",
                    f"ALTER SYSTEM SET track_activity_query_size = 4096; {RESTART}")
    maximum = settings.get("pg_stat_statements.max")
    if maximum is not None and int(maximum) < 5000:
        yield Check("pg_stat_statements.max", Status.INFO,
                    f"{maximum}: busy servers evict statements and lose their history",
                    f"ALTER SYSTEM SET pg_stat_statements.max = 10000; {RESTART}")
    if not settings:
        yield Check("settings", Status.WARN, "the role cannot read pg_settings",
                    f"GRANT pg_read_all_settings TO {quote_ident(info.role)};")


def _optional_extensions(info: ServerInfo) -> Iterator[Check]:
    uses = {"pgstattuple": "exact bloat of small tables",
            "pg_buffercache": "shared-buffer usage per relation",
            "hypopg": "validating index advice with hypothetical indexes"}
    for name, use in uses.items():
        if info.has_extension(name):
            yield Check(name, Status.OK, f"created (version {info.installed[name]}): {use}")
        elif name in info.available:
            yield Check(name, Status.INFO, f"optional, for {use}: available but not created",
                        f"CREATE EXTENSION IF NOT EXISTS {name};")
        else:
            package = f"postgresql-{info.major}-hypopg" if name == "hypopg" else "contrib"
            yield Check(name, Status.INFO, f"optional, for {use}: not installed on the server",
                        f"-- install {package}, then: CREATE EXTENSION {name};")


_RULES: tuple[Callable[[ServerInfo], Iterator[Check]], ...] = (
    _version, _privileges, _statements, _settings, _optional_extensions,
)


@dataclass(frozen=True, slots=True)
class Examination:
    """One target's capabilities and the checks made of them."""

    target: str
    server: str
    info: ServerInfo
    checks: list[Check]
    skipped: list[Skipped]
    databases: Discovery | None = None  # for a target with ``databases:``


def examine(target: str, dsn: str, where: str = "--dsn",
            settings: SessionSettings | None = None,
            databases: DatabaseRule | None = None) -> Examination:
    """Connect as the monitoring role would, probe, and diagnose; raises PgwatchError."""
    with connect(dsn, settings, where=where) as conn:
        info = check_supported(probe(conn), where)
        found = discover(conn, databases) if databases is not None else None
        own = own_statements(info, untracked(conn))
    server_side = registry.create([n for n in registry.NAMES if not reads_pgbouncer(n)])
    return Examination(target, describe(dsn), info, [*diagnose(info), *own],
                       registry.missing(info, server_side), found)


def own_statements(info: ServerInfo, kept_out: bool) -> list[Check]:
    """Whether pgwatch's sessions keep their own statements out of pg_stat_statements (the
    session tried; ``kept_out`` is what it got)."""
    if not info.statements_loaded:
        return []
    if kept_out:
        return [Check("own statements", Status.OK,
                      "pgwatch's own statements are kept out of pg_stat_statements")]
    detail = ("pgwatch's own statements are counted in pg_stat_statements, among the "
              "server's top statements: this role may not SET pg_stat_statements.track")
    if info.major < 15:
        return [Check("own statements", Status.INFO, detail,
                      "-- on PostgreSQL 14 only a superuser may; from 15 on: pgwatch doctor "
                      "--print-role-sql")]
    return [Check("own statements", Status.INFO, detail,
                  "GRANT SET ON PARAMETER pg_stat_statements.track, "
                  f"pg_stat_statements.track_utility TO {quote_ident(info.role)};")]
