-- The statements of this database by total execution time, with their text (read once per
-- run, so the texts of the whole view are read here and nowhere else).
SELECT s.queryid::text AS queryid,
       s.query,
       s.calls,
       s.total_exec_time AS total_ms,
       s.mean_exec_time AS mean_ms,
       s.toplevel
  FROM {pgss}(true) AS s
 WHERE s.dbid = (SELECT d.oid FROM pg_catalog.pg_database AS d
                  WHERE d.datname = pg_catalog.current_database())
   AND s.queryid IS NOT NULL
   AND s.calls > 0
 ORDER BY s.total_exec_time DESC
 LIMIT %(limit)s
