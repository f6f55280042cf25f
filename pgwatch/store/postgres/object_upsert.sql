INSERT INTO {schema}.objects (target, collector, labels)
VALUES (%(target)s, %(collector)s, %(labels)s)
ON CONFLICT (target, collector, labels) DO UPDATE SET labels = EXCLUDED.labels
RETURNING id;
