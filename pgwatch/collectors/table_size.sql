-- Sizes of every user table: heap (main fork), TOAST, indexes and the total. Each size
-- opens the relation's files, so this runs on its own, slower interval.
SELECT s.schemaname::text AS schemaname,
       s.relname::text AS relname,
       pg_catalog.pg_relation_size(s.relid)::float8 AS heap_bytes,
       CASE WHEN c.reltoastrelid <> 0
            THEN pg_catalog.pg_total_relation_size(c.reltoastrelid)::float8
            ELSE 0 END AS toast_bytes,
       pg_catalog.pg_indexes_size(s.relid)::float8 AS indexes_bytes,
       pg_catalog.pg_total_relation_size(s.relid)::float8 AS total_bytes
  FROM pg_catalog.pg_stat_user_tables AS s
  JOIN pg_catalog.pg_class AS c ON c.oid = s.relid
 WHERE c.relkind IN ('r', 'm')
