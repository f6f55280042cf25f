-- Whether the bookkeeping tables exist (NULL when `up` never ran on this database).
SELECT pg_catalog.to_regclass('pgwatch_meta.schema_migrations') IS NOT NULL
   AND pg_catalog.to_regclass('pgwatch_meta.migration_steps') IS NOT NULL AS present
