-- Query text, only when the cycle met ids it had not seen: for those ids, and for ids that
-- appeared since this cycle's numbers were read (pgwatch's own statements of this cycle),
-- plus this very statement (pg_stat_activity.query_id), so the next cycle reads no text.
-- Both id lists are hashed subplans: one pass over the entries, whatever their number.
SELECT DISTINCT ON (s.queryid) s.queryid::text AS queryid, s.query
  FROM {pgss}(true) AS s
 WHERE s.queryid IN (SELECT pg_catalog.unnest(%(new)s::bigint[]))
    OR s.queryid NOT IN (SELECT pg_catalog.unnest(%(read)s::bigint[]))
UNION ALL
SELECT a.query_id::text, pg_catalog.current_query()
  FROM pg_catalog.pg_stat_activity AS a
 WHERE a.pid = pg_catalog.pg_backend_pid() AND a.query_id IS NOT NULL
