-- PostgreSQL 17 moved the checkpoint counters to pg_stat_checkpointer.
SELECT c.num_timed AS timed, c.num_requested AS requested
  FROM pg_catalog.pg_stat_checkpointer AS c
