INSERT INTO {schema}.outbox (owner, receiver, created_at, payload, next_attempt_at)
VALUES (%(owner)s, %(receiver)s, %(created_at)s, %(payload)s, 0);
