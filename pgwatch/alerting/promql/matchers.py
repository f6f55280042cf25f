"""Label matchers, with regular expressions anchored and compiled by RE2 as Prometheus does."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import re2

from pgwatch.alerting.promql.errors import PromQLError
from pgwatch.alerting.promql.formatting import go_quote
from pgwatch.alerting.promql.values import Labels


class MatchOp(enum.StrEnum):
    """The four matcher operators."""

    EQUAL = "="
    NOT_EQUAL = "!="
    REGEX = "=~"
    NOT_REGEX = "!~"


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # errors are raised, not also printed on stderr


def _compile(pattern: str) -> Any:
    # Prometheus anchors every label regex at both ends: ``^(?:re)$`` (Go's RE2 syntax).
    if _has_angle_group(pattern):
        raise PromQLError(f"invalid regular expression {pattern!r}: invalid or unsupported "
                          "Perl syntax: `(?<` (Go 1.19 knows only (?P<name>...))",
                          construct="regular expression")
    try:
        return re2.compile("^(?:" + pattern + ")$", _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise PromQLError(f"invalid regular expression {pattern!r}: {reason}",
                          construct="regular expression") from exc


def _has_angle_group(pattern: str) -> bool:
    """``(?<name>...)``, outside escapes and classes: RE2 accepts it, Go 1.19 (Prometheus
    2.42's regexp) does not."""
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i += 2 if pattern.startswith("[]", i) or pattern.startswith("[^]", i) else 1
            continue
        elif pattern.startswith("(?<", i):
            return True
        i += 1
    return False


@dataclass(frozen=True, slots=True)
class Matcher:
    """``name op value``; a missing label matches as the empty string."""

    name: str
    op: MatchOp
    value: str
    _regex: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, name: str, op: MatchOp, value: str) -> Matcher:
        """A matcher with its regular expression compiled once."""
        regex = _compile(value) if op in (MatchOp.REGEX, MatchOp.NOT_REGEX) else None
        return cls(name, op, value, regex)

    def matches(self, value: str) -> bool:
        """Whether a label value (``""`` when the label is missing) matches."""
        if self.op is MatchOp.EQUAL:
            return value == self.value
        if self.op is MatchOp.NOT_EQUAL:
            return value != self.value
        found = self._regex.search(value) is not None
        return found if self.op is MatchOp.REGEX else not found

    def __str__(self) -> str:
        return f"{self.name}{self.op.value}{go_quote(self.value)}"


def label_value(labels: Labels, name: str) -> str:
    """A label's value, or ``""`` when the label set has no such label."""
    for key, value in labels:
        if key == name:
            return value
    return ""


def matches_all(matchers: tuple[Matcher, ...], labels: Labels) -> bool:
    """Whether a label set satisfies every matcher."""
    return all(m.matches(label_value(labels, m.name)) for m in matchers)
