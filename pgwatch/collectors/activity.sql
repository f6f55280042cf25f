-- Sessions grouped by database, role, application, state, wait event type and backend type,
-- with the oldest transaction, the longest running query, the longest idle-in-transaction and
-- the longest lock wait of each group: 0 when the group has none, so that a quiet server
-- shows 0 rather than no series at all.
SELECT COALESCE(a.datname::text, '') AS datname,
       COALESCE(a.usename::text, '') AS usename,
       pg_catalog.left(COALESCE(a.application_name, ''), 64) AS application_name,
       COALESCE(a.state, '') AS state,
       COALESCE(a.wait_event_type, '') AS wait_event_type,
       COALESCE(a.backend_type, '') AS backend_type,
       count(*) AS connections,
       COALESCE(max(pg_catalog.date_part('epoch', now() - a.xact_start)), 0)::float8
           AS oldest_xact_seconds,
       COALESCE(max(pg_catalog.date_part('epoch', now() - a.query_start))
           FILTER (WHERE a.state = 'active'), 0)::float8 AS longest_query_seconds,
       COALESCE(max(pg_catalog.date_part('epoch', now() - a.state_change))
           FILTER (WHERE a.state LIKE 'idle in transaction%'), 0)::float8
           AS idle_in_transaction_seconds,
       COALESCE(max(pg_catalog.date_part('epoch', now() - a.state_change))
           FILTER (WHERE a.wait_event_type = 'Lock'), 0)::float8 AS lock_wait_seconds
  FROM pg_catalog.pg_stat_activity AS a
 WHERE a.pid <> pg_catalog.pg_backend_pid()
 GROUP BY 1, 2, 3, 4, 5, 6
