-- A team's distance and active users per UTC week over the last 12 weeks.
-- category: aggregation
SELECT date_trunc('week', a.start_time AT TIME ZONE 'UTC')::date AS week,
       sum(a.distance) AS distance, count(DISTINCT a.user_id) AS active_users
FROM public.activities AS a
WHERE a.team_id = %(team_id)s AND a.start_time >= now() - interval '12 weeks'
GROUP BY 1
ORDER BY 1
