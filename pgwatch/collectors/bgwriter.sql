-- pg_stat_bgwriter before 17: the background writer, plus the writes backends did themselves.
SELECT b.buffers_clean AS buffers_clean_total,
       b.maxwritten_clean AS maxwritten_clean_total,
       b.buffers_alloc AS buffers_alloc_total,
       b.buffers_backend AS buffers_backend_total,
       b.buffers_backend_fsync AS buffers_backend_fsync_total,
       pg_catalog.date_part('epoch', b.stats_reset) AS stats_reset_timestamp_seconds
  FROM pg_catalog.pg_stat_bgwriter AS b
