-- The settings the configuration advice weighs, in their base units.
SELECT s.name, s.setting, s.unit
  FROM pg_catalog.pg_settings AS s
 WHERE s.name IN ('work_mem', 'track_io_timing', 'max_wal_size', 'pg_stat_statements.max',
                  'jit', 'jit_above_cost', 'autovacuum_vacuum_scale_factor',
                  'autovacuum_vacuum_insert_scale_factor', 'checkpoint_timeout')
