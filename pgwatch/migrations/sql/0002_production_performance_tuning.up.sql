-- Production performance tuning: immutable time buckets, 18 indexes, each serving a named query
-- of the workload catalog, and autovacuum settings for the hot tables.
-- Every index is built with CREATE INDEX CONCURRENTLY in a step of its own, outside any
-- transaction, so writers are never blocked; IF NOT EXISTS makes a resumed run skip finished
-- builds, and the runner drops and rebuilds an index an interrupted build left INVALID.

-- pgwatch:step
-- date_trunc() on timestamptz depends on the TimeZone setting and is only STABLE; the bucket of
-- the UTC wall-clock time is IMMUTABLE. Plain SQL functions are inlined, so a query may use the
-- function or the expression it stands for, and the planner matches the index either way.
CREATE FUNCTION public.utc_week_start(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.date_trunc('week', ts AT TIME ZONE 'UTC')::date;

CREATE FUNCTION public.utc_month_start(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.date_trunc('month', ts AT TIME ZONE 'UTC')::date;

-- pgwatch:step no-transaction
-- dashboard.activity_history: a user's activities, newest first, keyset pagination on
-- (start_time, id); also dashboard.user_summary (recent activities) and the per-user sums.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_activities_user_start_cover
    ON public.activities (user_id, start_time DESC, id DESC)
    INCLUDE (distance, duration, team_id, team_goal_id, source, is_private);

-- pgwatch:step no-transaction
-- dashboard.team_feed: public activities of the user's teams, newest first;
-- leaderboard.team_members: public distance per member of one team over a period.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_activities_team_public_start
    ON public.activities (team_id, start_time DESC)
    INCLUDE (user_id, distance, duration)
    WHERE is_private = false;

-- pgwatch:step no-transaction
-- aggregation.team_goal_progress: sums over the activities of one goal (index-only scan).
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_activities_goal_cover
    ON public.activities (team_goal_id)
    INCLUDE (distance, duration, start_time)
    WHERE team_goal_id IS NOT NULL;

-- pgwatch:step no-transaction
-- leaderboard.global_weekly and leaderboard.rank_movement: public distance per user per UTC week.
-- start_time is included because the queries name it: the scans are then index-only.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_activities_public_week
    ON public.activities (public.utc_week_start(start_time), user_id)
    INCLUDE (distance, start_time)
    WHERE is_private = false;

-- pgwatch:step no-transaction
-- leaderboard.global_monthly and leaderboard.user_percentile: public distance per user per month.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_activities_public_month
    ON public.activities (public.utc_month_start(start_time), user_id)
    INCLUDE (distance, start_time)
    WHERE is_private = false;

-- pgwatch:step no-transaction
-- external.last_sync: the newest activity a user imported from one external source.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_activities_user_source_external
    ON public.activities (user_id, source, start_time DESC)
    INCLUDE (external_id)
    WHERE source <> 'MANUAL';

-- pgwatch:step no-transaction
-- aggregation.team_stats: all activities of a team (private ones count) over a period.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_activities_team_start_all
    ON public.activities (team_id, start_time)
    INCLUDE (user_id, distance, duration);

-- pgwatch:step no-transaction
-- maintenance.quarterly_archive: activities created before a quarter boundary; a BRIN index
-- is a few pages for an append-mostly table and prepares time-based partitioning.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_activities_created_brin
    ON public.activities USING brin (created_at);

-- pgwatch:step no-transaction
-- permission.is_member and dashboard.team_feed (the user's teams): active memberships of a user.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_team_members_user_active
    ON public.team_members (user_id, team_id)
    INCLUDE (role)
    WHERE left_at IS NULL;

-- pgwatch:step no-transaction
-- leaderboard.team_members and aggregation.team_stats: the active members of a team.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_team_members_team_active
    ON public.team_members (team_id, joined_at)
    INCLUDE (user_id, role)
    WHERE left_at IS NULL;

-- pgwatch:step no-transaction
-- permission.is_admin: is this user an active admin of this team.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_team_members_admins
    ON public.team_members (team_id, user_id)
    WHERE role = 'ADMIN' AND left_at IS NULL;

-- pgwatch:step no-transaction
-- aggregation.team_goal_progress and dashboard.active_goals: a team's active goals.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_team_goals_team_active
    ON public.team_goals (team_id, end_date)
    INCLUDE (name, target_distance, start_date)
    WHERE status = 'ACTIVE';

-- pgwatch:step no-transaction
-- team.search: full-text search over public teams, ranked with ts_rank.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_teams_search
    ON public.teams USING gin (
        to_tsvector('simple'::regconfig, name || ' ' || COALESCE(description, '')))
    WHERE deleted_at IS NULL AND is_public;

-- pgwatch:step no-transaction
-- team.discover: the newest public teams.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_teams_public_created
    ON public.teams (created_at DESC)
    WHERE deleted_at IS NULL AND is_public;

-- pgwatch:step no-transaction
-- permission.user_by_email: case-insensitive login lookup of a live user.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email_lower
    ON public.users (lower(email))
    WHERE deleted_at IS NULL;

-- pgwatch:step no-transaction
-- permission.pending_invites: open invitations addressed to an e-mail.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_team_invites_email_pending
    ON public.team_invites (lower(email))
    INCLUDE (team_id, expires_at)
    WHERE status = 'PENDING';

-- pgwatch:step no-transaction
-- dashboard.recent_achievements: a user's achievements, newest first.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_user_achievements_user_earned
    ON public.user_achievements (user_id, earned_at DESC)
    INCLUDE (achievement_id);

-- pgwatch:step no-transaction
-- leaderboard.user_percentile and leaderboard.global_all_time: users ordered by total distance.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_user_stats_total_distance
    ON public.user_stats (total_distance DESC)
    INCLUDE (user_id, total_activities);

-- pgwatch:step
-- activities grows by inserts and is read by every dashboard: analyse and vacuum (for the
-- visibility map that index-only scans need) long before the 20 % default. team_progress and
-- user_stats are small and updated on every activity: keep room for HOT updates and vacuum
-- them often. SHARE UPDATE EXCLUSIVE, the lock these take, does not block writers.
ALTER TABLE public.activities SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.01);
ALTER TABLE public.team_progress SET (
    fillfactor = 70,
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 200,
    autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE public.user_stats SET (
    fillfactor = 70,
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 200,
    autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE public.team_members SET (autovacuum_analyze_scale_factor = 0.02);
