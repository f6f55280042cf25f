-- Whether a function or procedure of that name exists in the schema.
SELECT 'f' AS relkind, true AS populated, true AS valid
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname = %(schema)s AND p.proname = %(name)s
LIMIT 1
