-- Week-over-week movement: last week's top 50 and each one's rank the week before.
-- category: leaderboard
WITH weekly AS (
    SELECT date_trunc('week', a.start_time AT TIME ZONE 'UTC')::date AS week, a.user_id,
           sum(a.distance) AS distance
    FROM public.activities AS a
    WHERE a.is_private = false
      AND date_trunc('week', a.start_time AT TIME ZONE 'UTC')::date
          BETWEEN date_trunc('week', now() AT TIME ZONE 'UTC')::date - 14
              AND date_trunc('week', now() AT TIME ZONE 'UTC')::date - 7
    GROUP BY 1, 2
), ranked AS (
    SELECT week, user_id, distance,
           rank() OVER (PARTITION BY week ORDER BY distance DESC) AS rank
    FROM weekly
)
SELECT cur.user_id, cur.distance, cur.rank, prev.rank AS previous_rank,
       prev.rank - cur.rank AS movement
FROM ranked AS cur
LEFT JOIN ranked AS prev ON prev.user_id = cur.user_id AND prev.week = cur.week - 7
WHERE cur.week = date_trunc('week', now() AT TIME ZONE 'UTC')::date - 7
ORDER BY cur.rank
LIMIT 50
