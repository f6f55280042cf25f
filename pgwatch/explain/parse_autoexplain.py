"""auto_explain entries from a server log (``LOG:  duration: 1.2 ms  plan:`` + the plan).

The server writes the plan after the log line, each continuation line indented by a tab;
the JSON format carries the query in ``"Query Text"``, the text format on a ``Query Text:``
line. One entry is read: the first, or the one asked for.
"""

from __future__ import annotations

import json
import re

from pgwatch.explain import parse_json, parse_text
from pgwatch.explain.parse_paste import Line
from pgwatch.explain.plan import Plan, PlanError

_ENTRY = re.compile(r"\bLOG:\s+duration: (?P<ms>[\d.]+) ms\s+plan:\s*(?P<rest>.*)$")


def looks_like_log(text: str) -> bool:
    """Whether ``text`` holds an auto_explain log line."""
    return any(_ENTRY.search(line) for line in text.splitlines())


def parse(text: str, *, source: str, entry: int = 1) -> Plan:
    """The plan of auto_explain entry number ``entry`` (from 1) in ``text``."""
    lines = text.split("\n")
    found = [(index, match) for index, raw in enumerate(lines)
             if (match := _ENTRY.search(raw)) is not None]
    if not found:
        raise PlanError(f"{source}: no auto_explain entry ('LOG:  duration: ... ms  plan:')")
    if not 1 <= entry <= len(found):
        raise PlanError(f"{source}: --entry {entry}: the log has {len(found)} auto_explain "
                        f"entr{'y' if len(found) == 1 else 'ies'}")
    index, match = found[entry - 1]
    body = _continuation(lines, index + 1)
    if match.group("rest"):
        body.insert(0, Line(index + 1, match.group("rest")))
    return _plan(body, float(match.group("ms")), source, index + 1)


def _continuation(lines: list[str], start: int) -> list[Line]:
    body: list[Line] = []
    for number, raw in enumerate(lines[start:], start=start + 1):
        if raw.startswith("\t"):
            body.append(Line(number, raw[1:].rstrip("\r")))
        elif raw.strip() and body:
            break
        elif raw.strip():
            # A log without continuation tabs (copied, or re-indented): take until the next entry.
            if _ENTRY.search(raw) or re.match(r"^\d{4}-\d\d-\d\d ", raw):
                break
            body.append(Line(number, raw.rstrip("\r")))
    return body


def _plan(body: list[Line], duration_ms: float, source: str, entry_line: int) -> Plan:
    if not body:
        raise PlanError(f"{source}: line {entry_line}: auto_explain entry without a plan")
    first = next(line for line in body if line.text.strip())
    if first.text.strip().startswith("{"):
        text = "\n".join(line.text for line in body)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            number = body[0].number + exc.lineno - 1
            raise PlanError(f"{source}: line {number}: auto_explain JSON plan is not valid: "
                            f"{exc.msg}") from None
        plan = parse_json.from_document(document, source=source)
        return _with_duration(plan, duration_ms)
    return parse_text.parse_lines(body, source=source, duration_ms=duration_ms)


def _with_duration(plan: Plan, duration_ms: float) -> Plan:
    from dataclasses import replace

    return replace(plan, duration_ms=duration_ms)
