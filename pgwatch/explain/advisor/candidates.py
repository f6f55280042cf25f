"""Candidate indexes from a statement's analysis: equality keys, then range, then sort.

One candidate per site (a table occurrence in one SELECT) that has something an index can
serve. Equality columns lead (their order does not matter to a btree); then either the sort
(ORDER BY or GROUP BY of that one table) or the first range column: both when the range is
on the sort's first column, the sort when a LIMIT makes the order worth more than the range.
A predicate that holds for every call (a constant, ``IS NULL``) goes to the WHERE of a
partial index instead; the other columns the site reads are INCLUDEd so that the scan can
be index-only, unless there are too many of them or the query reads ``*``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pgwatch.explain.advisor.model import Candidate, KeyPart
from pgwatch.explain.query import Predicate, Site, SortKey, canonical_predicate

MAX_COLUMNS = 10
# Ordering by more keys than this is a GROUP BY of a whole row, not an index's order.
MAX_ORDER_KEYS = 2
KEY_OPS = ("eq", "in")


def site_candidate(site: Site, queryid: str, constants: frozenset[str], *,
                   covering: bool = True) -> Candidate | None:
    """The index that would serve ``site``; ``constants`` are the predicates (their SQL) that
    were the same in every example seen, so a partial index may carry them."""
    partial = {p.sql for p in site.predicates if p.constant and p.sql in constants}
    searched = [p for p in site.predicates if p.sql not in partial and p.value != "join"]
    equal = _unique(KeyPart(p.target, p.expression) for p in searched if p.op in KEY_OPS)
    ranges = _unique(KeyPart(p.target, p.expression, role="range")
                     for p in searched if p.op == "range")
    if not equal and not ranges and not site.order_by and not site.group_by:
        # The inner side of a nested loop: the join columns are what it is searched by.
        equal = _unique(KeyPart(p.target, p.expression) for p in site.predicates
                        if p.value == "join")
    keys = equal + _after_equality(site, equal, ranges)
    if not keys or (not equal and not ranges and not site.limited):
        return None
    include = _include(site, keys, partial) if covering else ()
    # In the server's own spelling (x = false is NOT x): hypopg matches it as written.
    where = tuple(sorted(canonical_predicate(" AND ".join(sorted(partial))))) if partial else ()
    return Candidate(site.table, keys, include, where, (queryid,))


def _after_equality(site: Site, equal: tuple[KeyPart, ...],
                    ranges: tuple[KeyPart, ...]) -> tuple[KeyPart, ...]:
    for ordering, role in ((site.order_by, "sort"), (site.group_by, "group")):
        keys = _without(ordering, equal, role)
        if not keys or len(keys) > MAX_ORDER_KEYS:
            continue
        if not ranges or ranges[0].same_key(keys[0]) or (role == "sort" and site.limited):
            return keys
        return ranges[:1]
    return ranges[:1]


def _without(ordering: tuple[SortKey, ...], equal: tuple[KeyPart, ...],
             role: str) -> tuple[KeyPart, ...]:
    """The ordering keys after the leading ones an equality already fixes."""
    keys = [KeyPart(k.target, k.expression, k.descending, role) for k in ordering]
    while keys and any(keys[0].same_key(e) for e in equal):
        keys.pop(0)
    return tuple(keys)


def _include(site: Site, keys: tuple[KeyPart, ...], partial: set[str]) -> tuple[str, ...]:
    if site.star:
        return ()
    implied = {c for p in site.predicates if p.sql in partial for c in p.columns}
    plain = {k.target for k in keys if not k.expression}
    include = sorted(site.columns - plain - implied)
    if len(include) + len(keys) > MAX_COLUMNS:
        return ()
    return tuple(include)


def _unique(parts: Iterable[KeyPart]) -> tuple[KeyPart, ...]:
    found: list[KeyPart] = []
    for part in parts:
        if not any(part.same_key(f) for f in found):
            found.append(part)
    return tuple(found)


def constant_predicates(examples: Iterable[Iterable[Predicate]]) -> frozenset[str]:
    """The constant predicates every example has (all of them when there is one example)."""
    sets = [frozenset(p.sql for p in predicates if p.constant) for predicates in examples]
    if not sets:
        return frozenset()
    common = sets[0]
    for found in sets[1:]:
        common &= found
    return common
