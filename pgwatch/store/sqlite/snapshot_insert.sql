INSERT INTO snapshots (target, collector, taken_at, row_count, body)
VALUES (:target, :collector, :taken_at, :row_count, :body);
