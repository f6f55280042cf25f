"""The statement as text: parsing, whether it only reads, its fingerprint and kinds, and the
one spelling of an expression or a predicate; the tree walks the analysis shares."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pglast
from pglast import ast as _typed_ast
from pglast import enums as _typed_enums
from pglast.stream import RawStream
from pglast.visitors import Visitor

from pgwatch.explain.query.model import QueryError

# pglast's node attributes are optional everywhere; the walk checks shapes itself.
nodes: Any = _typed_ast
enums: Any = _typed_enums
_WRITING = (nodes.InsertStmt, nodes.UpdateStmt, nodes.DeleteStmt, nodes.MergeStmt)
_KINDS = {"SelectStmt": "select", "UpdateStmt": "update", "DeleteStmt": "delete",
          "InsertStmt": "insert", "MergeStmt": "merge", "ExplainStmt": "explain"}


class _Writes(Visitor):
    """Finds what makes a SELECT write or lock: a data-modifying CTE, FOR UPDATE, INTO."""

    def __init__(self) -> None:
        self.found = False

    def visit(self, ancestors: Any, node: Any) -> None:
        if isinstance(node, (*_WRITING, nodes.LockingClause, nodes.IntoClause)):
            self.found = True


def parse(sql: str, where: str) -> tuple[Any, ...]:
    """The raw statements of ``sql``; a syntax error raises ``QueryError`` naming ``where``."""
    try:
        return tuple(pglast.parse_sql(sql))
    except pglast.parser.ParseError as exc:
        raise QueryError(f"{where}: {exc}") from None
    except RecursionError:
        raise QueryError(f"{where}: nested too deeply") from None


def is_read_only(sql: str, *, where: str = "query") -> bool:
    """Whether every statement in ``sql`` only reads (a plain SELECT, VALUES, TABLE).

    A function called by the query may still write; callers run it in a read-only
    transaction as well. A syntax error raises ``QueryError`` naming ``where``.
    """
    statements = parse(sql, where)
    if not statements:
        raise QueryError(f"{where}: no statement")
    for raw in statements:
        statement = raw.stmt
        if isinstance(statement, nodes.ExplainStmt):
            statement = statement.query
        if not isinstance(statement, nodes.SelectStmt):
            return False
        finder = _Writes()
        finder(statement)
        if finder.found:
            return False
    return True


def fingerprint(sql: str, *, where: str = "query") -> str:
    """libpg_query's fingerprint: the same for texts that differ only in constants."""
    try:
        return str(pglast.fingerprint(sql))
    except pglast.parser.ParseError as exc:
        raise QueryError(f"{where}: {exc}") from None


def statement_kinds(sql: str, *, where: str = "query") -> tuple[str, ...]:
    """``select``, ``update``, ``delete``, ``insert``, ``merge``, ``explain`` or ``other``,
    one per statement of ``sql``."""
    return tuple(_KINDS.get(type(raw.stmt).__name__, "other") for raw in parse(sql, where))


def parameter_numbers(sql: str, *, where: str = "query") -> tuple[int, ...]:
    """The ``$n`` of ``sql``, ascending."""
    found = {n.number for raw in parse(sql, where) for n in walk(raw)
             if isinstance(n, nodes.ParamRef)}
    return tuple(sorted(found))


def canonical_expression(text: str) -> str:
    """An expression in one spelling, so that ours and ``pg_get_indexdef``'s compare equal.

    The server's spelling adds ``::text`` to string constants and parentheses; both go.
    """
    node = parse(f"SELECT {text}", "expression")[0].stmt.targetList[0].val
    for cast in [n for n in walk(node) if isinstance(n, nodes.TypeCast)]:
        if names(cast.typeName.names)[-1:] == ["text"] and isinstance(cast.arg, nodes.A_Const):
            node = _replace(node, cast, cast.arg)
    for call in walk(node):
        if isinstance(call, nodes.FuncCall) and names(call.funcname)[0] == "pg_catalog":
            call.funcname = call.funcname[1:]
    return unqualified(node)


def canonical_predicate(text: str) -> frozenset[str]:
    """The conjuncts of a WHERE condition in one spelling (``x = false`` is ``NOT x``)."""
    node = parse(f"SELECT 1 WHERE {text}", "predicate")[0].stmt.whereClause
    parts = node.args if (isinstance(node, nodes.BoolExpr)
                          and node.boolop == enums.BoolExprType.AND_EXPR) else (node,)
    found = set()
    for part in parts:
        conjunct = part
        if (isinstance(part, nodes.A_Expr) and names(part.name) == ["="]
                and isinstance(part.rexpr, nodes.A_Const)
                and isinstance(part.rexpr.val, nodes.Boolean)):
            conjunct = part.lexpr if part.rexpr.val.boolval else nodes.BoolExpr(
                boolop=enums.BoolExprType.NOT_EXPR, args=(part.lexpr,))
        found.add(canonical_expression(unqualified(conjunct)))
    return frozenset(found)


def unqualified(node: Any) -> str:
    """SQL of ``node`` with every column reference reduced to its column name."""
    clone = copy.deepcopy(node)
    for ref in walk(clone):
        if isinstance(ref, nodes.ColumnRef) and len(ref.fields) > 1:
            ref.fields = ref.fields[-1:]
    return str(RawStream()(clone))


def _replace(root: Any, old: Any, new: Any) -> Any:
    if root is old:
        return new
    for parent in walk(root):
        for slot in type(parent).__slots__:
            value = getattr(parent, slot)
            if value is old:
                setattr(parent, slot, new)
            elif isinstance(value, tuple) and any(v is old for v in value):
                setattr(parent, slot, tuple(new if v is old else v for v in value))
    return root


def walk(node: Any) -> Iterator[Any]:
    """Every node under ``node``, itself first."""
    if isinstance(node, nodes.Node):
        yield node
        for slot in type(node).__slots__:
            yield from walk(getattr(node, slot))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from walk(item)


def names(parts: Any) -> list[str]:
    """The strings of a qualified name's parts (``schema.table``, ``pg_catalog.lower``)."""
    return [str(getattr(n, "sval", "")) for n in parts or ()]
