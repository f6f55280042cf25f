-- Size and write rate of some tables, and the average width of their columns: what an index
-- on them would cost to keep.
SELECT n.nspname::text AS schema,
       c.relname::text AS table,
       GREATEST(c.reltuples, 0)::float8 AS rows,
       COALESCE(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0)::float8 AS writes,
       COALESCE(s.n_tup_ins, 0)::float8 AS inserts,
       COALESCE(s.n_tup_upd, 0)::float8 AS updates,
       (SELECT pg_catalog.jsonb_object_agg(st.attname, st.avg_width)
          FROM pg_catalog.pg_stats AS st
         WHERE st.schemaname = n.nspname AND st.tablename = c.relname) AS widths
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_stat_all_tables AS s ON s.relid = c.oid
 WHERE (n.nspname::text, c.relname::text) IN (SELECT * FROM ROWS FROM (pg_catalog.unnest(%(schemas)s::text[]),
                                        pg_catalog.unnest(%(tables)s::text[])))
