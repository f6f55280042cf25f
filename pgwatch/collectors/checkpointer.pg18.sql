-- PostgreSQL 18 adds num_done (checkpoints completed) and slru_written.
SELECT c.num_timed AS checkpoints_timed_total,
       c.num_requested AS checkpoints_requested_total,
       c.num_done AS checkpoints_done_total,
       c.restartpoints_timed AS restartpoints_timed_total,
       c.restartpoints_req AS restartpoints_requested_total,
       c.restartpoints_done AS restartpoints_done_total,
       c.write_time / 1000.0 AS write_seconds_total,
       c.sync_time / 1000.0 AS sync_seconds_total,
       c.buffers_written AS buffers_written_total,
       c.slru_written AS slru_written_total,
       pg_catalog.date_part('epoch', c.stats_reset) AS stats_reset_timestamp_seconds
  FROM pg_catalog.pg_stat_checkpointer AS c
