INSERT INTO metrics (name, kind) VALUES (:name, :kind)
ON CONFLICT (name) DO UPDATE SET kind = excluded.kind
RETURNING id;
