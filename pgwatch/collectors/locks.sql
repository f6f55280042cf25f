-- pg_locks counted by database, lock type, mode and whether granted.
SELECT COALESCE(d.datname::text, '') AS datname,
       l.locktype,
       l.mode,
       l.granted,
       count(*) AS locks
  FROM pg_catalog.pg_locks AS l
  LEFT JOIN pg_catalog.pg_database AS d ON d.oid = l.database
 GROUP BY 1, 2, 3, 4
