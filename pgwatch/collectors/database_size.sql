-- Size of every database this role may connect to: pg_database_size() walks every file of
-- the database, which is why this runs on its own, slower interval.
SELECT d.datname::text AS datname,
       pg_catalog.pg_database_size(d.oid)::float8 AS size_bytes
  FROM pg_catalog.pg_database AS d
 WHERE d.datallowconn
   AND NOT d.datistemplate
   AND (pg_catalog.has_database_privilege(d.oid, 'CONNECT')
        OR pg_catalog.pg_has_role('pg_read_all_stats', 'USAGE'))
