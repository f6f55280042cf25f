-- Undoes 0003: the naive triggers come back first, in the same transaction that removes the
-- new ones, then the views, functions and tables go.

-- pgwatch:step
-- DROP TRIGGER takes ACCESS EXCLUSIVE on its table. activities goes first, the order in which
-- writers lock (an activity insert locks activities, then the rows its foreign keys point
-- at): taking users first could hold users while waiting for an insert that waits for users.
DROP TRIGGER activities_queue_refresh_update ON public.activities;
DROP TRIGGER activities_queue_refresh ON public.activities;
DROP TRIGGER activities_stats_delete ON public.activities;
DROP TRIGGER activities_stats_update ON public.activities;
DROP TRIGGER activities_stats_insert ON public.activities;

CREATE TRIGGER activities_recalculate_stats
    AFTER INSERT OR UPDATE OR DELETE ON public.activities
    FOR EACH ROW EXECUTE FUNCTION public.activities_recalculate_stats();

DROP TRIGGER team_goals_queue_refresh ON public.team_goals;
DROP TRIGGER team_members_queue_refresh ON public.team_members;
DROP TRIGGER teams_queue_refresh ON public.teams;
DROP TRIGGER users_queue_refresh ON public.users;

-- pgwatch:step
DROP FUNCTION public.log_trigger_timing(text, text, text, double precision);
DROP FUNCTION public.user_stats_restreak(uuid);
DROP FUNCTION public.user_stats_change(public.activities, public.activities);
DROP FUNCTION public.user_stats_subtract(public.activities, boolean);
DROP FUNCTION public.user_stats_add(public.activities);
DROP FUNCTION public.team_progress_subtract(public.activities);
DROP FUNCTION public.team_progress_add(public.activities);
DROP FUNCTION public.activities_maintain_stats();
DROP PROCEDURE public.refresh_due_materialized_views(interval, integer, integer);
DROP FUNCTION public.queue_mv_refresh_on_activity_update();
DROP FUNCTION public.queue_mv_refresh();
DROP FUNCTION public.request_mv_refresh(text[]);

-- pgwatch:step
DROP MATERIALIZED VIEW public.mv_team_goal_progress;
DROP MATERIALIZED VIEW public.mv_global_leaderboard;
DROP MATERIALIZED VIEW public.mv_team_member_leaderboard;
DROP MATERIALIZED VIEW public.mv_team_activity_stats;
DROP MATERIALIZED VIEW public.mv_user_activity_stats;

-- pgwatch:step
DROP TABLE public.mv_refresh_queue;
DROP TABLE public.trigger_performance_log;
DROP TABLE public.mv_refresh_log;
