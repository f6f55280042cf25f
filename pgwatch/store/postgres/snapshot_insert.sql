INSERT INTO {schema}.snapshots (target, collector, taken_at, row_count, body)
VALUES (%(target)s, %(collector)s, %(taken_at)s, %(row_count)s, %(body)s);
