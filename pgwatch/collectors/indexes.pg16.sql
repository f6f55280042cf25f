-- PostgreSQL 16 adds the time of the last index scan (pg_stat_get_lastscan).
SELECT n.nspname::text AS schemaname,
       t.relname::text AS relname,
       c.relname::text AS indexrelname,
       pg_catalog.pg_stat_get_numscans(i.indexrelid) AS scans_total,
       pg_catalog.pg_stat_get_tuples_returned(i.indexrelid) AS tuples_read_total,
       pg_catalog.pg_stat_get_tuples_fetched(i.indexrelid) AS tuples_fetched_total,
       pg_catalog.pg_stat_get_blocks_fetched(i.indexrelid)
           - pg_catalog.pg_stat_get_blocks_hit(i.indexrelid) AS blocks_read_total,
       pg_catalog.pg_stat_get_blocks_hit(i.indexrelid) AS blocks_hit_total,
       pg_catalog.date_part('epoch', pg_catalog.pg_stat_get_lastscan(i.indexrelid))
           AS last_scan_timestamp_seconds
  FROM pg_catalog.pg_index AS i
  JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
  JOIN pg_catalog.pg_class AS t ON t.oid = i.indrelid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace
 WHERE t.relkind IN ('r', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast'
