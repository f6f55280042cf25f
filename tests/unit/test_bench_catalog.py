"""The scenario catalog: what the issue asks for is there, and every file is well-formed."""

from __future__ import annotations

import random
import re
import uuid

import pytest

from pgwatch.workload import catalog
from pgwatch.workload.grading import THRESHOLDS_MS
from pgwatch.workload.params import ActivityRef, Context, PoolParameters, Pools

REQUIRED = (
    "dashboard.user_summary", "dashboard.activity_history", "dashboard.team_feed",
    "leaderboard.team_members", "leaderboard.global_weekly", "leaderboard.global_monthly",
    "leaderboard.user_percentile", "leaderboard.rank_movement",
    "aggregation.team_goal_progress", "aggregation.team_stats",
    "permission.is_member", "external.last_sync", "team.search",
    "write.activity_insert", "write.activity_update", "write.activity_delete",
    "write.team_join", "write.team_leave", "write.goal_status_change",
)


def _pools() -> Pools:
    ids = [uuid.uuid4() for _ in range(4)]
    return Pools((Context(ids[0], ids[1], "User1@example.com", ids[2]),),
                 (ActivityRef(ids[3], "STRAVA", "strava-1"),),
                 (ActivityRef(ids[3], "STRAVA", "strava-1"),), (ids[2],), ((ids[1], ids[0]),))


def test_at_least_25_scenarios_including_every_required_one() -> None:
    names = {s.name for s in catalog.load_catalog()}
    assert len(names) >= 25
    assert set(REQUIRED) <= names


def test_every_scenario_has_a_graded_category_and_a_description() -> None:
    for scenario in catalog.load_catalog():
        assert scenario.category in THRESHOLDS_MS
        assert len(scenario.description) > 15, scenario.name


def test_writes_are_last_and_only_writes_change_data() -> None:
    scenarios = catalog.load_catalog()
    flags = [s.writes for s in scenarios]
    assert flags == sorted(flags)
    for scenario in scenarios:
        body = re.sub(r"--[^\n]*", "", scenario.sql).upper()
        changes = any(word in body for word in ("INSERT ", "UPDATE ", "DELETE "))
        assert changes == scenario.writes, scenario.name


def test_only_named_placeholders_and_no_stray_percent_signs() -> None:
    for scenario in catalog.load_catalog():
        stripped = re.sub(r"%\(\w+\)s", "", scenario.sql)
        assert "%" not in stripped, scenario.name


def test_every_parameter_can_be_drawn_and_users_belong_to_their_team() -> None:
    pools = _pools()
    params = PoolParameters(pools)
    params.check(catalog.load_catalog())
    rng = random.Random(1)
    for scenario in catalog.load_catalog():
        values = params.draw(scenario, rng)
        assert set(values) == set(scenario.params)
        if {"user_id", "team_id"} <= set(values):
            assert (values["user_id"], values["team_id"]) == (pools.contexts[0].user_id,
                                                               pools.contexts[0].team_id)


def test_select_by_name_or_category_and_reject_unknown() -> None:
    chosen = catalog.select("leaderboard,write.activity_insert")
    assert {s.category for s in chosen} == {"leaderboard", "write"}
    assert [s.name for s in chosen if s.writes] == ["write.activity_insert"]
    with pytest.raises(KeyError, match="nope"):
        catalog.select("nope")


def test_a_header_without_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown category"):
        catalog.parse("x", "-- A scenario without category.\nSELECT 1\n")
    with pytest.raises(ValueError, match="first line"):
        catalog.parse("x", "SELECT 1\n")


def test_scenarios_reading_materialized_views_say_so() -> None:
    readers = [s for s in catalog.load_catalog() if "mv_" in s.sql]
    assert readers
    for scenario in readers:
        assert scenario.requires and all(r.startswith("public.mv_") for r in scenario.requires)
    plain = catalog.parse("x", "-- Something to do.\n-- category: write\nSELECT 1\n")
    assert plain.requires == ()
