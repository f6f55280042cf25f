-- A relation by schema and name: its kind, whether a materialized view is populated, and
-- whether an index is valid and ready.
SELECT c.relkind::text AS relkind, c.relispopulated AS populated,
       COALESCE(i.indisvalid AND i.indisready, true) AS valid
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_index AS i ON i.indexrelid = c.oid
WHERE n.nspname = %(schema)s AND c.relname = %(name)s
