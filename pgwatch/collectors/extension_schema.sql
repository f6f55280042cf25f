-- Where an extension lives, and its version: its functions are called schema-qualified.
SELECT n.nspname::text AS schema, e.extversion AS version
  FROM pg_catalog.pg_extension AS e
  JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
 WHERE e.extname = %(name)s
