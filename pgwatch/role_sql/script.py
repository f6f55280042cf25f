"""The SQL a DBA runs as a superuser to give pgwatch a least-privilege role.

The script is text for psql: a part run once per server (the role and pg_monitor) and a part
run in each watched database (``\\connect`` blocks: what the per-database collectors read).
Names are quoted by psycopg.sql; the guarded blocks read the role from a session setting,
so no name is ever spliced into a DO block's body.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import sql

from pgwatch.errors import PgwatchError
from pgwatch.role_sql.psql import connect_command
from pgwatch.sql import load_sql

PACKAGE = "pgwatch.role_sql"
DEFAULT_ROLE = "pgwatch"
NAME_BYTES = 63  # NAMEDATALEN - 1: PostgreSQL would cut a longer name silently
_RESERVED = frozenset({"public", "none"})


class RoleNameError(PgwatchError):
    """The role name given cannot name a PostgreSQL role."""


@dataclass(frozen=True, slots=True)
class ServerPlan:
    """One server's part of the script: its description and the databases to grant in.

    ``databases`` is None when they are not known: the per-database part is then printed
    once, without ``\\connect``, to be run in each watched database.
    """

    title: str
    databases: tuple[str, ...] | None


def check_role_name(name: str, where: str = "--role") -> str:
    """``name`` if it can name a role pgwatch logs in as; RoleNameError says why not."""
    if not name:
        raise RoleNameError(f"{where}: the role name is empty")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise RoleNameError(f"{where}: the role name {name!r} holds a control character")
    if len(name.encode()) > NAME_BYTES:
        raise RoleNameError(f"{where}: the role name is {len(name.encode())} bytes long; "
                            f"PostgreSQL keeps at most {NAME_BYTES}")
    if name.startswith("pg_"):
        raise RoleNameError(f"{where}: {name!r}: names starting with pg_ are reserved for "
                            "PostgreSQL's own roles")
    if name in _RESERVED:
        raise RoleNameError(f"{where}: {name!r} is a reserved role name")
    return name


def role_script(role: str, plans: Sequence[ServerPlan], *, table_data: bool = True) -> str:
    """The whole script for ``role`` on each server of ``plans``.

    ``table_data`` adds SELECT on every table, which the bloat estimate needs (pg_stats).
    """
    check_role_name(role)
    head = ["-- pgwatch: a least-privilege monitoring role. Run as a superuser, with psql:",
            "--   psql -v ON_ERROR_STOP=1 -f pgwatch-role.sql",
            "-- Running it again changes nothing: every statement is idempotent."]
    grants = _template("database", role)
    if table_data:
        grants += "\n\n" + _template("table_data", role)
    return "\n".join(head + [part for plan in plans
                             for part in _server_part(role, plan, grants)])


def _server_part(role: str, plan: ServerPlan, grants: str) -> list[str]:
    parts = ["", f"-- {_one_line(plan.title)}", _template("role", role)]
    if plan.databases is None:
        parts += ["-- No database named (give --dsn or -c): run what follows in each database "
                  "pgwatch watches.", grants]
    for index, database in enumerate(plan.databases or ()):
        # The comments say it once; each further database gets the statements alone.
        parts += [connect_command(database), grants if index == 0 else _statements(grants)]
    return parts


def _template(name: str, role: str) -> str:
    text = load_sql(PACKAGE, name)
    composed = sql.SQL(text).format(role=sql.Identifier(role), grantee=sql.Literal(role))
    return composed.as_string(None).rstrip("\n")


def _statements(text: str) -> str:
    return "\n".join(line for line in text.splitlines()
                     if line.strip() and not line.lstrip().startswith("--"))


def _one_line(text: str) -> str:
    """A title as one comment line (a target name or host cannot break out of the comment)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())
