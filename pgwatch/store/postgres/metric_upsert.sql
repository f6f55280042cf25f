INSERT INTO {schema}.metrics (name, kind) VALUES (%(name)s, %(kind)s)
ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind
RETURNING id;
