INSERT INTO rollups (series_id, hour, n, min, max, avg, last, increase)
VALUES (:series_id, :hour, :n, :min, :max, :avg, :last, :increase)
ON CONFLICT (series_id, hour) DO UPDATE SET
    n = excluded.n, min = excluded.min, max = excluded.max, avg = excluded.avg,
    last = excluded.last, increase = excluded.increase;
