SELECT taken_at, body FROM snapshots
WHERE target = :target AND collector = :collector
ORDER BY taken_at DESC, id DESC
LIMIT 1;
