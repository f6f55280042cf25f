-- The indexes of the tables a plan reads: key columns in order ('' for an expression).
SELECT t.relname AS relation,
       i.relname AS name,
       ARRAY(SELECT COALESCE(a.attname::text, '')
             FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
             LEFT JOIN pg_catalog.pg_attribute a
                    ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
             WHERE k.position <= x.indnkeyatts
             ORDER BY k.position) AS columns,
       pg_catalog.pg_get_indexdef(x.indexrelid) AS definition
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
WHERE t.relname = ANY(%(relations)s)
  AND pg_catalog.pg_table_is_visible(t.oid)
ORDER BY t.relname, i.relname
