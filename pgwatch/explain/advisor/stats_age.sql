-- Since when this database's statistics counters run: the last reset, else the server start.
SELECT pg_catalog.date_part('epoch', pg_catalog.now()
           - COALESCE(d.stats_reset, pg_catalog.pg_postmaster_start_time())) AS age_s
  FROM pg_catalog.pg_stat_database AS d
 WHERE d.datname = pg_catalog.current_database()
