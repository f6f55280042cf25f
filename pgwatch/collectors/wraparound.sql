-- The user tables of this database nearest transaction-ID wraparound, with the
-- autovacuum_freeze_max_age that applies to each (a per-table reloption wins).
SELECT n.nspname::text AS schemaname,
       c.relname::text AS relname,
       pg_catalog.age(c.relfrozenxid) AS frozenxid_age,
       pg_catalog.mxid_age(c.relminmxid) AS minmxid_age,
       f.max_age AS freeze_max_age,
       (pg_catalog.age(c.relfrozenxid)::float8 / f.max_age) AS freeze_max_age_ratio
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (
       SELECT COALESCE(
                  (SELECT substring(o FROM '=(\d+)$')::bigint
                     FROM pg_catalog.unnest(c.reloptions) AS o
                    WHERE o LIKE 'autovacuum_freeze_max_age=%%' LIMIT 1),
                  pg_catalog.current_setting('autovacuum_freeze_max_age')::bigint) AS max_age
       ) AS f
 WHERE c.relkind IN ('r', 'm', 't')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY pg_catalog.age(c.relfrozenxid) DESC
 LIMIT %(limit)s
