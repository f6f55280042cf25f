-- Checkpoints before 17 are counted in pg_stat_bgwriter; the names follow 17's checkpointer.
SELECT b.checkpoints_timed AS checkpoints_timed_total,
       b.checkpoints_req AS checkpoints_requested_total,
       b.checkpoint_write_time / 1000.0 AS write_seconds_total,
       b.checkpoint_sync_time / 1000.0 AS sync_seconds_total,
       b.buffers_checkpoint AS buffers_written_total,
       pg_catalog.date_part('epoch', b.stats_reset) AS stats_reset_timestamp_seconds
  FROM pg_catalog.pg_stat_bgwriter AS b
