UPDATE {schema}.outbox
SET attempts = %(attempts)s, next_attempt_at = %(next_attempt_at)s, last_error = %(last_error)s
WHERE id = %(id)s;
