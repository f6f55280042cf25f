-- A trigger on a table, and whether it is enabled.
SELECT 't' AS relkind, true AS populated, t.tgenabled <> 'D' AS valid
FROM pg_catalog.pg_trigger AS t
JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relname = %(table)s AND t.tgname = %(name)s
