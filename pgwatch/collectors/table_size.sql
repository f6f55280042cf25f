-- Sizes of every user table: heap (main fork), TOAST (with its index) and indexes, and their
-- sum (free-space and visibility maps left out). Each size opens the relation's files, so
-- this runs on its own, slower interval, and asks for each relation once.
SELECT s.schemaname::text AS schemaname,
       s.relname::text AS relname,
       z.heap_bytes,
       z.toast_bytes,
       z.indexes_bytes,
       z.heap_bytes + z.toast_bytes + z.indexes_bytes AS total_bytes
  FROM pg_catalog.pg_stat_user_tables AS s
  JOIN pg_catalog.pg_class AS c ON c.oid = s.relid
 CROSS JOIN LATERAL (
       SELECT pg_catalog.pg_relation_size(s.relid)::float8 AS heap_bytes,
              CASE WHEN c.reltoastrelid <> 0
                   THEN pg_catalog.pg_total_relation_size(c.reltoastrelid)::float8
                   ELSE 0 END AS toast_bytes,
              pg_catalog.pg_indexes_size(s.relid)::float8 AS indexes_bytes) AS z
 WHERE c.relkind IN ('r', 'm')
