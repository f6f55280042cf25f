-- Extensions pgwatch can use: installed in this database, or only available on disk.
SELECT a.name, e.extversion AS installed_version, a.default_version
  FROM pg_catalog.pg_available_extensions AS a
  LEFT JOIN pg_catalog.pg_extension AS e ON e.extname = a.name
 WHERE a.name IN ('pg_stat_statements', 'pgstattuple', 'hypopg', 'pg_buffercache',
                  'pg_qualstats')
