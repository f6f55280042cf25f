INSERT INTO {schema}.outbox (receiver, created_at, payload, next_attempt_at)
VALUES (%(receiver)s, %(created_at)s, %(payload)s, 0);
