-- Estimated bloat of user tables and btree indexes from planner statistics (pg_stats and
-- pg_class.relpages/reltuples): no table is read. A relation whose columns lack statistics
-- (never analyzed, or not readable by this role) is left out rather than guessed.
WITH const AS (
    SELECT pg_catalog.current_setting('block_size')::numeric AS bs
), col AS (
    SELECT c.oid AS relid, n.nspname, c.relname, c.relpages, c.reltuples,
           a.attnum,
           (1 - COALESCE(s.null_frac, 0)) * s.avg_width AS width,
           s.avg_width IS NULL AS nostats
      FROM pg_catalog.pg_class AS c
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0
                                       AND NOT a.attisdropped
      LEFT JOIN pg_catalog.pg_stats AS s ON s.schemaname = n.nspname AND s.tablename = c.relname
                                        AND s.attname = a.attname
     WHERE c.relkind = 'r' AND c.reltuples > 0 AND c.relpages > 0
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_toast'
), tbl AS (
    SELECT relid, nspname, relname, relpages, reltuples,
           -- 24-byte tuple header plus 4-byte line pointer, data aligned to 8 bytes
           28 + 8 * ceil(sum(width) / 8) AS tuple_bytes
      FROM col
     GROUP BY relid, nspname, relname, relpages, reltuples
    HAVING NOT bool_or(nostats)
), tbl_est AS (
    SELECT t.nspname, t.relname, t.relname AS table_name, 'table' AS kind, t.relpages,
           ceil(t.reltuples * t.tuple_bytes
                / ((k.bs - 24) * COALESCE(
                    (SELECT substring(o FROM 'fillfactor=(\d+)')::numeric
                       FROM pg_catalog.unnest(c.reloptions) AS o
                      WHERE o LIKE 'fillfactor=%' LIMIT 1), 100) / 100)) AS expected_pages
      FROM tbl AS t
      JOIN pg_catalog.pg_class AS c ON c.oid = t.relid
     CROSS JOIN const AS k
), idx AS (
    SELECT n.nspname, ic.relname, tc.relname AS table_name, ic.relpages, ic.reltuples,
           -- 8-byte index tuple header plus 4-byte line pointer, data aligned to 8 bytes
           12 + 8 * ceil(sum(col.width) / 8) AS tuple_bytes,
           bool_or(col.nostats) AS nostats
      FROM pg_catalog.pg_index AS i
      JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
      JOIN pg_catalog.pg_class AS tc ON tc.oid = i.indrelid
      JOIN pg_catalog.pg_namespace AS n ON n.oid = ic.relnamespace
      JOIN col ON col.relid = i.indrelid AND col.attnum = ANY(i.indkey::int2[])
     WHERE ic.relam = 403 AND ic.relpages > 1 AND ic.reltuples > 0
       AND NOT (0 = ANY(i.indkey::int2[]))
     GROUP BY n.nspname, ic.relname, tc.relname, ic.relpages, ic.reltuples
), idx_est AS (
    -- Leaf pages hold the tuples at the default fillfactor of 90; one more page is the meta page.
    SELECT x.nspname, x.relname, x.table_name, 'index' AS kind, x.relpages,
           1 + ceil(x.reltuples * x.tuple_bytes / ((k.bs - 24 - 16) * 0.9)) AS expected_pages
      FROM idx AS x
     CROSS JOIN const AS k
     WHERE NOT x.nostats
), est AS (
    SELECT * FROM tbl_est
    UNION ALL
    SELECT * FROM idx_est
)
SELECT e.nspname::text AS schemaname,
       e.relname::text AS relname,
       e.table_name::text AS table_name,
       e.kind,
       'estimate' AS method,
       (e.relpages * k.bs)::float8 AS real_bytes,
       (GREATEST(e.relpages - e.expected_pages, 0) * k.bs)::float8 AS bloat_bytes,
       (GREATEST(e.relpages - e.expected_pages, 0) / e.relpages)::float8 AS bloat_ratio
  FROM est AS e
 CROSS JOIN const AS k
