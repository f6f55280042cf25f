-- PostgreSQL 17 moved the checkpoint counters to pg_stat_checkpointer and the backends'
-- own writes to pg_stat_io: pg_stat_bgwriter keeps the background writer alone.
SELECT b.buffers_clean AS buffers_clean_total,
       b.maxwritten_clean AS maxwritten_clean_total,
       b.buffers_alloc AS buffers_alloc_total,
       pg_catalog.date_part('epoch', b.stats_reset) AS stats_reset_timestamp_seconds
  FROM pg_catalog.pg_stat_bgwriter AS b
