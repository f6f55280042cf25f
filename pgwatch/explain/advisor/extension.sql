-- Where an extension lives: its functions are called schema-qualified.
SELECT n.nspname::text AS schema
  FROM pg_catalog.pg_extension AS e
  JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
 WHERE e.extname = %(name)s
