-- Undoes 0002: drops its indexes concurrently, resets the storage settings, drops the
-- bucket functions.

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_user_stats_total_distance;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_user_achievements_user_earned;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_team_invites_email_pending;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_users_email_lower;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_teams_public_created;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_teams_search;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_team_goals_team_active;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_team_members_admins;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_team_members_team_active;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_team_members_user_active;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_activities_created_brin;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_activities_team_start_all;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_activities_user_source_external;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_activities_public_month;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_activities_public_week;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_activities_goal_cover;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_activities_team_public_start;

-- pgwatch:step no-transaction
DROP INDEX CONCURRENTLY IF EXISTS public.idx_activities_user_start_cover;

-- pgwatch:step
-- Storage parameters go back to the defaults they had before 0002.
ALTER TABLE public.team_members RESET (autovacuum_analyze_scale_factor);
ALTER TABLE public.user_stats RESET (fillfactor, autovacuum_vacuum_scale_factor,
    autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor);
ALTER TABLE public.team_progress RESET (fillfactor, autovacuum_vacuum_scale_factor,
    autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor);
ALTER TABLE public.activities RESET (autovacuum_vacuum_scale_factor,
    autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor);
DROP FUNCTION public.utc_month_start(timestamptz);
DROP FUNCTION public.utc_week_start(timestamptz);
