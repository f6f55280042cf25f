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
_WORD = re.compile(rf"(?<![:\w.$'\"])(?P<ref>{_IDENT}(?:\.{_IDENT})?)(?![\w(])")
_TYPE_CAST = re.compile(r"::[a-z_]+(?: [a-z_]+)*(?:\[\])?")
_COMPARISON = re.compile(r" (?P<op>=|<>|!=|<=|>=|<|>|!?~~\*?|IS (?:NOT )?DISTINCT FROM) ")
_QUALIFIER = re.compile(rf"(?<![\w.$\"']){_IDENT}\.(?=[A-Za-z_\"])")
_TRAILING_CAST = re.compile(r"\)::(?P<type>[a-z_]+(?: [a-z_]+)*)$")
_LEADING_CALL = re.compile(rf"^\(*(?P<name>{_IDENT})\(")
_LEADING_WILDCARD = re.compile(r"(?P<op>!?~~\*?)\s+'(?P<pattern>%(?:[^']|'')*)'")
_KEYWORDS = frozenset({
    "and", "or", "not", "is", "null", "true", "false", "any", "all", "some", "array", "in",
    "like", "ilike", "between", "distinct", "from", "case", "when", "then", "else", "end",
    "hashed", "subplan", "initplan", "row", "exists", "unknown", "interval", "at", "time",
    "zone", "with", "without", "collate", "escape", "similar", "to", "symmetric", "default",
    "alternatives",
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


@dataclass(frozen=True, slots=True)
class Comparison:
    """One conjunct as ``left op right`` (outer parentheses removed)."""

    left: str
    op: str
    right: str


@dataclass(frozen=True, slots=True)
class IndexShape:
    """An index that would serve a condition: key columns or ``(expr)``, and a WHERE."""

    keys: tuple[str, ...]
    where: tuple[str, ...]

    def sql(self, relation: str) -> str:
        where = f" WHERE {' AND '.join(self.where)}" if self.where else ""
        return f"CREATE INDEX CONCURRENTLY ON {relation} ({', '.join(self.keys)}){where}"


def comparison(part: str) -> Comparison | None:
    """Split a conjunct at its top-level comparison operator; None for a bare boolean test."""
    masked = strip_literals(part)
    depth = 0
    for index, char in enumerate(masked):
        depth += (char == "(") - (char == ")")
        if depth == 0 and char == " ":
            match = _COMPARISON.match(masked, index)
            if match:
                return Comparison(_unwrap(part[:index].strip()), match.group("op"),
                                  _unwrap(part[match.end():].strip()))
    return None


def wrapped_columns(text: str | None) -> tuple[WrappedColumn, ...]:
    """Columns compared through a function, a cast or an expression: not sargable."""
    found: list[WrappedColumn] = []
    for part in conjuncts(text):
        compared = comparison(part)
        if compared is not None:
            found.extend(w for side in (compared.left, compared.right)
                         if (w := _wrapped_side(side)) is not None)
    return tuple(found)


def index_shape(text: str | None) -> IndexShape:
    """Equality keys first, then ranges, then the rest; boolean and NULL tests as a WHERE."""
    equal: list[str] = []
    ranged: list[str] = []
    where: list[str] = []
    for part in conjuncts(text):
        compared = comparison(part)
        if compared is None:
            if columns(part):
                where.append(unqualified(part))
            continue
        if "~~" in compared.op and leading_wildcards(part):
            continue  # no btree serves LIKE '%...'
        (equal if compared.op == "=" else ranged).extend(_key(compared))
    keys = tuple(dict.fromkeys(equal + ranged))
    if not keys:
        return IndexShape(tuple(dict.fromkeys(c for w in where for c in columns(w))), ())
    return IndexShape(keys, tuple(where))


def equality_columns(text: str | None) -> tuple[str, ...]:
    """Columns a condition pins to one value (``=``, ``= ANY``, a boolean test, IS NULL)."""
    found: list[str] = []
    for part in conjuncts(text):
        compared = comparison(part)
        if compared is None:
            found.extend(columns(part))
        elif compared.op == "=":
            for side in (compared.left, compared.right):
                if _COLUMN.match(strip_literals(side).strip()):
                    found.extend(columns(side))
    return tuple(dict.fromkeys(found))


def unqualified(text: str) -> str:
    """The text with ``alias.`` removed before column names (SQL to run names them bare)."""
    masked = strip_literals(text)
    out, last = [], 0
    for match in _QUALIFIER.finditer(masked):
        out.append(text[last:match.start()])
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def _wrapped_side(side: str) -> WrappedColumn | None:
    masked = strip_literals(side).strip()
    found = columns(side)
    if not found or masked.upper().startswith("ROW("):
        return None
    if _COLUMN.match(masked):
        cast = _CAST.search(masked)
        kind = " ".join(cast.group("type").split()).lower() if cast else None
        if kind is None or kind in _HARMLESS_CASTS:
            return None
        return WrappedColumn(found[0], f"::{kind}", f"({found[0]})::{kind}")
    return WrappedColumn(found[0], _wrapper(masked), unqualified(side.strip()))


def _wrapper(masked: str) -> str:
    cast = _TRAILING_CAST.search(masked)
    if cast:
        return f"::{cast.group('type')}"
    call = _LEADING_CALL.match(masked)
    return f"{call.group('name')}()" if call else "an expression"


def _key(compared: Comparison) -> tuple[str, ...]:
    for side in (compared.left, compared.right):
        masked = strip_literals(side).strip()
        if masked.upper().startswith("ROW("):
            # A row comparison, (a, b) < (x, y): a btree on (a, b) serves it.
            return columns(side)
        wrapped = _wrapped_side(side)
        if wrapped is not None:
            return (f"({wrapped.expression})",)
        if _COLUMN.match(masked) and columns(side):
            return columns(side)[:1]
    return ()


def index_keys(text: str | None) -> tuple[str, ...]:
    """The key columns (or ``(expr)``) of an index serving the condition."""
    return index_shape(text).keys


def like_operand(condition: str | None) -> tuple[str, str]:
    """The column a leading-wildcard LIKE tests, and what a trigram index is on (it or
    ``(expr)``)."""
    for part in conjuncts(condition):
        compared = comparison(part)
        if compared is None or "~~" not in compared.op or compared.op.startswith("!") \
                or not leading_wildcards(part):
            continue
        found = columns(compared.left)
        if found:
            wrapped = wrapped_columns(part)
            return found[0], f"({wrapped[0].expression})" if wrapped else found[0]
    return "the column", "the_column"


def leading_wildcards(text: str | None) -> tuple[str, ...]:
    """LIKE/ILIKE patterns (``~~``, ``~~*``) that start with ``%``."""
    if not text:
        return ()
    return tuple(match.group("pattern").replace("''", "'")
                 for match in _LEADING_WILDCARD.finditer(text)
                 if not match.group("op").startswith("!"))


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
