-- The snapshot written last: after a step back of the wall clock it has the earlier taken_at.
SELECT taken_at, body FROM snapshots
WHERE target = :target AND collector = :collector
ORDER BY id DESC
LIMIT 1;
