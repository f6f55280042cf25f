-- A user's percentile rank by public distance in the current UTC month (0 = last, 1 = first).
-- category: leaderboard
WITH totals AS (
    SELECT a.user_id, sum(a.distance) AS distance
    FROM public.activities AS a
    WHERE a.is_private = false
      AND date_trunc('month', a.start_time AT TIME ZONE 'UTC')::date
          = date_trunc('month', now() AT TIME ZONE 'UTC')::date
    GROUP BY a.user_id
), me AS (
    SELECT COALESCE((SELECT t.distance FROM totals AS t WHERE t.user_id = %(user_id)s), 0)
           AS distance
)
SELECT me.distance,
       count(*) FILTER (WHERE t.distance < me.distance)::float8 / GREATEST(count(*), 1)
           AS percentile,
       count(*) AS ranked_users
FROM me LEFT JOIN totals AS t ON true
GROUP BY me.distance
