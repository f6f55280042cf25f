-- Settings that decide what pgwatch can collect. Superuser-only settings are absent from
-- pg_settings for a role without pg_read_all_settings: absent means "cannot tell". A value
-- pgwatch's own session SET is read as sessions start with it (reset_val).
SELECT name, CASE WHEN source = 'session' THEN reset_val ELSE setting END AS setting, unit,
       context
  FROM pg_catalog.pg_settings
 WHERE name IN ('shared_preload_libraries', 'track_io_timing', 'track_activity_query_size',
                'compute_query_id', 'pg_stat_statements.max', 'pg_stat_statements.track',
                'track_counts', 'track_functions', 'max_connections', 'statement_timeout')
