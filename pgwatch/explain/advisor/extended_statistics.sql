-- Extended statistics objects of one table, by the column names they cover.
SELECT ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute AS a
              WHERE a.attrelid = x.stxrelid AND a.attnum = ANY (x.stxkeys)) AS columns
  FROM pg_catalog.pg_statistic_ext AS x
  JOIN pg_catalog.pg_class AS c ON c.oid = x.stxrelid
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 WHERE n.nspname = %(schema)s AND c.relname = %(table)s
