-- Temporary files this database wrote (sorts and hashes that did not fit in work_mem).
SELECT d.temp_files, d.temp_bytes::float8 AS temp_bytes
  FROM pg_catalog.pg_stat_database AS d
 WHERE d.datname = pg_catalog.current_database()
