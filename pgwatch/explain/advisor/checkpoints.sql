-- Checkpoints started by the timeout and requested ones (WAL filled max_wal_size, mostly).
SELECT b.checkpoints_timed AS timed, b.checkpoints_req AS requested
  FROM pg_catalog.pg_stat_bgwriter AS b
