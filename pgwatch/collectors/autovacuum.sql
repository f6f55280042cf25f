-- Autovacuum workers busy now against autovacuum_max_workers, and whether the launcher runs.
SELECT count(*) FILTER (WHERE a.backend_type = 'autovacuum worker') AS workers_busy,
       pg_catalog.current_setting('autovacuum_max_workers')::int AS workers_max,
       count(*) FILTER (WHERE a.backend_type = 'autovacuum launcher') > 0 AS launcher_running,
       (pg_catalog.current_setting('autovacuum') = 'on') AS enabled
  FROM pg_catalog.pg_stat_activity AS a
