-- Every setting, to detect and record changes; numbers are converted to base units
-- (bytes, seconds) so that a change of unit is not a change of value. pending_restart is
-- true or NULL: only the settings waiting for a restart get a series. What pgwatch's own
-- session SETs (its timeouts, read-only, pg_stat_statements.track) is read as every session
-- starts with it (reset_val), not as pgwatch's session overrides it.
SELECT s.name::text AS name,
       v.setting,
       COALESCE(s.unit, '') AS unit,
       s.vartype,
       v.source,
       s.context,
       CASE WHEN s.vartype = 'bool' THEN (v.setting = 'on')::int::float8
            WHEN s.vartype IN ('integer', 'real') THEN
                 v.setting::float8 * CASE s.unit
                     WHEN 'B' THEN 1 WHEN 'kB' THEN 1024 WHEN '8kB' THEN 8192
                     WHEN 'MB' THEN 1048576 WHEN '16MB' THEN 16777216
                     WHEN 'us' THEN 0.000001 WHEN 'ms' THEN 0.001 WHEN 's' THEN 1
                     WHEN 'min' THEN 60 WHEN 'h' THEN 3600 WHEN 'd' THEN 86400
                     ELSE 1 END
       END AS value,
       CASE WHEN s.unit IN ('B', 'kB', '8kB', 'MB', '16MB') THEN 'bytes'
            WHEN s.unit IN ('us', 'ms', 's', 'min', 'h', 'd') THEN 'seconds'
            ELSE '' END AS base_unit,
       NULLIF(s.pending_restart, false) AS pending_restart
  FROM pg_catalog.pg_settings AS s
 CROSS JOIN LATERAL (
       SELECT CASE WHEN s.source = 'session' THEN s.reset_val ELSE s.setting END AS setting,
              CASE WHEN s.source = 'session' THEN 'session start' ELSE s.source END AS source
       ) AS v
