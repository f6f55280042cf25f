"""The advisor in each database of a target that watches several (``databases:``), merged.

The advisor reads one database's statements and plans them there, so a target that watches
many databases gets one run per database; their recommendations are merged, best first, each
naming its database (``evidence["datname"]``). A server setting (``ALTER SYSTEM``) is the
instance's, whichever database's run found it: it is kept once, naming no database.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence

import psycopg
from psycopg.conninfo import make_conninfo

from pgwatch.db.session import describe
from pgwatch.errors import PgwatchError
from pgwatch.explain.advisor.hygiene import UsageEvidence
from pgwatch.explain.advisor.model import SETTING, Recommendation
from pgwatch.explain.advisor.run import Advice, AdviseOptions, advise
from pgwatch.explain.advisor.sources import AdvisorError

log = logging.getLogger(__name__)
UsageFor = Callable[[str], UsageEvidence | None]
DATNAME = "datname"


def database_of(item: Recommendation) -> str | None:
    """The database a recommendation is run in; None for one database or a server setting."""
    value = item.evidence.get(DATNAME)
    return None if value is None else str(value)


def advise_databases(dsn: str, where: str, databases: Sequence[str], options: AdviseOptions,
                     usage_for: UsageFor, *, limit: int | None = None) -> Advice:
    """The advice of the first ``limit`` of ``databases`` (all by default), merged; a database
    that cannot be advised is noted and the others go on. AdvisorError when none can be."""
    chosen = databases if limit is None else databases[:limit]
    advised: list[tuple[str, Advice]] = []
    notes: list[str] = []
    for name in chosen:
        try:
            advised.append((name, advise(make_conninfo(dsn, dbname=name), options,
                                         where=f"{where}: database {name!r}",
                                         usage=usage_for(name))))
        except (PgwatchError, psycopg.Error) as exc:
            log.info("advisor unavailable for %s: database %r: %s", where, name, exc)
            notes.append(_first_line(exc))  # it names the database
    if len(chosen) < len(databases):
        notes.append(f"the advisor ran in {len(chosen)} of {len(databases)} databases")
    if not advised:
        raise AdvisorError("; ".join(notes) or f"{where}: no database is watched")
    return merged(describe(dsn), advised, notes)


def merged(target: str, advised: Sequence[tuple[str, Advice]], notes: Sequence[str]) -> Advice:
    """One advice for the instance: every database's recommendations, best first."""
    first = advised[0][1]
    own = _notes(advised)
    return dataclasses.replace(
        first, target=target, hypopg=all(a.hypopg for _n, a in advised),
        statements_read=sum(a.statements_read for _n, a in advised),
        statements_planned=sum(a.statements_planned for _n, a in advised),
        stats_age_s=max(a.stats_age_s for _n, a in advised),
        duration_s=sum(a.duration_s for _n, a in advised),
        recommendations=_ranked(advised), notes=(*notes, *own),
        databases=tuple(name for name, _a in advised))


def _ranked(advised: Sequence[tuple[str, Advice]]) -> tuple[Recommendation, ...]:
    found: list[Recommendation] = []
    settings: dict[str, Recommendation] = {}
    for name, advice in advised:
        for item in advice.recommendations:
            if item.kind == SETTING:  # the best of each setting, for the whole instance
                key = item.sql.split(" = ", 1)[0]
                if key not in settings or settings[key].impact < item.impact:
                    settings[key] = item
            else:
                found.append(dataclasses.replace(item, evidence={DATNAME: name,
                                                                 **item.evidence}))
    return tuple(sorted([*found, *settings.values()], key=lambda r: -r.impact))


def _notes(advised: Sequence[tuple[str, Advice]]) -> list[str]:
    """Each database's notes, a note that several databases share once, naming them all."""
    where: dict[str, list[str]] = {}
    for name, advice in advised:
        for note in advice.notes:
            where.setdefault(note, []).append(name)
    return [f"database{'s' if len(names) > 1 else ''} {', '.join(names)}: {note}"
            for note, names in where.items()]


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
