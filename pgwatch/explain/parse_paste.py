"""Undo what psql adds around a plan people paste: header, dashes, ``+`` marks, row count."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DASHES = re.compile(r"^\s*[-─]+\s*$")
_ROW_COUNT = re.compile(r"^\s*\(\d+ rows?\)\s*$")
_CONTINUED = re.compile(r"\+$")
_RECORD = re.compile(r"^-\[ RECORD \d+ \]-*$")
_EXPANDED_VALUE = re.compile(r"^(?:QUERY PLAN *| +)\| ?(?P<value>.*)$")


@dataclass(frozen=True, slots=True)
class Line:
    """A line of the input and its number in the original text (from 1)."""

    number: int
    text: str


def unwrap(text: str) -> list[Line]:
    """The plan's own lines: psql's decoration and the surrounding blank lines removed."""
    lines = [Line(n, raw.rstrip("\r")) for n, raw in enumerate(text.split("\n"), start=1)]
    lines = _trim_blank(lines)
    if lines and _RECORD.match(lines[0].text.strip()):
        lines = _expanded(lines)
    header = _header(lines)
    if header is not None:
        # Anything above psql's header is the prompt and the statement that was typed.
        lines = lines[header + 2:]
    if lines and _ROW_COUNT.match(lines[-1].text):
        lines = lines[:-1]
    lines = _trim_blank(lines)
    if len(lines) > 1 and all(_CONTINUED.search(line.text) for line in lines[:-1]):
        # psql pads every line of a multi-line cell and marks all but the last with "+".
        lines = [Line(line.number, _CONTINUED.sub("", line.text).rstrip()) for line in lines]
    return [Line(line.number, line.text.rstrip()) for line in lines]


def _expanded(lines: list[Line]) -> list[Line]:
    """psql's expanded output (``\\x``): one ``-[ RECORD n ]`` block per plan line."""
    kept = []
    for line in lines:
        value = _EXPANDED_VALUE.match(line.text)
        if value is not None:
            kept.append(Line(line.number, value.group("value")))
        elif line.text.strip() and not _RECORD.match(line.text.strip()):
            kept.append(line)
    return kept


def _header(lines: list[Line]) -> int | None:
    """Where psql's ``QUERY PLAN`` header is (its dashes follow it), if anywhere."""
    for index, line in enumerate(lines[:-1]):
        if line.text.strip() == "QUERY PLAN" and _DASHES.match(lines[index + 1].text):
            return index
    return None


def _trim_blank(lines: list[Line]) -> list[Line]:
    start, end = 0, len(lines)
    while start < end and not lines[start].text.strip():
        start += 1
    while end > start and not lines[end - 1].text.strip():
        end -= 1
    return lines[start:end]
