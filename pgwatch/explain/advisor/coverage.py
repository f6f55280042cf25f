"""Whether an index (existing or another candidate) already serves a candidate.

An index serves a candidate when it is a valid btree whose leading keys are the candidate's
keys (the equality keys in any order, then the others in order; a sort key in the same
direction, or every sort key reversed) and whose predicate, if any, the candidate's
predicate implies (each of its conjuncts is one of the candidate's). Unique, partial and
expression indexes are compared alike; the included columns do not matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from pgwatch.explain.advisor.candidates import MAX_COLUMNS
from pgwatch.explain.advisor.model import Candidate, ExistingIndex, KeyPart
from pgwatch.explain.query import QueryError, canonical_expression, canonical_predicate


def serves(keys: Sequence[KeyPart], predicate: frozenset[str] | None,
           candidate: Candidate) -> bool:
    """Whether an index of ``keys`` and ``predicate`` serves ``candidate``."""
    if predicate and not predicate <= _predicate(candidate.predicate):
        return False
    wanted = candidate.keys
    if len(keys) < len(wanted):
        return False
    equal = [k for k in wanted if k.role == "eq"]
    head = list(keys[:len(equal)])
    if equal and not all(any(_same(e, h) for h in head) for e in equal):
        return False
    rest, offered = wanted[len(equal):], keys[len(equal):len(wanted)]
    if not all(_same(w, o) for w, o in zip(rest, offered, strict=True)):
        return False
    sorted_pairs = [(w, o) for w, o in zip(rest, offered, strict=True) if w.role == "sort"]
    same = all(w.descending == o.descending for w, o in sorted_pairs)
    reversed_ = all(w.descending != o.descending for w, o in sorted_pairs)
    return same or reversed_


def covered_by(candidate: Candidate, existing: Iterable[ExistingIndex]) -> ExistingIndex | None:
    """The first valid btree index of the candidate's table that serves it."""
    for index in existing:
        if (index.valid and index.method == "btree" and index.schema == candidate.table.schema
                and index.table == candidate.table.name
                and serves(index.keys, _index_predicate(index), candidate)):
            return index
    return None


def _same(a: KeyPart, b: KeyPart) -> bool:
    if a.expression != b.expression:
        return False
    if not a.expression:
        return a.target == b.target
    return _expression(a.target) == _expression(b.target)


def _expression(text: str) -> str:
    try:
        return canonical_expression(text)
    except QueryError:
        return text


def _predicate(parts: Sequence[str]) -> frozenset[str]:
    found: set[str] = set()
    for part in parts:
        try:
            found |= canonical_predicate(part)
        except QueryError:
            found.add(part)
    return frozenset(found)


def _index_predicate(index: ExistingIndex) -> frozenset[str] | None:
    return _predicate([index.predicate]) if index.predicate else None


def existing_from_row(row: dict[str, Any]) -> ExistingIndex:
    """An ExistingIndex from a row of existing_indexes.sql."""
    count = int(row["key_count"])
    columns, expressions = list(row["columns"]), list(row["expressions"])
    descending = list(row["descending"]) + [False] * count
    keys = tuple(KeyPart(str(columns[i]), bool(expressions[i]), bool(descending[i]), "index")
                 for i in range(count))
    return ExistingIndex(str(row["schema"]), str(row["table"]), str(row["name"]),
                         str(row["method"]), keys, tuple(str(c) for c in columns[count:]),
                         row["predicate"], bool(row["is_unique"]), bool(row["is_valid"]))


def consolidate(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Fold each candidate into a longer one that serves it: one index for several statements.

    The kept index includes the columns both include, and serves the statements of both.
    """
    ordered = sorted(candidates, key=lambda c: (-len(c.keys), -len(c.include)))
    kept: list[Candidate] = []
    for candidate in ordered:
        for position, other in enumerate(kept):
            if other.table == candidate.table and serves(
                    other.keys, _predicate(other.predicate) or None, candidate) and (
                    set(other.predicate) == set(candidate.predicate)):
                kept[position] = _merge(other, candidate)
                break
        else:
            kept.append(candidate)
    return kept


def _merge(into: Candidate, other: Candidate) -> Candidate:
    plain = {k.target for k in into.keys if not k.expression}
    include = tuple(sorted((set(into.include) | set(other.include)) - plain))
    if len(include) + len(into.keys) > MAX_COLUMNS:
        include = ()
    return replace(into, include=include,
                   queryids=tuple(dict.fromkeys(into.queryids + other.queryids)))
