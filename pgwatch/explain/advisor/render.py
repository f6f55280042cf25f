"""Advice as a DBA reads it (text), or as a program reads it (JSON)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any

from pgwatch.explain.advisor.run import Advice

HOUR_S = 3600.0


def as_document(advice: Advice) -> dict[str, Any]:
    return {"target": advice.target, "server_version": advice.server_version,
            "hypopg": advice.hypopg, "statements_read": advice.statements_read,
            "statements_planned": advice.statements_planned,
            "statistics_age_seconds": round(advice.stats_age_s, 1),
            "duration_seconds": round(advice.duration_s, 3), "notes": list(advice.notes),
            "recommendations": [r.as_json() for r in advice.recommendations]}


def as_json(advices: Sequence[Advice]) -> str:
    """One target: the document itself; several (``-c``): ``{"targets": [...]}``."""
    if len(advices) == 1:
        return json.dumps(as_document(advices[0]), indent=2, default=str)
    return json.dumps({"targets": [as_document(a) for a in advices]}, indent=2, default=str)


def as_text(advice: Advice) -> str:
    lines = [f"pgwatch advise: {advice.target} (PostgreSQL {advice.server_version}): "
             f"{advice.statements_planned} of {advice.statements_read} top statements planned, "
             f"hypopg {'installed' if advice.hypopg else 'not installed'}, statistics of the "
             f"last {advice.stats_age_s / HOUR_S:.1f} h, {advice.duration_s:.1f} s"]
    if not advice.recommendations:
        lines.append("no recommendation: the statements read are served as they are")
    for rank, item in enumerate(advice.recommendations, start=1):
        flags = [item.kind, f"impact {item.impact:,.1f}"]
        if item.kind == "create_index":
            flags.append("validated" if item.validated else "not validated")
        if item.confidence != "high":
            flags.append(f"{item.confidence} confidence")
        lines.append(f"\n{rank:>2}. [{', '.join(flags)}]")
        lines.append(textwrap.indent(item.sql + ";", "    "))
        lines += textwrap.wrap(item.reason, 96, initial_indent="    why: ",
                               subsequent_indent="         ")
        if item.queryids:
            lines.append(f"    statements: {', '.join(item.queryids[:8])}"
                         + (" ..." if len(item.queryids) > 8 else ""))
    lines += [f"note: {note}" for note in advice.notes[:10]]
    return "\n".join(lines)
