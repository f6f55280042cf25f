"""Reading EXPLAIN's condition text: the columns it compares, functions and casts on them.

EXPLAIN deparses conditions in a regular form (``((a = 1) AND (lower(b) = 'x'::text))``,
columns qualified under VERBOSE, casts of columns as ``(col)::type``), so a small scanner
is enough; it never has to understand arbitrary SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LITERAL = re.compile(r"'(?:[^']|'')*'")
_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_COLUMN = re.compile(rf"^\(*(?P<ref>{_IDENT}(?:\.{_IDENT})?)\)*(?:::[A-Za-z_ ]+(?:\[\])?)?$")
_CAST = re.compile(rf"\((?P<ref>{_IDENT}(?:\.{_IDENT})?)\)::(?P<type>[a-z_]+(?: [a-z_]+)*)")
_CALL = re.compile(rf"(?P<name>{_IDENT})\(")
_WORD = re.compile(rf"(?<![:\w.$'\"])(?P<ref>{_IDENT}(?:\.{_IDENT})?)(?![\w(])")
_TYPE_CAST = re.compile(r"::[a-z_]+(?: [a-z_]+)*(?:\[\])?")
_LEADING_WILDCARD = re.compile(r"(?P<op>!?~~\*?)\s+'(?P<pattern>%(?:[^']|'')*)'")
_KEYWORDS = frozenset({
    "and", "or", "not", "is", "null", "true", "false", "any", "all", "some", "array", "in",
    "like", "ilike", "between", "distinct", "from", "case", "when", "then", "else", "end",
    "hashed", "subplan", "initplan", "row", "exists", "unknown", "interval", "at", "time",
    "zone", "with", "without", "collate", "escape", "similar", "to", "symmetric", "default",
})
# Casts EXPLAIN shows for varchar and char columns compared with text: binary-compatible,
# so a btree index on the column still serves them.
_HARMLESS_CASTS = frozenset({"text", "character varying", "bpchar", "name", "anyarray"})


@dataclass(frozen=True, slots=True)
class WrappedColumn:
    """A column that a condition reaches only through a function or a cast."""

    column: str
    wrapper: str  # "lower()" or "::date"
    expression: str


def strip_literals(text: str) -> str:
    """The condition with every string literal blanked (same length), so quoted text is never
    read as SQL and offsets still point into the original."""
    return _LITERAL.sub(lambda m: "'" + " " * (len(m.group(0)) - 2) + "'", text)


def bare(ref: str) -> str:
    """``t.created_at`` → ``created_at``; quotes kept off."""
    return ref.rsplit(".", 1)[-1].strip('"')


def columns(text: str | None) -> tuple[str, ...]:
    """The distinct column names a condition mentions, in order of appearance."""
    if not text:
        return ()
    found: list[str] = []
    for match in _WORD.finditer(_TYPE_CAST.sub("", strip_literals(text))):
        ref = match.group("ref")
        name = bare(ref)
        if name.lower() in _KEYWORDS or name.startswith("$") or name in found:
            continue
        found.append(name)
    return tuple(found)


def conjuncts(text: str | None) -> tuple[str, ...]:
    """A condition split at its top-level ANDs."""
    if not text:
        return ()
    body = _unwrap(text.strip())
    parts, depth, start = [], 0, 0
    masked = strip_literals(body)
    for index, char in enumerate(masked):
        depth += (char == "(") - (char == ")")
        if depth == 0 and masked.startswith(" AND ", index):
            parts.append(body[start:index])
            start = index + 5
    parts.append(body[start:])
    return tuple(_unwrap(part.strip()) for part in parts if part.strip())


def wrapped_columns(text: str | None) -> tuple[WrappedColumn, ...]:
    """Columns under a function call or a non-trivial cast: the predicate is not sargable."""
    if not text:
        return ()
    masked = strip_literals(text)
    found: list[WrappedColumn] = []
    for match in _CAST.finditer(masked):
        kind = " ".join(match.group("type").split()).lower()
        name = bare(match.group("ref"))
        if kind not in _HARMLESS_CASTS and name.lower() not in _KEYWORDS:
            found.append(WrappedColumn(name, f"::{kind}", f"({name})::{kind}"))
    for match in _CALL.finditer(masked):
        name = match.group("name")
        if name.lower() in _KEYWORDS:
            continue
        spans = _argument_spans(masked, match.end())
        if not spans:
            continue
        columns_at = [_column_ref(masked[a:b]) for a, b in spans]
        # In SQL to run, a column is named bare: the plan's alias means nothing there.
        shown = [ref or text[a:b].strip()
                 for ref, (a, b) in zip(columns_at, spans, strict=True)]
        call = f"{name}({', '.join(shown)})"
        found.extend(WrappedColumn(ref, f"{name}()", call) for ref in columns_at if ref)
    return tuple(found)


def index_keys(text: str | None) -> tuple[str, ...]:
    """What an index serving the condition would be on: columns, or ``(expr)`` for a function
    or cast applied to a column, conjunct by conjunct."""
    keys: list[str] = []
    for part in conjuncts(text):
        wrapped = wrapped_columns(part)
        found = [f"({w.expression})" for w in wrapped] if wrapped else list(columns(part))
        keys.extend(key for key in found if key not in keys)
    return tuple(keys)


def leading_wildcards(text: str | None) -> tuple[str, ...]:
    """LIKE/ILIKE patterns (``~~``, ``~~*``) that start with ``%``."""
    if not text:
        return ()
    return tuple(match.group("pattern").replace("''", "'")
                 for match in _LEADING_WILDCARD.finditer(text)
                 if not match.group("op").startswith("!"))


def _column_ref(argument: str) -> str | None:
    """The bare column name when ``argument`` is just a (cast) column reference."""
    column = _COLUMN.match(argument.strip())
    if column is None or bare(column.group("ref")).lower() in _KEYWORDS:
        return None
    return bare(column.group("ref"))


def _argument_spans(text: str, start: int) -> list[tuple[int, int]]:
    """Where the top-level arguments are of the call whose '(' ends just before ``start``."""
    depth, begin, spans = 1, start, []
    for index in range(start, len(text)):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                spans.append((begin, index))
                return [(a, b) for a, b in spans if text[a:b].strip()]
        elif char == "," and depth == 1:
            spans.append((begin, index))
            begin = index + 1
    return []


def _unwrap(text: str) -> str:
    """Remove parentheses that enclose the whole text."""
    while text.startswith("(") and text.endswith(")") and _closes_at_end(text):
        text = text[1:-1].strip()
    return text


def _closes_at_end(text: str) -> bool:
    depth = 0
    masked = strip_literals(text)
    for index, char in enumerate(masked):
        depth += (char == "(") - (char == ")")
        if depth == 0 and index < len(masked) - 1:
            return False
    return True
