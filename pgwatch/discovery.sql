-- Every database of the instance, with what decides whether pgwatch may watch it.
SELECT d.datname::text AS name,
       d.datistemplate AS is_template,
       d.datallowconn AS allows_connections
  FROM pg_catalog.pg_database AS d
 ORDER BY d.datname
