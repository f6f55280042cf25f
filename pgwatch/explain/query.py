"""The one adapter to pglast: what pgwatch needs to know about a statement's text.

Whether it only reads, its fingerprint (statements that differ only in constants share one),
and for every occurrence of a table in every ``SELECT`` of it (a :class:`Site`) the predicates
on it (equality, range, ``IN``, ``IS NULL``, constants), the joins, the ``ORDER BY`` and
``GROUP BY`` one index could serve, the columns it reads, and the predicates no index serves
as written (a function or cast on a column, a ``LIKE`` with a leading wildcard). Aliases are
resolved to schema-qualified tables; a CTE or a subquery in ``FROM`` is not a table.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pglast
from pglast import ast as _typed_ast
from pglast import enums as _typed_enums
from pglast.stream import RawStream
from pglast.visitors import Visitor

from pgwatch.errors import PgwatchError

# pglast's node attributes are optional everywhere; the walk checks shapes itself.
_ast: Any = _typed_ast
_enums: Any = _typed_enums
_WRITING = (_ast.InsertStmt, _ast.UpdateStmt, _ast.DeleteStmt, _ast.MergeStmt)
DEFAULT_SCHEMA = "public"


class QueryError(PgwatchError):
    """A statement's text cannot be parsed."""


class _Writes(Visitor):
    """Finds what makes a SELECT write or lock: a data-modifying CTE, FOR UPDATE, INTO."""

    def __init__(self) -> None:
        self.found = False

    def visit(self, ancestors: Any, node: Any) -> None:
        if isinstance(node, (*_WRITING, _ast.LockingClause, _ast.IntoClause)):
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
        if isinstance(statement, _ast.ExplainStmt):
            statement = statement.query
        if not isinstance(statement, _ast.SelectStmt):
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
    except RecursionError:
        raise QueryError(f"{where}: nested too deeply") from None


def fingerprint(sql: str, *, where: str = "query") -> str:
    """libpg_query's fingerprint: the same for texts that differ only in constants."""
    try:
        return str(pglast.fingerprint(sql))
    except pglast.parser.ParseError as exc:
        raise QueryError(f"{where}: {exc}") from None


@dataclass(frozen=True, slots=True)
class Table:
    """A schema-qualified table."""

    schema: str
    name: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Predicate:
    """One conjunct of a WHERE or JOIN condition on one site.

    ``op`` is ``eq``, ``in``, ``range``, ``is_null``, ``is_not_null``, ``bool`` or ``like``;
    ``value`` is what the column is compared with: ``const``, ``param``, ``outer`` (a column of
    an enclosing query: lateral or correlated), ``join`` (a column of another table of the same
    query) or ``expr`` (anything else without a column, ``now()`` say). ``target`` is the
    column, or the expression (columns unqualified) when ``expression``. ``sql`` is the
    conjunct itself, unqualified: what the WHERE of a partial index would say.
    """

    target: str
    expression: bool
    op: str
    value: str
    sql: str
    params: tuple[int, ...] = ()
    columns: tuple[str, ...] = ()

    @property
    def constant(self) -> bool:
        """Whether it holds alike for every call, so a partial index can carry it."""
        return self.value == "const" and self.op in ("eq", "is_null", "is_not_null", "bool")


@dataclass(frozen=True, slots=True)
class SortKey:
    """A key of ORDER BY or GROUP BY that belongs to one site."""

    target: str
    expression: bool
    descending: bool = False


@dataclass(frozen=True, slots=True)
class NonSargable:
    """A predicate that an index on the plain column cannot serve."""

    table: Table
    column: str
    kind: str  # "function", "cast" or "leading_wildcard"
    sql: str


@dataclass(frozen=True, slots=True)
class JoinCondition:
    """``left.left_column = right.right_column`` between two tables of one query."""

    left: Table
    left_column: str
    right: Table
    right_column: str


@dataclass(frozen=True, slots=True)
class Site:
    """One occurrence of a table in one SELECT (or UPDATE/DELETE), and what it is asked."""

    table: Table
    alias: str
    predicates: tuple[Predicate, ...]
    order_by: tuple[SortKey, ...]
    group_by: tuple[SortKey, ...]
    columns: frozenset[str]
    star: bool
    limited: bool


@dataclass(frozen=True, slots=True)
class QueryAnalysis:
    """Everything the advisor reads from one statement's text."""

    fingerprint: str
    tables: tuple[Table, ...]
    sites: tuple[Site, ...]
    joins: tuple[JoinCondition, ...]
    non_sargable: tuple[NonSargable, ...]

    @property
    def predicates(self) -> tuple[Predicate, ...]:
        return tuple(p for s in self.sites for p in s.predicates)


def analyse(sql: str, *, schema: str = DEFAULT_SCHEMA, where: str = "query") -> QueryAnalysis:
    """Analyse the first statement of ``sql``; unqualified tables are taken in ``schema``."""
    statements = _parse(sql, where)
    if not statements:
        raise QueryError(f"{where}: no statement")
    walker = _Analyser(schema)
    try:
        walker.statement(statements[0].stmt, None)
    except RecursionError:
        raise QueryError(f"{where}: nested too deeply to analyse") from None
    sites = tuple(s.build() for s in walker.sites)
    return QueryAnalysis(fingerprint(sql, where=where),
                         tuple(dict.fromkeys(s.table for s in sites)), sites,
                         tuple(dict.fromkeys(walker.joins)),
                         tuple(dict.fromkeys(walker.non_sargable)))


def parameter_numbers(sql: str, *, where: str = "query") -> tuple[int, ...]:
    """The ``$n`` of ``sql``, ascending."""
    found = {n.number for raw in _parse(sql, where) for n in _walk(raw)
             if isinstance(n, _ast.ParamRef)}
    return tuple(sorted(found))


def canonical_expression(text: str) -> str:
    """An expression in one spelling, so that ours and ``pg_get_indexdef``'s compare equal.

    The server's spelling adds ``::text`` to string constants and parentheses; both go.
    """
    node = _parse(f"SELECT {text}", "expression")[0].stmt.targetList[0].val
    for cast in [n for n in _walk(node) if isinstance(n, _ast.TypeCast)]:
        if _names(cast.typeName.names)[-1:] == ["text"] and isinstance(cast.arg, _ast.A_Const):
            node = _replace(node, cast, cast.arg)
    for call in _walk(node):
        if isinstance(call, _ast.FuncCall) and _names(call.funcname)[0] == "pg_catalog":
            call.funcname = call.funcname[1:]
    return _unqualified(node)


def _deparse(node: Any) -> str:
    return str(RawStream()(node))


def _unqualified(node: Any) -> str:
    """SQL of ``node`` with every column reference reduced to its column name."""
    clone = copy.deepcopy(node)
    for ref in _walk(clone):
        if isinstance(ref, _ast.ColumnRef) and len(ref.fields) > 1:
            ref.fields = ref.fields[-1:]
    return _deparse(clone)


def _replace(root: Any, old: Any, new: Any) -> Any:
    if root is old:
        return new
    for parent in _walk(root):
        for slot in type(parent).__slots__:
            value = getattr(parent, slot)
            if value is old:
                setattr(parent, slot, new)
            elif isinstance(value, tuple) and any(v is old for v in value):
                setattr(parent, slot, tuple(new if v is old else v for v in value))
    return root


def _walk(node: Any) -> Iterator[Any]:
    """Every node under ``node``, itself first."""
    if isinstance(node, _ast.Node):
        yield node
        for slot in type(node).__slots__:
            yield from _walk(getattr(node, slot))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from _walk(item)


def _names(nodes: Any) -> list[str]:
    return [str(getattr(n, "sval", "")) for n in nodes or ()]


@dataclass(slots=True)
class _SiteBuilder:
    table: Table
    alias: str
    predicates: list[Predicate] = field(default_factory=list)
    order_by: tuple[SortKey, ...] = ()
    group_by: tuple[SortKey, ...] = ()
    columns: set[str] = field(default_factory=set)
    star: bool = False
    limited: bool = False

    def build(self) -> Site:
        return Site(self.table, self.alias, tuple(dict.fromkeys(self.predicates)),
                    self.order_by, self.group_by, frozenset(self.columns), self.star,
                    self.limited)


@dataclass(slots=True)
class _Scope:
    """The relations of one SELECT by alias (None: a CTE, subquery or function)."""

    parent: _Scope | None
    relations: dict[str, _SiteBuilder | None] = field(default_factory=dict)

    def resolve(self, fields: list[str]) -> tuple[_SiteBuilder | None, bool]:
        """(site, whether it is of this scope) of a column reference, by its qualifier."""
        scope: _Scope | None = self
        local = True
        while scope is not None:
            if len(fields) > 1:
                if fields[-2] in scope.relations:
                    return scope.relations[fields[-2]], local
            elif scope.relations:
                # An unqualified column among several relations stays unresolved.
                only = list(scope.relations.values())
                return (only[0] if len(only) == 1 else None), local
            scope, local = scope.parent, False
        return None, False


class _Analyser:
    """Walks a statement scope by scope, building its sites."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.sites: list[_SiteBuilder] = []
        self.joins: list[JoinCondition] = []
        self.non_sargable: list[NonSargable] = []
        self.ctes: set[str] = set()

    def statement(self, node: Any, parent: _Scope | None) -> None:
        if isinstance(node, _ast.ExplainStmt):
            self.statement(node.query, parent)
        elif isinstance(node, _ast.SelectStmt):
            self.select(node, parent)
        elif isinstance(node, _ast.UpdateStmt | _ast.DeleteStmt):
            self._modify(node, parent)
        elif isinstance(node, _ast.InsertStmt) and node.selectStmt is not None:
            self._with(node.withClause, parent)
            self.statement(node.selectStmt, parent)

    def _with(self, clause: Any, parent: _Scope | None) -> None:
        for cte in clause.ctes if clause is not None else ():
            self.ctes.add(cte.ctename)
            self.statement(cte.ctequery, parent)

    def _modify(self, node: Any, parent: _Scope | None) -> None:
        self._with(node.withClause, parent)
        scope = _Scope(parent)
        self._from_item(node.relation, scope)
        extra = node.fromClause if isinstance(node, _ast.UpdateStmt) else node.usingClause
        for item in extra or ():
            self._from_item(item, scope)
        self._conditions(node.whereClause, scope)
        self._references((node.whereClause, getattr(node, "targetList", None),
                          getattr(node, "returningClause", None)), scope)

    def select(self, node: Any, parent: _Scope | None) -> None:
        if node.op != _enums.SetOperation.SETOP_NONE:
            self.select(node.larg, parent)
            self.select(node.rarg, parent)
            return
        self._with(node.withClause, parent)
        scope = _Scope(parent)
        quals: list[Any] = []
        for item in node.fromClause or ():
            quals += self._from_item(item, scope)
        self._conditions(node.whereClause, scope)
        for qual in quals:
            self._conditions(qual, scope)
        self._references((node.targetList, node.whereClause, node.groupClause,
                          node.havingClause, node.sortClause, quals), scope)
        targets = node.targetList or ()
        owner, keys = _ordering_keys(scope, targets, node.sortClause, self.sites)
        if owner is not None:
            owner.order_by = keys
        owner, keys = _ordering_keys(scope, targets, node.groupClause, self.sites)
        if owner is not None:
            owner.group_by = keys
        if node.limitCount is not None:
            for site in scope.relations.values():
                if site is not None:
                    site.limited = True

    def _from_item(self, item: Any, scope: _Scope) -> list[Any]:
        """Register one FROM item; return the JOIN conditions it carries."""
        if isinstance(item, _ast.RangeVar):
            alias = item.alias.aliasname if item.alias is not None else item.relname
            if item.schemaname is None and item.relname in self.ctes:
                scope.relations[alias] = None
                return []
            site = _SiteBuilder(Table(item.schemaname or self.schema, item.relname), alias)
            self.sites.append(site)
            scope.relations[alias] = site
            return []
        if isinstance(item, _ast.JoinExpr):
            quals = self._from_item(item.larg, scope) + self._from_item(item.rarg, scope)
            return [*quals, item.quals] if item.quals is not None else quals
        if isinstance(item, _ast.RangeSubselect):
            if item.alias is not None:
                scope.relations[item.alias.aliasname] = None
            self.statement(item.subquery, scope)
        elif isinstance(item, _ast.RangeFunction) and item.alias is not None:
            scope.relations[item.alias.aliasname] = None
        return []

    def _references(self, parts: tuple[Any, ...], scope: _Scope) -> None:
        """Columns read, per site; subqueries met on the way are walked as scopes of their own."""
        for node in _walk_outside_subqueries(parts, self, scope):
            if isinstance(node, _ast.ColumnRef):
                fields = _names(node.fields)
                site, _ = scope.resolve(fields if fields[-1] else [*fields[:-1], "*"])
                if site is None:
                    continue
                if isinstance(node.fields[-1], _ast.A_Star):
                    site.star = True
                else:
                    site.columns.add(fields[-1])

    def _conditions(self, node: Any, scope: _Scope) -> None:
        if node is None:
            return
        if isinstance(node, _ast.BoolExpr) and node.boolop == _enums.BoolExprType.AND_EXPR:
            for arg in node.args:
                self._conditions(arg, scope)
            return
        _Conjunct(self, scope, node).classify()


def _walk_outside_subqueries(parts: Any, analyser: _Analyser, scope: _Scope) -> Iterator[Any]:
    """The nodes of ``parts``; a sub-SELECT is handed to the analyser instead of descended."""
    stack = [parts]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple | list):
            stack.extend(node)
        elif isinstance(node, _ast.SubLink):
            analyser.statement(node.subselect, scope)
            stack.append(node.testexpr)
        elif isinstance(node, _ast.Node):
            yield node
            stack.extend(getattr(node, slot) for slot in type(node).__slots__)


_AGGREGATES = frozenset({"sum", "count", "avg", "min", "max", "array_agg", "string_agg",
                         "bool_and", "bool_or", "every", "rank", "dense_rank", "row_number",
                         "percent_rank", "cume_dist", "percentile_cont", "percentile_disc",
                         "jsonb_agg", "json_agg", "stddev", "variance"})
_COMPARISONS = frozenset({"=", "<", ">", "<=", ">="})
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "="}


def _local_sites(node: Any, scope: _Scope) -> tuple[set[int], bool]:
    """(ids of this scope's sites whose columns ``node`` reads, whether it reads outer ones)."""
    local: set[int] = set()
    outer = False
    for ref in _walk(node):
        if isinstance(ref, _ast.ColumnRef) and not isinstance(ref.fields[-1], _ast.A_Star):
            site, here = scope.resolve(_names(ref.fields))
            if here and site is not None:
                local.add(id(site))
            else:
                outer = True  # an enclosing query's, or unresolved: not this site's own
    return local, outer


def _is_constant(node: Any) -> bool:
    if isinstance(node, tuple | list):
        return bool(node) and all(_is_constant(n) for n in node)
    if isinstance(node, _ast.TypeCast):
        return _is_constant(node.arg)
    return isinstance(node, _ast.A_Const)


def _aggregated(node: Any) -> bool:
    return any(isinstance(n, _ast.FuncCall) and (n.over is not None
                                                or _names(n.funcname)[-1] in _AGGREGATES)
               for n in _walk(node))


def _plain_columns(node: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_names(n.fields)[-1] for n in _walk(node)
                               if isinstance(n, _ast.ColumnRef)
                               and not isinstance(n.fields[-1], _ast.A_Star)))


class _Conjunct:
    """One conjunct of a condition, turned into predicates (or a join) on the sites it reads."""

    def __init__(self, analyser: _Analyser, scope: _Scope, node: Any) -> None:
        self.analyser = analyser
        self.scope = scope
        self.node = node

    def classify(self) -> None:
        node = self.node
        if isinstance(node, _ast.A_Expr):
            self._expression(node)
        elif isinstance(node, _ast.NullTest):
            op = "is_null" if node.nulltesttype == _enums.NullTestType.IS_NULL else "is_not_null"
            self._unary(node.arg, op)
        elif isinstance(node, _ast.ColumnRef):
            self._unary(node, "bool")
        elif (isinstance(node, _ast.BoolExpr) and node.boolop == _enums.BoolExprType.NOT_EXPR
              and isinstance(node.args[0], _ast.ColumnRef)):
            self._unary(node.args[0], "bool")

    def _expression(self, node: Any) -> None:
        kind = _enums.A_Expr_Kind
        op = (_names(node.name) or [""])[-1]
        if node.kind == kind.AEXPR_OP and op in _COMPARISONS:
            self._compare(node.lexpr, op, node.rexpr)
        elif node.kind in (kind.AEXPR_IN, kind.AEXPR_OP_ANY) and op == "=":
            self._compare(node.lexpr, "in", node.rexpr)
        elif node.kind in (kind.AEXPR_BETWEEN, kind.AEXPR_BETWEEN_SYM):
            self._compare(node.lexpr, "between", node.rexpr)
        elif node.kind in (kind.AEXPR_LIKE, kind.AEXPR_ILIKE) and op in ("~~", "~~*"):
            self._like(node, op)

    def _site(self, node: Any) -> _SiteBuilder | None:
        local, foreign = _local_sites(node, self.scope)
        if len(local) != 1 or foreign:
            return None
        return next(s for s in self.analyser.sites if id(s) == next(iter(local)))

    def _compare(self, left: Any, op: str, right: Any) -> None:
        if isinstance(left, _ast.RowExpr) and isinstance(right, _ast.RowExpr) and op != "=":
            # (a, b) < ($1, $2): a range on each column, against its own value.
            for column, value in zip(left.args, right.args, strict=False):
                self._compare(column, op, value)
            return
        left_local, left_foreign = _local_sites(left, self.scope)
        right_local, right_foreign = _local_sites(right, self.scope)
        if len(left_local) == 1 and not left_foreign and not right_local:
            self._add(self._site(left), left, op, right)
        elif len(right_local) == 1 and not right_foreign and not left_local and op in _FLIP:
            self._add(self._site(right), right, _FLIP[op], left)
        elif (op == "=" and len(left_local) == 1 and len(right_local) == 1
              and left_local != right_local and isinstance(left, _ast.ColumnRef)
              and isinstance(right, _ast.ColumnRef)):
            self._join(left, right)

    def _join(self, left: Any, right: Any) -> None:
        a, b = self._site(left), self._site(right)
        if a is None or b is None:
            return
        la, rb = _names(left.fields)[-1], _names(right.fields)[-1]
        self.analyser.joins.append(JoinCondition(a.table, la, b.table, rb))
        a.predicates.append(Predicate(la, False, "eq", "join", _unqualified(self.node),
                                      columns=(la,)))
        b.predicates.append(Predicate(rb, False, "eq", "join", _unqualified(self.node),
                                      columns=(rb,)))

    def _value_kind(self, value: Any) -> str:
        if _is_constant(value):
            return "const"
        _, outer = _local_sites(value, self.scope)
        if outer:
            return "outer"
        if any(isinstance(n, _ast.ParamRef) for n in _walk(value)):
            return "param"
        return "expr"

    def _add(self, site: _SiteBuilder | None, target: Any, op: str, value: Any) -> None:
        if site is None:
            return
        expression = not isinstance(target, _ast.ColumnRef)
        text = _unqualified(target)
        if expression:
            self._non_sargable(site, target, text)
        kind = {"=": "eq", "in": "in"}.get(op, "range")
        params = tuple(sorted({n.number for n in _walk(value) if isinstance(n, _ast.ParamRef)}))
        site.predicates.append(Predicate(text, expression, kind, self._value_kind(value),
                                         _unqualified(self.node), params,
                                         _plain_columns(target)))

    def _non_sargable(self, site: _SiteBuilder, target: Any, text: str) -> None:
        columns = _plain_columns(target)
        if len(columns) != 1:
            return
        kind = "cast" if isinstance(target, _ast.TypeCast) and isinstance(
            target.arg, _ast.ColumnRef) else "function"
        self.analyser.non_sargable.append(NonSargable(site.table, columns[0], kind, text))

    def _unary(self, target: Any, op: str) -> None:
        site = self._site(target)
        if site is None or not isinstance(target, _ast.ColumnRef):
            return
        column = _names(target.fields)[-1]
        site.predicates.append(Predicate(column, False, op, "const", _unqualified(self.node),
                                         columns=(column,)))

    def _like(self, node: Any, op: str) -> None:
        site = self._site(node.lexpr)
        if site is None or not isinstance(node.lexpr, _ast.ColumnRef):
            return
        column = _names(node.lexpr.fields)[-1]
        pattern = getattr(getattr(node.rexpr, "val", None), "sval", None)
        if isinstance(pattern, str) and pattern[:1] in ("%", "_"):
            self.analyser.non_sargable.append(NonSargable(
                site.table, column, "leading_wildcard", _unqualified(node)))
            return
        value = self._value_kind(node.rexpr)
        site.predicates.append(Predicate(column, False, "like", value, _unqualified(node),
                                         columns=(column,)))


def _ordering_keys(scope: _Scope, targets: Any, clause: Any,
                   sites: list[_SiteBuilder]) -> tuple[_SiteBuilder | None, tuple[SortKey, ...]]:
    """The one site all keys of an ORDER BY / GROUP BY belong to, and the keys; else None."""
    owner: _SiteBuilder | None = None
    keys: list[SortKey] = []
    for item in clause or ():
        node = item.node if isinstance(item, _ast.SortBy) else item
        descending = (isinstance(item, _ast.SortBy)
                      and item.sortby_dir == _enums.SortByDir.SORTBY_DESC)
        node = _output_expression(node, targets)
        local, outer = _local_sites(node, scope)
        if len(local) != 1 or outer or _aggregated(node):
            return None, ()
        site = next(s for s in sites if id(s) in local)
        if owner is not None and site is not owner:
            return None, ()
        owner = site
        keys.append(SortKey(_unqualified(node), not isinstance(node, _ast.ColumnRef), descending))
    return owner, tuple(keys)


def _output_expression(node: Any, targets: Any) -> Any:
    """``ORDER BY 2`` or ``ORDER BY alias`` means an expression of the select list."""
    if isinstance(node, _ast.A_Const) and isinstance(node.val, _ast.Integer):
        position = node.val.ival
        if 1 <= position <= len(targets):
            return targets[position - 1].val
    if isinstance(node, _ast.ColumnRef) and len(node.fields) == 1:
        for target in targets:
            if target.name is not None and target.name == _names(node.fields)[0]:
                return target.val
    return node


_KINDS = {"SelectStmt": "select", "UpdateStmt": "update", "DeleteStmt": "delete",
          "InsertStmt": "insert", "MergeStmt": "merge", "ExplainStmt": "explain"}


def statement_kinds(sql: str, *, where: str = "query") -> tuple[str, ...]:
    """``select``, ``update``, ``delete``, ``insert``, ``merge``, ``explain`` or ``other``,
    one per statement of ``sql``."""
    return tuple(_KINDS.get(type(raw.stmt).__name__, "other") for raw in _parse(sql, where))


def canonical_predicate(text: str) -> frozenset[str]:
    """The conjuncts of a WHERE condition in one spelling (``x = false`` is ``NOT x``)."""
    node = _parse(f"SELECT 1 WHERE {text}", "predicate")[0].stmt.whereClause
    parts = node.args if (isinstance(node, _ast.BoolExpr)
                          and node.boolop == _enums.BoolExprType.AND_EXPR) else (node,)
    found = set()
    for part in parts:
        conjunct = part
        if (isinstance(part, _ast.A_Expr) and _names(part.name) == ["="]
                and isinstance(part.rexpr, _ast.A_Const)
                and isinstance(part.rexpr.val, _ast.Boolean)):
            conjunct = part.lexpr if part.rexpr.val.boolval else _ast.BoolExpr(
                boolop=_enums.BoolExprType.NOT_EXPR, args=(part.lexpr,))
        found.add(canonical_expression(_unqualified(conjunct)))
    return frozenset(found)
