-- The oldest entries of one receiver's queue, in the order they were queued.
SELECT id, receiver, created_at, payload, attempts, next_attempt_at, last_error
FROM {schema}.outbox
WHERE owner = %(owner)s AND receiver = %(receiver)s
ORDER BY id
LIMIT %(limit)s;
