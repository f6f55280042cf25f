-- One team's member leaderboard read from migration 0003's materialized view.
-- category: leaderboard
-- requires: public.mv_team_member_leaderboard
SELECT l.user_id, l.user_name, l.total_distance, l.distance_7d, l.team_rank
FROM public.mv_team_member_leaderboard AS l
WHERE l.team_id = %(team_id)s
ORDER BY l.team_rank
LIMIT 50
