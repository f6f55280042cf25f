-- Whether a schema exists.
SELECT 'n' AS relkind, true AS populated, true AS valid
FROM pg_catalog.pg_namespace AS n
WHERE n.nspname = %(name)s
