"""A plan in any supported format, read by the parser its first lines call for."""

from __future__ import annotations

from pgwatch.explain import parse_autoexplain, parse_json, parse_paste, parse_text
from pgwatch.explain.plan import Plan, PlanError


def parse_plan(text: str, *, source: str, entry: int = 1) -> Plan:
    """Read a plan in any supported format; ``source`` (a file name, ``-``) names it in errors.

    ``entry`` picks one auto_explain entry of a server log (from 1); other inputs hold one plan.
    """
    stripped = text.strip()
    if not stripped:
        raise PlanError(f"{source}: empty input, expected an EXPLAIN plan")
    if parse_autoexplain.looks_like_log(stripped):
        return parse_autoexplain.parse(text, source=source, entry=entry)
    if entry != 1:
        raise PlanError(f"{source}: --entry {entry}: not a server log, it holds one plan")
    lines = parse_paste.unwrap(text)
    if not lines:
        raise PlanError(f"{source}: only psql's header, expected an EXPLAIN plan")
    first = lines[0].text.strip()
    if first.startswith(("<explain", "<?xml")) or first.startswith("- Plan:"):
        kind = "YAML" if first.startswith("-") else "XML"
        raise PlanError(f"{source}: line {lines[0].number}: EXPLAIN (FORMAT {kind}) output; "
                        "give FORMAT JSON or the text format")
    if first[:1] in ("[", "{"):
        body = "\n".join(line.text for line in lines)
        return parse_json.parse(body, source=source, first_line=lines[0].number)
    return parse_text.parse_lines(lines, source=source)
