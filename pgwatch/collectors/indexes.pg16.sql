-- PostgreSQL 16 adds last_idx_scan.
WITH constraint_index AS (
    -- Indexes that enforce a primary key, unique or exclusion constraint.
    SELECT DISTINCT k.conindid AS indexrelid
      FROM pg_catalog.pg_constraint AS k
     WHERE k.contype IN ('p', 'u', 'x') AND k.conindid <> 0
), idx AS (
    SELECT s.schemaname, s.relname, s.indexrelname, s.indexrelid, s.relid,
           s.idx_scan, s.idx_tup_read, s.idx_tup_fetch, s.last_idx_scan,
           i.indisunique, i.indisprimary, i.indisvalid, i.indisready,
           (ci.indexrelid IS NOT NULL OR i.indisunique) AS enforces,
           c.relam,
           i.indnkeyatts,
           pg_catalog.string_to_array(i.indkey::text, ' ')::int[] AS cols,
           (pg_catalog.string_to_array(i.indkey::text, ' ')::int[])[1:i.indnkeyatts] AS keys,
           (pg_catalog.string_to_array(i.indclass::text, ' ')::oid[])[1:i.indnkeyatts] AS opclasses,
           i.indcollation::text AS collations,
           pg_catalog.pg_get_expr(i.indexprs, i.indrelid) AS exprs,
           pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS pred
      FROM pg_catalog.pg_stat_user_indexes AS s
      JOIN pg_catalog.pg_index AS i ON i.indexrelid = s.indexrelid
      JOIN pg_catalog.pg_class AS c ON c.oid = s.indexrelid
      LEFT JOIN constraint_index AS ci ON ci.indexrelid = s.indexrelid
)
SELECT a.schemaname::text AS schemaname,
       a.relname::text AS relname,
       a.indexrelname::text AS indexrelname,
       a.idx_scan AS scans_total,
       a.idx_tup_read AS tuples_read_total,
       a.idx_tup_fetch AS tuples_fetched_total,
       pg_catalog.pg_stat_get_blocks_fetched(a.indexrelid)
           - pg_catalog.pg_stat_get_blocks_hit(a.indexrelid) AS blocks_read_total,
       pg_catalog.pg_stat_get_blocks_hit(a.indexrelid) AS blocks_hit_total,
       pg_catalog.pg_relation_size(a.indexrelid)::float8 AS size_bytes,
       a.indisunique AS is_unique,
       a.indisprimary AS is_primary,
       a.enforces AS enforces_constraint,
       NOT a.indisvalid AS invalid,
       (a.idx_scan = 0 AND NOT a.enforces AND a.indisvalid) AS unused,
       dup.name IS NOT NULL AS duplicate,
       red.name IS NOT NULL AS redundant,
       dup.name AS duplicate_of,
       red.name AS redundant_to,
       extract(epoch FROM a.last_idx_scan)::float8 AS last_scan_timestamp_seconds

  FROM idx AS a
  LEFT JOIN LATERAL (
      -- An identical index on the same table that is preferred: it enforces a constraint,
      -- or is unique, or (all else equal) is older.
      SELECT b.indexrelname::text AS name
        FROM idx AS b
       WHERE b.relid = a.relid AND b.indexrelid <> a.indexrelid
         AND b.relam = a.relam AND b.cols = a.cols AND b.indnkeyatts = a.indnkeyatts
         AND b.opclasses = a.opclasses AND b.collations = a.collations
         AND b.exprs IS NOT DISTINCT FROM a.exprs AND b.pred IS NOT DISTINCT FROM a.pred
         AND b.indisvalid
         AND (b.enforces, b.indisunique, -b.indexrelid::bigint)
             > (a.enforces, a.indisunique, -a.indexrelid::bigint)
       ORDER BY b.enforces DESC, b.indisunique DESC, b.indexrelid
       LIMIT 1
  ) AS dup ON true
  LEFT JOIN LATERAL (
      -- A btree index whose key columns start with all of this one's, with the same
      -- predicate: this one is redundant unless it enforces something.
      SELECT b.indexrelname::text AS name
        FROM idx AS b
       WHERE b.relid = a.relid AND b.indexrelid <> a.indexrelid
         AND NOT a.enforces AND a.exprs IS NULL AND b.exprs IS NULL
         AND a.relam = 403 AND b.relam = 403 AND b.indisvalid
         AND pg_catalog.cardinality(b.keys) > pg_catalog.cardinality(a.keys)
         AND b.keys[1:pg_catalog.cardinality(a.keys)] = a.keys
         AND b.opclasses[1:pg_catalog.cardinality(a.keys)] = a.opclasses
         AND b.pred IS NOT DISTINCT FROM a.pred
       ORDER BY pg_catalog.cardinality(b.keys), b.indexrelid
       LIMIT 1
  ) AS red ON true
