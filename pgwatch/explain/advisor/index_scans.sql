-- Scans of every user index since the statistics were reset, and its size.
SELECT n.nspname::text AS schema, t.relname::text AS table, c.relname::text AS name,
       pg_catalog.pg_stat_get_numscans(i.indexrelid) AS scans,
       pg_catalog.pg_relation_size(i.indexrelid) AS size_bytes
  FROM pg_catalog.pg_index AS i
  JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
  JOIN pg_catalog.pg_class AS t ON t.oid = i.indrelid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
