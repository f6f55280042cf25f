-- What the other sessions of this database run or ran last, constants intact: the literal
-- examples of the normalised texts of pg_stat_statements.
SELECT a.query
  FROM pg_catalog.pg_stat_activity AS a
 WHERE a.datname = pg_catalog.current_database()
   AND a.pid <> pg_catalog.pg_backend_pid()
   AND a.backend_type = 'client backend'
   AND COALESCE(a.query, '') <> ''
