-- VACUUMs running now (14 to 16): progress in heap blocks and dead tuples.
SELECT p.pid::text AS pid,
       p.datname::text AS datname,
       CASE WHEN p.datid = (SELECT oid FROM pg_catalog.pg_database
                             WHERE datname = pg_catalog.current_database())
            THEN p.relid::regclass::text ELSE p.relid::text END AS relname,
       p.phase,
       (a.backend_type = 'autovacuum worker') AS autovacuum,
       pg_catalog.date_part('epoch', now() - a.xact_start) AS running_seconds,
       p.heap_blks_total AS heap_blocks,
       p.heap_blks_scanned AS heap_blocks_scanned,
       p.heap_blks_vacuumed AS heap_blocks_vacuumed,
       p.index_vacuum_count AS index_vacuum_passes,
       p.max_dead_tuples AS max_dead_tuples,
       p.num_dead_tuples AS dead_tuples
  FROM pg_catalog.pg_stat_progress_vacuum AS p
  LEFT JOIN pg_catalog.pg_stat_activity AS a ON a.pid = p.pid
