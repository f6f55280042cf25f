-- A team's statistics over the last 90 days (private activities count) and its active members.
-- category: aggregation
SELECT count(*) AS activities, COALESCE(sum(a.distance), 0) AS distance,
       COALESCE(sum(a.duration), 0) AS duration, count(DISTINCT a.user_id) AS active_users,
       avg(a.distance) AS average_distance,
       (SELECT count(*) FROM public.team_members AS m
        WHERE m.team_id = %(team_id)s AND m.left_at IS NULL) AS members
FROM public.activities AS a
WHERE a.team_id = %(team_id)s AND a.start_time >= now() - interval '90 days'
