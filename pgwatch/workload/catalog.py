"""The scenario catalog: one ``.sql`` file per named scenario in ``pgwatch/workload/scenarios``.

Each file starts with a header of ``-- `` lines::

    -- A user's summary card: distance, activity count and streaks.
    -- category: dashboard

The first lines describe the scenario; ``category`` is one of the grading categories. An
optional ``-- requires: public.some_view`` names relations without which the scenario cannot
run (the materialized views of migration 0003): it is left out of a phase where they are
missing, hence out of before/after comparisons.
The parameters are the ``%(name)s`` placeholders of the statement, filled by
:mod:`pgwatch.workload.params`.

A scenario may have a tuned form, ``<name>.tuned.sql``: the application's rewritten read that
the tuned schema makes possible (a leaderboard served from a materialized view). It has the
same header, must name what it ``requires`` and keep the scenario's category. The live form,
``<name>.sql``, is the same text on every schema state, so its speed-up between two phases
comes from the schema (indexes, triggers) alone. In a phase where the tuned form's relations
exist, the scenario runs its tuned form under its own name and its live form as
``<name>:live`` (see :func:`plan`); results say which form a row measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from pgwatch.workload.grading import THRESHOLDS_MS

PACKAGE = "pgwatch.workload.scenarios"
TUNED_SUFFIX = ".tuned.sql"
LIVE_SUFFIX = ":live"
LIVE = "live"
TUNED = "tuned"
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
    # The rewritten read of the tuned schema, if there is one; "live" or "tuned" for this text.
    tuned: Scenario | None = None
    form: str = LIVE

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


def parse_tuned(base: Scenario, text: str) -> Scenario:
    """Attach the tuned form in ``text`` to ``base``; a tuned form must require something."""
    tuned = replace(parse(base.name, text), form=TUNED)
    if not tuned.requires:
        raise ValueError(f"scenario {base.name}: its tuned form names no '-- requires:'")
    if tuned.category != base.category:
        raise ValueError(f"scenario {base.name}: its tuned form's category {tuned.category!r} "
                         f"is not {base.category!r}")
    return replace(base, tuned=tuned)


def build(files: dict[str, str]) -> tuple[Scenario, ...]:
    """Scenarios from ``{file name: text}``, tuned forms attached, writes last, then by name."""
    tuned = {name.removesuffix(TUNED_SUFFIX): text for name, text in files.items()
             if name.endswith(TUNED_SUFFIX)}
    found = {name.removesuffix(".sql"): parse(name.removesuffix(".sql"), text)
             for name, text in files.items()
             if name.endswith(".sql") and not name.endswith(TUNED_SUFFIX)}
    orphans = sorted(set(tuned) - set(found))
    if orphans:
        raise ValueError(f"scenario {orphans[0]}: a tuned form without a live form")
    for name, text in tuned.items():
        found[name] = parse_tuned(found[name], text)
    return tuple(sorted(found.values(), key=lambda s: (s.writes, s.category, s.name)))


@cache
def load_catalog() -> tuple[Scenario, ...]:
    """Every scenario shipped with pgwatch, sorted by category then name."""
    return build({entry.name: entry.read_text(encoding="utf-8")
                  for entry in resources.files(PACKAGE).iterdir()
                  if entry.name.endswith(".sql")})


def plan(scenarios: tuple[Scenario, ...], present: set[str]) -> tuple[Scenario, ...]:
    """What a phase runs, given the relations ``present``.

    A scenario whose tuned form can run becomes two: the tuned form under the scenario's name,
    and the live form as ``<name>:live``, kept to show what the schema did for the live query.
    A scenario whose own requirements are missing is left out.
    """
    chosen: list[Scenario] = []
    for scenario in scenarios:
        if not set(scenario.requires) <= present:
            continue
        if scenario.tuned is not None and set(scenario.tuned.requires) <= present:
            chosen.append(scenario.tuned)
            chosen.append(replace(scenario, name=scenario.name + LIVE_SUFFIX, tuned=None))
        else:
            chosen.append(scenario)
    return tuple(chosen)


def base_name(name: str) -> str:
    """The scenario a result row belongs to: ``x:live`` belongs to ``x``."""
    return name.removesuffix(LIVE_SUFFIX)


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
