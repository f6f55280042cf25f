-- pg_stat_io (16, 17): I/O per backend type, object and context; bytes are operations
-- times op_bytes (always the block size there).
SELECT i.backend_type::text AS backend_type,
       i.object::text AS object,
       i.context::text AS context,
       i.reads AS reads_total,
       i.read_time / 1000.0 AS read_seconds_total,
       i.writes AS writes_total,
       i.write_time / 1000.0 AS write_seconds_total,
       i.writebacks AS writebacks_total,
       i.writeback_time / 1000.0 AS writeback_seconds_total,
       i.extends AS extends_total,
       i.extend_time / 1000.0 AS extend_seconds_total,
       i.hits AS hits_total,
       i.evictions AS evictions_total,
       i.reuses AS reuses_total,
       i.fsyncs AS fsyncs_total,
       i.fsync_time / 1000.0 AS fsync_seconds_total,
       (i.reads * i.op_bytes)::float8 AS read_bytes_total,
       (i.writes * i.op_bytes)::float8 AS write_bytes_total,
       (i.extends * i.op_bytes)::float8 AS extend_bytes_total,
       pg_catalog.date_part('epoch', i.stats_reset) AS stats_reset_timestamp_seconds
  FROM pg_catalog.pg_stat_io AS i
