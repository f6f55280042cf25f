"""Undo what psql adds around a plan people paste: header, dashes, ``+`` marks, row count."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DASHES = re.compile(r"^\s*[-─]+\s*$")
_ROW_COUNT = re.compile(r"^\s*\(\d+ rows?\)\s*$")
_CONTINUED = re.compile(r"\+$")


@dataclass(frozen=True, slots=True)
class Line:
    """A line of the input and its number in the original text (from 1)."""

    number: int
    text: str


def unwrap(text: str) -> list[Line]:
    """The plan's own lines: psql's decoration and the surrounding blank lines removed."""
    lines = [Line(n, raw.rstrip("\r")) for n, raw in enumerate(text.split("\n"), start=1)]
    lines = _trim_blank(lines)
    if len(lines) >= 2 and lines[0].text.strip() == "QUERY PLAN" and _DASHES.match(lines[1].text):
        lines = lines[2:]
    if lines and _ROW_COUNT.match(lines[-1].text):
        lines = lines[:-1]
    lines = _trim_blank(lines)
    if len(lines) > 1 and all(_CONTINUED.search(line.text) for line in lines[:-1]):
        # psql pads every line of a multi-line cell and marks all but the last with "+".
        lines = [Line(line.number, _CONTINUED.sub("", line.text).rstrip()) for line in lines]
    return [Line(line.number, line.text.rstrip()) for line in lines]


def _trim_blank(lines: list[Line]) -> list[Line]:
    start, end = 0, len(lines)
    while start < end and not lines[start].text.strip():
        start += 1
    while end > start and not lines[end - 1].text.strip():
        end -= 1
    return lines[start:end]
