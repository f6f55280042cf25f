"""Opening monitoring sessions: safe settings on every connection, and errors in one line.

Every session pgwatch opens identifies itself as ``application_name=pgwatch``, cannot run
away (statement and lock timeouts, no idle transaction left open) and is read-only unless
the caller asks otherwise (the migration runner does). A monitoring session keeps its own
statements out of ``pg_stat_statements`` where the role may (a superuser; on 15+ a role
granted SET on ``pg_stat_statements.track``): they would crowd the server's real work out of
the top statements, the store and the report, and take entries from its ``max``. The
sessions that run the application's work (workload, bench, migrations) stay counted.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
from dataclasses import dataclass
from typing import Any

import psycopg
import psycopg.errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgwatch.errors import TargetError

APPLICATION_NAME = "pgwatch"
# What keeps a session's statements out of pg_stat_statements (both are superuser settings).
UNTRACKED = {"pg_stat_statements.track": "none", "pg_stat_statements.track_utility": "off"}


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """Per-session limits, in milliseconds."""

    statement_timeout_ms: int = 5_000
    lock_timeout_ms: int = 1_000
    idle_in_transaction_timeout_ms: int = 60_000
    read_only: bool = True
    connect_timeout_s: int = 5
    untracked: bool = True  # keep the session's statements out of pg_stat_statements

    def statements(self) -> list[sql.Composed]:
        """The SET statements that apply these settings to a fresh session."""
        values = {
            "statement_timeout": str(self.statement_timeout_ms),
            "lock_timeout": str(self.lock_timeout_ms),
            "idle_in_transaction_session_timeout": str(self.idle_in_transaction_timeout_ms),
            "default_transaction_read_only": "on" if self.read_only else "off",
        }
        return [sql.SQL("SET {} = {}").format(sql.Identifier(name), sql.Literal(value))
                for name, value in values.items()]


def parse_dsn(dsn: str, where: str = "--dsn") -> dict[str, str]:
    """Parse a libpq DSN or URI; a bad one (a port that is not a port too) names ``where``."""
    try:
        params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    except psycopg.ProgrammingError as exc:
        raise TargetError(f"{where}: invalid connection string: {_first_line(exc)}") from None
    for port in params.get("port", "").split(","):
        if port and not (port.isdigit() and 1 <= int(port) <= 65535):
            raise TargetError(f"{where}: invalid connection string: port {port!r} is not a "
                              "number from 1 to 65535")
    return params


def redact(dsn: str) -> str:
    """The DSN with its password replaced, for logs and messages."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return re.sub(r"(password\s*=\s*|://[^:/@]*:)[^@\s]*", r"\1***", dsn)
    if "password" in params:
        params["password"] = "***"  # noqa: S105 - a mask, not a secret
    return make_conninfo("", **params)


def describe(dsn: str) -> str:
    """A short ``user@host:port/dbname`` naming a server without any secret.

    What the DSN leaves out is filled in as libpq would: from PGUSER, PGHOST, PGPORT and
    PGDATABASE, else the login name, the Unix socket ("[local]", as psql says) and port 5432.
    """
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "(an invalid connection string)"
    user = params.get("user") or os.environ.get("PGUSER") or _login()
    host = params.get("host") or params.get("hostaddr") or os.environ.get("PGHOST") \
        or "[local]"
    port = params.get("port") or os.environ.get("PGPORT") or "5432"
    dbname = params.get("dbname") or os.environ.get("PGDATABASE") or user
    return f"{user}@{host}:{port}/{dbname}"


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid
        return "?"


def connect(dsn: str, settings: SessionSettings | None = None, *, where: str = "--dsn",
            autocommit: bool = True) -> psycopg.Connection[tuple[object, ...]]:
    """Open one monitoring session with ``settings`` applied, or raise a one-line TargetError."""
    settings = settings or SessionSettings()
    parse_dsn(dsn, where)
    try:
        conn = psycopg.connect(dsn, application_name=APPLICATION_NAME, autocommit=autocommit,
                               connect_timeout=settings.connect_timeout_s)
    except psycopg.OperationalError as exc:
        raise TargetError(f"{where}: cannot connect to {describe(dsn)}: {explain(exc)}") from None
    configure(conn, settings)
    return conn


def configure(conn: psycopg.Connection[tuple[object, ...]], settings: SessionSettings) -> None:
    """Apply the session settings; used directly and as the pool's ``configure`` callback."""
    previous = conn.autocommit
    conn.autocommit = True
    for statement in settings.statements():
        conn.execute(statement)
    if settings.untracked:
        untrack(conn)
    conn.autocommit = previous


def untrack(conn: psycopg.Connection[Any]) -> None:
    """Keep this session's statements out of pg_stat_statements, if the role may (a refusal
    leaves them counted, as any session's; ``untracked`` says which it is)."""
    for name, value in UNTRACKED.items():
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.SQL("SET {} = {}").format(sql.Identifier(*name.split(".")),
                                                      sql.Literal(value)))


def untracked(conn: psycopg.Connection[Any]) -> bool:
    """Whether this session's statements are kept out of pg_stat_statements."""
    row = conn.execute(sql.SQL("SELECT pg_catalog.current_setting("
                               "'pg_stat_statements.track', true)")).fetchone()
    return row is not None and row[0] == "none"


def explain(exc: BaseException) -> str:
    """The useful line of a libpq error, without the 'connection to server at ...' preamble."""
    text = str(exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        match = re.search(r".*failed: (.*)$", line)
        if match and match.group(1):
            return _shorten(match.group(1))
    return _shorten(lines[-1] if lines else type(exc).__name__)


def _shorten(message: str) -> str:
    message = message.removeprefix("FATAL:").strip()
    if "Connection refused" in message:
        return "connection refused (is the server running and listening there?)"
    return message


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
