INSERT INTO {schema}.rollups (series_id, hour, n, min, max, avg, last, increase)
VALUES (%(series_id)s, %(hour)s, %(n)s, %(min)s, %(max)s, %(avg)s, %(last)s, %(increase)s)
ON CONFLICT (series_id, hour) DO UPDATE SET
    n = EXCLUDED.n, min = EXCLUDED.min, max = EXCLUDED.max, avg = EXCLUDED.avg,
    last = EXCLUDED.last, increase = EXCLUDED.increase;
