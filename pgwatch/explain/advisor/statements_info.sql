-- pg_stat_statements_info: evictions, and since when the statistics are kept.
SELECT i.dealloc, i.stats_reset,
       pg_catalog.date_part('epoch', pg_catalog.now() - i.stats_reset) AS age_s
  FROM {info} AS i
