INSERT INTO samples (series_id, ts, value) VALUES (:series_id, :ts, :value)
ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value;
