"""The scenario catalog: one ``.sql`` file per named scenario in ``pgwatch/workload/scenarios``.

Each file starts with a header of ``-- `` lines::

    -- A user's summary card: distance, activity count and streaks.
    -- category: dashboard

The first lines describe the scenario; ``category`` is one of the grading categories. An
optional ``-- requires: public.some_view`` names relations without which the scenario cannot
run (the materialized views of migration 0003): it is left out of a phase where they are
missing, hence out of before/after comparisons.
The parameters are the ``%(name)s`` placeholders of the statement, filled by
:mod:`pgwatch.workload.params`. The same text runs on every schema state, so a speed-up
between two phases comes from the schema (indexes, triggers), never from a rewritten query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pgwatch.workload.grading import THRESHOLDS_MS

PACKAGE = "pgwatch.workload.scenarios"
_PARAM = re.compile(r"%\((\w+)\)s")
_HEADER = re.compile(r"^--\s*(category|requires):\s*(.+?)\s*$")


@dataclass(frozen=True, slots=True)
class Scenario:
    """One named statement of the workload."""

    name: str
    category: str
    description: str
    sql: str
    params: tuple[str, ...]
    requires: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        """Whether the statement changes data (writes run after every read of a phase)."""
        return self.category == "write"


def parse(name: str, text: str) -> Scenario:
    """Build a scenario from its file's text; a malformed header raises ValueError."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("-- "):
        raise ValueError(f"scenario {name}: the first line must be a '-- ' description")
    description: list[str] = []
    headers: dict[str, str] = {}
    for line in lines:
        match = _HEADER.match(line)
        if match:
            headers[match.group(1)] = match.group(2)
        elif line.startswith("-- ") and not headers:
            description.append(line[3:].strip())
        else:
            break
    category = headers.get("category", "")
    if category not in THRESHOLDS_MS:
        raise ValueError(f"scenario {name}: unknown category {category!r}")
    params = tuple(dict.fromkeys(_PARAM.findall(text)))
    requires = tuple(r.strip() for r in headers.get("requires", "").split(",") if r.strip())
    return Scenario(name, category, " ".join(description), text, params, requires)


@cache
def load_catalog() -> tuple[Scenario, ...]:
    """Every scenario shipped with pgwatch, sorted by category then name."""
    found = [parse(entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
             for entry in resources.files(PACKAGE).iterdir() if entry.name.endswith(".sql")]
    return tuple(sorted(found, key=lambda s: (s.writes, s.category, s.name)))


def select(names: str | None) -> tuple[Scenario, ...]:
    """The scenarios named in a comma-separated list (or categories), all when None."""
    catalog = load_catalog()
    if not names:
        return catalog
    wanted = [item.strip() for item in names.split(",") if item.strip()]
    chosen = [s for s in catalog if s.name in wanted or s.category in wanted]
    unknown = [w for w in wanted if not any(w in (s.name, s.category) for s in catalog)]
    if unknown:
        raise KeyError(", ".join(unknown))
    return tuple(chosen)
