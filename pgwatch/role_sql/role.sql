-- The monitoring role: created only when missing, a login with no password and no other
-- attribute (not a superuser, cannot create databases or roles). pg_monitor lets it read
-- every statistics view, every setting and every session's query text, and run
-- pgstattuple_approx (through pg_stat_scan_tables).
SET pgwatch.grantee = {grantee};
DO $role$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles
                    WHERE rolname = pg_catalog.current_setting('pgwatch.grantee')) THEN
        EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN',
                                  pg_catalog.current_setting('pgwatch.grantee'));
    END IF;
END
$role$;
GRANT pg_monitor TO {role};
-- From PostgreSQL 15 on, it may keep its own statements out of pg_stat_statements (they would
-- crowd the server's own work out of the top statements); on 14 only a superuser may.
DO $untracked$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::int >= 150000 THEN
        EXECUTE pg_catalog.format('GRANT SET ON PARAMETER pg_stat_statements.track, '
                                  'pg_stat_statements.track_utility TO %I',
                                  pg_catalog.current_setting('pgwatch.grantee'));
    END IF;
END
$untracked$;
-- Its password: set it interactively, so it is in no file or shell history:
--   \password {role}
