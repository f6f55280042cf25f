-- Per Mile Quest trigger, table and operation: the sampled timings of
-- trigger_performance_log (migration 0003), all time and over the last hour.
SELECT l.trigger_name AS trigger_name,
       l.table_name AS table_name,
       l.operation AS operation,
       count(*) AS sampled_calls_total,
       (sum(l.duration_ms) / 1000.0)::float8 AS sampled_seconds_total,
       count(*) FILTER (WHERE l.slow) AS slow_calls_total,
       (avg(l.duration_ms) FILTER (WHERE l.logged_at > now() - interval '1 hour')
           / 1000.0)::float8 AS mean_seconds_last_hour,
       (max(l.duration_ms) FILTER (WHERE l.logged_at > now() - interval '1 hour')
           / 1000.0)::float8 AS max_seconds_last_hour,
       pg_catalog.date_part('epoch', max(l.logged_at)) AS last_logged_timestamp_seconds
  FROM public.trigger_performance_log AS l
 GROUP BY l.trigger_name, l.table_name, l.operation
