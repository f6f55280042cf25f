-- pgstattuple_approx on the largest user tables under a size limit: it reads the pages the
-- visibility map does not mark all-visible, so it is bounded by size and count.
SELECT n.nspname::text AS schemaname,
       c.relname::text AS relname,
       c.relname::text AS table_name,
       'table' AS kind,
       'pgstattuple' AS method,
       p.table_len::float8 AS real_bytes,
       (p.approx_free_space + p.dead_tuple_len)::float8 AS bloat_bytes,
       CASE WHEN p.table_len > 0
            THEN ((p.approx_free_space + p.dead_tuple_len)::float8 / p.table_len)
            ELSE 0 END AS bloat_ratio
  FROM (SELECT c.oid
          FROM pg_catalog.pg_class AS c
          JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'm')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_toast'
           AND pg_catalog.pg_relation_size(c.oid) BETWEEN 1 AND %(max_bytes)s
         ORDER BY pg_catalog.pg_relation_size(c.oid) DESC
         LIMIT %(max_tables)s) AS pick
  JOIN pg_catalog.pg_class AS c ON c.oid = pick.oid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL {approx}(c.oid) AS p
