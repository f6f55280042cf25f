-- The snapshot written last: after a step back of the wall clock it has the earlier taken_at.
SELECT taken_at, body FROM {schema}.snapshots
WHERE target = %(target)s AND collector = %(collector)s
ORDER BY id DESC
LIMIT 1;
