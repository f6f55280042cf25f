"""The advisor in each database of a target that watches several (``databases:``).

The advisor reads one database's statements and plans them there, so a target that watches
many databases gets one run per database, the largest first and at most
``ADVISED_DATABASES`` of them; their recommendations are merged, best first, each naming its
database (``evidence["datname"]``), which the report shows beside it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from psycopg.conninfo import make_conninfo

from pgwatch.report.source import AdviceResult, run_advisor

if TYPE_CHECKING:
    from pgwatch.explain.advisor.hygiene import UsageEvidence
    from pgwatch.explain.advisor.run import Advice

ADVISED_DATABASES = 10
UsageFor = Callable[[str], "UsageEvidence | None"]


def advise_databases(dsn: str, where: str, databases: Sequence[str],
                     usage_for: UsageFor) -> AdviceResult:
    """The advice of every database in ``databases`` (largest first), merged."""
    advised: list[tuple[str, Advice]] = []
    notes: list[str] = []
    for name in databases[:ADVISED_DATABASES]:
        result = run_advisor(make_conninfo(dsn, dbname=name), f"{where}: database {name!r}",
                             usage_for(name))
        if result.advice is None:
            notes.append(str(result.missing))  # it names the database
        else:
            advised.append((name, result.advice))
    if len(databases) > ADVISED_DATABASES:
        notes.append(f"the advisor ran in the {ADVISED_DATABASES} largest of "
                     f"{len(databases)} databases")
    if not advised:
        return AdviceResult(None, "; ".join(notes) or "no database watched")
    return AdviceResult(merged(advised, notes), None)


def merged(advised: Sequence[tuple[str, Advice]], notes: Sequence[str]) -> Advice:
    """One advice for the instance: every database's recommendations, best first."""
    first = advised[0][1]
    recommendations = sorted(
        (dataclasses.replace(r, evidence={"datname": name, **r.evidence})
         for name, advice in advised for r in advice.recommendations),
        key=lambda r: -r.impact)
    own = [f"database {name}: {note}" for name, advice in advised for note in advice.notes]
    return dataclasses.replace(
        first, hypopg=all(a.hypopg for _n, a in advised),
        statements_read=sum(a.statements_read for _n, a in advised),
        statements_planned=sum(a.statements_planned for _n, a in advised),
        stats_age_s=max(a.stats_age_s for _n, a in advised),
        duration_s=sum(a.duration_s for _n, a in advised),
        recommendations=tuple(recommendations), notes=(*notes, *own))
