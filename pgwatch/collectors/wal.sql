-- pg_stat_wal (14 to 17): WAL generated, and the writes and syncs of WAL buffers.
SELECT w.wal_records AS records_total,
       w.wal_fpi AS fpi_total,
       w.wal_bytes::float8 AS bytes_total,
       w.wal_buffers_full AS buffers_full_total,
       w.wal_write AS writes_total,
       w.wal_sync AS syncs_total,
       w.wal_write_time / 1000.0 AS write_seconds_total,
       w.wal_sync_time / 1000.0 AS sync_seconds_total,
       pg_catalog.date_part('epoch', w.stats_reset) AS stats_reset_timestamp_seconds
  FROM pg_catalog.pg_stat_wal AS w
