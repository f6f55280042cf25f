-- A user's dashboard card: lifetime totals and streaks, distance over the last 7 and 30 days.
-- category: dashboard
SELECT s.total_distance, s.total_activities, s.current_streak, s.longest_streak,
       s.last_activity_at, w.distance AS week_distance, w.activities AS week_activities,
       m.distance AS month_distance, m.activities AS month_activities
FROM public.user_stats AS s
CROSS JOIN LATERAL (
    SELECT COALESCE(sum(a.distance), 0) AS distance, count(*) AS activities
    FROM public.activities AS a
    WHERE a.user_id = s.user_id AND a.start_time >= now() - interval '7 days') AS w
CROSS JOIN LATERAL (
    SELECT COALESCE(sum(a.distance), 0) AS distance, count(*) AS activities
    FROM public.activities AS a
    WHERE a.user_id = s.user_id AND a.start_time >= now() - interval '30 days') AS m
WHERE s.user_id = %(user_id)s
