-- Sessions waiting for a lock, and the sessions holding them (pg_blocking_pids). Only
-- sessions that wait on a lock are asked, since pg_blocking_pids takes lock-manager locks.
SELECT a.pid::text AS pid,
       COALESCE(a.datname::text, '') AS datname,
       COALESCE(a.usename::text, '') AS usename,
       pg_catalog.left(COALESCE(a.application_name, ''), 64) AS application_name,
       pg_catalog.cardinality(b.pids) AS blockers,
       pg_catalog.date_part('epoch', now() - a.state_change) AS waiting_seconds,
       pg_catalog.array_to_string(b.pids, ',') AS blocking_pids,
       pg_catalog.left(a.query, 200) AS query
  FROM pg_catalog.pg_stat_activity AS a
 CROSS JOIN LATERAL (SELECT pg_catalog.pg_blocking_pids(a.pid) AS pids) AS b
 WHERE a.wait_event_type = 'Lock'
   AND pg_catalog.cardinality(b.pids) > 0
