"""Pick ``<name>.sql`` or the newest ``<name>.pgNN.sql`` with NN not above the server's major.

``statements.sql`` is the base; ``statements.pg17.sql`` applies from PostgreSQL 17 on.
Every variant starts with a ``-- `` comment saying what changed.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_VARIANT = re.compile(r"^(?P<name>.+?)(?:\.pg(?P<major>\d+))?\.sql$")


@cache
def variants(package: str, name: str) -> dict[int, str]:
    """Every variant of ``name`` in ``package``: {minimum major (0 for the base): file name}."""
    found: dict[int, str] = {}
    for entry in resources.files(package).iterdir():
        match = _VARIANT.match(entry.name)
        if match and match.group("name") == name:
            found[int(match.group("major") or 0)] = entry.name
    return found


@cache
def load_sql(package: str, name: str, version_num: int = 0) -> str:
    """The text of the variant of ``name`` for a server (``server_version_num``, 0 = base)."""
    major = version_num // 10_000
    candidates = {m: f for m, f in variants(package, name).items() if m <= major or m == 0}
    if not candidates:
        raise FileNotFoundError(f"{package}: no {name}.sql (nor a variant for PostgreSQL {major})")
    chosen = candidates[max(candidates)]
    return resources.files(package).joinpath(chosen).read_text(encoding="utf-8")
