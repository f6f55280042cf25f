-- pg_stat_statements_info (1.9+): entries evicted, and when the statistics were last reset.
SELECT i.dealloc AS dealloc_total,
       pg_catalog.date_part('epoch', i.stats_reset) AS stats_reset_timestamp_seconds
  FROM {info} AS i
