-- The database a session without database discovery watches: the one it connected to.
SELECT pg_catalog.current_database()::text AS name
