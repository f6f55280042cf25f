-- The extensions created in this database (the instance's probe saw only its own database).
SELECT e.extname::text AS name, e.extversion AS version
  FROM pg_catalog.pg_extension AS e
