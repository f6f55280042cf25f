-- The oldest entries of one receiver's queue, in the order they were queued.
SELECT id, receiver, created_at, payload, attempts, next_attempt_at, last_error
FROM outbox
WHERE owner = :owner AND receiver = :receiver
ORDER BY id
LIMIT :limit;
