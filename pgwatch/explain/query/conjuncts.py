"""One conjunct of a WHERE or JOIN condition, turned into predicates on the sites it reads,
a join between two of them, or a predicate no index on the plain column can serve."""

from __future__ import annotations

from typing import Any

from pgwatch.explain.query.model import JoinCondition, NonSargable, Predicate
from pgwatch.explain.query.scope import Found, Scope, SiteBuilder, local_sites, plain_columns
from pgwatch.explain.query.text import enums, names, nodes, unqualified, walk

_COMPARISONS = frozenset({"=", "<", ">", "<=", ">="})
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "="}


class Conjunct:
    """One conjunct of a condition, turned into predicates (or a join) on the sites it reads."""

    def __init__(self, found: Found, scope: Scope, node: Any) -> None:
        self.found = found
        self.scope = scope
        self.node = node

    def classify(self) -> None:
        node = self.node
        if isinstance(node, nodes.A_Expr):
            self._expression(node)
        elif isinstance(node, nodes.NullTest):
            op = "is_null" if node.nulltesttype == enums.NullTestType.IS_NULL else "is_not_null"
            self._unary(node.arg, op)
        elif isinstance(node, nodes.ColumnRef):
            self._unary(node, "bool")
        elif (isinstance(node, nodes.BoolExpr) and node.boolop == enums.BoolExprType.NOT_EXPR
              and isinstance(node.args[0], nodes.ColumnRef)):
            self._unary(node.args[0], "bool")

    def _expression(self, node: Any) -> None:
        kind = enums.A_Expr_Kind
        op = (names(node.name) or [""])[-1]
        if node.kind == kind.AEXPR_OP and op in _COMPARISONS:
            self._compare(node.lexpr, op, node.rexpr)
        elif node.kind in (kind.AEXPR_IN, kind.AEXPR_OP_ANY) and op == "=":
            self._compare(node.lexpr, "in", node.rexpr)
        elif node.kind in (kind.AEXPR_BETWEEN, kind.AEXPR_BETWEEN_SYM):
            self._compare(node.lexpr, "between", node.rexpr)
        elif node.kind in (kind.AEXPR_LIKE, kind.AEXPR_ILIKE) and op in ("~~", "~~*"):
            self._like(node, op)

    def _site(self, node: Any) -> SiteBuilder | None:
        local, foreign = local_sites(node, self.scope)
        if len(local) != 1 or foreign:
            return None
        return self.found.site(next(iter(local)))

    def _compare(self, left: Any, op: str, right: Any) -> None:
        if isinstance(left, nodes.RowExpr) and isinstance(right, nodes.RowExpr) and op != "=":
            # (a, b) < ($1, $2): a range on each column, against its own value.
            for column, value in zip(left.args, right.args, strict=False):
                self._compare(column, op, value)
            return
        left_local, left_foreign = local_sites(left, self.scope)
        right_local, right_foreign = local_sites(right, self.scope)
        if len(left_local) == 1 and not left_foreign and not right_local:
            self._add(self._site(left), left, op, right)
        elif len(right_local) == 1 and not right_foreign and not left_local and op in _FLIP:
            self._add(self._site(right), right, _FLIP[op], left)
        elif (op == "=" and len(left_local) == 1 and len(right_local) == 1
              and left_local != right_local and isinstance(left, nodes.ColumnRef)
              and isinstance(right, nodes.ColumnRef)):
            self._join(left, right)

    def _join(self, left: Any, right: Any) -> None:
        a, b = self._site(left), self._site(right)
        if a is None or b is None:
            return
        la, rb = names(left.fields)[-1], names(right.fields)[-1]
        self.found.joins.append(JoinCondition(a.table, la, b.table, rb))
        a.predicates.append(Predicate(la, False, "eq", "join", unqualified(self.node),
                                      columns=(la,)))
        b.predicates.append(Predicate(rb, False, "eq", "join", unqualified(self.node),
                                      columns=(rb,)))

    def _value_kind(self, value: Any) -> str:
        if _is_constant(value):
            return "const"
        _, outer = local_sites(value, self.scope)
        if outer:
            return "outer"
        if any(isinstance(n, nodes.ParamRef) for n in walk(value)):
            return "param"
        return "expr"

    def _add(self, site: SiteBuilder | None, target: Any, op: str, value: Any) -> None:
        if site is None:
            return
        expression = not isinstance(target, nodes.ColumnRef)
        text = unqualified(target)
        if expression:
            self._non_sargable(site, target, text)
        kind = {"=": "eq", "in": "in"}.get(op, "range")
        params = tuple(sorted({n.number for n in walk(value) if isinstance(n, nodes.ParamRef)}))
        site.predicates.append(Predicate(text, expression, kind, self._value_kind(value),
                                         unqualified(self.node), params,
                                         plain_columns(target)))

    def _non_sargable(self, site: SiteBuilder, target: Any, text: str) -> None:
        columns = plain_columns(target)
        if len(columns) != 1:
            return
        kind = "cast" if isinstance(target, nodes.TypeCast) and isinstance(
            target.arg, nodes.ColumnRef) else "function"
        self.found.non_sargable.append(NonSargable(site.table, columns[0], kind, text))

    def _unary(self, target: Any, op: str) -> None:
        site = self._site(target)
        if site is None or not isinstance(target, nodes.ColumnRef):
            return
        column = names(target.fields)[-1]
        site.predicates.append(Predicate(column, False, op, "const", unqualified(self.node),
                                         columns=(column,)))

    def _like(self, node: Any, op: str) -> None:
        site = self._site(node.lexpr)
        if site is None or not isinstance(node.lexpr, nodes.ColumnRef):
            return
        column = names(node.lexpr.fields)[-1]
        pattern = getattr(getattr(node.rexpr, "val", None), "sval", None)
        if isinstance(pattern, str) and pattern[:1] in ("%", "_"):
            self.found.non_sargable.append(NonSargable(
                site.table, column, "leading_wildcard", unqualified(node)))
            return
        value = self._value_kind(node.rexpr)
        site.predicates.append(Predicate(column, False, "like", value, unqualified(node),
                                         columns=(column,)))


def _is_constant(node: Any) -> bool:
    if isinstance(node, tuple | list):
        return bool(node) and all(_is_constant(n) for n in node)
    if isinstance(node, nodes.TypeCast):
        return _is_constant(node.arg)
    return isinstance(node, nodes.A_Const)
