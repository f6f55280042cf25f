-- Per Mile Quest materialized view (migration 0003): the last refresh, its duration and
-- outcome, failures, staleness since the last successful refresh, and a pending request.
WITH last AS (
    SELECT DISTINCT ON (l.view_name) l.view_name, l.duration_ms, l.success, l.finished_at
      FROM public.mv_refresh_log AS l
     ORDER BY l.view_name, l.started_at DESC
), totals AS (
    SELECT l.view_name,
           count(*) AS refreshes,
           count(*) FILTER (WHERE NOT l.success) AS failures,
           sum(l.duration_ms) / 1000.0 AS seconds,
           max(l.finished_at) FILTER (WHERE l.success) AS last_success
      FROM public.mv_refresh_log AS l
     GROUP BY l.view_name
)
SELECT v.matviewname::text AS view_name,
       COALESCE(t.refreshes, 0) AS refreshes_total,
       COALESCE(t.failures, 0) AS failures_total,
       COALESCE(t.seconds, 0)::float8 AS refresh_seconds_total,
       (last.duration_ms / 1000.0)::float8 AS last_refresh_seconds,
       last.success AS last_refresh_success,
       pg_catalog.date_part('epoch', last.finished_at) AS last_refresh_timestamp_seconds,
       pg_catalog.date_part('epoch', t.last_success) AS last_success_timestamp_seconds,
       pg_catalog.date_part('epoch', now() - t.last_success) AS staleness_seconds,
       pg_catalog.date_part('epoch', now() - q.requested_at) AS pending_request_seconds,
       v.ispopulated AS populated
  FROM pg_catalog.pg_matviews AS v
  LEFT JOIN last ON last.view_name = v.matviewname
  LEFT JOIN totals AS t ON t.view_name = v.matviewname
  LEFT JOIN public.mv_refresh_queue AS q ON q.view_name = v.matviewname
 WHERE v.schemaname = 'public'
