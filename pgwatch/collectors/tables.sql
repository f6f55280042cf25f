-- pg_stat_user_tables with heap I/O, freeze ages and per-table autovacuum options (14, 15).
-- Heap and TOAST block counters come from the pg_stat_get_* functions rather than a join
-- with pg_statio_user_tables, whose per-table index sums double the cost (index blocks are
-- counted per index by the indexes collector).
SELECT s.schemaname::text AS schemaname,
       s.relname::text AS relname,
       s.seq_scan AS seq_scan_total,
       s.seq_tup_read AS seq_tuples_read_total,
       s.idx_scan AS idx_scan_total,
       s.idx_tup_fetch AS idx_tuples_fetched_total,
       s.n_tup_ins AS tuples_inserted_total,
       s.n_tup_upd AS tuples_updated_total,
       s.n_tup_del AS tuples_deleted_total,
       s.n_tup_hot_upd AS tuples_hot_updated_total,
       s.n_live_tup AS live_tuples,
       s.n_dead_tup AS dead_tuples,
       s.n_mod_since_analyze AS modified_since_analyze,
       s.n_ins_since_vacuum AS inserted_since_vacuum,
       extract(epoch FROM s.last_vacuum)::float8 AS last_vacuum_timestamp_seconds,
       extract(epoch FROM s.last_autovacuum)::float8 AS last_autovacuum_timestamp_seconds,
       extract(epoch FROM s.last_analyze)::float8 AS last_analyze_timestamp_seconds,
       extract(epoch FROM s.last_autoanalyze)::float8 AS last_autoanalyze_timestamp_seconds,
       s.vacuum_count AS vacuum_total,
       s.autovacuum_count AS autovacuum_total,
       s.analyze_count AS analyze_total,
       s.autoanalyze_count AS autoanalyze_total,
       pg_catalog.pg_stat_get_blocks_fetched(s.relid)
           - pg_catalog.pg_stat_get_blocks_hit(s.relid) AS heap_blocks_read_total,
       pg_catalog.pg_stat_get_blocks_hit(s.relid) AS heap_blocks_hit_total,
       pg_catalog.pg_stat_get_blocks_fetched(c.reltoastrelid)
           - pg_catalog.pg_stat_get_blocks_hit(c.reltoastrelid) AS toast_blocks_read_total,
       pg_catalog.pg_stat_get_blocks_hit(c.reltoastrelid) AS toast_blocks_hit_total,
       pg_catalog.age(c.relfrozenxid) AS frozenxid_age,
       pg_catalog.mxid_age(c.relminmxid) AS minmxid_age,
       pg_catalog.array_to_string(ARRAY(
           SELECT o FROM pg_catalog.unnest(c.reloptions) AS o
            WHERE o LIKE 'autovacuum%' OR o LIKE 'toast.autovacuum%'
            ORDER BY o), ',') AS autovacuum_options
  FROM pg_catalog.pg_stat_user_tables AS s
  JOIN pg_catalog.pg_class AS c ON c.oid = s.relid
 WHERE c.relkind IN ('r', 'm', 'p')
