-- In each database pgwatch watches: what its per-database collectors read beyond pg_monitor.
-- Every block checks what exists here, so the same text runs in any database, and again.
SET pgwatch.grantee = {grantee};

-- Every collector: a session in this database (PUBLIC has CONNECT unless it was revoked).
DO $connect$
BEGIN
    EXECUTE pg_catalog.format('GRANT CONNECT ON DATABASE %I TO %I',
                              pg_catalog.current_database(),
                              pg_catalog.current_setting('pgwatch.grantee'));
END
$connect$;

-- statements and pgstattuple: the schemas of pg_stat_statements and pgstattuple, whose
-- views and functions are called schema-qualified (their EXECUTE and SELECT rights come
-- with pg_monitor).
DO $extensions$
DECLARE
    found record;
BEGIN
    FOR found IN SELECT DISTINCT n.nspname
                   FROM pg_catalog.pg_extension AS e
                   JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
                  WHERE e.extname IN ('pg_stat_statements', 'pgstattuple')
                    AND n.nspname <> 'pg_catalog' LOOP
        EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %I', found.nspname,
                                  pg_catalog.current_setting('pgwatch.grantee'));
    END LOOP;
END
$extensions$;

-- mile_quest_views and mile_quest_triggers: SELECT on the log tables of Mile Quest
-- migration 0003, where they exist.
DO $mile_quest$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['public.mv_refresh_log', 'public.trigger_performance_log',
                                'public.mv_refresh_queue'] LOOP
        IF pg_catalog.to_regclass(name) IS NOT NULL THEN
            EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA public TO %I',
                                      pg_catalog.current_setting('pgwatch.grantee'));
            EXECUTE pg_catalog.format('GRANT SELECT ON TABLE %s TO %I',
                                      pg_catalog.to_regclass(name),
                                      pg_catalog.current_setting('pgwatch.grantee'));
        END IF;
    END LOOP;
END
$mile_quest$;
