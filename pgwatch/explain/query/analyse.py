"""A statement walked scope by scope: every occurrence of a table in every SELECT of it (a
:class:`Site`) with what it is asked. Aliases are resolved to schema-qualified tables; a CTE or
a subquery in ``FROM`` is not a table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pgwatch.explain.query.conjuncts import Conjunct
from pgwatch.explain.query.model import DEFAULT_SCHEMA, QueryAnalysis, QueryError, SortKey, Table
from pgwatch.explain.query.scope import Found, Scope, SiteBuilder, local_sites
from pgwatch.explain.query.text import enums, fingerprint, names, nodes, parse, unqualified, walk


def analyse(sql: str, *, schema: str = DEFAULT_SCHEMA, where: str = "query") -> QueryAnalysis:
    """Analyse the first statement of ``sql``; unqualified tables are taken in ``schema``."""
    statements = parse(sql, where)
    if not statements:
        raise QueryError(f"{where}: no statement")
    walker = _Analyser(schema)
    try:
        walker.statement(statements[0].stmt, None)
    except RecursionError:
        raise QueryError(f"{where}: nested too deeply to analyse") from None
    sites = tuple(s.build() for s in walker.found.sites)
    return QueryAnalysis(fingerprint(sql, where=where),
                         tuple(dict.fromkeys(s.table for s in sites)), sites,
                         tuple(dict.fromkeys(walker.found.joins)),
                         tuple(dict.fromkeys(walker.found.non_sargable)))


class _Analyser:
    """Walks a statement scope by scope, building its sites."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.found = Found()
        self.ctes: set[str] = set()

    def statement(self, node: Any, parent: Scope | None) -> None:
        if isinstance(node, nodes.ExplainStmt):
            self.statement(node.query, parent)
        elif isinstance(node, nodes.SelectStmt):
            self.select(node, parent)
        elif isinstance(node, nodes.UpdateStmt | nodes.DeleteStmt):
            self._modify(node, parent)
        elif isinstance(node, nodes.InsertStmt) and node.selectStmt is not None:
            self._with(node.withClause, parent)
            self.statement(node.selectStmt, parent)

    def _with(self, clause: Any, parent: Scope | None) -> None:
        for cte in clause.ctes if clause is not None else ():
            self.ctes.add(cte.ctename)
            self.statement(cte.ctequery, parent)

    def _modify(self, node: Any, parent: Scope | None) -> None:
        self._with(node.withClause, parent)
        scope = Scope(parent)
        self._from_item(node.relation, scope)
        extra = node.fromClause if isinstance(node, nodes.UpdateStmt) else node.usingClause
        for item in extra or ():
            self._from_item(item, scope)
        self._conditions(node.whereClause, scope)
        self._references((node.whereClause, getattr(node, "targetList", None),
                          getattr(node, "returningClause", None)), scope)

    def select(self, node: Any, parent: Scope | None) -> None:
        if node.op != enums.SetOperation.SETOP_NONE:
            self.select(node.larg, parent)
            self.select(node.rarg, parent)
            return
        self._with(node.withClause, parent)
        scope = Scope(parent)
        quals: list[Any] = []
        for item in node.fromClause or ():
            quals += self._from_item(item, scope)
        self._conditions(node.whereClause, scope)
        for qual in quals:
            self._conditions(qual, scope)
        self._references((node.targetList, node.whereClause, node.groupClause,
                          node.havingClause, node.sortClause, quals), scope)
        targets = node.targetList or ()
        owner, keys = _ordering_keys(scope, targets, node.sortClause, self.found.sites)
        if owner is not None:
            owner.order_by = keys
        owner, keys = _ordering_keys(scope, targets, node.groupClause, self.found.sites)
        if owner is not None:
            owner.group_by = keys
        if node.limitCount is not None:
            for site in scope.relations.values():
                if site is not None:
                    site.limited = True

    def _from_item(self, item: Any, scope: Scope) -> list[Any]:
        """Register one FROM item; return the JOIN conditions it carries."""
        if isinstance(item, nodes.RangeVar):
            alias = item.alias.aliasname if item.alias is not None else item.relname
            if item.schemaname is None and item.relname in self.ctes:
                scope.relations[alias] = None
                return []
            site = SiteBuilder(Table(item.schemaname or self.schema, item.relname), alias)
            self.found.sites.append(site)
            scope.relations[alias] = site
            return []
        if isinstance(item, nodes.JoinExpr):
            quals = self._from_item(item.larg, scope) + self._from_item(item.rarg, scope)
            return [*quals, item.quals] if item.quals is not None else quals
        if isinstance(item, nodes.RangeSubselect):
            if item.alias is not None:
                scope.relations[item.alias.aliasname] = None
            self.statement(item.subquery, scope)
        elif isinstance(item, nodes.RangeFunction) and item.alias is not None:
            scope.relations[item.alias.aliasname] = None
        return []

    def _references(self, parts: tuple[Any, ...], scope: Scope) -> None:
        """Columns read, per site; subqueries met on the way are walked as scopes of their own."""
        for node in _walk_outside_subqueries(parts, self, scope):
            if isinstance(node, nodes.ColumnRef):
                fields = names(node.fields)
                site, _ = scope.resolve(fields if fields[-1] else [*fields[:-1], "*"])
                if site is None:
                    continue
                if isinstance(node.fields[-1], nodes.A_Star):
                    site.star = True
                else:
                    site.columns.add(fields[-1])

    def _conditions(self, node: Any, scope: Scope) -> None:
        if node is None:
            return
        if isinstance(node, nodes.BoolExpr) and node.boolop == enums.BoolExprType.AND_EXPR:
            for arg in node.args:
                self._conditions(arg, scope)
            return
        Conjunct(self.found, scope, node).classify()


def _walk_outside_subqueries(parts: Any, analyser: _Analyser, scope: Scope) -> Iterator[Any]:
    """The nodes of ``parts``; a sub-SELECT is handed to the analyser instead of descended."""
    stack = [parts]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple | list):
            stack.extend(node)
        elif isinstance(node, nodes.SubLink):
            analyser.statement(node.subselect, scope)
            stack.append(node.testexpr)
        elif isinstance(node, nodes.Node):
            yield node
            stack.extend(getattr(node, slot) for slot in type(node).__slots__)


_AGGREGATES = frozenset({"sum", "count", "avg", "min", "max", "array_agg", "string_agg",
                         "bool_and", "bool_or", "every", "rank", "dense_rank", "row_number",
                         "percent_rank", "cume_dist", "percentile_cont", "percentile_disc",
                         "jsonb_agg", "json_agg", "stddev", "variance"})


def _aggregated(node: Any) -> bool:
    return any(isinstance(n, nodes.FuncCall) and (n.over is not None
                                                or names(n.funcname)[-1] in _AGGREGATES)
               for n in walk(node))


def _ordering_keys(scope: Scope, targets: Any, clause: Any,
                   sites: list[SiteBuilder]) -> tuple[SiteBuilder | None, tuple[SortKey, ...]]:
    """The one site all keys of an ORDER BY / GROUP BY belong to, and the keys; else None."""
    owner: SiteBuilder | None = None
    keys: list[SortKey] = []
    for item in clause or ():
        node = item.node if isinstance(item, nodes.SortBy) else item
        descending = (isinstance(item, nodes.SortBy)
                      and item.sortby_dir == enums.SortByDir.SORTBY_DESC)
        node = _output_expression(node, targets)
        local, outer = local_sites(node, scope)
        if len(local) != 1 or outer or _aggregated(node):
            return None, ()
        site = next(s for s in sites if id(s) in local)
        if owner is not None and site is not owner:
            return None, ()
        owner = site
        keys.append(SortKey(unqualified(node), not isinstance(node, nodes.ColumnRef), descending))
    return owner, tuple(keys)


def _output_expression(node: Any, targets: Any) -> Any:
    """``ORDER BY 2`` or ``ORDER BY alias`` means an expression of the select list."""
    if isinstance(node, nodes.A_Const) and isinstance(node.val, nodes.Integer):
        position = node.val.ival
        if 1 <= position <= len(targets):
            return targets[position - 1].val
    if isinstance(node, nodes.ColumnRef) and len(node.fields) == 1:
        for target in targets:
            if target.name is not None and target.name == names(node.fields)[0]:
                return target.val
    return node
