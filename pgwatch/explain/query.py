"""The one adapter to pglast: what pgwatch needs to know about a statement's text."""

from __future__ import annotations

from typing import Any

import pglast
from pglast import ast
from pglast.visitors import Visitor

from pgwatch.errors import PgwatchError

_WRITING = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)


class QueryError(PgwatchError):
    """A statement's text cannot be parsed."""


class _Writes(Visitor):
    """Finds what makes a SELECT write or lock: a data-modifying CTE, FOR UPDATE, INTO."""

    def __init__(self) -> None:
        self.found = False

    def visit(self, ancestors: Any, node: Any) -> None:
        if isinstance(node, (*_WRITING, ast.LockingClause, ast.IntoClause)):
            self.found = True


def is_read_only(sql: str, *, where: str = "query") -> bool:
    """Whether every statement in ``sql`` only reads (a plain SELECT, VALUES, TABLE).

    A function called by the query may still write; callers run it in a read-only
    transaction as well. A syntax error raises ``QueryError`` naming ``where``.
    """
    statements = _parse(sql, where)
    if not statements:
        raise QueryError(f"{where}: no statement")
    for raw in statements:
        statement = raw.stmt
        if isinstance(statement, ast.ExplainStmt):
            statement = statement.query
        if not isinstance(statement, ast.SelectStmt):
            return False
        finder = _Writes()
        finder(statement)
        if finder.found:
            return False
    return True


def _parse(sql: str, where: str) -> tuple[Any, ...]:
    try:
        return tuple(pglast.parse_sql(sql))
    except pglast.parser.ParseError as exc:
        raise QueryError(f"{where}: {exc}") from None
