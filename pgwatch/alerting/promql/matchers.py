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


def _compile(pattern: str) -> Any:
    # Prometheus anchors every label regex at both ends: ``^(?:re)$`` (Go's RE2 syntax).
    try:
        return re2.compile("^(?:" + pattern + ")$")
    except re2.error as exc:
        raise PromQLError(f"invalid regular expression {pattern!r}: {exc}",
                          construct="regular expression") from exc


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
