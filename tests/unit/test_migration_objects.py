"""Reading the objects a migration creates and drops from its SQL."""

from __future__ import annotations

from pgwatch.migrations import files, objects
from pgwatch.migrations.objects import DbObject


def test_creates_and_drops_in_order() -> None:
    sql = ("CREATE TABLE public.t (id int REFERENCES public.u (id) ON DELETE CASCADE);\n"
           "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_id ON ONLY public.t (id);\n"
           "CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $$\n"
           "BEGIN CREATE TABLE inside_body (i int); RETURN NULL; END $$;\n"
           "CREATE TRIGGER trg AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f();\n"
           "-- CREATE TABLE commented_out (i int);\n"
           "DROP TRIGGER trg ON public.t;\n"
           "CREATE MATERIALIZED VIEW public.mv AS SELECT 1;\n")
    assert objects.changes(sql) == [
        (True, DbObject("table", "public", "t")),
        (True, DbObject("index", "public", "t_id")),
        (True, DbObject("function", "public", "f")),
        (True, DbObject("trigger", "public", "trg", "t")),
        (False, DbObject("trigger", "public", "trg", "t")),
        (True, DbObject("materialized view", "public", "mv")),
    ]


def test_expected_objects_of_all_migrations() -> None:
    migrations = files.load()
    expected = objects.expected([m.up for m in migrations])
    kinds = [obj.kind for obj in expected]
    assert kinds.count("materialized view") == 5
    assert kinds.count("index") >= 18 + 5
    assert DbObject("trigger", "public", "activities_recalculate_stats", "activities") \
        not in expected
    assert DbObject("trigger", "public", "activities_stats_update", "activities") in expected
    before = objects.expected([migrations[0].up])
    assert DbObject("trigger", "public", "activities_recalculate_stats", "activities") in before


def test_concurrent_index_names_the_index_in_the_table_schema() -> None:
    sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON app.things (a);"
    assert objects.concurrent_index(sql) == DbObject("index", "app", "ix")
    assert objects.concurrent_index("CREATE INDEX ix ON app.things (a);") is None
    assert str(DbObject("trigger", "public", "t", "x")) == "trigger public.t on x"
