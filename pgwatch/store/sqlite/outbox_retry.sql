UPDATE outbox
SET attempts = :attempts, next_attempt_at = :next_attempt_at, last_error = :last_error
WHERE id = :id;
