-- PostgreSQL 18 adds the total time spent in (auto)vacuum and (auto)analyze.
SELECT n.nspname::text AS schemaname,
       c.relname::text AS relname,
       pg_catalog.pg_stat_get_numscans(c.oid) AS seq_scan_total,
       pg_catalog.pg_stat_get_tuples_returned(c.oid) AS seq_tuples_read_total,
       x.idx_scan AS idx_scan_total,
       x.idx_tup_fetch + pg_catalog.pg_stat_get_tuples_fetched(c.oid) AS idx_tuples_fetched_total,
       pg_catalog.pg_stat_get_tuples_inserted(c.oid) AS tuples_inserted_total,
       pg_catalog.pg_stat_get_tuples_updated(c.oid) AS tuples_updated_total,
       pg_catalog.pg_stat_get_tuples_deleted(c.oid) AS tuples_deleted_total,
       pg_catalog.pg_stat_get_tuples_hot_updated(c.oid) AS tuples_hot_updated_total,
       pg_catalog.pg_stat_get_live_tuples(c.oid) AS live_tuples,
       pg_catalog.pg_stat_get_dead_tuples(c.oid) AS dead_tuples,
       pg_catalog.pg_stat_get_mod_since_analyze(c.oid) AS modified_since_analyze,
       pg_catalog.pg_stat_get_ins_since_vacuum(c.oid) AS inserted_since_vacuum,
       pg_catalog.date_part('epoch', pg_catalog.pg_stat_get_last_vacuum_time(c.oid))
           AS last_vacuum_timestamp_seconds,
       pg_catalog.date_part('epoch', pg_catalog.pg_stat_get_last_autovacuum_time(c.oid))
           AS last_autovacuum_timestamp_seconds,
       pg_catalog.date_part('epoch', pg_catalog.pg_stat_get_last_analyze_time(c.oid))
           AS last_analyze_timestamp_seconds,
       pg_catalog.date_part('epoch', pg_catalog.pg_stat_get_last_autoanalyze_time(c.oid))
           AS last_autoanalyze_timestamp_seconds,
       pg_catalog.pg_stat_get_vacuum_count(c.oid) AS vacuum_total,
       pg_catalog.pg_stat_get_autovacuum_count(c.oid) AS autovacuum_total,
       pg_catalog.pg_stat_get_analyze_count(c.oid) AS analyze_total,
       pg_catalog.pg_stat_get_autoanalyze_count(c.oid) AS autoanalyze_total,
       pg_catalog.pg_stat_get_blocks_fetched(c.oid)
           - pg_catalog.pg_stat_get_blocks_hit(c.oid) AS heap_blocks_read_total,
       pg_catalog.pg_stat_get_blocks_hit(c.oid) AS heap_blocks_hit_total,
       pg_catalog.pg_stat_get_blocks_fetched(c.reltoastrelid)
           - pg_catalog.pg_stat_get_blocks_hit(c.reltoastrelid) AS toast_blocks_read_total,
       pg_catalog.pg_stat_get_blocks_hit(c.reltoastrelid) AS toast_blocks_hit_total,
       pg_catalog.age(c.relfrozenxid) AS frozenxid_age,
       pg_catalog.mxid_age(c.relminmxid) AS minmxid_age,
       CASE WHEN c.reloptions IS NULL THEN ''
            ELSE pg_catalog.array_to_string(ARRAY(
                     SELECT o FROM pg_catalog.unnest(c.reloptions) AS o
                      WHERE o LIKE 'autovacuum%' OR o LIKE 'toast.autovacuum%'
                      ORDER BY o), ',') END AS autovacuum_options,
       pg_catalog.pg_stat_get_tuples_newpage_updated(c.oid) AS tuples_newpage_updated_total,
       pg_catalog.date_part('epoch', pg_catalog.pg_stat_get_lastscan(c.oid))
           AS last_seq_scan_timestamp_seconds,
       pg_catalog.date_part('epoch', x.last_idx_scan) AS last_idx_scan_timestamp_seconds,
       pg_catalog.pg_stat_get_total_vacuum_time(c.oid) / 1000.0 AS vacuum_seconds_total,
       pg_catalog.pg_stat_get_total_autovacuum_time(c.oid) / 1000.0 AS autovacuum_seconds_total,
       pg_catalog.pg_stat_get_total_analyze_time(c.oid) / 1000.0 AS analyze_seconds_total,
       pg_catalog.pg_stat_get_total_autoanalyze_time(c.oid) / 1000.0
           AS autoanalyze_seconds_total
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
  -- Per table, through pg_index's index on indrelid: only user tables' indexes are
  -- read, where one aggregate over all of pg_index also reads the catalogs' own.
  LEFT JOIN LATERAL (
    SELECT sum(pg_catalog.pg_stat_get_numscans(i.indexrelid))::bigint AS idx_scan,
           sum(pg_catalog.pg_stat_get_tuples_fetched(i.indexrelid))::bigint AS idx_tup_fetch,
           max(pg_catalog.pg_stat_get_lastscan(i.indexrelid)) AS last_idx_scan
      FROM pg_catalog.pg_index AS i
     WHERE i.indrelid = c.oid
  ) AS x ON true
 WHERE c.relkind IN ('r', 'm', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast'
