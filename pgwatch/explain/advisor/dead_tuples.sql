-- Large tables, their dead and newly inserted rows, and their own autovacuum options.
SELECT s.schemaname::text AS schema, s.relname::text AS table,
       s.n_live_tup::float8 AS live, s.n_dead_tup::float8 AS dead,
       s.n_ins_since_vacuum::float8 AS inserted,
       COALESCE(c.reloptions, '{}')::text[] AS options
  FROM pg_catalog.pg_stat_user_tables AS s
  JOIN pg_catalog.pg_class AS c ON c.oid = s.relid
 WHERE s.n_live_tup >= %(min_rows)s
