"""``status`` and ``verify``: what is applied, and whether the database matches it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg.rows import dict_row

from pgwatch.migrations import indexes, ledger, objects
from pgwatch.migrations.ledger import Connection, Ledger
from pgwatch.migrations.objects import DbObject
from pgwatch.migrations.runner import Runner

_RELKINDS = {"table": "rp", "view": "v", "materialized view": "m", "index": "iI"}
_QUERIES = {"function": "object_function", "procedure": "object_function",
            "trigger": "object_trigger", "schema": "object_schema"}


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One migration of the folder and its state in the database."""

    version: int
    label: str
    state: str
    applied_at: datetime | None


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of ``verify``: how much was checked and every problem found."""

    migrations: int
    objects: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems


def status(runner: Runner) -> list[StatusRow]:
    """Every migration of the folder: applied (or edited since), partial, or pending."""
    with runner.session() as conn:
        state = ledger.read(conn)
    applied = {row.version: row for row in state.applied}
    rows = []
    for migration in runner.migrations:
        row = applied.get(migration.version)
        reverting = state.finished(migration.version, "down")
        if row is not None and reverting:
            rows.append(StatusRow(migration.version, migration.label,
                                  f"partly reverted ({len(reverting)}/"
                                  f"{len(migration.down.steps)} steps)", row.applied_at))
        elif row is not None:
            edited = (row.up_checksum, row.down_checksum) != (migration.up.checksum,
                                                              migration.down.checksum)
            rows.append(StatusRow(migration.version, migration.label,
                                  "EDITED" if edited else "applied", row.applied_at))
        elif state.finished(migration.version, "up"):
            done = len(state.finished(migration.version, "up"))
            rows.append(StatusRow(migration.version, migration.label,
                                  f"partial ({done}/{len(migration.up.steps)} steps)", None))
        else:
            rows.append(StatusRow(migration.version, migration.label, "pending", None))
    return rows


def verify(runner: Runner) -> Verification:
    """Check checksums, leftover partial runs, expected objects and index validity."""
    with runner.session() as conn:
        state = runner.require_ledger(conn)
        problems = _checksum_problems(runner, state) + _partial_problems(state)
        applied = [m for m in runner.migrations if m.version in state.applied_versions()]
        expected = objects.expected([m.up for m in applied])
        problems += [p for obj in sorted(expected) if (p := _object_problem(conn, obj))]
        problems += [f"index {name} is INVALID (an interrupted concurrent build); "
                     "`pgwatch migrate up` rebuilds those the migrations create"
                     for name in indexes.all_invalid(conn)
                     if DbObject("index", *name.split(".", 1)) not in expected]
    return Verification(len(applied), len(expected), tuple(problems))


def _checksum_problems(runner: Runner, state: Ledger) -> list[str]:
    by_version = {m.version: m for m in runner.migrations}
    problems = []
    for row in state.applied:
        migration = by_version.get(row.version)
        if migration is None:
            problems.append(f"migration {row.version:04d}_{row.name} is applied but its files "
                            "are missing")
            continue
        for script, recorded in ((migration.up, row.up_checksum),
                                 (migration.down, row.down_checksum)):
            if script.checksum != recorded:
                problems.append(f"{script.path}: edited after it was applied")
    return problems


def _partial_problems(state: Ledger) -> list[str]:
    versions = sorted({(s.version, s.direction) for s in state.done_steps})
    return [f"migration {version:04d} {direction} stopped half-way; run `pgwatch migrate "
            f"{direction}` again to finish it" for version, direction in versions]


def _object_problem(conn: Connection, obj: DbObject) -> str | None:
    name = _QUERIES.get(obj.kind, "object_relation")
    params = {"schema": obj.schema, "name": obj.name, "table": obj.table}
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(ledger.query(name), params).fetchone()
    if row is None:
        return f"{obj} is missing"
    if obj.kind in _RELKINDS and row["relkind"] not in _RELKINDS[obj.kind]:
        return f"{obj} exists but is not a {obj.kind}"
    if not row["valid"]:
        state = "INVALID; `pgwatch migrate up` rebuilds it" if obj.kind == "index" else "disabled"
        return f"{obj} is {state}"
    if not row["populated"]:
        return f"{obj} is not populated (REFRESH MATERIALIZED VIEW it)"
    return None
