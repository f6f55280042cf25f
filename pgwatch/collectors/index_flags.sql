-- The flags the advisor and the report act on, per user index: unused (no scan since the
-- statistics reset, valid, enforcing nothing), duplicate, redundant (a btree prefix of
-- another with the same predicate), invalid; with the relpages size estimate. Definitions
-- change rarely, so this runs on a slower interval than the counters of indexes.sql.
WITH constraint_index AS (
    -- Indexes that enforce a primary key, unique or exclusion constraint.
    SELECT DISTINCT k.conindid AS indexrelid
      FROM pg_catalog.pg_constraint AS k
     WHERE k.contype IN ('p', 'u', 'x') AND k.conindid <> 0
), idx AS (
    -- pg_stat_user_indexes spelled out, so that pg_index and pg_class are read once.
    SELECT n.nspname AS schemaname, t.relname, c.relname AS indexrelname,
           i.indexrelid, i.indrelid AS relid,
           pg_catalog.pg_stat_get_numscans(i.indexrelid) AS idx_scan,
           i.indisunique, i.indisprimary, i.indisvalid,
           (ci.indexrelid IS NOT NULL OR i.indisunique) AS enforces,
           c.relam, c.relpages, i.indnkeyatts, i.indkey, i.indclass,
           i.indkey::text AS indkey_text,
           i.indclass::text AS indclass_text,
           i.indcollation::text AS collations,
           pg_catalog.pg_get_expr(i.indexprs, i.indrelid) AS exprs,
           pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS pred
      FROM pg_catalog.pg_index AS i
      JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
      JOIN pg_catalog.pg_class AS t ON t.oid = i.indrelid
      JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace
      LEFT JOIN constraint_index AS ci ON ci.indexrelid = i.indexrelid
     WHERE t.relkind IN ('r', 'm')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_toast'
), twins AS (
    -- Tables with two indexes of one definition, and with two plain btree indexes on the
    -- same leading column: only their indexes need the per-index comparisons below.
    SELECT relid, indkey_text, indclass_text, exprs, pred
      FROM idx
     GROUP BY relid, indkey_text, indclass_text, exprs, pred
    HAVING count(*) > 1
), leaders AS (
    SELECT relid, indkey[0] AS leading
      FROM idx
     WHERE relam = 403 AND exprs IS NULL
     GROUP BY relid, indkey[0]
    HAVING count(*) > 1
)
SELECT a.schemaname::text AS schemaname,
       a.relname::text AS relname,
       a.indexrelname::text AS indexrelname,
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
  LEFT JOIN twins AS tw ON tw.relid = a.relid AND tw.indkey_text = a.indkey_text
                       AND tw.indclass_text = a.indclass_text
                       AND tw.exprs IS NOT DISTINCT FROM a.exprs
                       AND tw.pred IS NOT DISTINCT FROM a.pred
  LEFT JOIN leaders AS ld ON ld.relid = a.relid AND ld.leading = a.indkey[0]
  -- The other indexes of the same table come from pg_index through its index on indrelid,
  -- so the comparison costs a few rows per candidate index, never all pairs.
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
               WHERE tw.relid IS NOT NULL
                 AND b.indrelid = a.relid AND b.indexrelid <> a.indexrelid AND b.indisvalid
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
             SELECT (pg_catalog.string_to_array(a.indkey::text, ' ')::int[])[1:a.indnkeyatts]
                        AS a_keys,
                    (pg_catalog.string_to_array(a.indclass::text, ' ')::oid[])[1:a.indnkeyatts]
                        AS a_opclasses,
                    (pg_catalog.string_to_array(b.indkey::text, ' ')::int[])[1:b.indnkeyatts]
                        AS keys,
                    (pg_catalog.string_to_array(b.indclass::text, ' ')::oid[])[1:b.indnkeyatts]
                        AS opclasses) AS k
       WHERE ld.relid IS NOT NULL AND NOT a.enforces AND a.exprs IS NULL AND a.relam = 403
         AND b.indrelid = a.relid AND b.indexrelid <> a.indexrelid AND b.indisvalid
         AND bc.relam = 403 AND b.indexprs IS NULL
         AND pg_catalog.cardinality(k.keys) > pg_catalog.cardinality(k.a_keys)
         AND k.keys[1:pg_catalog.cardinality(k.a_keys)] = k.a_keys
         AND k.opclasses[1:pg_catalog.cardinality(k.a_keys)] = k.a_opclasses
         AND pg_catalog.pg_get_expr(b.indpred, b.indrelid) IS NOT DISTINCT FROM a.pred
       ORDER BY pg_catalog.cardinality(k.keys), b.indexrelid
       LIMIT 1
  ) AS red ON true
