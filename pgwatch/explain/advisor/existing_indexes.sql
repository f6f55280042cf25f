-- The indexes of some tables as the advisor compares them with a candidate: access method,
-- each column (name, or expression as pg_get_indexdef spells it) and its direction, the
-- included columns, the predicate.
SELECT n.nspname::text AS schema,
       t.relname::text AS table,
       c.relname::text AS name,
       am.amname::text AS method,
       i.indisunique AS is_unique,
       i.indisvalid AS is_valid,
       i.indnkeyatts AS key_count,
       ARRAY(SELECT COALESCE(a.attname::text,
                             pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, true))
               FROM pg_catalog.generate_series(1, i.indnatts) AS k(n)
               LEFT JOIN pg_catalog.pg_attribute AS a
                 ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n - 1]
                AND i.indkey[k.n - 1] <> 0
              ORDER BY k.n) AS columns,
       ARRAY(SELECT i.indkey[k.n - 1] = 0
               FROM pg_catalog.generate_series(1, i.indnatts) AS k(n) ORDER BY k.n)
           AS expressions,
       ARRAY(SELECT (i.indoption[k.n - 1] & 1) = 1
               FROM pg_catalog.generate_series(1, i.indnkeyatts) AS k(n) ORDER BY k.n)
           AS descending,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) AS predicate
  FROM pg_catalog.pg_index AS i
  JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
  JOIN pg_catalog.pg_class AS t ON t.oid = i.indrelid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace
  JOIN pg_catalog.pg_am AS am ON am.oid = c.relam
 WHERE (n.nspname::text, t.relname::text) IN (SELECT * FROM ROWS FROM (pg_catalog.unnest(%(schemas)s::text[]),
                                        pg_catalog.unnest(%(tables)s::text[])))
