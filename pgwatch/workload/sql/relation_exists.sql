-- Whether a relation a scenario requires (e.g. a materialized view of 0003) exists.
SELECT pg_catalog.to_regclass(%(name)s) IS NOT NULL AS present;
