"""The relations one SELECT can see, and what the walk has found in them so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pgwatch.explain.query.model import JoinCondition, NonSargable, Predicate, Site, SortKey, Table
from pgwatch.explain.query.text import names, nodes, walk


@dataclass(slots=True)
class SiteBuilder:
    """A :class:`Site` while the walk fills it in."""

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
class Found:
    """What the walk of one statement has found: its sites, joins and non-sargable predicates."""

    sites: list[SiteBuilder] = field(default_factory=list)
    joins: list[JoinCondition] = field(default_factory=list)
    non_sargable: list[NonSargable] = field(default_factory=list)

    def site(self, key: int) -> SiteBuilder:
        return next(s for s in self.sites if id(s) == key)


@dataclass(slots=True)
class Scope:
    """The relations of one SELECT by alias (None: a CTE, subquery or function)."""

    parent: Scope | None
    relations: dict[str, SiteBuilder | None] = field(default_factory=dict)

    def resolve(self, fields: list[str]) -> tuple[SiteBuilder | None, bool]:
        """(site, whether it is of this scope) of a column reference, by its qualifier."""
        scope: Scope | None = self
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


def local_sites(node: Any, scope: Scope) -> tuple[set[int], bool]:
    """(ids of this scope's sites whose columns ``node`` reads, whether it reads outer ones)."""
    local: set[int] = set()
    outer = False
    for ref in walk(node):
        if isinstance(ref, nodes.ColumnRef) and not isinstance(ref.fields[-1], nodes.A_Star):
            site, here = scope.resolve(names(ref.fields))
            if here and site is not None:
                local.add(id(site))
            else:
                outer = True  # an enclosing query's, or unresolved: not this site's own
    return local, outer


def plain_columns(node: Any) -> tuple[str, ...]:
    """The columns ``node`` reads, by name, in order."""
    return tuple(dict.fromkeys(names(n.fields)[-1] for n in walk(node)
                               if isinstance(n, nodes.ColumnRef)
                               and not isinstance(n.fields[-1], nodes.A_Star)))
