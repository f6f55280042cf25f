-- Activities, in one set-based INSERT. Skew: the user index is 1 + floor(U * r^2.5), so the
-- top 1 per cent of users log about a sixth of all activities; each activity goes to one of its
-- user's teams. Time: the last 52 weeks, more recent weeks busier, weekends busiest (weekday
-- weights .12 .13 .13 .12 .10 .22 .18 from Monday), morning and evening peaks; a time that
-- falls later than now in the current week moves back one week. 10 per cent are private.
-- Rows are written in time order, as the app appends them. Distance is log-normal (median
-- about 5 km), pace 2 to 4.5 m/s.
INSERT INTO public.activities (user_id, team_id, team_goal_id, distance, duration, start_time,
                               notes, source, external_id, is_private, created_at, updated_at)
SELECT u.id, ut.team_id,
       CASE WHEN s.r_goal < 0.9 THEN g.id END,
       s.distance, (s.distance / s.pace)::integer, s.ts,
       CASE WHEN s.r_note < 0.2 THEN 'Felt great, nice weather' END,
       s.source,
       CASE WHEN s.source <> 'MANUAL' THEN pg_catalog.lower(s.source) || '-' || s.g END,
       s.r_private < 0.10,
       s.ts + pg_catalog.make_interval(secs => (s.distance / s.pace) + 300),
       s.ts + pg_catalog.make_interval(secs => (s.distance / s.pace) + 300)
FROM (
    SELECT d.g, d.user_n, d.r_team, d.r_goal, d.r_note, d.r_private, d.distance, d.pace,
           CASE WHEN d.r_source < 0.4 THEN 'MANUAL' WHEN d.r_source < 0.7 THEN 'STRAVA'
                WHEN d.r_source < 0.9 THEN 'APPLE_HEALTH' ELSE 'GOOGLE_FIT' END AS source,
           CASE WHEN d.raw_ts > pg_catalog.now() THEN d.raw_ts - interval '7 days'
                ELSE d.raw_ts END AS ts
    FROM (
        SELECT r.*,
               pg_catalog.round(pg_catalog.exp(8.5 + 0.6 * pg_catalog.sqrt(-2 * pg_catalog.ln(r.r_n1))
                   * pg_catalog.cos(2 * pg_catalog.pi() * r.r_n2))::numeric, 2) AS distance,
               (pg_catalog.date_trunc('week', pg_catalog.now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
               - pg_catalog.make_interval(weeks => pg_catalog.floor(52 * pg_catalog.power(r.r_week, 1.3))::integer)
               + pg_catalog.make_interval(days => CASE WHEN r.r_day < 0.12 THEN 0
                   WHEN r.r_day < 0.25 THEN 1 WHEN r.r_day < 0.38 THEN 2 WHEN r.r_day < 0.50 THEN 3
                   WHEN r.r_day < 0.60 THEN 4 WHEN r.r_day < 0.82 THEN 5 ELSE 6 END)
               + CASE WHEN r.r_hour < 0.4 THEN interval '6 hours' + interval '3 hours' * r.r_minute
                      WHEN r.r_hour < 0.8 THEN interval '17 hours' + interval '3 hours' * r.r_minute
                      ELSE interval '9 hours' + interval '8 hours' * r.r_minute END AS raw_ts
        FROM (
            SELECT g, 1 + pg_catalog.floor(%(users)s * pg_catalog.power(random(), 2.5))::integer AS user_n,
                   random() AS r_team, random() AS r_goal, random() AS r_note,
                   random() AS r_private, random() AS r_source, 1 - random() AS r_n1,
                   random() AS r_n2, random() AS r_week, random() AS r_day, random() AS r_hour,
                   random() AS r_minute, 2 + 2.5 * random() AS pace
            FROM pg_catalog.generate_series(1, %(activities)s) AS g
        ) AS r
    ) AS d
) AS s
JOIN gen_user AS u ON u.n = s.user_n
JOIN gen_user_team AS c ON c.user_n = s.user_n AND c.k = 0
JOIN gen_user_team AS ut ON ut.user_n = s.user_n
                        AND ut.k = pg_catalog.floor(s.r_team * c.teams)::integer
LEFT JOIN gen_goal AS g ON g.team_id = ut.team_id AND s.ts >= g.starts AND s.ts < g.ends
-- In time order, as an append-mostly table fills: physical order follows created_at.
ORDER BY s.ts;
