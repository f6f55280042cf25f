"""Parameter values for the scenarios, drawn from pools of real rows sampled once per run.

The pools are read before the first phase and reused by every phase, so the "before" and
"after" measurements draw from the same users, teams and activities. Drawing happens
outside the timed call.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from pgwatch.errors import PgwatchError
from pgwatch.sql import load_sql
from pgwatch.workload.catalog import Scenario

PACKAGE = "pgwatch.workload.sql"
POOL_SIZE = 2000
VISITOR_POOL = 100
EXTERNAL_SOURCES = ("STRAVA", "APPLE_HEALTH", "GOOGLE_FIT")
# Words of the generated team names and descriptions: searches that find something.
SEARCH_TERMS = ("marathon", "trail runners", "swift", "otters", "lisbon", "coast",
                "charity walkers", "summit", "lucky foxes", "weekend", "iron pacers")
MAX_UUID = uuid.UUID(int=(1 << 128) - 1)

Connection = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class Context:
    """An active membership: a user, one of their teams and that team's active goal."""

    user_id: uuid.UUID
    team_id: uuid.UUID
    email: str
    goal_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class ActivityRef:
    """An existing activity."""

    id: uuid.UUID
    source: str
    external_id: str | None


@dataclass(frozen=True, slots=True)
class Pools:
    """Everything parameters are drawn from."""

    contexts: tuple[Context, ...]
    activities: tuple[ActivityRef, ...]
    external: tuple[ActivityRef, ...]
    closed_goals: tuple[uuid.UUID, ...]
    visitors: tuple[tuple[uuid.UUID, uuid.UUID], ...]


def _rows(conn: Connection, name: str, limit: int) -> list[tuple[object, ...]]:
    return conn.execute(load_sql(PACKAGE, name).encode(), {"limit": limit}).fetchall()


def _uuid(value: object) -> uuid.UUID:
    if not isinstance(value, uuid.UUID):
        raise TypeError(f"expected a uuid, got {type(value).__name__}")
    return value


def load_pools(conn: Connection) -> Pools:
    """Sample the pools; a database without generated data is a user error."""
    contexts = tuple(Context(_uuid(r[0]), _uuid(r[1]), str(r[2]),
                             None if r[3] is None else _uuid(r[3]))
                     for r in _rows(conn, "pool_contexts", POOL_SIZE))
    activities = tuple(ActivityRef(_uuid(r[0]), str(r[1]), None if r[2] is None else str(r[2]))
                       for r in _rows(conn, "pool_activities", POOL_SIZE * 5))
    closed = tuple(_uuid(r[0]) for r in _rows(conn, "pool_closed_goals", POOL_SIZE))
    visitors = tuple((_uuid(r[0]), _uuid(r[1])) for r in _rows(conn, "pool_visitors",
                                                                 VISITOR_POOL))
    if not contexts or not activities:
        raise PgwatchError("--dsn: the Mile Quest tables hold no active memberships or no "
                           "activities to benchmark; load data with --scale into an empty schema")
    return Pools(contexts, activities, tuple(a for a in activities if a.external_id), closed,
                 visitors)


Draw = Callable[[Context, random.Random], object]


def _pick_activity(pools: Pools) -> Draw:
    return lambda _ctx, rng: rng.choice(pools.activities).id


def _pick_external(pools: Pools, field: str) -> Draw:
    def draw(_ctx: Context, rng: random.Random) -> object:
        if not pools.external:
            return None
        ref = rng.choice(pools.external)
        return ref.source if field == "source" else ref.external_id
    return draw


def _pick_closed_goal(pools: Pools) -> Draw:
    return lambda _ctx, rng: rng.choice(pools.closed_goals) if pools.closed_goals else MAX_UUID


def _pick_visitor(pools: Pools, index: int) -> Draw:
    return lambda _ctx, rng: rng.choice(pools.visitors)[index] if pools.visitors else MAX_UUID


def _email(ctx: Context, rng: random.Random) -> str:
    # Mixed case, as users type it: the query must compare case-insensitively.
    return ctx.email.upper() if rng.random() < 0.3 else ctx.email


def _cursor_time(_ctx: Context, rng: random.Random) -> datetime:
    return datetime.now(UTC) - timedelta(days=rng.uniform(0, 90))


def _drawers(pools: Pools) -> dict[str, Draw]:
    return {
        "user_id": lambda ctx, _rng: ctx.user_id,
        "team_id": lambda ctx, _rng: ctx.team_id,
        "goal_id": lambda ctx, _rng: ctx.goal_id,
        "email": _email,
        "cursor_time": _cursor_time,
        "cursor_id": lambda _ctx, _rng: MAX_UUID,
        "activity_id": _pick_activity(pools),
        "source": lambda _ctx, rng: rng.choice(EXTERNAL_SOURCES),
        "source_of_external": _pick_external(pools, "source"),
        "external_id": _pick_external(pools, "external_id"),
        "search": lambda _ctx, rng: rng.choice(SEARCH_TERMS),
        "distance": lambda _ctx, rng: round(rng.lognormvariate(8.5, 0.6), 2),
        "duration": lambda _ctx, rng: rng.randint(600, 7200),
        "private": lambda _ctx, rng: rng.random() < 0.1,
        "new_source": lambda _ctx, rng: rng.choice(("MANUAL", *EXTERNAL_SOURCES)),
        "new_external_id": lambda _ctx, _rng: f"bench-{uuid.uuid4()}",
        "notes": lambda _ctx, rng: rng.choice(("Windy", "Rainy", "Sunny", "Hilly", "Easy")),
        "closed_goal_id": _pick_closed_goal(pools),
        "visitor_team_id": _pick_visitor(pools, 0),
        "visitor_id": _pick_visitor(pools, 1),
    }


class PoolParameters:
    """Draws every parameter of a scenario from one request context."""

    def __init__(self, pools: Pools) -> None:
        self.pools = pools
        self._drawers = _drawers(pools)

    def check(self, scenarios: tuple[Scenario, ...]) -> None:
        """Fail early, naming the scenario, when a parameter has no drawer."""
        forms = [form for s in scenarios for form in (s, s.tuned) if form is not None]
        for scenario in forms:
            unknown = [p for p in scenario.params if p not in self._drawers]
            if unknown:
                raise KeyError(f"scenario {scenario.name}: no value for {', '.join(unknown)}")

    def draw(self, scenario: Scenario, rng: random.Random) -> Mapping[str, object]:
        """Values for one call of ``scenario``."""
        ctx = rng.choice(self.pools.contexts)
        return {name: self._drawers[name](ctx, rng) for name in scenario.params}
