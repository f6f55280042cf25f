-- Whether migration 0003's log tables exist here and this role may read them.
SELECT t.name,
       pg_catalog.to_regclass(t.name) IS NOT NULL AS present,
       pg_catalog.to_regclass(t.name) IS NOT NULL
         AND pg_catalog.has_table_privilege(pg_catalog.to_regclass(t.name), 'SELECT')
         AS readable
  FROM pg_catalog.unnest(ARRAY['public.mv_refresh_log', 'public.trigger_performance_log',
                               'public.mv_refresh_queue']) AS t(name)
