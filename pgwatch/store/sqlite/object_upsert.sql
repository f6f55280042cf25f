INSERT INTO objects (target, collector, labels) VALUES (:target, :collector, :labels)
ON CONFLICT (target, collector, labels) DO UPDATE SET labels = excluded.labels
RETURNING id;
