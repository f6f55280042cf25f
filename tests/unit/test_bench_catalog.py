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
    forms = [f for s in catalog.load_catalog() for f in (s, s.tuned) if f is not None]
    readers = [s for s in forms if "mv_" in s.sql]
    assert readers
    for scenario in readers:
        assert scenario.requires and all(r.startswith("public.mv_") for r in scenario.requires)
    plain = catalog.parse("x", "-- Something to do.\n-- category: write\nSELECT 1\n")
    assert plain.requires == ()


LIVE = "-- The weekly board.\n-- category: leaderboard\nSELECT %(user_id)s\n"
TUNED = ("-- The weekly board, precomputed.\n-- category: leaderboard\n"
         "-- requires: public.mv_board\nSELECT 1 FROM public.mv_board\n")


def test_a_tuned_file_is_attached_to_its_scenario_not_listed_on_its_own() -> None:
    built = catalog.build({"lb.weekly.sql": LIVE, "lb.weekly.tuned.sql": TUNED,
                           "lb.other.sql": LIVE})
    assert [s.name for s in built] == ["lb.other", "lb.weekly"]
    weekly = built[1]
    assert weekly.form == "live" and weekly.tuned is not None
    assert weekly.tuned.name == "lb.weekly" and weekly.tuned.form == "tuned"
    assert weekly.tuned.requires == ("public.mv_board",) and weekly.tuned.params == ()
    assert built[0].tuned is None


@pytest.mark.parametrize(("files", "message"), [
    ({"lb.weekly.tuned.sql": TUNED}, "tuned form without a live form"),
    ({"lb.weekly.sql": LIVE, "lb.weekly.tuned.sql": TUNED.replace("-- requires: public.mv_board\n",
                                                                   "")},
     "names no '-- requires:'"),
    ({"lb.weekly.sql": LIVE, "lb.weekly.tuned.sql": TUNED.replace("leaderboard", "dashboard")},
     "category 'dashboard' is not 'leaderboard'"),
])
def test_a_malformed_tuned_form_is_refused(files: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        catalog.build(files)


def test_plan_runs_the_tuned_form_and_keeps_the_live_one_beside_it() -> None:
    built = catalog.build({"lb.weekly.sql": LIVE, "lb.weekly.tuned.sql": TUNED,
                           "lb.mv.sql": TUNED})
    before = catalog.plan(built, set())
    assert [(s.name, s.form) for s in before] == [("lb.weekly", "live")]
    after = catalog.plan(built, {"public.mv_board"})
    assert [(s.name, s.form) for s in after] == [
        ("lb.mv", "live"), ("lb.weekly", "tuned"), ("lb.weekly:live", "live")]
    assert after[1].sql == TUNED and after[2].sql == LIVE and after[2].tuned is None
    assert catalog.base_name("lb.weekly:live") == catalog.base_name("lb.weekly") == "lb.weekly"


def test_the_shipped_tuned_forms_and_their_parameters() -> None:
    tuned = {s.name: s.tuned for s in catalog.load_catalog() if s.tuned is not None}
    assert set(tuned) == {"leaderboard.global_weekly", "leaderboard.global_monthly",
                          "leaderboard.user_percentile", "leaderboard.rank_movement"}
    for form in tuned.values():
        assert form is not None and form.requires == ("public.mv_global_leaderboard",)



def test_parameters_of_a_tuned_form_are_checked_too() -> None:
    odd = catalog.build({"lb.weekly.sql": LIVE,
                         "lb.weekly.tuned.sql": TUNED.replace("SELECT 1", "SELECT %(nope)s")})
    with pytest.raises(KeyError, match=r"lb\.weekly: no value for nope"):
        PoolParameters(_pools()).check(odd)
