-- An index of that name left INVALID (or not ready) by an interrupted concurrent build.
SELECT n.nspname AS schema_name, c.relname AS index_name
FROM pg_catalog.pg_index AS i
JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relname = %(name)s
  AND NOT (i.indisvalid AND i.indisready)
