-- pg_stat_user_indexes with pg_index (14, 15): usage, I/O, size, validity and the flags the
-- advisor needs: unused (no scan since the reset and enforcing nothing), duplicate, redundant
-- (a btree prefix of another with the same predicate) and invalid.
WITH constraint_index AS (
    -- Indexes that enforce a primary key, unique or exclusion constraint.
    SELECT DISTINCT k.conindid AS indexrelid
      FROM pg_catalog.pg_constraint AS k
     WHERE k.contype IN ('p', 'u', 'x') AND k.conindid <> 0
), idx AS (
    SELECT s.schemaname, s.relname, s.indexrelname, s.indexrelid, s.relid,
           s.idx_scan, s.idx_tup_read, s.idx_tup_fetch,
           i.indisunique, i.indisprimary, i.indisvalid,
           (ci.indexrelid IS NOT NULL OR i.indisunique) AS enforces,
           c.relam, c.relpages,
           i.indnkeyatts,
           i.indkey::text AS indkey_text,
           i.indclass::text AS indclass_text,
           i.indcollation::text AS collations,
           (pg_catalog.string_to_array(i.indkey::text, ' ')::int[])[1:i.indnkeyatts] AS keys,
           (pg_catalog.string_to_array(i.indclass::text, ' ')::oid[])[1:i.indnkeyatts]
               AS opclasses,
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
       (a.relpages::float8 * pg_catalog.current_setting('block_size')::float8)
           AS estimated_size_bytes,
       a.indisunique AS is_unique,
       a.indisprimary AS is_primary,
       a.enforces AS enforces_constraint,
       NOT a.indisvalid AS invalid,
       (a.idx_scan = 0 AND NOT a.enforces AND a.indisvalid) AS unused,
       dup.name IS NOT NULL AS duplicate,
       red.name IS NOT NULL AS redundant,
       dup.name AS duplicate_of,
       red.name AS redundant_to
  FROM idx AS a
  -- The other indexes of the same table come from pg_index through its index on indrelid,
  -- so the comparison costs a few rows per index, never all pairs.
  LEFT JOIN LATERAL (
      -- An identical index that is preferred: it enforces a constraint, or is unique, or
      -- (all else equal) is older.
      SELECT o.name
        FROM (SELECT bc.relname::text AS name, b.indexrelid, b.indisunique,
                     (b.indisunique OR EXISTS (
                          SELECT 1 FROM pg_catalog.pg_constraint AS k
                           WHERE k.conrelid = b.indrelid AND k.conindid = b.indexrelid
                             AND k.contype IN ('p', 'u', 'x'))) AS enforces
                FROM pg_catalog.pg_index AS b
                JOIN pg_catalog.pg_class AS bc ON bc.oid = b.indexrelid
               WHERE b.indrelid = a.relid AND b.indexrelid <> a.indexrelid AND b.indisvalid
                 AND bc.relam = a.relam AND b.indnkeyatts = a.indnkeyatts
                 AND b.indkey::text = a.indkey_text AND b.indclass::text = a.indclass_text
                 AND b.indcollation::text = a.collations
                 AND pg_catalog.pg_get_expr(b.indexprs, b.indrelid) IS NOT DISTINCT FROM a.exprs
                 AND pg_catalog.pg_get_expr(b.indpred, b.indrelid) IS NOT DISTINCT FROM a.pred
             ) AS o
       WHERE (o.enforces, o.indisunique, -o.indexrelid::bigint)
             > (a.enforces, a.indisunique, -a.indexrelid::bigint)
       ORDER BY o.enforces DESC, o.indisunique DESC, o.indexrelid
       LIMIT 1
  ) AS dup ON true
  LEFT JOIN LATERAL (
      -- A btree index whose key columns start with all of this one's, with the same
      -- predicate: this one is redundant unless it enforces something.
      SELECT bc.relname::text AS name
        FROM pg_catalog.pg_index AS b
        JOIN pg_catalog.pg_class AS bc ON bc.oid = b.indexrelid
       CROSS JOIN LATERAL (
             SELECT (pg_catalog.string_to_array(b.indkey::text, ' ')::int[])[1:b.indnkeyatts]
                        AS keys,
                    (pg_catalog.string_to_array(b.indclass::text, ' ')::oid[])[1:b.indnkeyatts]
                        AS opclasses) AS bk
       WHERE NOT a.enforces AND a.exprs IS NULL AND a.relam = 403
         AND b.indrelid = a.relid AND b.indexrelid <> a.indexrelid AND b.indisvalid
         AND bc.relam = 403 AND b.indexprs IS NULL
         AND pg_catalog.cardinality(bk.keys) > pg_catalog.cardinality(a.keys)
         AND bk.keys[1:pg_catalog.cardinality(a.keys)] = a.keys
         AND bk.opclasses[1:pg_catalog.cardinality(a.keys)] = a.opclasses
         AND pg_catalog.pg_get_expr(b.indpred, b.indrelid) IS NOT DISTINCT FROM a.pred
       ORDER BY pg_catalog.cardinality(bk.keys), b.indexrelid
       LIMIT 1
  ) AS red ON true
