-- One team's leaderboard: public distance per active member over the last 30 days.
-- category: leaderboard
SELECT a.user_id, u.name, sum(a.distance) AS distance, count(*) AS activities,
       rank() OVER (ORDER BY sum(a.distance) DESC) AS rank
FROM public.activities AS a
JOIN public.users AS u ON u.id = a.user_id
WHERE a.team_id = %(team_id)s AND a.is_private = false
  AND a.start_time >= now() - interval '30 days'
  AND EXISTS (SELECT 1 FROM public.team_members AS m
              WHERE m.team_id = a.team_id AND m.user_id = a.user_id AND m.left_at IS NULL)
GROUP BY a.user_id, u.name
ORDER BY distance DESC
LIMIT 50
