-- The capability probe: the server, the session's role and its predefined monitoring roles.
SELECT pg_catalog.current_setting('server_version_num')::int AS version_num,
       pg_catalog.current_setting('server_version') AS version,
       pg_catalog.pg_is_in_recovery() AS in_recovery,
       pg_catalog.current_database() AS database,
       current_user AS role,
       r.rolsuper AS superuser,
       ARRAY(SELECT g.rolname::text
               FROM pg_catalog.pg_roles AS g
              WHERE g.rolname IN ('pg_monitor', 'pg_read_all_stats', 'pg_read_all_settings',
                                  'pg_stat_scan_tables', 'pg_signal_backend')
                AND pg_catalog.pg_has_role(current_user, g.oid, 'USAGE')
              ORDER BY 1) AS member_of
  FROM pg_catalog.pg_roles AS r
 WHERE r.rolname = current_user
