-- The rows the activity triggers maintain, computed set-based with the same definitions as
-- public.recalculate_team_progress and public.recalculate_user_stats (streaks: runs of
-- consecutive UTC days; the current one is the run that ends on the last active day).
INSERT INTO public.team_progress (team_goal_id, total_distance, total_activities,
                                  total_duration, last_activity_at)
SELECT team_goal_id, pg_catalog.sum(distance), pg_catalog.count(*)::integer,
       pg_catalog.sum(duration)::bigint, pg_catalog.max(start_time)
FROM public.activities
WHERE team_goal_id IS NOT NULL
GROUP BY team_goal_id;

INSERT INTO public.user_stats (user_id, total_distance, total_activities, total_duration,
                               current_streak, longest_streak, last_activity_at)
WITH days AS (
    SELECT DISTINCT user_id, (start_time AT TIME ZONE 'UTC')::date AS day
    FROM public.activities
), runs AS (
    SELECT user_id, day,
           day - (pg_catalog.row_number() OVER (PARTITION BY user_id ORDER BY day))::integer AS run_id
    FROM days
), lengths AS (
    SELECT user_id, pg_catalog.count(*)::integer AS len, pg_catalog.max(day) AS last_day
    FROM runs GROUP BY user_id, run_id
), streaks AS (
    SELECT DISTINCT ON (user_id) user_id, len AS current_streak,
           pg_catalog.max(len) OVER (PARTITION BY user_id) AS longest_streak
    FROM lengths ORDER BY user_id, last_day DESC
), totals AS (
    SELECT user_id, pg_catalog.sum(distance) AS total_distance,
           pg_catalog.count(*)::integer AS total_activities,
           pg_catalog.sum(duration)::bigint AS total_duration,
           pg_catalog.max(start_time) AS last_activity_at
    FROM public.activities GROUP BY user_id
)
SELECT t.user_id, t.total_distance, t.total_activities, t.total_duration, s.current_streak,
       s.longest_streak, t.last_activity_at
FROM totals AS t JOIN streaks AS s USING (user_id);
