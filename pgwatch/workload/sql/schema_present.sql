-- Whether the Mile Quest tables exist (migration 0001 applied) in this database.
SELECT pg_catalog.to_regclass('public.activities') IS NOT NULL
   AND pg_catalog.to_regclass('public.user_stats') IS NOT NULL AS present;
