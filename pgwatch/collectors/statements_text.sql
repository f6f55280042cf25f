-- The text of the given query ids only: reading pg_stat_statements(true) is expensive, so
-- it runs only when ids appear that this collector has not seen before.
SELECT DISTINCT ON (s.queryid) s.queryid::text AS queryid, s.query
  FROM {pgss}(true) AS s
 WHERE s.queryid = ANY(%(ids)s::bigint[])
