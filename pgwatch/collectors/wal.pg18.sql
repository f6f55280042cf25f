-- PostgreSQL 18 moved WAL writes, syncs and their timing to pg_stat_io (object 'wal').
SELECT w.wal_records AS records_total,
       w.wal_fpi AS fpi_total,
       w.wal_bytes::float8 AS bytes_total,
       w.wal_buffers_full AS buffers_full_total,
       pg_catalog.date_part('epoch', w.stats_reset) AS stats_reset_timestamp_seconds
  FROM pg_catalog.pg_stat_wal AS w
