INSERT INTO latest_rows (target, collector, taken_at, body)
VALUES (:target, :collector, :taken_at, :body)
ON CONFLICT (target, collector) DO UPDATE SET taken_at = excluded.taken_at, body = excluded.body;
