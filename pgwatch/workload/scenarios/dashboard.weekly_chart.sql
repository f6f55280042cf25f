-- A user's distance per UTC week over the last 12 weeks, for the dashboard chart.
-- category: dashboard
SELECT date_trunc('week', a.start_time AT TIME ZONE 'UTC')::date AS week,
       sum(a.distance) AS distance, count(*) AS activities
FROM public.activities AS a
WHERE a.user_id = %(user_id)s AND a.start_time >= now() - interval '12 weeks'
GROUP BY 1
ORDER BY 1
