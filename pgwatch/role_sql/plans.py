"""Which databases of a server the role script grants in: the connected one, or discovery's."""

from __future__ import annotations

from pgwatch.db.session import SessionSettings, connect, describe
from pgwatch.discovery import DatabaseRule, discover
from pgwatch.role_sql.script import PACKAGE, ServerPlan
from pgwatch.sql import load_sql


def server_plan(target: str, dsn: str, where: str, settings: SessionSettings | None = None,
                databases: DatabaseRule | None = None) -> ServerPlan:
    """Connect to ``dsn`` and list the databases pgwatch watches there; raises TargetError."""
    with connect(dsn, settings, where=where) as conn:
        if databases is not None:
            watched = discover(conn, databases).watched
        else:
            row = conn.execute(load_sql(PACKAGE, "current_database")).fetchone()
            watched = (str(row[0]),) if row is not None else ()
    return ServerPlan(f"target {target}: {describe(dsn)}", watched)
