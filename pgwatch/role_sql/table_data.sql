-- bloat: the estimate reads pg_stats, which shows a column's statistics (its most common
-- values among them) only to a role that may SELECT the column. So: SELECT on the tables of
-- every schema, now and (default privileges of their owners) later. This lets the role read
-- table data; without it (--without-table-data) the bloat collector reports no rows.
DO $bloat$
DECLARE
    grantee text := pg_catalog.current_setting('pgwatch.grantee');
    found record;
BEGIN
    FOR found IN SELECT n.nspname
                   FROM pg_catalog.pg_namespace AS n
                  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                    AND n.nspname !~ '^pg_(toast|temp_)' LOOP
        EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %I', found.nspname, grantee);
        EXECUTE pg_catalog.format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I',
                                  found.nspname, grantee);
    END LOOP;
    -- Tables created later by the database's owner or by a role that owns tables now.
    FOR found IN SELECT DISTINCT n.nspname, pg_catalog.pg_get_userbyid(o.owner) AS owner
                   FROM pg_catalog.pg_namespace AS n
                  CROSS JOIN (SELECT c.relowner FROM pg_catalog.pg_class AS c
                               WHERE c.relkind IN ('r', 'p', 'm')
                              UNION
                              SELECT d.datdba FROM pg_catalog.pg_database AS d
                               WHERE d.datname = pg_catalog.current_database()) AS o(owner)
                  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                    AND n.nspname !~ '^pg_(toast|temp_)'
                    AND pg_catalog.pg_get_userbyid(o.owner) <> grantee
                    AND pg_catalog.pg_get_userbyid(o.owner) !~ '^pg_' LOOP
        EXECUTE pg_catalog.format(
            'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT SELECT ON TABLES TO %I',
            found.owner, found.nspname, grantee);
    END LOOP;
END
$bloat$;
