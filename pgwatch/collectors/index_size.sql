-- Exact size of every user index: pg_relation_size() opens each index's files (~50 µs an
-- index), so this runs on its own, slower interval; indexes carries the relpages estimate.
SELECT s.schemaname::text AS schemaname,
       s.relname::text AS relname,
       s.indexrelname::text AS indexrelname,
       pg_catalog.pg_relation_size(s.indexrelid)::float8 AS size_bytes
  FROM pg_catalog.pg_stat_user_indexes AS s
