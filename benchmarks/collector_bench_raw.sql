-- The raw reads pgwatch is measured against (one statement per line, all rows fetched).
SELECT * FROM public.pg_stat_statements(false)
SELECT * FROM pg_catalog.pg_stat_user_tables
SELECT * FROM pg_catalog.pg_stat_user_indexes
