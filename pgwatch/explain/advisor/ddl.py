"""The SQL the advisor suggests, composed with psycopg.sql: identifiers are always quoted.

Expressions and predicates come from the statements' own text, parsed and printed again by
pglast, so that each is one well-formed expression.
"""

from __future__ import annotations

import hashlib

from psycopg import sql

from pgwatch.explain.advisor.model import Candidate, KeyPart

NAME_LIMIT = 63


def index_name(candidate: Candidate) -> str:
    """``<table>_<key columns>_idx``, with a short hash when it would be too long."""
    parts = [k.target if not k.expression else "expr" for k in candidate.keys]
    suffix = "_part" if candidate.predicate else ""
    name = f"{candidate.table.name}_{'_'.join(parts)}{suffix}"
    if len(name) > NAME_LIMIT - 4 or any(k.expression for k in candidate.keys):
        # Expressions, or names cut short, differ by a digest of the whole definition.
        digest = hashlib.sha1(create_index(candidate, "x").encode(),
                              usedforsecurity=False).hexdigest()[:8]
        name = f"{name[:NAME_LIMIT - 13]}_{digest}"
    return f"{name}_idx"


def _key(part: KeyPart) -> sql.Composable:
    target: sql.Composable = (sql.SQL("(") + sql.SQL(part.target) + sql.SQL(")")
                              if part.expression else sql.Identifier(part.target))
    if part.descending and part.role == "sort":
        return target + sql.SQL(" DESC")
    return target


def create_index(candidate: Candidate, name: str | None = None, *,
                 concurrently: bool = True) -> str:
    """``CREATE INDEX CONCURRENTLY name ON table (keys) INCLUDE (...) WHERE ...``."""
    statement = sql.SQL("CREATE INDEX {}{} ON {} ({})").format(
        sql.SQL("CONCURRENTLY ") if concurrently else sql.SQL(""),
        sql.Identifier(name if name is not None else index_name(candidate)),
        sql.Identifier(candidate.table.schema, candidate.table.name),
        sql.SQL(", ").join(_key(k) for k in candidate.keys))
    if candidate.include:
        statement += sql.SQL(" INCLUDE ({})").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in candidate.include))
    if candidate.predicate:
        statement += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(
            sql.SQL(p) for p in candidate.predicate)
    return statement.as_string(None)


def drop_index(schema: str, name: str) -> str:
    return sql.SQL("DROP INDEX CONCURRENTLY {}").format(
        sql.Identifier(schema, name)).as_string(None)


def reindex(schema: str, name: str) -> str:
    return sql.SQL("REINDEX INDEX CONCURRENTLY {}").format(
        sql.Identifier(schema, name)).as_string(None)


def alter_system(setting: str, value: str) -> str:
    return sql.SQL("ALTER SYSTEM SET {} = {}").format(
        sql.Identifier(*setting.split(".")), sql.Literal(value)).as_string(None)


def alter_table(schema: str, table: str, options: dict[str, float | int]) -> str:
    return sql.SQL("ALTER TABLE {} SET ({})").format(
        sql.Identifier(schema, table),
        sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(k), sql.Literal(v))
                           for k, v in options.items())).as_string(None)


def create_statistics(schema: str, table: str, columns: list[str]) -> str:
    name = f"{table}_{'_'.join(columns)}_stats"[:NAME_LIMIT]
    return sql.SQL("CREATE STATISTICS {} (dependencies, ndistinct) ON {} FROM {}").format(
        sql.Identifier(schema, name), sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.Identifier(schema, table)).as_string(None)
