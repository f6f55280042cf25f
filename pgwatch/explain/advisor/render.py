"""Advice as a DBA reads it (text), or as a program reads it (JSON).

Advice over several databases (a target with ``databases:``) names the database of every
recommendation: a ``database`` field in JSON; in text a ``database`` column and the psql
``\\connect`` to run first (a server setting names none: ``ALTER SYSTEM`` is the instance's).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from typing import Any

from pgwatch.explain.advisor.databases import database_of
from pgwatch.explain.advisor.model import Recommendation
from pgwatch.explain.advisor.run import Advice

HOUR_S = 3600.0
INSTANCE = "(instance)"
_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_$]*")
_URI_PREFIXES = ("postgresql://", "postgres://")


def as_document(advice: Advice) -> dict[str, Any]:
    document = {"target": advice.target, "server_version": advice.server_version,
                "hypopg": advice.hypopg, "statements_read": advice.statements_read,
                "statements_planned": advice.statements_planned,
                "statistics_age_seconds": round(advice.stats_age_s, 1),
                "duration_seconds": round(advice.duration_s, 3), "notes": list(advice.notes),
                "recommendations": [_item(advice, r) for r in advice.recommendations]}
    if advice.databases:
        document["databases"] = list(advice.databases)
    return document


def _item(advice: Advice, item: Recommendation) -> dict[str, Any]:
    if not advice.databases:
        return item.as_json()
    return {"database": database_of(item), **item.as_json()}


def as_json(advices: Sequence[Advice]) -> str:
    """One target: the document itself; several (``-c``): ``{"targets": [...]}``."""
    if len(advices) == 1:
        return json.dumps(as_document(advices[0]), indent=2, default=str)
    return json.dumps({"targets": [as_document(a) for a in advices]}, indent=2, default=str)


def psql_connect(database: str) -> str:
    """The psql meta-command that moves the session to ``database``: a plain name as it is,
    another single-quoted for psql, and one psql would read as a connection string (an ``=``
    or a URI) as ``dbname='...'`` in libpq's quoting inside psql's, reusing host and user."""
    if _PLAIN_NAME.fullmatch(database):
        return f"\\connect {database}"
    command = "\\connect"
    if "=" in database or database.startswith(_URI_PREFIXES):
        libpq = database.replace("\\", "\\\\").replace("'", "\\'")
        # A connection string reuses nothing unless asked: host, port and user are kept.
        command, database = "\\connect -reuse-previous=on", f"dbname='{libpq}'"
    # psql reads C-like backslash escapes in single quotes too: a backslash is doubled.
    return f"{command} '" + database.replace("\\", "\\\\").replace("'", "''") + "'"


def as_text(advice: Advice) -> str:
    lines = [_headline(advice)]
    if not advice.recommendations:
        lines.append("no recommendation: the statements read are served as they are")
    if advice.databases:
        lines += _by_database(advice)
    else:
        for rank, item in enumerate(advice.recommendations, start=1):
            lines.append(f"\n{rank:>2}. [{', '.join(_flags(item))}]")
            lines += _body(item, "    ")
    lines += [f"note: {note}" for note in advice.notes[:10]]
    return "\n".join(lines)


def _headline(advice: Advice) -> str:
    where = advice.target
    if advice.databases:
        where += f", {len(advice.databases)} databases ({', '.join(advice.databases)})"
    return (f"pgwatch advise: {where} (PostgreSQL {advice.server_version}): "
            f"{advice.statements_planned} of {advice.statements_read} top statements planned, "
            f"hypopg {'installed' if advice.hypopg else 'not installed'}, statistics of the "
            f"last {advice.stats_age_s / HOUR_S:.1f} h, {advice.duration_s:.1f} s")


def _by_database(advice: Advice) -> list[str]:
    """A table whose rows are the recommendations, each followed by what to run where."""
    names = [database_of(r) or INSTANCE for r in advice.recommendations]
    width = max([len("database"), *map(len, names)])
    lines = [f"\nrank  {'database':<{width}}  recommendation"] if names else []
    for rank, (name, item) in enumerate(zip(names, advice.recommendations, strict=True),
                                        start=1):
        lines.append(f"{rank:>4}  {name:<{width}}  [{', '.join(_flags(item))}]")
        where = database_of(item)
        if where is not None:
            lines.append(f"      {psql_connect(where)}")
        lines += _body(item, "      ")
    return lines


def _flags(item: Recommendation) -> list[str]:
    flags = [item.kind, f"impact {item.impact:,.1f}"]
    if item.kind == "create_index":
        flags.append("validated" if item.validated else "not validated")
    if item.confidence != "high":
        flags.append(f"{item.confidence} confidence")
    return flags


def _body(item: Recommendation, indent: str) -> list[str]:
    lines = [textwrap.indent(item.sql + ";", indent)]
    lines += textwrap.wrap(item.reason, 96, initial_indent=f"{indent}why: ",
                           subsequent_indent=indent + "     ")
    if item.queryids:
        lines.append(f"{indent}statements: {', '.join(item.queryids[:8])}"
                     + (" ..." if len(item.queryids) > 8 else ""))
    return lines
