-- Client connections against max_connections less the reserved slots (reserved_connections
-- exists from 16 on; current_setting(..., true) gives null before), and the sessions waiting
-- for a lock (0 when none).
SELECT count(*) FILTER (WHERE a.backend_type = 'client backend') AS client_connections,
       pg_catalog.current_setting('max_connections')::int AS max_connections,
       pg_catalog.current_setting('superuser_reserved_connections')::int
         + COALESCE(pg_catalog.current_setting('reserved_connections', true)::int, 0)
         AS reserved_connections,
       (count(*) FILTER (WHERE a.backend_type = 'client backend'))::float8
         / NULLIF(pg_catalog.current_setting('max_connections')::int
                  - pg_catalog.current_setting('superuser_reserved_connections')::int
                  - COALESCE(pg_catalog.current_setting('reserved_connections', true)::int, 0),
                  0) AS usage_ratio,
       count(*) FILTER (WHERE a.wait_event_type = 'Lock') AS blocked_sessions
  FROM pg_catalog.pg_stat_activity AS a
