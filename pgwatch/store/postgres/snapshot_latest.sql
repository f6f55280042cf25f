SELECT taken_at, body FROM {schema}.snapshots
WHERE target = %(target)s AND collector = %(collector)s
ORDER BY taken_at DESC, id DESC
LIMIT 1;
